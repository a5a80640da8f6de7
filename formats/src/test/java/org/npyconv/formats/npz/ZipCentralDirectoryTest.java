package org.npyconv.formats.npz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * The central-directory reader against {@code java.util.zip.ZipFile} on every {@code .npz} fixture
 * (CPython's zipfile wrote them, some with ZIP64 records forced), against Java's own ZIP64 writer
 * for more than 65,535 members, and on damaged archives derived from a fixture byte by byte, where
 * the error must name the record at fault by its exact offset.
 */
class ZipCentralDirectoryTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> archives() {
        return FixtureCorpus.npzFiles().stream().map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("archives")
    void membersAgreeWithJavaUtilZip(String label, Path fixture) throws IOException {
        try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ); ZipFile zip = new ZipFile(fixture.toFile())) {
            assertTrue(ZipCentralDirectory.looksLikeZip(ch));
            List<ZipMember> members = ZipCentralDirectory.read(ch, fixture).members();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            for (ZipMember m : members) {
                ZipEntry e = entries.nextElement();
                assertEquals(e.getName(), m.name());
                assertEquals(e.getMethod(), m.method(), m.name());
                assertEquals(e.getCompressedSize(), m.compressedSize(), m.name());
                assertEquals(e.getSize(), m.uncompressedSize(), m.name());
                assertEquals(e.getCrc(), Integer.toUnsignedLong(m.crc32()), m.name());
                try (FileChannel view = m.isStored() ? FileRegion.of(ch, m.dataOffset(), m.compressedSize())
                        : InflatedMember.of(ch, fixture, m, null)) {
                    assertEquals(m.uncompressedSize(), view.size());
                    NpyHeader.read(view, fixture);
                }
            }
            assertTrue(!entries.hasMoreElements());
        }
    }

    /** Java's ZipOutputStream writes the ZIP64 end record and locator past 65,535 members (count field 0xFFFF). */
    @Test
    void moreThan65535Members() throws IOException {
        Path fixture = fixture("npz_objects_positional.npz");
        byte[] npy;
        try (ZipFile zip = new ZipFile(fixture.toFile())) {
            npy = zip.getInputStream(zip.getEntry("arr_0.npy")).readAllBytes();
        }
        CRC32 crc = new CRC32();
        crc.update(npy);
        int n = 65_600;
        Path big = tmp.resolve("many.npz");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(big), 1 << 20);
             ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < n; i++) {
                ZipEntry e = new ZipEntry("arr_" + i + ".npy");
                e.setMethod(ZipEntry.STORED);
                e.setSize(npy.length);
                e.setCompressedSize(npy.length);
                e.setCrc(crc.getValue());
                zip.putNextEntry(e);
                zip.write(npy);
                zip.closeEntry();
            }
        }
        byte[] bytes = Files.readAllBytes(big);
        long end = lastIndexOf(bytes, 0x06054b50);
        assertEquals(0xFFFF, u16(bytes, end + 10), "the end record defers its count to the ZIP64 record");
        try (FileChannel ch = FileChannel.open(big, StandardOpenOption.READ)) {
            ZipCentralDirectory cd = ZipCentralDirectory.read(ch, big);
            assertEquals(n, cd.members().size());
            ZipMember last = cd.member("arr_" + (n - 1));
            assertEquals("arr_" + (n - 1) + ".npy", last.name());
            ByteBuffer b = ByteBuffer.allocate(npy.length);
            FileRegion.of(ch, last.dataOffset(), last.compressedSize()).read(b, 0);
            assertTrue(java.util.Arrays.equals(npy, b.array()));
        }
    }

    // ---- damaged archives: one error naming the record's offset ---------------------------------

    @Test
    void truncatedCentralDirectory() throws IOException {
        byte[] b = read("npz_objects_positional.npz");
        long end = lastIndexOf(b, 0x06054b50);
        long cd = u32(b, end + 16);
        // cut in the middle of the central directory: no end record any more; blamed at the PK\3\4
        // that made it look like an archive, as np.load's BadZipFile does
        NpyconvException e = failure(java.util.Arrays.copyOf(b, (int) (cd + 30)));
        assertEquals(CorruptInputException.class, e.getClass());
        assertEquals(0, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("no end of central directory"), e.getMessage());
        // an end record claiming more directory bytes than lie before it
        byte[] longer = b.clone();
        putU32(longer, end + 12, u32(b, end + 12) + 1000);
        e = failure(longer);
        assertEquals(end, e.offset(), e.getMessage());
        // an end record claiming more members than the directory holds
        byte[] more = b.clone();
        putU16(more, end + 8, u16(b, end + 8) + 1);
        putU16(more, end + 10, u16(b, end + 10) + 1);
        e = failure(more);
        assertTrue(e instanceof CorruptInputException, e.getMessage());
    }

    @Test
    void directoryOffsetPastTheEnd() throws IOException {
        byte[] b = read("npz_objects_positional.npz");
        long end = lastIndexOf(b, 0x06054b50);
        putU32(b, end + 16, b.length + 100L);
        NpyconvException e = failure(b);
        assertEquals(CorruptInputException.class, e.getClass());
        assertEquals(end, e.offset(), e.getMessage());
    }

    @Test
    void localHeaderOffsetPastTheEnd() throws IOException {
        byte[] b = read("npz_objects_positional.npz");
        long cd = u32(b, lastIndexOf(b, 0x06054b50) + 16);
        putU32(b, cd + 42, b.length + 5L);
        NpyconvException e = failure(b);
        assertEquals(CorruptInputException.class, e.getClass());
        assertEquals(cd, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("local header offset"), e.getMessage());
    }

    @Test
    void unsupportedMethod() throws IOException {
        byte[] b = read("npz_objects_keywords_compressed.npz");
        long cd = u32(b, lastIndexOf(b, 0x06054b50) + 16);
        putU16(b, cd + 10, 12);
        NpyconvException e = failure(b);
        assertEquals(UnsupportedInputException.class, e.getClass());
        assertEquals(cd, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("bzip2"), e.getMessage());
    }

    @Test
    void compressedSizeRunningIntoTheDirectory() throws IOException {
        byte[] b = read("npz_objects_keywords_compressed.npz");
        long cd = u32(b, lastIndexOf(b, 0x06054b50) + 16);
        putU32(b, cd + 20, b.length);
        NpyconvException e = failure(b);
        assertEquals(CorruptInputException.class, e.getClass());
        assertEquals(u32(b, cd + 42), e.offset(), e.getMessage());
    }

    @Test
    void storedSizesThatDisagree() throws IOException {
        byte[] b = read("npz_objects_positional.npz");
        long cd = u32(b, lastIndexOf(b, 0x06054b50) + 16);
        putU32(b, cd + 24, u32(b, cd + 24) + 1);
        NpyconvException e = failure(b);
        assertEquals(cd, e.offset(), e.getMessage());
    }

    @Test
    void localHeaderNamingAnotherMember() throws IOException {
        byte[] b = read("npz_objects_positional.npz");
        long cd = u32(b, lastIndexOf(b, 0x06054b50) + 16);
        long local = u32(b, cd + 42);
        b[(int) local + 30] ^= 1;
        NpyconvException e = failure(b);
        assertEquals(local, e.offset(), e.getMessage());
    }

    /** The forced-ZIP64 fixture is read through its ZIP64 end record: damaging that record is what fails. */
    @Test
    void zip64EndRecordIsUsed() throws IOException {
        byte[] b = read("npz_zip64_compressed.npz");
        long record = lastIndexOf(b, 0x06064b50);
        assertTrue(record > 0);
        b[(int) record] = 'X';
        NpyconvException e = failure(b);
        assertEquals(record, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("zip64"), e.getMessage());
    }

    @Test
    void notAZipAtAll() throws IOException {
        Path f = tmp.resolve("x.npz");
        Files.write(f, new byte[100]);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertTrue(!ZipCentralDirectory.looksLikeZip(ch));
        }
        assertEquals(100, failure(new byte[100]).offset());
        assertEquals(0, failure(new byte[5]).offset());
    }

    /** A deflated member whose directory lies about its uncompressed size or CRC fails the indexing pass. */
    @Test
    void deflatedMemberThatLiesAboutItsContent() throws IOException {
        for (int field : new int[] {24, 16}) {
            byte[] b = read("npz_objects_keywords_compressed.npz");
            long cd = u32(b, lastIndexOf(b, 0x06054b50) + 16);
            putU32(b, cd + field, u32(b, cd + field) + 1);
            Path f = tmp.resolve("lie" + field + ".npz");
            Files.write(f, b);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
                 FileChannel sink = FileChannel.open(tmp.resolve("sink" + field), StandardOpenOption.CREATE,
                         StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ZipMember m = ZipCentralDirectory.read(ch, f).members().get(0);
                CorruptInputException e = assertThrows(CorruptInputException.class,
                        () -> InflateCheckpoints.record(ch, f, m, 1 << 20, sink));
                assertEquals(m.dataOffset(), e.offset(), e.getMessage());
                assertTrue(e.getMessage().contains(field == 24 ? "inflates to" : "CRC-32"), e.getMessage());
            }
        }
    }

    /** Garbage inside deflated data is a deflate error inside the member's compressed bytes. */
    @Test
    void garbledDeflateData() throws IOException {
        byte[] b = read("npz_objects_keywords_compressed.npz");
        Path f = tmp.resolve("ok.npz");
        Files.write(f, b);
        ZipMember m;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            m = ZipCentralDirectory.read(ch, f).members().get(0);
        }
        for (int i = 0; i < 40; i++) {
            b[(int) m.dataOffset() + 2 + i] = (byte) 0xFF;
        }
        Files.write(f, b);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
             FileChannel sink = FileChannel.open(tmp.resolve("sink"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                     StandardOpenOption.WRITE)) {
            CorruptInputException e = assertThrows(CorruptInputException.class,
                    () -> InflateCheckpoints.record(ch, f, m, 1 << 20, sink));
            assertTrue(e.offset() >= m.dataOffset() && e.offset() <= m.dataEnd(), e.getMessage());
            assertEquals("deflate", e.construct());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private NpyconvException failure(byte[] bytes) throws IOException {
        Path f = tmp.resolve("damaged.npz");
        Files.write(f, bytes);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            return assertThrows(NpyconvException.class, () -> ZipCentralDirectory.read(ch, f));
        }
    }

    static Path fixture(String name) {
        return FixtureCorpus.npzFiles().stream().filter(p -> p.getFileName().toString().equals(name))
                .reduce((a, b) -> b).orElseThrow();
    }

    static byte[] read(String name) throws IOException {
        return Files.readAllBytes(fixture(name));
    }

    static long lastIndexOf(byte[] b, int signature) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = b.length - 4; i >= 0; i--) {
            if (bb.getInt(i) == signature) {
                return i;
            }
        }
        return -1;
    }

    static int u16(byte[] b, long at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort((int) at) & 0xFFFF;
    }

    static long u32(byte[] b, long at) {
        return Integer.toUnsignedLong(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt((int) at));
    }

    static void putU16(byte[] b, long at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort((int) at, (short) v);
    }

    static void putU32(byte[] b, long at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt((int) at, (int) v);
    }
}
