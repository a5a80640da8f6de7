package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.npyidx.ArchiveIndex;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * {@code verify} of archive indexes ({@link ArchiveIndexCheck}): current for every {@code .npz}
 * fixture; stale when the archive is touched or is another one; damaged when any section's bytes
 * change (checksums), and — with checksums made valid again ({@link ArchiveIndexForge}) — when a
 * checkpoint's history or bit offset is wrong, a member's section is missing or a section names a
 * member that does not exist; a member whose bytes changed in place is the archive's damage.
 */
class ArchiveIndexCheckTest {
    /** INFL layout (docs/npyidx.md): 32-byte header, then 32,788-byte records (u64 out, u64 bit, u32 h, history). */
    private static final int INFL_HEADER = 32;
    private static final int INFL_RECORD = 8 + 8 + 4 + 32768;

    @TempDir
    Path tmp;

    static Stream<Arguments> archives() {
        return FixtureCorpus.npzFiles().stream().map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    private Path fixture(String name) throws IOException {
        Path f = FixtureCorpus.npzFiles().stream().filter(p -> p.getFileName().toString().equals(name))
                .findFirst().orElseThrow();
        return Files.copy(f, tmp.resolve(name));
    }

    private static Path index(Path npz) throws IOException {
        Path index = Indexer.sidecarPath(npz);
        NpzIndexer.build(npz, index, 64, NpzArchiveTest.SMALL_SPACING, Indexer.Progress.NONE);
        return index;
    }

    private static IndexCheck.Verdict verify(Path npz) throws IOException {
        return ArchiveIndexCheck.full(npz, Indexer.sidecarPath(npz));
    }

    private static void assertVerdict(IndexCheck.Status status, String reasonPart, IndexCheck.Verdict v) {
        assertEquals(status, v.status(), v.reason());
        assertTrue(v.reason().contains(reasonPart), v.reason());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("archives")
    void aFreshIndexIsCurrent(String label, Path fixture) throws Exception {
        Path npz = Files.copy(fixture, tmp.resolve("a.npz"));
        assertVerdict(IndexCheck.Status.MISSING, "no index at", verify(npz));
        index(npz);
        assertVerdict(IndexCheck.Status.CURRENT, "", verify(npz));
    }

    @Test
    void touchedOrAnotherArchiveIsStale() throws Exception {
        Path npz = fixture("npz_large_compressed.npz");
        index(npz);
        Files.setLastModifiedTime(npz, FileTime.fromMillis(Files.getLastModifiedTime(npz).toMillis() + 3000));
        assertVerdict(IndexCheck.Status.STALE, "modified after it was indexed", verify(npz));
        Path other = fixture("npz_objects_keywords_compressed.npz");
        assertVerdict(IndexCheck.Status.STALE, "bytes, the index was made for",
                ArchiveIndexCheck.full(other, Indexer.sidecarPath(npz)));
    }

    /** A member list rewritten with the same size and time: the central directory's CRC32C differs. */
    @Test
    void aRewrittenMemberListIsStale() throws Exception {
        Path npz = fixture("npz_objects_positional.npz");
        index(npz);
        FileTime mtime = Files.getLastModifiedTime(npz);
        byte[] b = Files.readAllBytes(npz);
        // rename arr_0.npy to arr_9.npy in the central directory only (its last occurrence)
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.lastIndexOf("arr_0.npy");
        b[at + 4] = '9';
        Files.write(npz, b);
        Files.setLastModifiedTime(npz, mtime);
        IndexCheck.Verdict v;
        try {
            v = verify(npz);
        } catch (CorruptInputException e) {
            // the local header still says arr_0.npy: the archive itself no longer reads
            assertTrue(e.getMessage().contains("local header"), e.getMessage());
            return;
        }
        assertVerdict(IndexCheck.Status.STALE, "member list differs", v);
    }

    /** One flipped byte in any section: its checksum no longer matches. */
    @Test
    void aFlippedByteInAnySectionIsDamage() throws Exception {
        Path npz = fixture("npz_large_compressed.npz");
        Path index = index(npz);
        byte[] good = Files.readAllBytes(index);
        int sections;
        try (ArchiveIndex idx = ArchiveIndex.open(index)) {
            sections = idx.sections().size();
            assertTrue(sections >= 5, "ZSRC and NIDX + INFL of two members: " + idx.sections());
            for (ArchiveIndex.Section s : idx.sections()) {
                byte[] bad = good.clone();
                bad[(int) (s.offset() + s.length() / 2)] ^= 0x10;
                Files.write(index.resolveSibling("bad.npyidx"), bad);
                IndexCheck.Verdict v = ArchiveIndexCheck.full(npz, index.resolveSibling("bad.npyidx"));
                assertVerdict(IndexCheck.Status.DAMAGED, "section " + s.tag(), v);
                assertTrue(v.reason().contains("checksum mismatch"), v.reason());
            }
        }
        byte[] bad = good.clone();
        bad[bad.length - 30] ^= 0x01;                  // the directory's last entry
        Files.write(index, bad);
        assertVerdict(IndexCheck.Status.DAMAGED, "checksum mismatch", verify(npz));
        Files.write(index, java.util.Arrays.copyOf(good, good.length - 10));
        assertVerdict(IndexCheck.Status.DAMAGED, "truncated", verify(npz));
    }

    /** A checkpoint whose history is wrong, checksums valid: verify re-enters it and sees the difference. */
    @Test
    void aWrongCheckpointHistoryIsDamage() throws Exception {
        Path npz = fixture("npz_large_compressed.npz");
        Path index = index(npz);
        int large = memberNumber(npz, "large");
        ArchiveIndexForge f = ArchiveIndexForge.read(index);
        byte[] infl = f.find("INFL", large).body;
        assertTrue(count(infl) >= 3);
        infl[INFL_HEADER + INFL_RECORD + 20 + 32767] ^= 0x01;      // the byte just before checkpoint 1
        f.write(index);
        assertVerdict(IndexCheck.Status.DAMAGED, "deflate checkpoint 1 of member large.npy", verify(npz));
        assertTrue(verify(npz).reason().contains("history"), verify(npz).reason());
    }

    /** A checkpoint whose bit offset is off by one bit, checksums valid. */
    @Test
    void aWrongCheckpointBitOffsetIsDamage() throws Exception {
        Path npz = fixture("npz_large_compressed.npz");
        Path index = index(npz);
        ArchiveIndexForge f = ArchiveIndexForge.read(index);
        ByteBuffer infl = ByteBuffer.wrap(f.find("INFL", memberNumber(npz, "large")).body).order(ByteOrder.LITTLE_ENDIAN);
        int at = INFL_HEADER + 2 * INFL_RECORD + 8;                 // checkpoint 2's bit offset
        infl.putLong(at, infl.getLong(at) + 1);
        f.write(index);
        assertVerdict(IndexCheck.Status.DAMAGED, "deflate checkpoint 2 of member large.npy", verify(npz));
    }

    /** 1.1 promises checkpoints for every deflated member; 1.0 only for object members. */
    @Test
    void aMissingSectionIsDamageAsTheVersionDefinesIt() throws Exception {
        Path npz = fixture("npz_objects_keywords_compressed.npz");
        Path index = index(npz);
        int numbers = memberNumber(npz, "numbers");
        ArchiveIndexForge f = ArchiveIndexForge.read(index);
        f.sections.remove(f.find("INFL", numbers));
        f.write(index);
        assertVerdict(IndexCheck.Status.DAMAGED, "no deflate checkpoints for deflated member numbers.npy", verify(npz));
        f.minor = 0;
        f.write(index);
        assertVerdict(IndexCheck.Status.CURRENT, "", verify(npz));

        int strings = memberNumber(npz, "strings");
        f.sections.remove(f.find("NIDX", strings));
        f.write(index);
        assertVerdict(IndexCheck.Status.DAMAGED, "no entry for object member strings.npy", verify(npz));
    }

    @Test
    void aSectionForAMemberThatDoesNotExistIsDamage() throws Exception {
        Path npz = fixture("npz_objects_keywords_compressed.npz");
        Path index = index(npz);
        ArchiveIndexForge f = ArchiveIndexForge.read(index);
        ArchiveIndexForge.Section infl = f.find("INFL", memberNumber(npz, "numbers"));
        f.sections.add(new ArchiveIndexForge.Section("INFL", 99, infl.body));
        f.write(index);
        assertVerdict(IndexCheck.Status.DAMAGED, "member 99, but the archive has 4 members", verify(npz));
    }

    /** Changed member bytes with the same size and time: the zip CRC-32 says the archive is damaged. */
    @Test
    void memberBytesChangedInPlaceAreTheArchivesDamage() throws Exception {
        Path npz = fixture("npz_objects_positional.npz");
        index(npz);
        FileTime mtime = Files.getLastModifiedTime(npz);
        long at;
        try (NpzArchive a = NpzArchive.open(npz)) {
            NpzArchive.Member m = a.member("arr_0");
            at = m.zip().dataOffset() + m.zip().uncompressedSize() - 20;   // inside the pickle
        }
        byte[] b = Files.readAllBytes(npz);
        b[(int) at] ^= 0x01;
        Files.write(npz, b);
        Files.setLastModifiedTime(npz, mtime);
        CorruptInputException e = assertThrows(CorruptInputException.class, () -> verify(npz));
        assertTrue(e.getMessage().contains("arr_0.npy has bytes with CRC-32"), e.getMessage());
    }

    private static int count(byte[] infl) {
        return ByteBuffer.wrap(infl).order(ByteOrder.LITTLE_ENDIAN).getInt(28);
    }

    private static int memberNumber(Path npz, String key) throws IOException {
        try (NpzArchive a = NpzArchive.open(npz)) {
            return a.member(key).number();
        }
    }
}
