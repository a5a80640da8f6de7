package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.indexer.Indexer;
import org.npyconv.indexer.hostile.LargeNpy;

/**
 * {@code convert} of an object array whose pickle exceeds 4 GiB (docs/robustness.md, "Big files"):
 * 5 bytes elements of 900 MiB of zeros (holes of a sparse file written by indexer's {@link LargeNpy},
 * never committed) then 1000 small bytes elements with distinct contents, all past 4 GiB. A
 * homogeneous column, so it converts without {@code --on-mixed}. The conversion runs in a child JVM
 * (the test JVM has 512 MiB; one 900 MiB element needs several times that) and pyarrow checks the
 * output through a memory map, one record batch / row group at a time.
 */
@Tag("slow")
class RobustnessBigConvertTest {
    static final long MIB = 1L << 20;
    static final long BIG = 900 * MIB;
    static final int BIG_ELEMENTS = 5; // 4.4 GiB of payload
    static final int TAIL = 1000;
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads OUT with pyarrow and prints one JSON object of what it found; the Java side asserts.
     * Big rows: length, and that every byte is zero (numpy over the value's slice of the data
     * buffer). Tail rows: the exact value, with the same formula as {@link #tail(int)}.
     */
    static final String CHECK = String.join("\n",
            "import json, resource, sys",
            "import numpy as np, pyarrow as pa, pyarrow.parquet as pq",
            "path, kind, nbig = sys.argv[1], sys.argv[2], int(sys.argv[3])",
            "def tail(i): return (f'tail-{i}-' * (1 + i % 7)).encode()",
            "res = {'rows': 0, 'chunks': 0, 'big_lengths': [], 'big_nonzero': 0, 'tail_checked': 0,",
            "       'tail_mismatches': [], 'nulls': 0}",
            "def check(col):",
            "    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col",
            "    res['nulls'] += col.null_count",
            "    offs = np.frombuffer(col.buffers()[1], dtype=np.int32)[col.offset:col.offset + len(col) + 1]",
            "    data = np.frombuffer(col.buffers()[2], dtype=np.uint8) if col.buffers()[2] is not None else np.zeros(0, np.uint8)",
            "    for k in range(len(col)):",
            "        row = res['rows'] + k",
            "        if row < nbig:",
            "            res['big_lengths'].append(int(offs[k + 1] - offs[k]))",
            "            res['big_nonzero'] += int(np.count_nonzero(data[offs[k]:offs[k + 1]]))",
            "        else:",
            "            got, want = col[k].as_py(), tail(row - nbig)",
            "            res['tail_checked'] += 1",
            "            if got != want and len(res['tail_mismatches']) < 5:",
            "                res['tail_mismatches'].append(f'row {row}: {got!r:.80} != {want!r:.80}')",
            "    res['rows'] += len(col)",
            "    res['chunks'] += 1",
            "if kind == 'arrow':",
            "    with pa.memory_map(path) as src:",
            "        r = pa.ipc.open_file(src)",
            "        res['type'] = str(r.schema.field('value').type)",
            "        for b in range(r.num_record_batches):",
            "            check(r.get_batch(b).column('value'))",
            "else:",
            "    f = pq.ParquetFile(path, memory_map=True)",
            "    res['type'] = str(f.schema_arrow.field('value').type)",
            "    res['row_groups'] = f.num_row_groups",
            "    for b in f.iter_batches(batch_size=1):",  // one value in memory at a time, not a row group
            "        check(b.column('value'))",
            "res['peak_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024",
            "print(json.dumps(res))");

    @TempDir
    static Path shared;
    static Path npy;

    @TempDir
    Path tmp;

    /** The value of tail element i: distinct for every i, of varying length. */
    static byte[] tail(int i) {
        return ("tail-" + i + "-").repeat(1 + i % 7).getBytes(StandardCharsets.US_ASCII);
    }

    @BeforeAll
    static void writeBigFile() throws Exception {
        npy = shared.resolve("big.npy");
        try (LargeNpy w = LargeNpy.create(npy, BIG_ELEMENTS + TAIL)) {
            for (int i = 0; i < BIG_ELEMENTS; i++) {
                w.zeros(BIG + i);
            }
            for (int i = 0; i < TAIL; i++) {
                w.bytes(tail(i));
            }
        }
        assertTrue(Files.size(npy) > 4L << 30, "pickle over 4 GiB: " + Files.size(npy));
        // Indexed once here (RobustnessBigFileTest covers indexing): the conversions below are timed alone.
        Indexer.build(npy, Indexer.sidecarPath(npy), Indexer.DEFAULT_CHECKPOINT_INTERVAL, Indexer.Progress.NONE);
    }

    @Test
    void aPickleOverFourGibConvertsToArrowIpc() throws Exception {
        Path out = tmp.resolve("big.arrow");
        Child run = convert(out);
        assertEquals(0, run.exit, run.output);
        try {
            JsonNode r = pyarrowCheck(out, "arrow");
            // pyarrow types bytes as binary; each 900 MiB value has its own record batch, far under
            // binary's 2 GiB of int32 offsets, so nothing needs large_binary (docs/converter.md).
            assertEquals("binary", r.get("type").asText());
            assertBigAndTail(r);
            // Tasks hold at most 32 MiB of pickle: each big element alone, the 1000 small ones together.
            assertEquals(BIG_ELEMENTS + 1, r.get("chunks").asInt(), "record batches: " + r);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void aPickleOverFourGibConvertsToParquet() throws Exception {
        Path out = tmp.resolve("big.parquet");
        Child run = convert(out);
        assertEquals(0, run.exit, run.output);
        try {
            JsonNode r = pyarrowCheck(out, "parquet");
            // BYTE_ARRAY without annotation, read back by pyarrow through ARROW:schema as binary.
            assertEquals("binary", r.get("type").asText());
            assertBigAndTail(r);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void assertBigAndTail(JsonNode r) {
        assertEquals(BIG_ELEMENTS + TAIL, r.get("rows").asInt(), r.toString());
        assertEquals(0, r.get("nulls").asInt(), r.toString());
        List<Long> lengths = new ArrayList<>();
        r.get("big_lengths").forEach(n -> lengths.add(n.asLong()));
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < BIG_ELEMENTS; i++) {
            expected.add(BIG + i);
        }
        assertEquals(expected, lengths, "the lengths of the 900 MiB elements");
        assertEquals(0, r.get("big_nonzero").asLong(), "the big elements hold only zeros");
        assertEquals(TAIL, r.get("tail_checked").asInt());
        assertEquals("[]", r.get("tail_mismatches").toString(), "every tail element past 4 GiB is exact");
    }

    record Child(int exit, String output, long seconds, long peakRssMib) {
    }

    /**
     * {@code npyconv convert NPY --output OUT --threads 2} in a child JVM with a 6 GiB heap, as a user
     * runs it; the parent samples the child's peak RSS (VmHWM) while it runs, for docs/robustness.md.
     */
    private static Child convert(Path out) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx6g", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                NpyconvCommand.class.getName(), "convert", npy.toString(), "--output", out.toString(), "--threads", "2"));
        Path log = out.resolveSibling(out.getFileName() + ".log");
        long start = System.nanoTime();
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long peak = 0;
        long deadline = start + TimeUnit.MINUTES.toNanos(10);
        while (!child.waitFor(200, TimeUnit.MILLISECONDS)) {
            peak = Math.max(peak, peakRssKib(child.pid()));
            assertTrue(System.nanoTime() < deadline, "convert took over 10 minutes");
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        String output = Files.readString(log);
        Files.delete(log);
        Child run = new Child(child.exitValue(), output, seconds, peak / 1024);
        try (Stream<Path> files = Files.list(out.getParent())) {
            // Atomic output: the temporary file was renamed (or, on failure, deleted); nothing else is left.
            List<String> left = files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            assertEquals(run.exit == 0 ? List.of(out.getFileName().toString()) : List.of(), left, output);
        }
        System.out.println("convert to " + out.getFileName() + ": exit " + run.exit + ", " + run.seconds + " s, peak RSS >= "
                + run.peakRssMib + " MiB, " + (Files.exists(out) ? Files.size(out) + " bytes" : "no output") + "\n" + output);
        return run;
    }

    /** VmHWM of a live process in KiB, 0 when it is gone (the poll lost the race with its exit). */
    private static long peakRssKib(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
            return lines.filter(l -> l.startsWith("VmHWM:")).map(l -> l.replaceAll("[^0-9]", "")).mapToLong(Long::parseLong)
                    .findFirst().orElse(0);
        } catch (IOException | java.io.UncheckedIOException gone) {
            return 0;
        }
    }

    private static JsonNode pyarrowCheck(Path out, String kind) throws Exception {
        Path python = Path.of(System.getProperty("npyconv.root", ".")).resolve(".venv/np2/bin/python");
        assertTrue(Files.isExecutable(python), "run tools/setup-python.sh first: no " + python);
        Process p = new ProcessBuilder(python.toString(), "-c", CHECK, out.toString(), kind, Integer.toString(BIG_ELEMENTS))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), output);
        List<String> lines = output.lines().collect(Collectors.toList());
        System.out.println("pyarrow on " + out.getFileName() + ": " + lines.get(lines.size() - 1));
        return JSON.readTree(lines.get(lines.size() - 1));
    }
}
