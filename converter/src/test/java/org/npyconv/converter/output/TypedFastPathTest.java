package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.indexer.NpyObjectArray;

/**
 * {@link TypedSpans} (dicts, lists, str, bytes, ints, floats, bools and None decoded from their
 * opcodes straight into the vectors) writes exactly the bytes the general evaluator writes: every
 * object fixture, plus arrays written on the fly for what the fixtures do not cover (shared keys and
 * tags across many chunks, nested structs and lists, one-item and empty containers next to
 * siblings, ints at the edges of every opcode, non-ASCII and lone surrogates, numpy scalars that
 * fall back, protocols 2-5 and the pure-Python pickler), to Arrow IPC and Parquet, fast paths on and
 * off; and the fast path is shown to run.
 */
class TypedFastPathTest {
    @TempDir
    Path tmp;
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        ChunkProducer.fastPaths = true;
        allocator.close();
    }

    /** The output, or the failure's class and message (both paths must fail alike). */
    private Object convert(Path npy, String out, boolean fast, OutputFormat format, int rows, OnMixed onMixed)
            throws IOException {
        ChunkProducer.fastPaths = fast;
        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            Path output = npy.resolveSibling(out);
            ChunkedOutput.convert(array, output, ConvertOptions.of(format).withRowsPerChunk(rows).withThreads(2)
                    .withOnMixed(onMixed).withVersion("test"), allocator);
            return output;
        } catch (UnsupportedInputException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            ChunkProducer.fastPaths = true;
        }
    }

    private int compareBothPaths(Path npy, int rows, OnMixed onMixed) throws IOException {
        int compared = 0;
        for (OutputFormat format : OutputFormat.values()) {
            String ext = format == OutputFormat.ARROW ? ".arrow" : ".parquet";
            Object fast = convert(npy, "fast-" + rows + onMixed + ext, true, format, rows, onMixed);
            Object slow = convert(npy, "slow-" + rows + onMixed + ext, false, format, rows, onMixed);
            if (fast instanceof Path && slow instanceof Path) {
                assertEquals(-1, Files.mismatch((Path) fast, (Path) slow),
                        "fast vs general path: " + npy + " " + format + " rows " + rows);
                compared++;
            } else {
                assertEquals(String.valueOf(slow), String.valueOf(fast), npy + " " + format);
            }
        }
        return compared;
    }

    @Test
    void everyFixtureGivesTheSameBytesWithAndWithoutTheFastPath() throws Exception {
        long before = ChunkProducer.typedFastElements.get();
        int compared = 0;
        for (Path fixture : ConvertPipelineTest.objectFixtures()) {
            Path dir = Files.createDirectories(tmp.resolve(fixture.getParent().getFileName() + "-" + fixture.getFileName()));
            Path npy = Files.copy(fixture, dir.resolve(fixture.getFileName()));
            compared += compareBothPaths(npy, 65_536, OnMixed.ERROR);
            compared += compareBothPaths(npy, 3, OnMixed.JSON);
        }
        assertTrue(compared > 200, "compared " + compared);
        assertTrue(ChunkProducer.typedFastElements.get() - before > 1000, "the fast path never ran");
    }

    /** Writes {@code values} (a Python expression) as an object array, pickled by {@code pickler} with {@code protocol}. */
    private Path generate(String name, String values, String pickler, int protocol) throws Exception {
        return Python.saveObjectArray(tmp.resolve(name).resolve(name + ".npy"), values, pickler, protocol);
    }

    private static final String[] CASES = {
        // The benchmark's shape: shared keys and a shared vocabulary of tags, over many chunks.
        "[{'id': i, 'name': 'n%d' % (i % 97), 'score': i / 7, 'tags': ['t%d' % ((i * j) % 13) for j in range(i % 5)]}"
            + " for i in range(5000)]",
        // Keys missing, in another order, None values, a None element, empty and one-item containers before siblings.
        "[{'a': 1, 'b': [], 'c': 'x'}, {'c': 'y', 'a': None}, None, {'b': ['p'], 'a': -5}, {}, {'b': [None, 'q']}]"
            + " * 700",
        // Nested structs and lists of lists, a one-item dict inside a dict followed by a sibling key.
        "[{'o': {'i': {'d': i}}, 'l': [[i, -i], [], [2 ** 40]], 'z': {'k': 'v'}, 'w': 1.5} for i in range(2500)]",
        // Ints at the edges of BININT1/BININT2/BININT/LONG1.
        "[0, 255, 256, 65535, 65536, -1, -128, 2 ** 31 - 1, -2 ** 31, 2 ** 31, 2 ** 63 - 1, -2 ** 63, None] * 300",
        // Beyond int64: the fast path steps aside, the column becomes decimal.
        "[1, 2, 3] * 500 + [2 ** 64]",
        // Floats, specials, ints in a float column (go the general way), bools.
        "[1.5, float('nan'), float('-inf'), -0.0, 1e308, None, 3] * 400",
        "[True, False, None] * 700",
        // str with non-ASCII, 4-byte UTF-8, shared references, and bytes.
        "['ü', 'π' * 40, '\\U0001F600', 'x' * 300, '', None] * 400",
        "[b'\\x00\\xff', b'', None, b'x' * 70000] * 50",
        "[['a', 'b'] * 600, ['c']] * 40",
        // A lone surrogate: both paths refuse (or keep it as JSON text).
        "['ok'] * 1500 + [{'k': '\\ud800'}]",
        "[{'k': 'ok'}] * 1500 + [{'k': '\\ud800'}]",
        // numpy scalars in dict values: the general path writes them (and the fast path steps aside).
        "[{'v': np.float64(i), 'w': i * 1.0} for i in range(3000)]",
        "[np.float64(i) for i in range(3000)] + [1.0]",
        // Lists of more than 1000 items (several APPENDS batches), and dicts of lists of dicts.
        "[list(range(i, i + 2500)) for i in range(20)]",
        "[{'r': [{'x': j, 's': str(j)} for j in range(i % 4)]} for i in range(3000)]",
        // A key the sample never sees: the type changes after the sample.
        "[{'a': i} for i in range(3000)] + [{'a': 1, 'late': 'x'}]",
        // Shared containers (the same list object twice): the general path's business.
        "[(lambda l: {'p': l, 'q': l})([i, i]) for i in range(1500)]",
    };

    @Test
    void generatedArraysGiveTheSameBytesWithAndWithoutTheFastPath() throws Exception {
        long before = ChunkProducer.typedFastElements.get();
        int k = 0;
        for (String values : CASES) {
            Path npy = generate("gen" + k++, values, "Pickler", 4);
            compareBothPaths(npy, 65_536, OnMixed.ERROR);
            compareBothPaths(npy, 700, OnMixed.JSON);
        }
        assertTrue(ChunkProducer.typedFastElements.get() - before > 20_000, "the fast path never ran");
    }

    /**
     * Spans that stop fitting after much of them was written (a numpy scalar at the end of a list,
     * after ints, strings and other items; at the end of a 3000-item list whose buffers grew on the
     * way): the optimistic writes are rolled back, the general path writes the element, and the
     * elements after it go the fast way again.
     */
    @Test
    void aSpanThatStopsFittingHalfwayIsRolledBack() throws Exception {
        String[] cases = {
            "[{'a': i, 's': 'x%d' % i, 'l': ['p', 'q'] + ['r'] * (i % 3),"
                + " 'f': [1.5, 2.5, np.float64(3.5) if i % 5 == 2 else 4.5], 'z': None if i % 7 else 'end'}"
                + " for i in range(4000)]",
            "[{'n': i, 'v': [float(j) for j in range(3000)] + ([np.float64(1)] if i % 4 == 1 else [])} for i in range(60)]",
        };
        int k = 0;
        for (String values : cases) {
            long fastBefore = ChunkProducer.typedFastElements.get();
            long rolledBefore = TypedSpans.rollbacks.get();
            Path npy = generate("rollback" + k++, values, "Pickler", 4);
            assertEquals(2, compareBothPaths(npy, 65_536, OnMixed.ERROR), "Arrow IPC and Parquet written");
            assertEquals(2, compareBothPaths(npy, 7, OnMixed.ERROR), "Arrow IPC and Parquet written");
            long fast = ChunkProducer.typedFastElements.get() - fastBefore;
            long rolled = TypedSpans.rollbacks.get() - rolledBefore;
            assertTrue(fast > 0 && rolled > 0, values + ": " + fast + " fast, " + rolled + " rolled back");
        }
    }

    @Test
    void everyProtocolAndThePurePythonPicklerGiveTheSameBytes() throws Exception {
        String values = CASES[0] + " + " + CASES[1] + " + [{'tags': ['t'] * 1001}]";
        int k = 0;
        for (String pickler : new String[] {"Pickler", "_Pickler"}) {
            for (int protocol = 2; protocol <= 5; protocol++) {
                long before = ChunkProducer.typedFastElements.get();
                Path npy = generate("p" + k++, values, pickler, protocol);
                compareBothPaths(npy, 1000, OnMixed.ERROR);
                assertTrue(ChunkProducer.typedFastElements.get() - before > 5000,
                        "the fast path never ran for " + pickler + " protocol " + protocol);
            }
        }
    }

    @Test
    void theFastPathTakesTheBenchmarkShapeWithoutEvaluation() throws Exception {
        Path npy = generate("bench", CASES[0], "Pickler", 4);
        long before = ChunkProducer.typedFastElements.get();
        Object out = convert(npy, "out.arrow", true, OutputFormat.ARROW, 1000, OnMixed.ERROR);
        assertTrue(out instanceof Path, String.valueOf(out));
        // Every element but none: even the first (which stores the keys) decodes from its opcodes.
        assertEquals(5000, ChunkProducer.typedFastElements.get() - before);
    }

    /**
     * A conversion abandoned while later tasks wait in the pool's queue (here: the sampled type is
     * wrong at element 1100, tasks of 100 rows, two threads) ends instead of waiting for ever on
     * tasks the pool dropped; the redo then refuses the mixed column.
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void anAbandonedConversionWithQueuedTasksEnds() throws Exception {
        Path npy = generate("abandoned", "[{'k': 'ok'}] * 1100 + [{'k': 1}] + [{'k': 'ok'}] * 20000", "Pickler", 4);
        Object out = convert(npy, "out.arrow", true, OutputFormat.ARROW, 100, OnMixed.ERROR);
        assertTrue(String.valueOf(out).contains("mixes str"), String.valueOf(out));
    }

    @Test
    void utf8IsCheckedStrictly() {
        assertTrue(TypedSpans.validUtf8(bytes("aü€\uD83D\uDE00"), 0, bytes("aü€\uD83D\uDE00").length));
        assertFalse(TypedSpans.validUtf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0, 3), "surrogate");
        assertFalse(TypedSpans.validUtf8(new byte[] {(byte) 0xC0, (byte) 0x80}, 0, 2), "overlong");
        assertFalse(TypedSpans.validUtf8(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, 0, 3), "overlong");
        assertFalse(TypedSpans.validUtf8(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 0, 4), "> U+10FFFF");
        assertFalse(TypedSpans.validUtf8(new byte[] {'a', (byte) 0xE2, (byte) 0x82}, 0, 3), "truncated");
        assertFalse(TypedSpans.validUtf8(new byte[] {(byte) 0x80}, 0, 1), "continuation first");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
