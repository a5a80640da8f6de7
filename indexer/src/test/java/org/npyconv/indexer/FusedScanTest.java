package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.pickle.PickleReader;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * The scan's fused fast paths against the generic opcode loop: every fixture (protocols 0-5, C
 * and pure-Python picklers, both NumPy versions) and every corrupt and hostile file must give a
 * byte-identical sidecar, or the same error, either way; and the fast path must actually be taken
 * where the pickle holds runs of strs.
 */
class FusedScanTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> objectFixtures() {
        return FixtureCorpus.npyFiles().stream()
                .filter(p -> FixtureCorpus.expected(p).path("object").asBoolean())
                .map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    static Stream<Arguments> badFiles() {
        Path hostile = FixtureCorpus.root().resolve("hostile");
        try (Stream<Path> files = Files.list(hostile)) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".npy")).sorted().collect(Collectors.toList());
            all.addAll(FixtureCorpus.corruptFiles());
            return all.stream().map(p -> Arguments.of(p.getParent().getFileName() + "/" + p.getFileName(), p));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectFixtures")
    void fusedSidecarEqualsGenericSidecar(String label, Path fixture) throws IOException {
        Path npy = Files.copy(fixture, tmp.resolve("a.npy"));
        for (int interval : new int[] {1, 7, Indexer.DEFAULT_CHECKPOINT_INTERVAL}) {
            Indexer.ScanPaths generic = new Indexer.ScanPaths(false);
            Indexer.ScanPaths fused = new Indexer.ScanPaths(true);
            Path slow = tmp.resolve("generic-" + interval + ".npyidx");
            Path fast = tmp.resolve("fused-" + interval + ".npyidx");
            Indexer.build(npy, slow, interval, Indexer.Progress.NONE, generic);
            Indexer.build(npy, fast, interval, Indexer.Progress.NONE, fused);
            assertArrayEquals(Files.readAllBytes(slow), Files.readAllBytes(fast), label + ", interval " + interval);
            assertEquals(0, generic.fusedStrs, "the generic scan never takes the fused path");
        }
    }

    /**
     * The str fixtures of every protocol with binary strs (1-5) and both picklers take the fused
     * path for each of their elements; protocol 0's text-line strs never do.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("objectFixtures")
    void strFixturesTakeTheFusedPath(String label, Path fixture) throws IOException {
        String name = fixture.getFileName().toString();
        JsonNode expected = FixtureCorpus.expected(fixture);
        boolean strs = name.startsWith("strings_1001") || name.equals("strings_ascii.npy");
        if (!strs) {
            return;
        }
        Path npy = Files.copy(fixture, tmp.resolve("a.npy"));
        Indexer.ScanPaths fused = new Indexer.ScanPaths(true);
        Indexer.Result r = Indexer.build(npy, tmp.resolve("a.npyidx"), 7, Indexer.Progress.NONE, fused);
        if (expected.path("dump_protocol").asInt(-1) == 0) {
            assertEquals(0, fused.fusedStrs, label);
        } else {
            assertEquals(r.elements(), fused.fusedStrs, label + ": every element str read by a fused path");
        }
    }

    /**
     * Every element of the dict fixtures (protocols 3 and 4 from np.save) is appended by the fused
     * element loop, and the scan is the generic one's at any window size: with windows down to the
     * smallest the reader takes, runs end at the window's edge in front of every opcode.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dictFixtures")
    void dictFixturesTakeTheFusedElementLoop(String label, Path fixture) throws IOException {
        Path npy = Files.copy(fixture, tmp.resolve("a.npy"));
        Indexer.ScanPaths fused = new Indexer.ScanPaths(true);
        Indexer.Result r = Indexer.build(npy, tmp.resolve("a.npyidx"), 7, Indexer.Progress.NONE, fused);
        assertTrue(r.elements() > 0, label);
        assertEquals(r.elements(), fused.fusedElements, label + ": every element appended by the fused element loop");
        Indexer.ScanPaths generic = new Indexer.ScanPaths(false);
        Indexer.build(npy, tmp.resolve("g.npyidx"), 7, Indexer.Progress.NONE, generic);
        assertEquals(0, generic.fusedElements, label);
        byte[] expected = Files.readAllBytes(tmp.resolve("g.npyidx"));
        for (int window : new int[] {PickleReader.MIN_WINDOW_SIZE, 17, 19, 23, 32, 64, 100}) {
            Path small = tmp.resolve("w" + window + ".npyidx");
            Indexer.build(npy, small, 7, Indexer.Progress.NONE, new Indexer.ScanPaths(true, 0, window));
            assertArrayEquals(expected, Files.readAllBytes(small), label + ", window " + window);
        }
    }

    /**
     * Damaged dict pickles fail (or not) exactly as the generic loop makes them, at the same offset
     * with the same message: cut at every byte, and every byte replaced by each opcode the fused
     * element loop reads (and by its value plus one, which moves memo keys and lengths). The fused
     * loop must leave every opcode it cannot plainly read to the generic loop.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dictFixtures")
    void damagedDictPicklesFailTheSameWayEitherWay(String label, Path fixture) throws IOException {
        byte[] original = Files.readAllBytes(fixture);
        int dataOffset = FixtureCorpus.expected(fixture).path("header").path("data_offset").asInt();
        byte[] substitutes = {'h', 'j', (byte) 0x94, 'q', 'r', '(', 'u', 'e', 'a', 's', '}', ']', ')', 'K', 'M', 'J',
                'G', 'N', (byte) 0x88, (byte) 0x8c, 'X', (byte) 0x95, '.', 't', (byte) 0xff};
        Path npy = tmp.resolve("d.npy");
        int cases = 0;
        for (int at = dataOffset; at < original.length; at++) {
            Files.write(npy, java.util.Arrays.copyOf(original, at));
            assertEquals(outcome(npy, false, 0), outcome(npy, true, 0), label + " cut at " + at);
            byte[] damaged = original.clone();
            // Four substitutes per byte, rotating, so that each byte gets a different mix (a few
            // milliseconds a build: all of them everywhere took minutes).
            for (int k = 0; k < 4; k++) {
                int s = (at * 4 + k) % (substitutes.length + 1);
                damaged[at] = s < substitutes.length ? substitutes[s] : (byte) (original[at] + 1);
                if (damaged[at] == original[at]) {
                    continue;
                }
                Files.write(npy, damaged);
                assertEquals(outcome(npy, false, 0), outcome(npy, true, 0),
                        label + " byte " + at + " = " + (damaged[at] & 0xFF));
                cases++;
            }
        }
        assertTrue(cases > 600, label);
    }

    static Stream<Arguments> dictFixtures() {
        return objectFixtures().filter(a -> ((Path) a.get()[1]).getFileName().toString().startsWith("dicts"));
    }

    @Test
    void corpusHoldsStrFixturesOfEveryProtocolAndBothPicklers() {
        List<String> names = FixtureCorpus.npyFiles().stream().map(p -> p.getFileName().toString())
                .collect(Collectors.toList());
        for (String n : new String[] {"strings_1001_p0.npy", "strings_1001_p1.npy", "strings_1001_p2.npy",
                "strings_1001_p3.npy", "strings_1001_p4.npy", "strings_1001_p5.npy", "strings_1001_purepy_p2.npy",
                "strings_1001_purepy_p4.npy"}) {
            assertTrue(names.contains(n), n);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badFilesFailTheSameWayEitherWay(String label, Path file) throws IOException {
        Path npy = Files.copy(file, tmp.resolve("b.npy"));
        String generic = outcome(npy, false);
        String fused = outcome(npy, true);
        assertEquals(generic, fused, label);
        assertFalse(Files.exists(tmp.resolve("b-true.npyidx")) && generic.startsWith("error"), label);
    }

    private String outcome(Path npy, boolean fusedPaths) throws IOException {
        return outcome(npy, fusedPaths, SpanHandoff.BLOCK);
    }

    private String outcome(Path npy, boolean fusedPaths, int handoffBlock) throws IOException {
        Path index = tmp.resolve("b-" + fusedPaths + ".npyidx");
        try {
            Indexer.build(npy, index, 3, Indexer.Progress.NONE, new Indexer.ScanPaths(fusedPaths, handoffBlock));
        } catch (NpyconvException e) {
            return "error " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return "sidecar " + java.util.HexFormat.of().formatHex(Files.readAllBytes(index));
    }
}
