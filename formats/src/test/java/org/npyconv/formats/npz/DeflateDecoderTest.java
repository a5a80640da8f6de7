package org.npyconv.formats.npz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pure-Java decoder against {@code java.util.zip.Deflater}'s output (zlib: what CPython's
 * zipfile and hence np.savez_compressed use): every level and strategy that produces stored, fixed
 * and dynamic blocks, decoded from the start and re-entered at every recorded checkpoint, by the
 * pure-Java decoder and by zlib behind a primer (all eight bit offsets occur).
 */
class DeflateDecoderTest {
    @TempDir
    Path dir;

    static Stream<Arguments> streams() {
        return Stream.of(
                Arguments.of("text level 6", text(3_000_000, 1), Deflater.DEFAULT_COMPRESSION, Deflater.DEFAULT_STRATEGY),
                Arguments.of("random bytes (stored blocks)", random(700_000, 2), 6, Deflater.DEFAULT_STRATEGY),
                Arguments.of("mixed text and random", mixed(2_000_000, 3), 6, Deflater.DEFAULT_STRATEGY),
                Arguments.of("level 1", text(1_500_000, 4), 1, Deflater.DEFAULT_STRATEGY),
                Arguments.of("level 9", text(1_500_000, 5), 9, Deflater.DEFAULT_STRATEGY),
                Arguments.of("fixed Huffman only", text(900_000, 6), 6, Deflater.HUFFMAN_ONLY),
                Arguments.of("level 0 (stored)", text(300_000, 7), 0, Deflater.DEFAULT_STRATEGY),
                Arguments.of("long runs (overlapping matches)", runs(1_000_000, 8), 6, Deflater.DEFAULT_STRATEGY),
                Arguments.of("empty", new byte[0], 6, Deflater.DEFAULT_STRATEGY),
                Arguments.of("one byte", new byte[] {42}, 6, Deflater.DEFAULT_STRATEGY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streams")
    void decodesAndReentersAtEveryCheckpoint(String name, byte[] data, int level, int strategy) throws IOException {
        byte[] prefix = {1, 2, 3, 4, 5, 6, 7};
        byte[] compressed = deflate(data, level, strategy);
        Path f = dir.resolve("stream.bin");
        Files.write(f, concat(prefix, compressed, new byte[] {9, 9}));
        CRC32 crc = new CRC32();
        crc.update(data);
        ZipMember member = new ZipMember("x.npy", ZipMember.DEFLATED, 0, (int) crc.getValue(), compressed.length,
                data.length, 0, prefix.length, 0);
        Path ckpt = dir.resolve("ckpt.bin");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
             FileChannel sink = FileChannel.open(ckpt, StandardOpenOption.CREATE, StandardOpenOption.READ,
                     StandardOpenOption.WRITE)) {
            int n = InflateCheckpoints.record(ch, f, member, 64 * 1024, sink);
            InflateCheckpoints checkpoints = InflateCheckpoints.of(sink.map(FileChannel.MapMode.READ_ONLY, 0, sink.size()), ckpt);
            assertEquals(n, checkpoints.count());
            // zlib ends a block every 16K symbols; runs of 258-byte matches make blocks of megabytes
            if (data.length > 600_000 && level != 0 && !name.startsWith("long runs")) {
                assertTrue(n >= 4, "expected several checkpoints, got " + n);
            }
            // Re-enter at every checkpoint and decode 70 KB from there.
            for (int k = 0; k < n; k++) {
                DeflateCheckpoint c = checkpoints.get(k);
                DeflateDecoder d = new DeflateDecoder(ch, f, prefix.length, compressed.length, c.bitOffset(),
                        c.outOffset(), checkpoints.history(k), c.historyLength());
                int want = (int) Math.min(70_000, data.length - c.outOffset());
                ByteBuffer got = ByteBuffer.allocate(want);
                d.read(got);
                assertArrayEquals(slice(data, (int) c.outOffset(), want), got.array(), "checkpoint " + k);
                // and zlib, primed to enter at the same bit with the same history
                ZlibCursor z = ZlibCursor.at(ch, f, prefix.length, compressed.length, c, checkpoints.history(k));
                ByteBuffer native_ = ByteBuffer.allocate(want);
                while (native_.hasRemaining() && z.read(native_) > 0) {
                    // until full
                }
                z.release();
                assertArrayEquals(slice(data, (int) c.outOffset(), want), native_.array(), "zlib at checkpoint " + k
                        + " (bit offset " + c.bitOffset() + ")");
            }
            // Random reads through the channel view, and one full sequential read.
            InflatedMember view = InflatedMember.of(ch, f, member, checkpoints);
            Random r = new Random(data.length);
            for (int i = 0; i < 40 && data.length > 0; i++) {
                int at = r.nextInt(data.length);
                int len = Math.min(data.length - at, 1 + r.nextInt(5000));
                ByteBuffer got = ByteBuffer.allocate(len);
                while (got.hasRemaining()) {
                    view.read(got, at + got.position());
                }
                assertArrayEquals(slice(data, at, len), got.array(), "read at " + at);
            }
            ByteBuffer all = ByteBuffer.allocate(data.length);
            while (all.hasRemaining()) {
                assertTrue(view.read(all, all.position()) > 0);
            }
            assertArrayEquals(data, all.array());
            assertEquals(-1, view.read(ByteBuffer.allocate(1), data.length));
            if (n > 20) {
                java.util.Set<Long> offsets = new java.util.HashSet<>();
                for (int k = 0; k < n; k++) {
                    offsets.add(checkpoints.get(k).bitOffset() & 7);
                }
                assertEquals(8, offsets.size(), "every bit offset mod 8 is exercised: " + offsets);
            }
        }
    }

    static byte[] deflate(byte[] data, int level, int strategy) {
        Deflater d = new Deflater(level, true);
        d.setStrategy(strategy);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    static byte[] text(int n, long seed) {
        Random r = new Random(seed);
        String[] words = {"numpy", "pickle", "ragged", "array", "deflate", "window", "checkpoint", "zip", "the", "a"};
        StringBuilder sb = new StringBuilder(n + 16);
        while (sb.length() < n) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(100) < 5 ? r.nextInt(100000) : "").append(' ');
        }
        return sb.substring(0, n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] mixed(int n, long seed) {
        byte[] b = text(n, seed);
        Random r = new Random(seed);
        for (int at = 0; at + 40_000 < n; at += 200_000 + r.nextInt(50_000)) {
            byte[] noise = random(40_000, at);
            System.arraycopy(noise, 0, b, at, noise.length);
        }
        return b;
    }

    static byte[] runs(int n, long seed) {
        byte[] b = new byte[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; ) {
            int len = 1 + r.nextInt(600);
            byte v = (byte) r.nextInt(4);
            for (int k = 0; k < len && i < n; k++) {
                b[i++] = v;
            }
        }
        return b;
    }

    static byte[] slice(byte[] b, int from, int len) {
        byte[] s = new byte[len];
        System.arraycopy(b, from, s, 0, len);
        return s;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
