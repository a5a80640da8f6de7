package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.apache.arrow.compression.ZstdCompressionCodec;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every non-empty buffer comes out zstd-compressed (its uncompressed length in the prefix, never
 * Arrow Java's -1 "stored raw" marker, which Polars' sliced reads fail on), and Arrow Java's own
 * codec reads it back to the same bytes.
 */
class ZstdBodyCodecTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 64, 4096, 1 << 20})
    void everyBufferIsCompressedAndReadsBack(int length) {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data); // random bytes: zstd cannot shrink them
        try (BufferAllocator allocator = new RootAllocator()) {
            ArrowBuf raw = allocator.buffer(Math.max(1, length));
            raw.setBytes(0, data);
            raw.writerIndex(length);
            try (ArrowBuf compressed = ZstdBodyCodec.FACTORY.createCodec(CompressionUtil.CodecType.ZSTD).compress(allocator, raw)) {
                assertEquals(length, compressed.getLong(0), "the prefix is the uncompressed length, not -1");
                if (length > 0) {
                    assertEquals(true, compressed.writerIndex() > 8, "a zstd frame follows");
                }
                compressed.getReferenceManager().retain(); // decompress() releases its argument
                try (ArrowBuf back = new ZstdCompressionCodec().decompress(allocator, compressed)) {
                    byte[] read = new byte[length];
                    back.getBytes(0, read);
                    assertArrayEquals(data, read);
                    assertEquals(length, back.writerIndex());
                }
            }
        }
    }
}
