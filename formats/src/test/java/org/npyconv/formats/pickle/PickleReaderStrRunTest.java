package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * {@link PickleReader#readStrRun}, the fused path for runs of strs, against plain {@link PickleReader#next()}
 * over the whole fixture corpus (protocols 0-5, C and pure-Python picklers): mixing runs into the
 * opcode loop must report the same opcodes, offsets, payloads and memo keys and leave the reader
 * in the same state, for windows that cut runs at every kind of boundary and for run limits that
 * stop them early.
 */
class PickleReaderStrRunTest {
    private static final int[] WINDOWS = {PickleReader.DEFAULT_WINDOW_SIZE, PickleReader.MIN_WINDOW_SIZE, 23, 64, 257};
    private static final int[] MAX_RUNS = {1, 3, 4096};

    static Stream<Arguments> fixturesWindowsAndRuns() {
        return PickleReaderFixtureTest.objectFixtures().stream().flatMap(p -> IntStream.of(WINDOWS).boxed()
                .flatMap(w -> IntStream.of(MAX_RUNS).mapToObj(m -> Arguments.of(FixtureCorpus.label(p), p, w, m))));
    }

    @ParameterizedTest(name = "{0}, window {2}, runs of at most {3}")
    @MethodSource("fixturesWindowsAndRuns")
    void runsReadWhatNextReads(String label, Path fixture, int window, int maxRun) throws IOException {
        List<String> plain = listing(fixture, window, 0, null);
        List<String> fused = listing(fixture, window, maxRun, null);
        assertEquals(plain, fused, label);
    }

    /** The corpus exercises the fast path with each memo opcode, and stops at a mismatched memo count. */
    @Test
    void corpusTakesTheFastPathWithEveryMemoOpcode() throws IOException {
        Map<PickleOpcode, Integer> memoOps = new EnumMap<>(PickleOpcode.class);
        Map<PickleOpcode, Integer> strOps = new EnumMap<>(PickleOpcode.class);
        for (Path fixture : PickleReaderFixtureTest.objectFixtures()) {
            listing(fixture, PickleReader.DEFAULT_WINDOW_SIZE, 4096, new Map[] {strOps, memoOps});
        }
        assertTrue(strOps.getOrDefault(PickleOpcode.SHORT_BINUNICODE, 0) > 1000, strOps.toString());
        assertTrue(strOps.getOrDefault(PickleOpcode.BINUNICODE, 0) > 1000, strOps.toString());
        assertTrue(memoOps.getOrDefault(PickleOpcode.MEMOIZE, 0) > 1000, memoOps.toString());
        assertTrue(memoOps.getOrDefault(PickleOpcode.BINPUT, 0) > 100, memoOps.toString());
        assertTrue(memoOps.getOrDefault(PickleOpcode.LONG_BINPUT, 0) > 100, memoOps.toString());
    }

    @Test
    void refusesWhenTheCallersMemoCountDiffers() throws IOException {
        Path fixture = FixtureCorpus.npyFiles().stream()
                .filter(p -> p.getFileName().toString().equals("strings_1001_p4.npy")).findFirst().orElseThrow();
        try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, PickleReaderFixtureTest.pickleStart(ch), ch.size(), fixture, 4096)) {
            long[] a = new long[8];
            long[] b = new long[8];
            int[] c = new int[8];
            long[] d = new long[8];
            int taken = 0;
            while (r.next() != null && taken == 0) {
                long position = r.position();
                if (r.peekCode() == PickleOpcode.SHORT_BINUNICODE.code()) {
                    assertEquals(0, r.readStrRun(r.memoSize() + 1, a, b, c, d, 0, 8));
                    assertEquals(position, r.position());
                    taken = r.readStrRun(r.memoSize(), a, b, c, d, 0, 8);
                }
            }
            assertTrue(taken > 0);
        }
    }

    /**
     * The opcode records of one pass: with {@code maxRun > 0} a run is tried before every
     * {@code next()} and its strs expanded into the records {@code next()} would have made. After a
     * run the reader must describe the run's last opcode as {@code next()} would have.
     */
    private static List<String> listing(Path fixture, int window, int maxRun, Map<PickleOpcode, Integer>[] counts)
            throws IOException {
        List<String> out = new ArrayList<>();
        long[] opOffset = new long[maxRun];
        long[] payloadOffset = new long[maxRun];
        int[] payloadLength = new int[maxRun];
        long[] memoKey = new long[maxRun];
        try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, PickleReaderFixtureTest.pickleStart(ch), ch.size(), fixture, window)) {
            for (;;) {
                if (maxRun > 0) {
                    int n = r.readStrRun(r.memoSize(), opOffset, payloadOffset, payloadLength, memoKey, 0, maxRun);
                    for (int i = 0; i < n; i++) {
                        PickleOpcode str = PickleOpcode.of(byteAt(ch, opOffset[i]));
                        out.add(str + "@" + opOffset[i] + ".." + (payloadOffset[i] + payloadLength[i])
                                + " payload " + payloadOffset[i] + "+" + payloadLength[i]);
                        if (counts != null) {
                            counts[0].merge(str, 1, Integer::sum);
                        }
                        if (memoKey[i] >= 0) {
                            long at = payloadOffset[i] + payloadLength[i];
                            PickleOpcode memo = PickleOpcode.of(byteAt(ch, at));
                            int size = memo == PickleOpcode.MEMOIZE ? 1 : memo == PickleOpcode.BINPUT ? 2 : 5;
                            out.add(memo + "@" + at + ".." + (at + size) + " key " + memoKey[i]);
                            if (counts != null) {
                                counts[1].merge(memo, 1, Integer::sum);
                            }
                        }
                    }
                    if (n > 0) {
                        assertEquals(out.get(out.size() - 1), record(r), "the current opcode after a run");
                        assertEquals(r.endOffset(), r.position(), "the position after a run");
                    }
                }
                if (r.next() == null) {
                    break;
                }
                out.add(record(r));
            }
        }
        return out;
    }

    private static String record(PickleReader r) {
        PickleOpcode op = r.opcode();
        String s = op + "@" + r.opcodeOffset() + ".." + r.endOffset();
        if (op.argKind() == ArgKind.UNICODESTRING1 || op.argKind() == ArgKind.UNICODESTRING4) {
            s += " payload " + r.payloadOffset() + "+" + r.payloadLength();
        } else if (op == PickleOpcode.MEMOIZE || op == PickleOpcode.BINPUT || op == PickleOpcode.LONG_BINPUT) {
            s += " key " + r.memoIndex();
        }
        return s;
    }

    private static String state(PickleReader r) {
        return "state position " + r.position() + " memo " + r.memoSize() + " current " + record(r);
    }

    private static int byteAt(FileChannel ch, long at) throws IOException {
        java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
        ch.read(one, at);
        return one.get(0) & 0xFF;
    }
}
