package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.converter.arrow.TypeText;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.indexer.NpyObjectArray;

/**
 * The conversion pipeline: output independent of {@code --threads}, speculative typing that falls
 * back to inference over every element, and {@code --on-mixed pickle} columns that Python's
 * {@code pickle.loads} turns back into the elements {@code np.load} reads.
 */
class ConvertPipelineTest {
    @TempDir
    Path tmp;
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static List<Path> objectFixtures() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String version : List.of("numpy-1.26.4", "numpy-2.4.6")) {
            try (Stream<Path> files = Files.list(Python.root().resolve("testdata/fixtures").resolve(version))) {
                files.filter(p -> p.toString().endsWith(".npy")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    private Path copy(Path fixture, String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        return Files.copy(fixture, dir.resolve(fixture.getFileName()));
    }

    /** Converts with the given thread count; null when the file is not an object array or is refused. */
    private Path convert(Path npy, String out, int threads, OutputFormat format, OnMixed onMixed, int rows) throws IOException {
        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            Path output = npy.resolveSibling(out);
            ChunkedOutput.convert(array, output, ConvertOptions.of(format).withRowsPerChunk(rows).withThreads(threads)
                    .withOnMixed(onMixed).withVersion("test"), allocator);
            return output;
        } catch (UnsupportedInputException e) {
            return null;
        }
    }

    @Test
    void outputIsByteForByteTheSameForAnyThreadCount() throws Exception {
        int compared = 0;
        for (Path fixture : objectFixtures()) {
            Path npy = copy(fixture, fixture.getParent().getFileName() + "-" + fixture.getFileName());
            for (OutputFormat format : OutputFormat.values()) {
                String ext = format == OutputFormat.ARROW ? ".arrow" : ".parquet";
                Path one = convert(npy, "t1" + ext, 1, format, OnMixed.JSON, 7);
                Path three = convert(npy, "t3" + ext, 3, format, OnMixed.JSON, 7);
                assertEquals(one == null, three == null, npy.toString());
                if (one != null) {
                    assertEquals(-1, Files.mismatch(one, three), "threads 1 vs 3: " + npy + " " + format);
                    compared++;
                }
            }
        }
        assertTrue(compared > 100, "compared " + compared + " outputs");
    }

    private static Path writeWithNumpy(Path dir, String name, String pythonValues) throws Exception {
        return Python.saveObjectArray(dir.resolve(name + ".npy"), pythonValues);
    }

    private String arrowType(Path arrow) throws IOException {
        try (FileChannel ch = FileChannel.open(arrow, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
            return TypeText.of(reader.getVectorSchemaRoot().getSchema().getFields().get(0));
        }
    }

    /** The first 1024 elements say int64 and one dict key; later elements make it double and add a key. */
    @Test
    void aTypeThatChangesAfterTheSampleIsInferredFromEveryElement() throws Exception {
        Path ints = writeWithNumpy(tmp, "ints_then_float", "[i for i in range(3000)] + [0.5] + [7] * 10");
        Path dicts = writeWithNumpy(tmp, "dicts_new_key", "[{'a': i} for i in range(2000)] + [{'a': 1, 'b': 'x'}]");
        for (int threads : new int[] {1, 2}) {
            Path a = convert(ints, "ints" + threads + ".arrow", threads, OutputFormat.ARROW, OnMixed.ERROR, 500);
            assertEquals("double", arrowType(a));
            Path d = convert(dicts, "dicts" + threads + ".arrow", threads, OutputFormat.ARROW, OnMixed.ERROR, 500);
            assertEquals("struct<a: int64, b: string>", arrowType(d));
        }
        Path again = convert(ints, "ints.parquet", 2, OutputFormat.PARQUET, OnMixed.ERROR, 500);
        Python.Result r = Python.run(Python.interpreter(), "-c", String.join("\n",
                "import sys, pyarrow.parquet as pq, numpy as np, pyarrow as pa",
                "t = pq.read_table(sys.argv[1])",
                "want = pa.array(np.load(sys.argv[2], allow_pickle=True).ravel())",
                "assert t.column('value').type == want.type, (t.column('value').type, want.type)",
                "assert t.column('value').combine_chunks().equals(want), 'values differ'",
                "print('ok')"), again.toString(), ints.toString());
        assertEquals("ok", r.output().strip(), r.output());
    }

    /**
     * Every mixed fixture with {@code --on-mixed pickle}: a binary column whose every value,
     * loaded by Python's {@code pickle.loads}, equals the element {@code np.load} reads (ndarrays by
     * dtype, shape and bytes; floats NaN-aware; types exact), None stays null.
     */
    @Test
    void pickleColumnsLoadBackEqualInPython() throws Exception {
        Path python = Python.interpreter();
        assumeTrue(python != null, "no Python with numpy (tools/setup-python.sh)");
        List<String> pairs = new ArrayList<>();
        int refused = 0;
        for (Path fixture : objectFixtures()) {
            Path npy = copy(fixture, "p-" + fixture.getParent().getFileName() + "-" + fixture.getFileName());
            Path typed = convert(npy, "typed.arrow", 1, OutputFormat.ARROW, OnMixed.ERROR, 7);
            if (typed != null) {
                continue; // not mixed: pickles are only for mixed columns
            }
            try (NpyObjectArray array = NpyObjectArray.open(npy)) {
                Path out = npy.resolveSibling("pickles.arrow");
                ChunkedOutput.convert(array, out, ConvertOptions.of(OutputFormat.ARROW).withRowsPerChunk(7)
                        .withOnMixed(OnMixed.PICKLE).withVersion("test"), allocator);
                assertEquals("binary", arrowType(out));
                pairs.add(fixture.toString());
                pairs.add(out.toString());
            } catch (UnsupportedInputException e) {
                // Inert values (unknown globals) are refused, never written back; anything else is a failure.
                assertTrue(e.getMessage().contains("will not write back") || e.getMessage().contains("not an object array"),
                        fixture + ": " + e.getMessage());
                refused++;
            }
        }
        assertTrue(pairs.size() / 2 >= 10, "only " + pairs.size() / 2 + " mixed fixtures converted, " + refused + " refused");
        List<String> args = new ArrayList<>(List.of("-c", CHECK_PICKLES));
        args.addAll(pairs);
        Python.Result r = Python.run(python, args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("checked " + pairs.size() / 2 + " files"), r.output());
    }

    private static final String CHECK_PICKLES = String.join("\n",
            "import sys, math, pickle, numpy as np, pyarrow as pa",
            "def same(a, b):",
            "    # A record of a structured array is written as a dict of its fields, as Python values (docs/converter.md).",
            "    if isinstance(a, np.void) and a.dtype.names: a = dict(zip(a.dtype.names, a.item()))",
            "    if type(a) is not type(b): return False",
            "    if isinstance(a, np.ndarray):",
            "        if a.dtype != b.dtype or a.shape != b.shape: return False",
            "        if a.dtype == object: return all(same(x, y) for x, y in zip(a.ravel(), b.ravel()))",
            "        return a.tobytes() == b.tobytes()",
            "    if isinstance(a, float): return a == b or (math.isnan(a) and math.isnan(b))",
            "    if isinstance(a, np.generic): return a.dtype == b.dtype and a.tobytes() == b.tobytes()",
            "    if isinstance(a, (list, tuple)): return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))",
            "    if isinstance(a, dict): return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)",
            "    if isinstance(a, complex): return same(a.real, b.real) and same(a.imag, b.imag)",
            "    if isinstance(a, (set, frozenset)): return a == b",
            "    return a == b or a != a and b != b",
            "files = sys.argv[1:]",
            "for npy, arrow in zip(files[::2], files[1::2]):",
            "    want = np.load(npy, allow_pickle=True, encoding='latin1').ravel()",
            "    col = pa.ipc.open_file(arrow).read_all().column('value')",
            "    assert len(col) == len(want), (npy, len(col), len(want))",
            "    for i, (cell, w) in enumerate(zip(col.to_pylist(), want)):",
            "        got = None if cell is None else pickle.loads(cell)",
            "        assert same(w, got), f'{npy} element {i}: {w!r} != {got!r}'",
            "print(f'checked {len(files) // 2} files')");

    @Test
    void emptyAndSingleElementArraysMakeOneChunk() throws Exception {
        Path empty = writeWithNumpy(tmp, "empty", "[]");
        Path one = writeWithNumpy(tmp, "one", "['x']");
        for (Path npy : List.of(empty, one)) {
            Path out = convert(npy, npy.getFileName() + ".arrow", 2, OutputFormat.ARROW, OnMixed.ERROR, 7);
            assertNotNull(out);
            try (FileChannel ch = FileChannel.open(out, StandardOpenOption.READ);
                 ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
                assertEquals(1, reader.getRecordBlocks().size(), npy.toString());
            }
        }
    }
}
