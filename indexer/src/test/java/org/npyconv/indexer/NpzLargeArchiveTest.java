package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;

/**
 * ZIP64 for real: an archive written by Java's {@code ZipOutputStream} with a stored float64
 * member of 4.1 GiB (so its sizes and the next member's local-header offset need the ZIP64 extra
 * field) followed by a real NumPy object member whose data lies beyond 4 GiB. Writes 4.1 GiB to a
 * temporary directory (about 20 s; it runs in every {@code mvn verify}, like the other big-file tests).
 */
@Tag("slow")
class NpzLargeArchiveTest {
    @TempDir
    Path tmp;

    @Test
    void objectMemberBeyondFourGibibytes() throws Exception {
        Path fixture = FixtureCorpus.npzFiles().stream()
                .filter(p -> p.getFileName().toString().equals("npz_objects_positional.npz")).reduce((a, b) -> b).orElseThrow();
        byte[] object;
        try (ZipFile zip = new ZipFile(fixture.toFile())) {
            object = zip.getInputStream(zip.getEntry("arr_2.npy")).readAllBytes();
        }
        List<?> expected = (List<?>) NpzArchiveTest.expectedMembers(fixture).get(2).get("elements");

        long count = (4L << 30) / 8 + (16L << 20);                 // 4.125 GiB of float64 zeros
        byte[] header = npyHeader(count);
        long size = header.length + count * 8;
        byte[] zeros = new byte[1 << 20];
        CRC32 crc = new CRC32();
        crc.update(header);
        for (long left = size - header.length; left > 0; left -= zeros.length) {
            crc.update(zeros, 0, (int) Math.min(zeros.length, left));
        }
        Path npz = tmp.resolve("big.npz");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(npz), 1 << 20);
             ZipOutputStream zip = new ZipOutputStream(out)) {
            ZipEntry big = new ZipEntry("zeros.npy");
            big.setMethod(ZipEntry.STORED);
            big.setSize(size);
            big.setCompressedSize(size);
            big.setCrc(crc.getValue());
            zip.putNextEntry(big);
            zip.write(header);
            for (long left = size - header.length; left > 0; left -= zeros.length) {
                zip.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            zip.closeEntry();
            CRC32 c2 = new CRC32();
            c2.update(object);
            ZipEntry obj = new ZipEntry("obj.npy");
            obj.setMethod(ZipEntry.STORED);
            obj.setSize(object.length);
            obj.setCompressedSize(object.length);
            obj.setCrc(c2.getValue());
            zip.putNextEntry(obj);
            zip.write(object);
            zip.closeEntry();
        }
        try (NpzArchive archive = NpzArchive.open(npz)) {
            List<NpzArchive.Member> members = archive.members();
            assertEquals(2, members.size());
            assertEquals(size, members.get(0).zip().uncompressedSize());
            assertEquals(count, members.get(0).header().count());
            assertTrue(members.get(1).zip().localHeaderOffset() > 0xFFFF_FFFFL);
            try (NpyObjectArray a = archive.objectArray("obj")) {
                for (int i = 0; i < expected.size(); i++) {
                    assertNull(JsonValues.difference(expected.get(i), ElementJson.toJson(a.get(i))), "element " + i);
                }
            }
        }
    }

    /** A .npy 1.0 header for a float64 vector, as np.save pads it (to a multiple of 64 bytes). */
    private static byte[] npyHeader(long count) {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + count + ",), }";
        int total = ((10 + dict.length() + 1 + 63) / 64) * 64;
        StringBuilder text = new StringBuilder(dict);
        while (10 + text.length() + 1 < total) {
            text.append(' ');
        }
        text.append('\n');
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length()).put(text.toString().getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }
}
