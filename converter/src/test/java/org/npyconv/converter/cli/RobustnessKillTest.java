package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.indexer.IndexCheck;
import org.npyconv.indexer.Indexer;

/**
 * Atomic outputs under SIGKILL (docs/robustness.md): {@code index} and {@code export -o} run in a
 * child JVM on a large file (5 million strings, written by NumPy) and are killed with
 * {@link Process#destroyForcibly()} once their temporary file is growing. The previous index and
 * the previous export must be byte-for-byte intact, and a clean rerun must succeed. A killed run
 * cannot clean up: its {@code NAME.tmp-PID-XXXX} stays behind until the next run writing NAME, which
 * removes the temporary files of dead processes (and only those: see {@code ReplacingFileTest}).
 */
class RobustnessKillTest {
    @TempDir
    static Path shared;
    static Path big;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeBigFile() throws Exception {
        big = shared.resolve("big.npy");
        Path python = python();
        assertTrue(Files.isExecutable(python), "run tools/setup-python.sh first: no " + python);
        Process p = new ProcessBuilder(python.toString(), "-c", "import numpy as np; np.save(r'" + big
                + "', np.array([f'element-{i:09d}' for i in range(5_000_000)], dtype=object), allow_pickle=True)")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), output);
    }

    @Test
    void indexKilledMidwayLeavesThePreviousIndexIntact() throws Exception {
        Path npy = Files.createLink(tmp.resolve("big.npy"), big);
        Path index = Indexer.sidecarPath(npy);
        assertEquals(0, CliRun.of("index", npy.toString(), "--checkpoint-every", "4096").exitCode());
        byte[] previous = Files.readAllBytes(index);

        Process child = npyconv("index", npy.toString(), "--force");
        Path temp = awaitGrowingTemp(tmp, "big.npy.npyidx.tmp-", 64 * 1024, child);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");

        assertArrayEquals(previous, Files.readAllBytes(index), "the previous index is untouched");
        assertEquals(IndexCheck.Status.CURRENT, IndexCheck.full(npy, index).status());
        List<String> left = temps(tmp, "big.npy.npyidx.tmp-");
        System.out.println("after SIGKILL of index: " + left + " (temporary file was " + temp.getFileName() + ")");
        assertTrue(left.stream().allMatch(n -> n.startsWith("big.npy.npyidx.tmp-")), left.toString());

        assertFalse(left.isEmpty(), "a SIGKILL leaves the temporary file behind");

        // A clean rerun replaces the index, verifies, and removes the dead run's temporary files.
        CliRun rerun = CliRun.of("index", npy.toString(), "--force");
        assertEquals(0, rerun.exitCode(), rerun.err());
        assertEquals(0, CliRun.of("verify", npy.toString()).exitCode());
        assertEquals(List.of(), temps(tmp, "big.npy.npyidx.tmp-"), "the killed run's temporary files are gone");
    }

    @Test
    void exportKilledMidwayLeavesThePreviousOutputIntact() throws Exception {
        Path npy = Files.createLink(tmp.resolve("big.npy"), big);
        assertEquals(0, CliRun.of("index", npy.toString()).exitCode());
        Path output = tmp.resolve("out.jsonl");
        Files.writeString(output, "previous output\n");

        Process child = npyconv("export", npy.toString(), "-o", output.toString());
        awaitGrowingTemp(tmp, "out.jsonl.tmp-", 1 << 20, child);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertEquals("previous output\n", Files.readString(output), "the previous output is untouched");
        System.out.println("after SIGKILL of export: " + temps(tmp, "out.jsonl.tmp-"));
        assertFalse(temps(tmp, "out.jsonl.tmp-").isEmpty(), "a SIGKILL leaves the temporary file behind");
        CliRun rerun = CliRun.of("export", npy.toString(), "-o", output.toString());
        assertEquals(0, rerun.exitCode(), rerun.err());
        assertEquals(List.of(), temps(tmp, "out.jsonl.tmp-"), "the rerun removed the killed run's temporary file");
        try (Stream<String> lines = Files.lines(output)) {
            assertEquals(5_000_000, lines.count());
        }

        // Without a previous output, a killed export leaves no out.jsonl at all.
        Path fresh = tmp.resolve("fresh.jsonl");
        Process again = npyconv("export", npy.toString(), "-o", fresh.toString());
        awaitGrowingTemp(tmp, "fresh.jsonl.tmp-", 1 << 20, again);
        again.destroyForcibly();
        assertTrue(again.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.notExists(fresh), "no partial output under the final name");
    }

    /**
     * A dataset conversion killed after its first part is staged: the previous dataset in the
     * directory (parts and {@code _SUCCESS}) is untouched, no new part has a final name, and the next
     * run writing those part names removes the dead run's hidden staged parts.
     */
    @Test
    void datasetConvertKilledMidwayLeavesThePreviousDatasetIntact() throws Exception {
        Path npy = Files.createLink(tmp.resolve("big.npy"), big);
        assertEquals(0, CliRun.of("index", npy.toString()).exitCode());
        Path small = Path.of(System.getProperty("npyconv.root", ".")).resolve("testdata/fixtures/numpy-2.4.6/count_2001.npy");
        Path dir = tmp.resolve("ds");
        String index = tmp.resolve("small.npyidx").toString();
        CliRun first = CliRun.of("convert", small.toString(), "--output", dir + "/", "--rows-per-file", "300",
                "--format", "arrow", "--index", index);
        assertEquals(0, first.exitCode(), first.err());
        List<String> before = temps(dir, "");
        List<byte[]> contents = new ArrayList<>();
        for (String name : before) {
            contents.add(Files.readAllBytes(dir.resolve(name)));
        }

        Process child = npyconv("convert", npy.toString(), "--output", dir + "/", "--rows-per-file", "1000000",
                "--format", "arrow", "--compression", "none", "--threads", "1");
        awaitGrowingTemp(dir, ".part-00001.arrow.tmp-", 1 << 20, child); // part 0 is staged complete
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");

        List<String> left = temps(dir, ".");
        System.out.println("after SIGKILL of a dataset convert: " + left);
        assertTrue(left.size() >= 2, "the killed run's staged parts stay, hidden: " + left);
        assertEquals(before, temps(dir, "").stream().filter(n -> !n.startsWith(".")).collect(Collectors.toList()));
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(contents.get(i), Files.readAllBytes(dir.resolve(before.get(i))), before.get(i));
        }

        CliRun rerun = CliRun.of("convert", small.toString(), "--output", dir + "/", "--rows-per-file", "300",
                "--format", "arrow", "--index", index);
        assertEquals(0, rerun.exitCode(), rerun.err());
        assertEquals(List.of(), temps(dir, "."), "the rerun removed the killed run's staged parts");
        assertEquals(before, temps(dir, ""));
    }

    /**
     * SIGTERM (what {@code timeout}, {@code kill} and service managers send; Ctrl-C's SIGINT runs
     * the same JVM shutdown) midway through index, export and convert: the run's temporary files
     * are deleted on the way out, and nothing appears under the final names.
     */
    @Test
    void terminatedRunsRemoveTheirTemporaryFiles() throws Exception {
        Path npy = Files.createLink(tmp.resolve("big.npy"), big);
        List<List<String>> runs = List.of(
                List.of("index", npy.toString(), "--index", tmp.resolve("t.npyidx").toString()),
                List.of("export", npy.toString(), "--index", tmp.resolve("t.npyidx").toString(), "-o", tmp.resolve("t.jsonl").toString()),
                List.of("convert", npy.toString(), "--index", tmp.resolve("t.npyidx").toString(), "--output",
                        tmp.resolve("t.parquet").toString(), "--threads", "1"));
        List<String> prefixes = List.of("t.npyidx.tmp-", "t.jsonl.tmp-", "t.parquet.tmp-");
        for (int i = 0; i < runs.size(); i++) {
            Process child = npyconv(runs.get(i).toArray(String[]::new));
            awaitGrowingTemp(tmp, prefixes.get(i), 64 * 1024, child);
            child.destroy(); // SIGTERM
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(143, child.exitValue(), "stopped by SIGTERM: " + runs.get(i));
            assertEquals(List.of(), temps(tmp, prefixes.get(i)), "temporary files left by " + runs.get(i));
            Path target = tmp.resolve(prefixes.get(i).substring(0, prefixes.get(i).length() - ".tmp-".length()));
            assertTrue(Files.notExists(target), "no output under the final name: " + target);
            if (i == 0) {
                // the later runs need the index: made by a clean run
                assertEquals(0, CliRun.of(runs.get(0).toArray(String[]::new)).exitCode());
            }
        }
    }

    /**
     * SIGTERM while an .npz converts its second member: the first member's finished output, staged
     * under a temporary name until every member is done, goes too; nothing is left in the output
     * directory (it used to keep a hidden staging directory holding the first member's file).
     */
    @Test
    void terminatedNpzConversionLeavesNoStagedMembers() throws Exception {
        Path npz = tmp.resolve("two.npz");
        Process zip = new ProcessBuilder(python().toString(), "-c", String.join("\n",
                "import sys, zipfile, io, numpy as np",
                "small = io.BytesIO(); np.save(small, np.array(['x', 'y'], dtype=object), allow_pickle=True)",
                "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_STORED) as z:",
                "    z.writestr('a.npy', small.getvalue())",
                "    z.write(sys.argv[2], 'b.npy')"), npz.toString(), big.toString()).redirectErrorStream(true).start();
        String output = new String(zip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(zip.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, zip.exitValue(), output);
        assertEquals(0, CliRun.of("index", npz.toString()).exitCode());

        Path out = tmp.resolve("members");
        Process child = npyconv("convert", npz.toString(), "--output", out + "/", "--threads", "1");
        awaitGrowingTemp(tmp, "members", 0, child);
        awaitGrowingTemp(out, "b.parquet.tmp-", 64 * 1024, child);
        child.destroy(); // SIGTERM
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, child.exitValue(), "stopped by SIGTERM");
        try (Stream<Path> left = Files.walk(out)) {
            assertEquals(List.of(), left.filter(Files::isRegularFile).map(Path::toString).collect(Collectors.toList()),
                    "nothing left of the stopped conversion");
        }
        assertEquals(List.of(), temps(out, "."), "no hidden staging directory");
    }

    /**
     * {@code export big.npy | head}: once the reader has closed the pipe, export stops at its next
     * write, silently, with SIGPIPE's shell status 141; it used to render all 5 million elements
     * into the void and exit 0.
     */
    @Test
    void exportStopsWhenItsReaderClosesThePipe() throws Exception {
        Path npy = Files.createLink(tmp.resolve("big.npy"), big);
        assertEquals(0, CliRun.of("index", npy.toString()).exitCode());
        Process child = new ProcessBuilder(command("export", npy.toString())).start();
        byte[] head = child.getInputStream().readNBytes(64);
        assertEquals("\"element-000000000\"\n", new String(head, 0, 20, StandardCharsets.UTF_8));
        child.getInputStream().close(); // the reader leaves, as head does
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "export ended after its reader left");
        assertEquals(141, child.exitValue(), "stopped by the closed pipe, not after rendering everything");
        assertEquals("", new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8), "silently");
    }

    /** npyconv ARGS in a child JVM, its output discarded. */
    private static Process npyconv(String... args) throws IOException {
        return new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), NpyconvCommand.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static Path python() {
        return Path.of(System.getProperty("npyconv.root", ".")).resolve(".venv/np2/bin/python");
    }

    /** Waits until a temporary file with {@code prefix} holds at least {@code bytes}: the run is midway. */
    private static Path awaitGrowingTemp(Path dir, String prefix, long bytes, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(child.isAlive(), "the child finished before it could be killed: make the input larger");
            try (Stream<Path> files = Files.list(dir)) {
                // Any of them: an .npz member's staged file (empty) and its growing temporary share the prefix.
                Optional<Path> temp = files.filter(p -> p.getFileName().toString().startsWith(prefix)
                        && !p.getFileName().toString().endsWith(".ckpt") && sizeAtLeast(p, bytes)).findFirst();
                if (temp.isPresent()) {
                    return temp.get();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no temporary file " + prefix + "* grew to " + bytes + " bytes");
    }

    private static boolean sizeAtLeast(Path p, long bytes) {
        try {
            return Files.size(p) >= bytes;
        } catch (IOException raced) {
            return false; // renamed or removed between list and size
        }
    }

    private static List<String> temps(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().collect(Collectors.toList());
        }
    }
}
