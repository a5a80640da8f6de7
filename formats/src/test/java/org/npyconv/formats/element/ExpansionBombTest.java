package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.npyconv.formats.UnsupportedInputException;

/**
 * Regression tests for rendering hostile shared structure (found by the hostile corpus,
 * testdata/hostile/dag_bomb_*, dup_bomb_*, long4_*): a DAG of shared references that would expand
 * to astronomically many values, and ints too long for Python's decimal conversion.
 */
class ExpansionBombTest {
    /** Counts what is written and throws it away. */
    private static final class Sink implements Appendable {
        long chars;

        @Override
        public Appendable append(CharSequence csq) {
            chars += csq.length();
            return this;
        }

        @Override
        public Appendable append(CharSequence csq, int start, int end) {
            chars += end - start;
            return this;
        }

        @Override
        public Appendable append(char c) {
            chars++;
            return this;
        }
    }

    private static Object dag(int width, int levels) {
        Object previous = new ArrayList<>();
        for (int level = 0; level < levels; level++) {
            previous = new ArrayList<>(Collections.nCopies(width, previous));
        }
        return previous;
    }

    @Test
    void aDagOfSharedListsIsRefusedQuicklyByJsonAndRepr() {
        Object bomb = dag(1000, 30); // 1000^30 leaves if expanded
        for (boolean json : new boolean[] {true, false}) {
            Sink sink = new Sink();
            // A hang detector (about 1 s alone; over 10 s was seen on a machine shared with other jobs).
            UnsupportedInputException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                    UnsupportedInputException.class, () -> {
                        if (json) {
                            ElementJson.write(bomb, sink);
                        } else {
                            ElementRepr.write(bomb, sink, ElementJson.DEFAULT_MAX_DEPTH);
                        }
                    }));
            assertTrue(e.getMessage().contains("expands shared references"), e.getMessage());
            assertTrue(sink.chars <= TreeWalk.MAX_REPEATED_CHARS + 100_000, "bounded output: " + sink.chars);
        }
    }

    @Test
    void aDoublingTupleDagIsRefused() {
        Object t = null;
        for (int i = 0; i < 100; i++) {
            t = PyTuple.of(t, t);
        }
        Object bomb = t;
        assertThrows(UnsupportedInputException.class, () -> ElementJson.write(bomb, new Sink()));
    }

    @Test
    void aLongStringSharedManyTimesIsRefused() {
        String big = "x".repeat(1 << 20);
        List<Object> many = new ArrayList<>(Collections.nCopies(100, big));
        assertThrows(UnsupportedInputException.class, () -> ElementJson.write(many, new Sink()));
    }

    @Test
    void ordinarySharingStillRenders() throws IOException {
        // A small tuple shared 100 000 times, a long string shared 5 times: what real pickles hold.
        PyTuple pair = PyTuple.of(1L, 2L);
        List<Object> shared = new ArrayList<>(Collections.nCopies(100_000, pair));
        Sink sink = new Sink();
        ElementJson.write(shared, sink);
        assertEquals(2 + 100_000 * 5 + 99_999, sink.chars);
        String big = "y".repeat(100_000);
        List<Object> fewCopies = new ArrayList<>(Collections.nCopies(5, big));
        assertEquals(5 * 100_002 + 4 + 2, ElementJson.toJson(fewCopies).length());
        // A large tree with no sharing at all is never limited, whatever its size.
        List<Object> wide = new ArrayList<>();
        for (int i = 0; i < 2_000_000; i++) {
            wide.add(List.of(i, "s" + i));
        }
        ElementJson.write(wide, new Sink());
    }

    @Test
    void intsBeyondPythonsDigitLimitAreRefusedAtOnce() {
        BigInteger max = BigInteger.TEN.pow(4300).subtract(BigInteger.ONE); // 4300 digits: fine
        assertEquals(4300, ElementJson.toJson(max).length());
        assertEquals(4301, ElementRepr.repr(max.negate()).length());
        for (BigInteger tooLong : List.of(BigInteger.TEN.pow(4300), BigInteger.ONE.shiftLeft(1 << 21).negate())) {
            UnsupportedInputException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                    () -> assertThrows(UnsupportedInputException.class, () -> ElementJson.toJson(List.of(tooLong))));
            assertTrue(e.getMessage().contains("4300 decimal digits"), e.getMessage());
            assertThrows(UnsupportedInputException.class, () -> ElementRepr.repr(tooLong));
        }
    }
}
