package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
 * {@link StrSpans} (a str column's UTF-8 copied from the pickle, appended by {@link VarWidthAppend}
 * into a vector pre-sized from the index) writes exactly the bytes of {@code setSafe} appends and
 * of the general evaluator: every str fixture, and arrays written on the fly with lengths on both
 * sides of every copy branch (under 8, under 64, longer), non-ASCII, shared references, protocols
 * 0-5 (protocol 0's UNICODE goes the slow way), strings far longer than the pre-size guess, lone
 * surrogates; several chunk sizes and byte bounds, one and two threads; and the fast path runs.
 */
class StrFastPathTest {
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
        StrSpans.direct = true;
        StrSpans.runs = true;
        allocator.close();
    }

    /** How the str column is written: runs of short strs (the default), one str at a time, setSafe, evaluated. */
    private enum Way { DIRECT, SINGLE, SET_SAFE, GENERAL }

    /** The output, or the failure's class and message (every way must fail alike). */
    private Object convert(Path npy, Way way, OutputFormat format, int rows, long maxBytes, int threads)
            throws IOException {
        ChunkProducer.fastPaths = way != Way.GENERAL;
        StrSpans.direct = way == Way.DIRECT || way == Way.SINGLE;
        StrSpans.runs = way == Way.DIRECT;
        String ext = format == OutputFormat.ARROW ? ".arrow" : ".parquet";
        Path output = npy.resolveSibling(way + "-" + rows + "-" + maxBytes + "-" + threads + ext);
        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            ChunkedOutput.convert(array, output, ConvertOptions.of(format).withRowsPerChunk(rows).withThreads(threads)
                    .withMaxChunkBytes(maxBytes).withOnMixed(OnMixed.ERROR).withVersion("test"), allocator);
            return output;
        } catch (UnsupportedInputException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            ChunkProducer.fastPaths = true;
            StrSpans.direct = true;
            StrSpans.runs = true;
        }
    }

    private int compareAllWays(Path npy, int rows, long maxBytes, int threads) throws IOException {
        int compared = 0;
        for (OutputFormat format : OutputFormat.values()) {
            Object direct = convert(npy, Way.DIRECT, format, rows, maxBytes, threads);
            for (Way other : new Way[] {Way.SINGLE, Way.SET_SAFE, Way.GENERAL}) {
                Object expected = convert(npy, other, format, rows, maxBytes, threads);
                if (direct instanceof Path && expected instanceof Path) {
                    assertEquals(-1, Files.mismatch((Path) direct, (Path) expected),
                            "direct vs " + other + ": " + npy + " " + format + " rows " + rows + " bytes " + maxBytes);
                    compared++;
                } else {
                    assertEquals(String.valueOf(expected), String.valueOf(direct), npy + " " + format + " " + other);
                }
            }
        }
        return compared;
    }

    @Test
    void everyStrFixtureGivesTheSameBytesEveryWay() throws Exception {
        long before = StrSpans.FAST_ELEMENTS.get();
        int compared = 0;
        for (Path fixture : ConvertPipelineTest.objectFixtures()) {
            String name = fixture.getFileName().toString();
            if (!name.startsWith("strings_") && !name.startsWith("large_str")) {
                continue;
            }
            Path dir = Files.createDirectories(tmp.resolve(fixture.getParent().getFileName() + "-" + name));
            Path npy = Files.copy(fixture, dir.resolve(name));
            compared += compareAllWays(npy, 65_536, 64L << 20, 2);
            compared += compareAllWays(npy, 7, 64L << 20, 2);
        }
        assertTrue(compared >= 40, "compared " + compared);
        assertTrue(StrSpans.FAST_ELEMENTS.get() - before > 1000, "the fast path never ran");
    }

    /** Writes {@code values} (a Python expression) as an object array, pickled with {@code protocol}. */
    private Path generate(String name, String values, int protocol) throws Exception {
        return Python.saveObjectArray(tmp.resolve(name).resolve(name + ".npy"), values, "Pickler", protocol);
    }

    private static final String[] CASES = {
        // Lengths 0..149: word copies (8..63), byte copies (< 8) and copyMemory (>= 64).
        "['%d' % i + 'x' * (i % 150) for i in range(6000)]",
        // Non-ASCII (the surrogate scan's slow lane) and 4-byte UTF-8.
        "['ü' * (i % 40) + 'π\\U0001F600' + 'a' * (i % 9) for i in range(3000)]",
        // Shared references (BINGET of the memo): the general evaluator by random access.
        "(lambda s: [s if i % 3 == 0 else 'e%d' % i for i in range(3000)])('shared-' * 9)",
        // Far longer strings than the average the vector is pre-sized with, then short ones.
        "['y' * 100000 for i in range(40)] + ['z%d' % i for i in range(3000)]",
        // A lone surrogate after many good ones: every way refuses it alike.
        "['ok%d' % i for i in range(1500)] + ['\\ud800']",
        // 0xED bytes that are no surrogate (Hangul U+D000-U+D7FF is ED 80..9F xx; a 237-byte str's
        // SHORT_BINUNICODE length byte) around lone surrogates in mid-run: the scan ahead for 0xED
        // must stop at each and still refuse exactly the surrogates.
        "['\uD55C' * (i % 5) + ('\\udc80' if i % 97 == 0 else '') + 'x' * (i % 300) for i in range(4000)]",
        // The same inside runs of short spans (payloads of 7 to 16 bytes): Hangul's 0xED bytes pass,
        // the one lone surrogate, after thousands of good strs, is refused.
        "['\uD55C' * (i % 3) + 'q%06d' % i + ('\\udc80' if i == 4321 else '') for i in range(6000)]",
    };

    @Test
    void generatedArraysGiveTheSameBytesEveryWay() throws Exception {
        long before = StrSpans.FAST_ELEMENTS.get();
        int k = 0;
        for (String values : CASES) {
            Path npy = generate("gen" + k++, values, 4);
            compareAllWays(npy, 65_536, 64L << 20, 2);
            compareAllWays(npy, 1000, 64L << 20, 1);
            // Byte bound hit inside tasks: the producer splits and StrSpans retargets a default-sized vector.
            compareAllWays(npy, 65_536, 4096, 2);
        }
        assertTrue(StrSpans.FAST_ELEMENTS.get() - before > 20_000, "the fast path never ran");
    }

    @Test
    void everyProtocolGivesTheSameBytesEveryWay() throws Exception {
        for (int protocol = 0; protocol <= 5; protocol++) {
            Path npy = generate("p" + protocol, CASES[0] + " + " + CASES[1], protocol);
            long before = StrSpans.FAST_ELEMENTS.get();
            compareAllWays(npy, 2000, 64L << 20, 2);
            if (protocol >= 3) {
                // BINUNICODE/SHORT_BINUNICODE: every element but the shared ones is copied.
                assertTrue(StrSpans.FAST_ELEMENTS.get() - before > 8000, "protocol " + protocol);
            }
        }
    }

    @Test
    void theBenchmarkShapeIsCopiedWithoutEvaluation() throws Exception {
        Path npy = generate("bench", "['s%09d' % (i * 7919 % 10 ** 9) for i in range(20000)]", 4);
        long before = StrSpans.FAST_ELEMENTS.get();
        long runsBefore = StrSpans.RUN_ELEMENTS.get();
        Object out = convert(npy, Way.DIRECT, OutputFormat.ARROW, 65_536, 64L << 20, 2);
        assertTrue(out instanceof Path, String.valueOf(out));
        assertEquals(20_000, StrSpans.FAST_ELEMENTS.get() - before);
        // All but the first str after each batch's APPENDS/MARK (a span record with a gap) go in runs.
        assertTrue(StrSpans.RUN_ELEMENTS.get() - runsBefore >= 19_900, "in runs: " + (StrSpans.RUN_ELEMENTS.get() - runsBefore));
    }
}
