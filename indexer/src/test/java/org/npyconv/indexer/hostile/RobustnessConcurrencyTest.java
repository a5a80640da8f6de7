package org.npyconv.indexer.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.indexer.IndexCheck;
import org.npyconv.indexer.Indexer;
import org.npyconv.indexer.NpyObjectArray;

/**
 * Concurrency (docs/robustness.md): many threads calling {@link NpyObjectArray#get} on one
 * instance, several processes reading one file and index at once, and {@code index} runs racing
 * on one file.
 */
class RobustnessConcurrencyTest {
    static final int THREADS = 16;

    @TempDir
    Path tmp;

    /** Fixtures with memo back-references across elements (shared objects, one dtype for all) and a checkpoint interval of 7. */
    @ParameterizedTest
    @ValueSource(strings = {"shared.npy", "ragged_f4.npy", "mixed.npy", "strings_1001.npy", "shared_p0.npy", "ragged_f4_purepy_p2.npy"})
    void manyThreadsGetTheSameAnswersAsOne(String name) throws Exception {
        Path npy = Files.copy(FixtureCorpus.root().resolve("fixtures/numpy-2.4.6").resolve(name), tmp.resolve(name));
        Indexer.build(npy, Indexer.sidecarPath(npy), 7, Indexer.Progress.NONE);
        List<String> expected = new ArrayList<>();
        try (NpyObjectArray alone = NpyObjectArray.open(npy)) {
            for (long i = 0; i < alone.size(); i++) {
                expected.add(ElementJson.toJson(alone.get(i)));
            }
        }
        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    start.await();
                    SplittableRandom random = new SplittableRandom(seed);
                    int checked = 0;
                    for (int k = 0; k < 20_000 / THREADS + expected.size(); k++) {
                        int i = random.nextInt(expected.size());
                        assertEquals(expected.get(i), ElementJson.toJson(array.get(i)), name + " element " + i);
                        checked++;
                    }
                    return checked;
                }));
            }
            start.countDown();
            pool.shutdown();
            assertTrue(pool.awaitTermination(2, TimeUnit.MINUTES));
            for (Future<Integer> f : results) {
                assertTrue(f.get() > 0); // rethrows a thread's assertion failure
            }
        }
    }

    @Test
    void severalProcessesReadOneFileAndIndexAtOnce() throws Exception {
        Path npy = tmp.resolve("strings.npy");
        try (LargeNpy w = LargeNpy.create(npy, 200_000)) {
            for (int i = 0; i < 200_000; i++) {
                w.string("element " + i + " " + "x".repeat(i % 50));
            }
        }
        Indexer.build(npy, Indexer.sidecarPath(npy), 64, Indexer.Progress.NONE);
        long expected;
        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            expected = ConcurrencyProbe.reverseCrc(array);
        }
        List<String> outputs = runAll(4, "read", npy);
        for (String out : outputs) {
            assertEquals("crc=" + expected, out.strip());
        }
    }

    @Test
    void racingIndexRunsLeaveOneValidIndex() throws Exception {
        Path npy = tmp.resolve("strings.npy");
        try (LargeNpy w = LargeNpy.create(npy, 1_000_000)) {
            for (int i = 0; i < 1_000_000; i++) {
                w.string("s" + i);
            }
        }
        for (int round = 0; round < 3; round++) {
            Files.deleteIfExists(Indexer.sidecarPath(npy));
            List<String> outputs = runAll(3, "index", npy);
            outputs.forEach(o -> assertEquals("indexed", o.strip()));
            assertEquals(IndexCheck.Status.CURRENT, IndexCheck.full(npy, Indexer.sidecarPath(npy)).status());
            try (Stream<Path> files = Files.list(tmp)) {
                assertEquals(List.of("strings.npy", "strings.npy.npyidx"),
                        files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()), "no temporary files");
            }
            try (NpyObjectArray array = NpyObjectArray.open(npy)) {
                assertEquals("s999999", array.get(-1 + array.size()));
                assertEquals("s0", array.get(0));
            }
        }
    }

    /** Starts {@code n} probe processes at once and returns their outputs (each must exit 0). */
    private static List<String> runAll(int n, String mode, Path npy) throws Exception {
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                    "-cp", System.getProperty("java.class.path"), ConcurrencyProbe.class.getName(), mode, npy.toString())
                    .redirectErrorStream(true).start());
        }
        List<String> outputs = new ArrayList<>();
        for (Process p : processes) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES));
            assertEquals(0, p.exitValue(), out);
            outputs.add(out);
        }
        return outputs;
    }
}
