package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Page bodies in pooled arrays: what a row group holds, what it gives back, and when. */
class PageBodiesTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /**
     * Row groups wait, encoded, while the workers encode the next ones: their arrays must not go back
     * to the pool before the writer has appended them, or a later row group's pages overwrite them.
     */
    @Test
    void rowGroupsEncodedAheadOfTheWriterKeepTheirBytes() throws Exception {
        Schema schema = new Schema(List.of(new Field("value",
                FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null)));
        ConvertOptions options = ConvertOptions.of(OutputFormat.PARQUET).withCompression(Compression.ZSTD).withVersion("test");
        Path inTurn = dir.resolve("in-turn.parquet");
        Path ahead = dir.resolve("ahead.parquet");
        try (BufferAllocator allocator = new RootAllocator()) {
            try (ParquetSink sink = new ParquetSink(schema, inTurn, options)) {
                for (int g = 0; g < 3; g++) {
                    try (VectorSchemaRoot root = randomDoubles(schema, allocator, g)) {
                        sink.writeChunk(root);
                    }
                }
                sink.finish();
            }
            try (ParquetSink sink = new ParquetSink(schema, ahead, options)) {
                ChunkSink.Encoded[] groups = new ChunkSink.Encoded[3];
                for (int g = 0; g < 3; g++) {
                    try (VectorSchemaRoot root = randomDoubles(schema, allocator, g)) {
                        groups[g] = sink.encode(root);
                    }
                }
                for (ChunkSink.Encoded group : groups) {
                    try (group) {
                        sink.writeEncoded(group);
                    }
                }
                sink.finish();
            }
        }
        assertEquals(-1, Files.mismatch(inTurn, ahead));
    }

    /** 300,000 random doubles: three incompressible pages of about a MiB, so their arrays are pooled. */
    private static VectorSchemaRoot randomDoubles(Schema schema, BufferAllocator allocator, long seed) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        Float8Vector v = (Float8Vector) root.getVector(0);
        int n = 300_000;
        v.allocateNew(n);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            v.set(i, r.nextGaussian());
        }
        root.setRowCount(n);
        return root;
    }

    private static byte[] noise(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] unzstd(BytesInput body, int n) throws Exception {
        return Zstd.decompress(body.toByteArray(), n);
    }

    @Test
    void anIncompressiblePageStaysInItsLentArrayUntilTheRowGroupCloses() throws Exception {
        PageArrays arrays = new PageArrays();
        byte[] page = noise(MIB, 1);
        BytesInput body;
        try (PageBodies bodies = new PageBodies(null, CompressionCodecName.ZSTD, arrays)) {
            body = bodies.compress(page, page.length);
            Arrays.fill(page, (byte) 7); // the encoder reuses its buffer for the next page at once
            assertArrayEquals(noise(MIB, 1), unzstd(body, MIB));
            assertEquals(0, arrays.idleBytes(), "lent while the row group is open");
        }
        long idle = arrays.idleBytes();
        assertTrue(idle >= Zstd.compressBound(MIB) && idle < Zstd.compressBound(MIB) + PageArrays.STEP, "given back: " + idle);
        byte[] again = arrays.take((int) Zstd.compressBound(MIB));
        assertEquals(idle, again.length, "the next page of that size reuses it");
        assertEquals(0, arrays.idleBytes());
    }

    @Test
    void aWellCompressedPageDoesNotPinAnArrayOfItsUncompressedSize() throws Exception {
        PageArrays arrays = new PageArrays();
        int pageClass = classBytes(Zstd.compressBound(MIB));
        byte[] zeros = new byte[MIB];
        byte[] half = noise(MIB, 2);
        Arrays.fill(half, 0, MIB / 2, (byte) 0); // compresses to about half a MiB
        long middleSize;
        try (PageBodies bodies = new PageBodies(null, CompressionCodecName.ZSTD, arrays)) {
            BytesInput tiny = bodies.compress(zeros, MIB);
            assertTrue(tiny.size() < 1000, "zeros: " + tiny.size());
            assertArrayEquals(zeros, unzstd(tiny, MIB));
            assertEquals(pageClass, arrays.idleBytes(), "a tiny body gets an exact array; the page-sized one goes back at once");
            BytesInput middle = bodies.compress(half, MIB);
            middleSize = middle.size();
            assertArrayEquals(half, unzstd(middle, MIB));
            assertEquals(pageClass, arrays.idleBytes(), "the half-full body moved to a smaller array, the big one went back");
        }
        assertEquals(pageClass + classBytes(middleSize), arrays.idleBytes());
    }

    private static int classBytes(long n) {
        return (int) ((n + PageArrays.STEP - 1) / PageArrays.STEP * PageArrays.STEP);
    }

    @Test
    void uncompressedPagesAreCopiedIntoPooledArraysAndSmallOnesExactly() throws Exception {
        PageArrays arrays = new PageArrays();
        byte[] page = noise(3 * MIB, 3);
        try (PageBodies bodies = new PageBodies(null, CompressionCodecName.UNCOMPRESSED, arrays)) {
            BytesInput big = bodies.compress(page, 3 * MIB - 5);
            BytesInput small = bodies.compress(page, 1000);
            Arrays.fill(page, (byte) 0);
            assertArrayEquals(Arrays.copyOf(noise(3 * MIB, 3), 3 * MIB - 5), big.toByteArray());
            assertArrayEquals(Arrays.copyOf(noise(3 * MIB, 3), 1000), small.toByteArray());
        }
        assertEquals(3 * MIB, arrays.idleBytes(), "only the big page's array, in its size class");
    }

    @Test
    void arraysOfMuchLargerClassesAreNotPinnedBySmallRequests() {
        PageArrays arrays = new PageArrays();
        byte[] big = arrays.take(4 * MIB);
        arrays.giveBack(big);
        byte[] small = arrays.take(MIB);
        assertEquals(MIB, small.length);
        assertNotSame(big, small);
        arrays.giveBack(small);
        assertSame(big, arrays.take(4 * MIB - 2 * PageArrays.STEP + 1), "two classes smaller still takes it");
    }

    @Test
    void idleArraysAreBoundedInBytes() {
        PageArrays arrays = new PageArrays(3 * MIB);
        byte[] a = arrays.take(2 * MIB);
        byte[] b = arrays.take(2 * MIB);
        arrays.giveBack(a);
        arrays.giveBack(b); // over the bound: dropped
        assertEquals(2 * MIB, arrays.idleBytes());
        assertSame(a, arrays.take(2 * MIB));
        assertNotSame(b, arrays.take(2 * MIB));
    }
}
