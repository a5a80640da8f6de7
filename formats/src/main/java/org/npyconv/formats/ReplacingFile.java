package org.npyconv.formats;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The last step of every output npyconv writes (index, export, conversion): a complete, synced
 * temporary file in the target's directory replaces the target in one rename, so readers see the
 * old file or the new one, never a partial one.
 */
public final class ReplacingFile {
    private ReplacingFile() {}

    /** Renames {@code temp} over {@code target} (atomically where the file system can) and syncs the directory. */
    public static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        // Make the rename itself durable (Linux allows fsync on a directory opened read-only).
        try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Best effort: some file systems refuse to sync directories.
        }
    }
}
