package org.npyconv.formats.npz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;

/**
 * {@link InflateCheck}, the content check behind {@code verify FILE.npz}: on every kind of zlib
 * stream {@link DeflateDecoderTest} uses it accepts the checkpoints the indexing pass recorded and
 * hands the sink exactly the member's bytes; it names the checkpoint whose history, bit offset or
 * output offset is wrong; and it throws for a member whose size or CRC-32 is not the directory's.
 */
class InflateCheckTest {
    @TempDir
    Path dir;

    private record Member(Path file, ZipMember zip, ByteBuffer checkpoints) {
    }

    private Member write(byte[] data, int level, int strategy) throws IOException {
        byte[] prefix = {1, 2, 3};
        byte[] compressed = DeflateDecoderTest.deflate(data, level, strategy);
        Path f = dir.resolve("m" + System.nanoTime() + ".bin");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(prefix);
        all.write(compressed);
        Files.write(f, all.toByteArray());
        CRC32 crc = new CRC32();
        crc.update(data);
        ZipMember zip = new ZipMember("x.npy", ZipMember.DEFLATED, 0, (int) crc.getValue(), compressed.length,
                data.length, 0, prefix.length, 0);
        Path ckpt = dir.resolve("c" + System.nanoTime() + ".bin");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
             FileChannel sink = FileChannel.open(ckpt, StandardOpenOption.CREATE, StandardOpenOption.READ,
                     StandardOpenOption.WRITE)) {
            InflateCheckpoints.record(ch, f, zip, 64 * 1024, sink);
        }
        return new Member(f, zip, ByteBuffer.wrap(Files.readAllBytes(ckpt)).order(ByteOrder.LITTLE_ENDIAN));
    }

    private static String run(Member m, ZipMember zip, ByteBuffer checkpoints, ByteArrayOutputStream seen)
            throws IOException {
        try (FileChannel ch = FileChannel.open(m.file(), StandardOpenOption.READ)) {
            long[] next = {0};
            return InflateCheck.run(ch, m.file(), zip, checkpoints == null ? null : InflateCheckpoints.of(checkpoints,
                    m.file()), (bytes, position) -> {
                        assertEquals(next[0], position, "bytes arrive in order");
                        byte[] b = new byte[bytes.remaining()];
                        bytes.duplicate().get(b);
                        seen.write(b, 0, b.length);
                        next[0] += b.length;
                    });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.npyconv.formats.npz.DeflateDecoderTest#streams")
    void theRecordedCheckpointsFitAndTheSinkSeesEveryByte(String name, byte[] data, int level, int strategy)
            throws IOException {
        Member m = write(data, level, strategy);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        assertNull(run(m, m.zip(), m.checkpoints(), seen));
        assertArrayEquals(data, seen.toByteArray());
        assertNull(run(m, m.zip(), null, new ByteArrayOutputStream()), "without checkpoints: size and CRC only");
    }

    private String forged(Member m, Consumer<ByteBuffer> change) throws IOException {
        ByteBuffer copy = ByteBuffer.allocate(m.checkpoints().capacity()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(m.checkpoints().duplicate()).flip();
        change.accept(copy);
        return run(m, m.zip(), copy, new ByteArrayOutputStream());
    }

    @Test
    void aWrongCheckpointIsNamed() throws IOException {
        Member m = write(DeflateDecoderTest.text(1_500_000, 11), 6, Deflater.DEFAULT_STRATEGY);
        int count = m.checkpoints().getInt(28);
        assertTrue(count >= 4, "checkpoints: " + count);
        int record = InflateCheckpoints.RECORD_SIZE;
        int header = InflateCheckpoints.HEADER_SIZE;
        String history = forged(m, b -> b.put(header + record + 20 + 32000, (byte) (b.get(header + record + 20 + 32000) ^ 1)));
        assertTrue(history.startsWith("deflate checkpoint 1 of member x.npy") && history.contains("history"), history);
        String bit = forged(m, b -> b.putLong(header + 2 * record + 8, b.getLong(header + 2 * record + 8) + 3));
        assertTrue(bit.startsWith("deflate checkpoint 2 of member x.npy"), bit);
        String out = forged(m, b -> b.putLong(header + 3 * record, b.getLong(header + 3 * record) - 1));
        assertTrue(out.startsWith("deflate checkpoint 3 of member x.npy"), out);
    }

    @Test
    void aMemberThatIsNotWhatTheDirectorySaysThrows() throws IOException {
        Member m = write(DeflateDecoderTest.text(300_000, 12), 6, Deflater.DEFAULT_STRATEGY);
        ZipMember z = m.zip();
        ZipMember badCrc = new ZipMember(z.name(), z.method(), z.flags(), z.crc32() ^ 1, z.compressedSize(),
                z.uncompressedSize(), z.localHeaderOffset(), z.dataOffset(), 0);
        CorruptInputException e = assertThrows(CorruptInputException.class,
                () -> run(m, badCrc, null, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("CRC-32"), e.getMessage());
        ZipMember longer = new ZipMember(z.name(), z.method(), z.flags(), z.crc32(), z.compressedSize(),
                z.uncompressedSize() + 10, z.localHeaderOffset(), z.dataOffset(), 0);
        e = assertThrows(CorruptInputException.class, () -> run(m, longer, null, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("inflates to 300000 bytes but the zip directory says 300010"), e.getMessage());
        // checkpoints whose member facts are not the directory's: refused, named as the index's problem
        String other = forged(m, b -> b.putInt(24, b.getInt(24) ^ 1));
        assertTrue(other.contains("were made for another version of it"), other);
    }
}
