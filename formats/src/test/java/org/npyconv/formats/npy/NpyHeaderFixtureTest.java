package org.npyconv.formats.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.testing.FixtureCorpus;

/** Every real-NumPy fixture's header against the facts recorded beside it (testdata/README.md). */
class NpyHeaderFixtureTest {
    /** Corrupt fixtures that are valid .npy files we do not handle: unknown versions, over-long header. */
    private static final Set<String> UNSUPPORTED = Set.of("bad_version.npy", "bad_minor_version.npy", "header_too_long.npy");

    /** A prefix length that is no multiple of anything the format aligns to. */
    private static final int BASE = 1037;

    static Stream<Arguments> npyFixtures() {
        return FixtureCorpus.npyFiles().stream().map(p -> Arguments.of(Named.of(FixtureCorpus.label(p), p)));
    }

    static Stream<Arguments> corruptHeaderFixtures() {
        return corruptFixtures("header");
    }

    static Stream<Arguments> corruptPickleFixtures() {
        return corruptFixtures("pickle");
    }

    private static Stream<Arguments> corruptFixtures(String stage) {
        return FixtureCorpus.corruptFiles().stream()
                .filter(p -> stage.equals(FixtureCorpus.expected(p).get("stage").asText()))
                .map(p -> Arguments.of(Named.of(FixtureCorpus.label(p), p)));
    }

    static Stream<Arguments> npzFixtures() {
        // npz_empty (np.savez of nothing) has no member headers; the npz tests cover it
        return FixtureCorpus.npzFiles().stream().filter(p -> !FixtureCorpus.expected(p).get("members").isEmpty())
                .map(p -> Arguments.of(Named.of(FixtureCorpus.label(p), p)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("npyFixtures")
    void headerFactsMatchNumPy(Path fixture) throws IOException {
        JsonNode expected = FixtureCorpus.expected(fixture);
        NpyHeader header = NpyHeader.read(fixture);
        assertFacts(expected.get("header"), expected.get("object").asBoolean(), 0, header);
        assertEquals(fixture, header.source());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("npyFixtures")
    void headerFactsAtABaseOffsetWithShortReads(Path fixture) throws IOException {
        JsonNode expected = FixtureCorpus.expected(fixture);
        byte[] embedded = embed(Files.readAllBytes(fixture));
        try (BytesChannel ch = new BytesChannel(embedded, 3)) {
            NpyHeader header = NpyHeader.read(ch, BASE, fixture);
            assertFacts(expected.get("header"), expected.get("object").asBoolean(), BASE, header);
            assertEquals(BASE, header.startOffset());
            assertEquals(header.dataOffset(), ch.position(), "channel left at the data");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptHeaderFixtures")
    void corruptHeaderReportsRecordedOffset(Path fixture) {
        long offset = FixtureCorpus.expected(fixture).get("error_offset").asLong();
        NpyconvException e = assertThrows(NpyconvException.class, () -> NpyHeader.read(fixture));
        assertClassified(fixture, e);
        assertEquals(offset, e.offset(), e::getMessage);
        assertEquals(fixture, e.file());
        assertEquals("header", e.construct());
        assertTrue(e.getMessage().endsWith(" at byte " + offset + " (header) in " + fixture), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptHeaderFixtures")
    void corruptHeaderAtABaseOffset(Path fixture) throws IOException {
        long offset = FixtureCorpus.expected(fixture).get("error_offset").asLong();
        try (BytesChannel ch = new BytesChannel(embed(Files.readAllBytes(fixture)), 5)) {
            NpyconvException e = assertThrows(NpyconvException.class, () -> NpyHeader.read(ch, BASE, fixture));
            assertClassified(fixture, e);
            assertEquals(BASE + offset, e.offset(), e::getMessage);
        }
    }

    /** Pickle-stage damage lies after the header, which must still read. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptPickleFixtures")
    void pickleDamageLeavesTheHeaderReadable(Path fixture) throws IOException {
        NpyHeader header = NpyHeader.read(fixture);
        assertTrue(header.isObject(), header::toString);
        assertTrue(header.dataOffset() <= Files.size(fixture));
    }

    /** Every member, decompressed, and stored members also in place at their offset in the archive. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("npzFixtures")
    void npzMembers(Path fixture) throws IOException {
        JsonNode members = FixtureCorpus.expected(fixture).get("members");
        assertFalse(members.isEmpty());
        try (ZipFile zip = new ZipFile(fixture.toFile())) {
            for (JsonNode member : members) {
                ZipEntry entry = zip.getEntry(member.get("name").asText());
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                try (BytesChannel ch = new BytesChannel(bytes)) {
                    assertFacts(member.get("header"), member.get("object").asBoolean(), 0, NpyHeader.read(ch, fixture));
                }
                if (member.has("zip_data_offset")) {
                    long base = member.get("zip_data_offset").asLong();
                    try (BytesChannel ch = new BytesChannel(Files.readAllBytes(fixture))) {
                        assertFacts(member.get("header"), member.get("object").asBoolean(), base,
                                NpyHeader.read(ch, base, fixture));
                    }
                }
            }
        }
    }

    private static void assertClassified(Path fixture, NpyconvException e) {
        Class<?> expected = UNSUPPORTED.contains(fixture.getFileName().toString())
                ? UnsupportedInputException.class
                : CorruptInputException.class;
        if (e.getClass() != expected) {
            fail("expected " + expected.getSimpleName() + " but got " + e.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    private static void assertFacts(JsonNode expected, boolean object, long base, NpyHeader header) {
        JsonNode version = expected.get("version");
        assertEquals(version.get(0).asInt(), header.majorVersion());
        assertEquals(version.get(1).asInt(), header.minorVersion());
        assertEquals(version.get(0).asInt() + "." + version.get(1).asInt(), header.versionString());
        assertEquals(toJava(expected.get("descr")), header.descr());
        long[] shape = new long[expected.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = expected.get("shape").get(i).asLong();
        }
        assertArrayEquals(shape, header.shape());
        assertEquals(shape.length, header.ndim());
        assertEquals(expected.get("fortran_order").asBoolean(), header.fortranOrder());
        assertEquals(base + expected.get("data_offset").asLong(), header.dataOffset());
        assertEquals(expected.get("count").asLong(), header.count());
        assertEquals(object, header.isObject());
        assertEquals(header.dataOffset() - base - (header.majorVersion() == 1 ? 10 : 12), header.headerLength());
    }

    /** The JSON form as plain Java values, the way {@link NpyHeader#descr()} presents it. */
    private static Object toJava(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>();
            node.forEach(n -> items.add(toJava(n)));
            return items;
        }
        throw new AssertionError("unexpected descr JSON " + node);
    }

    private static byte[] embed(byte[] npy) {
        byte[] out = new byte[BASE + npy.length];
        for (int i = 0; i < BASE; i++) {
            out[i] = (byte) (i * 31 + 7); // arbitrary non-zero noise, including bytes of the magic
        }
        System.arraycopy(npy, 0, out, BASE, npy.length);
        return out;
    }
}
