package org.npyconv.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplacingFileTest {
    @TempDir
    Path dir;

    /** A PID that certainly belonged to a process that has exited. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        long pid = p.pid();
        assertTrue(ProcessHandle.of(pid).isEmpty(), "the child is reaped");
        return pid;
    }

    @Test
    void createTempRemovesOnlyTheTemporaryFilesOfDeadProcesses() throws Exception {
        long dead = deadPid();
        long live = ProcessHandle.current().pid();
        Path target = dir.resolve("data.npy.npyidx");
        List<String> names = List.of(
                "data.npy.npyidx.tmp-" + dead + "-123",          // a killed run's: removed
                "data.npy.npyidx.tmp-" + dead + "-456.ckpt",     // its checkpoint scratch: removed
                "data.npy.npyidx.tmp-" + live + "-789",          // a live writer's: kept
                "data.npy.npyidx.tmp-123456789",                  // no PID (older npyconv): kept
                "other.npy.npyidx.tmp-" + dead + "-1",            // another target's: kept
                "data.npy.npyidx");                               // the target itself: kept
        for (String n : names) {
            Files.writeString(dir.resolve(n), n);
        }

        Path temp = ReplacingFile.createTemp(target, ".ckpt");

        assertTrue(temp.getFileName().toString().startsWith("data.npy.npyidx.tmp-" + live + "-"), temp.toString());
        assertTrue(temp.getFileName().toString().endsWith(".ckpt"), temp.toString());
        assertEquals(0, Files.size(temp));
        try (Stream<Path> files = Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(temp.getFileName().toString()))
                    .sorted().collect(Collectors.toList());
            assertEquals(names.subList(2, 6).stream().sorted().collect(Collectors.toList()), left);
        }
    }

    /** An output's mode follows the umask like any Unix tool's, not createTempFile's 0600. */
    @Test
    void temporaryFilesGetTheUmaskModeNotOwnerOnly() throws Exception {
        Path probe = Files.createFile(dir.resolve("probe"));
        Path temp = ReplacingFile.createTemp(dir.resolve("out.parquet"), "");
        assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(temp));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Durability.class)
    void moveIntoPlaceReplacesTheTarget(Durability durability) throws Exception {
        Path target = dir.resolve("out.jsonl");
        Files.writeString(target, "old");
        Path temp = ReplacingFile.createTemp(target, "");
        Files.writeString(temp, "new");
        durability.force(temp);
        ReplacingFile.moveIntoPlace(temp, target, durability);
        assertEquals("new", Files.readString(target));
        assertTrue(Files.notExists(temp));
    }

    /**
     * Temporary files are pending (deleted by the shutdown hook) from creation until they are
     * renamed into place or discarded, and the hook's work deletes exactly the pending ones.
     */
    @Test
    void temporaryFilesArePendingUntilRenamedOrDiscarded() throws Exception {
        int before = ReplacingFile.pendingCount();
        Path kept = ReplacingFile.createTemp(dir.resolve("kept.bin"), "");
        Path dropped = ReplacingFile.createTemp(dir.resolve("dropped.bin"), "");
        Path orphan = ReplacingFile.createTemp(dir.resolve("orphan.bin"), "");
        assertEquals(before + 3, ReplacingFile.pendingCount());
        ReplacingFile.moveIntoPlace(kept, dir.resolve("kept.bin"), Durability.RENAME);
        ReplacingFile.discard(dropped);
        assertEquals(before + 1, ReplacingFile.pendingCount());
        ReplacingFile.deletePending(); // what SIGTERM would run
        assertTrue(Files.exists(dir.resolve("kept.bin")));
        assertTrue(Files.notExists(orphan) && Files.notExists(dropped));
        ReplacingFile.discard(orphan);
        assertEquals(before, ReplacingFile.pendingCount());
    }
}
