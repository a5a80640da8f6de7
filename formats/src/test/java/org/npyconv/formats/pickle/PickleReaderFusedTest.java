package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * {@link PickleReader#fusedBegin} / {@link PickleReader#fusedEnd}, the window access of the
 * indexer's fused element loop, against plain {@link PickleReader#next()} over the fixture corpus:
 * a caller that reads a few opcodes from the window itself (here: as many as a plain reader says
 * lie whole in the window, up to a limit) and hands back must leave the reader exactly where
 * {@code next()} would have: the same current opcode, argument, position and memo keys.
 */
class PickleReaderFusedTest {
    private static final int[] WINDOWS = {PickleReader.DEFAULT_WINDOW_SIZE, PickleReader.MIN_WINDOW_SIZE, 23, 64};
    private static final int[] MAX_OPS = {1, 2, 7, 1000};

    /** One opcode as a plain reader sees it: offset, end, memo keys after it, and its description. */
    private record Op(long offset, long end, long memoAfter, String record) {
    }

    static Stream<Arguments> fixturesWindowsAndRuns() {
        return PickleReaderFixtureTest.objectFixtures().stream().flatMap(p -> IntStream.of(WINDOWS).boxed()
                .flatMap(w -> IntStream.of(MAX_OPS).mapToObj(m -> Arguments.of(FixtureCorpus.label(p), p, w, m))));
    }

    @ParameterizedTest(name = "{0}, window {2}, at most {3} opcodes")
    @MethodSource("fixturesWindowsAndRuns")
    void fusedReadsLeaveTheReaderWhereNextWould(String label, Path fixture, int window, int maxOps) throws IOException {
        List<Op> plain = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, PickleReaderFixtureTest.pickleStart(ch), ch.size(), fixture, window)) {
            while (r.next() != null) {
                plain.add(new Op(r.opcodeOffset(), r.endOffset(), r.memoSize(), record(r)));
            }
        }
        int fusedOps = 0;
        try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, PickleReaderFixtureTest.pickleStart(ch), ch.size(), fixture, window)) {
            int i = 0;
            while (i < plain.size()) {
                int begin = r.fusedBegin(r.memoSize());
                if (begin >= 0 && i > 0) {
                    assertEquals(r.position(), r.windowStart() + begin, label);
                    // Read as many opcodes as lie whole in the window (never FRAME or STOP).
                    int n = 0;
                    while (n < maxOps && i + n < plain.size() - 1
                            && plain.get(i + n).end() <= r.windowStart() + r.windowLimit()
                            && !plain.get(i + n).record().startsWith("FRAME")) {
                        n++;
                    }
                    if (n > 0) {
                        Op last = plain.get(i + n - 1);
                        r.fusedEnd((int) (last.offset() - r.windowStart()), last.memoAfter());
                        assertEquals(last.record(), record(r), label + " after a fused read to " + last.offset());
                        assertEquals(last.end(), r.position(), label);
                        assertEquals(last.memoAfter(), r.memoSize(), label);
                        fusedOps += n;
                        i += n;
                        continue;
                    }
                }
                r.next();
                assertEquals(plain.get(i).record(), record(r), label);
                i++;
            }
            assertEquals(null, r.next(), label);
        }
        assertTrue(fusedOps > 0 || plain.size() < 3, label);
    }

    @Test
    void refusesWhenTheCallersMemoCountDiffersAndWhenHandedBackBehind() throws IOException {
        Path fixture = FixtureCorpus.npyFiles().stream()
                .filter(p -> p.getFileName().toString().equals("strings_1001_p4.npy")).findFirst().orElseThrow();
        try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, PickleReaderFixtureTest.pickleStart(ch), ch.size(), fixture, 4096)) {
            r.next();
            r.next();
            assertEquals(-1, r.fusedBegin(r.memoSize() + 1));
            int begin = r.fusedBegin(r.memoSize());
            assertTrue(begin > 0);
            assertThrows(IllegalStateException.class, () -> r.fusedEnd(begin - 1, r.memoSize()));
        }
    }

    private static String record(PickleReader r) {
        PickleOpcode op = r.opcode();
        String s = op + "@" + r.opcodeOffset() + ".." + r.endOffset();
        if (op.argKind().hasPayload()) {
            s += " payload " + r.payloadOffset() + "+" + r.payloadLength();
        }
        if (op.argKind().isInteger() && op.argKind().isFixed()) {
            s += " arg " + r.intArg();
        }
        if (op == PickleOpcode.MEMOIZE || op == PickleOpcode.BINPUT || op == PickleOpcode.LONG_BINPUT
                || op == PickleOpcode.BINGET || op == PickleOpcode.LONG_BINGET) {
            s += " key " + r.memoIndex();
        }
        return s + " memo " + r.memoSize();
    }
}
