package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * Spans recorded on a second thread ({@link SpanHandoff}) against spans recorded on the scanning
 * thread: byte-identical sidecars for every object fixture, with the default block and with blocks
 * so small that batches are split across blocks and every block is reused many times; the same
 * error for every corrupt and hostile file; the handoff actually recording every element; and the
 * sidecar's checksums (now from the scan's own copies, {@code PickleReader.digest}) agreeing with
 * {@code verify}'s independent full check.
 */
class SpanHandoffTest {
    private static final int[] BLOCKS = {SpanHandoff.BLOCK, 1, 3, 64};

    @TempDir
    Path tmp;

    static Stream<Arguments> objectFixtures() {
        return FusedScanTest.objectFixtures();
    }

    static Stream<Arguments> badFiles() {
        return FusedScanTest.badFiles();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectFixtures")
    void handedOffSidecarEqualsDirectSidecar(String label, Path fixture) throws IOException {
        Path npy = Files.copy(fixture, tmp.resolve("a.npy"));
        for (int interval : new int[] {1, 7, Indexer.DEFAULT_CHECKPOINT_INTERVAL}) {
            Path direct = tmp.resolve("direct-" + interval + ".npyidx");
            Indexer.ScanPaths none = new Indexer.ScanPaths(true, 0);
            Indexer.Result r = Indexer.build(npy, direct, interval, Indexer.Progress.NONE, none);
            assertEquals(0, none.handedOff, label);
            for (int block : BLOCKS) {
                Path handed = tmp.resolve("handoff-" + interval + "-" + block + ".npyidx");
                Indexer.ScanPaths paths = new Indexer.ScanPaths(true, block);
                Indexer.build(npy, handed, interval, Indexer.Progress.NONE, paths);
                assertArrayEquals(Files.readAllBytes(direct), Files.readAllBytes(handed),
                        label + ", interval " + interval + ", block " + block);
                assertEquals(r.elements(), paths.handedOff, label + ": every element recorded by the second thread");
            }
        }
        assertEquals(IndexCheck.Status.CURRENT, IndexCheck.full(npy, tmp.resolve("handoff-7-3.npyidx")).status(), label);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badFilesFailTheSameWayEitherWay(String label, Path file) throws IOException {
        Path npy = Files.copy(file, tmp.resolve("b.npy"));
        String direct = outcome(npy, 0);
        for (int block : BLOCKS) {
            assertEquals(direct, outcome(npy, block), label + ", block " + block);
        }
    }

    /** The fixture corpus holds batches longer than the small blocks, so splitting is exercised. */
    @org.junit.jupiter.api.Test
    void corpusSplitsBatches() throws IOException {
        Path fixture = FixtureCorpus.npyFiles().stream()
                .filter(p -> p.getFileName().toString().equals("strings_1001_p4.npy")).findFirst().orElseThrow();
        Path npy = Files.copy(fixture, tmp.resolve("s.npy"));
        Indexer.ScanPaths paths = new Indexer.ScanPaths(true, 64);
        Indexer.Result r = Indexer.build(npy, tmp.resolve("s.npyidx"), 7, Indexer.Progress.NONE, paths);
        assertTrue(r.elements() > 64 * 4, "more elements than the blocks hold at once: " + r.elements());
        assertEquals(r.elements(), paths.handedOff);
    }

    private String outcome(Path npy, int block) throws IOException {
        Path index = tmp.resolve("b-" + block + ".npyidx");
        try {
            Indexer.build(npy, index, 3, Indexer.Progress.NONE, new Indexer.ScanPaths(true, block));
        } catch (NpyconvException e) {
            return "error " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return "sidecar " + java.util.HexFormat.of().formatHex(Files.readAllBytes(index));
    }
}
