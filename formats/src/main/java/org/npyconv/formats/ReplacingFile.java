package org.npyconv.formats;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The last step of every output npyconv writes (index, export, conversion): a complete
 * temporary file in the target's directory replaces the target in one rename, so readers see the
 * old file or the new one, never a partial one. Whether the data and the rename are also forced to
 * the disk is the caller's {@link Durability}.
 *
 * <p>Temporary files are named {@code NAME.tmp-PID-RANDOM[SUFFIX]}. A run killed outright (SIGKILL,
 * power loss) cannot remove its own; the next run that writes {@code NAME} removes those whose
 * process no longer exists on this machine. A live concurrent writer's files are left alone: its
 * process exists. (A recycled PID only delays the clean-up; a writer on another machine sharing the
 * directory is not protected: the directory is assumed to be written from one machine.)
 */
public final class ReplacingFile {
    /**
     * This process's temporary files not yet renamed into place or discarded. A shutdown hook
     * deletes them when the JVM is asked to stop (SIGTERM, SIGINT: {@code timeout}, Ctrl-C, a
     * service manager), so only a SIGKILL or a power loss leaves any for the next run to sweep.
     */
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ReplacingFile::deletePending, "npyconv-temp-cleanup"));
    }

    private ReplacingFile() {}

    /**
     * Makes {@code temp} (a temporary file created by other means than {@link #createTemp}) one of
     * those deleted if the JVM is stopped before {@link #moveIntoPlace} or {@link #discard}.
     */
    public static void track(Path temp) {
        PENDING.add(temp);
    }

    /** Deletes a temporary file that will not be renamed into place (a failed run's). */
    public static void discard(Path temp) throws IOException {
        try {
            Files.deleteIfExists(temp);
        } finally {
            PENDING.remove(temp);
        }
    }

    /** The shutdown hook's work; also what a run that ends normally leaves: nothing. */
    static void deletePending() {
        for (Path p : PENDING) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException ignored) {
                // best effort while the JVM stops
            }
        }
    }

    /** How many temporary files are pending (tests). */
    static int pendingCount() {
        return PENDING.size();
    }

    /**
     * Refuses a {@code target} that is the {@code source} being read, by any path (a symbolic or
     * hard link included): renaming the output over it would destroy the input, which cp also
     * refuses ("are the same file"). {@code what} names the target in the message ("output",
     * "index").
     *
     * @throws NpyconvException when both exist and are the same file
     */
    public static void requireDistinct(Path source, Path target, String what) throws IOException {
        if (Files.exists(source) && Files.exists(target) && Files.isSameFile(source, target)) {
            throw new NpyconvException("the " + what + " " + target + " is the input file " + source
                    + " itself: refusing to replace it");
        }
    }

    /**
     * Creates an empty temporary file for {@code target} in its directory, after removing the
     * temporary files of {@code target} that dead processes left behind.
     *
     * @throws NpyconvException when the directory does not exist or is not writable (naming the target)
     */
    public static Path createTemp(Path target, String suffix) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        String prefix = absolute.getFileName() + ".tmp-";
        removeDebris(dir, prefix);
        String mine = prefix + ProcessHandle.current().pid() + "-";
        while (true) {
            // Not Files.createTempFile: it makes the file 0600, and the output would keep that mode;
            // createFile leaves the mode to the umask, as any other Unix tool's output gets.
            // The name need only be unique (createFile is exclusive), not unpredictable: SecureRandom's
            // seeding cost every writing command ~25 ms of start-up (docs/startup.md).
            long draw = ThreadLocalRandom.current().nextLong();
            Path temp = dir.resolve(mine + Long.toUnsignedString(draw) + suffix);
            try {
                Files.createFile(temp);
                PENDING.add(temp);
                return temp;
            } catch (FileAlreadyExistsException taken) {
                // astronomically rare: draw another name
            } catch (NoSuchFileException | NotDirectoryException noDirectory) {
                // Said of the target, not of the temporary name the user never gave. Missing
                // directories are not created, as cp, np.save and pyarrow do not create them: a
                // mistyped path fails instead of growing a tree.
                throw new NpyconvException("cannot write " + absolute + ": no such directory: " + dir, noDirectory);
            } catch (AccessDeniedException denied) {
                throw new NpyconvException("cannot write " + absolute + ": permission denied in " + dir, denied);
            } catch (FileSystemException other) {
                // a read-only file system, an immutable directory, ...: the system's reason
                throw new NpyconvException("cannot write " + absolute + ": "
                        + (other.getReason() != null ? other.getReason() : other.getClass().getSimpleName()), other);
            }
        }
    }

    /** Deletes {@code PREFIX<pid>-...} files of processes that no longer exist; best effort. */
    static void removeDebris(Path dir, String prefix) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : entries) {
                long pid = writerPid(p.getFileName().toString().substring(prefix.length()));
                if (pid > 0 && ProcessHandle.of(pid).isEmpty()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | SecurityException ignored) {
            // Debris is a nuisance, not an error: never fail the run over it.
        }
    }

    /** The PID in {@code PID-RANDOM...}, or -1 for names npyconv did not make this way. */
    private static long writerPid(String rest) {
        int dash = rest.indexOf('-');
        if (dash <= 0 || dash > 19) {
            return -1;
        }
        for (int i = 0; i < dash; i++) {
            if (rest.charAt(i) < '0' || rest.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(rest, 0, dash, 10);
    }

    /**
     * Renames {@code temp} over {@code target} (atomically where the file system can); under
     * {@link Durability#FSYNC} also syncs the directory, making the rename itself durable. The
     * caller forces {@code temp}'s data first when it wants that ({@link Durability#force}).
     */
    public static void moveIntoPlace(Path temp, Path target, Durability durability) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        PENDING.remove(temp);
        if (durability != Durability.FSYNC) {
            return;
        }
        // Linux allows fsync on a directory opened read-only.
        try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Best effort: some file systems refuse to sync directories.
        }
    }
}
