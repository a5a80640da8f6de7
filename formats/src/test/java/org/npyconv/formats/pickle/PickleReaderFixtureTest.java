package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * The real-NumPy fixture corpus (testdata/README.md): every object array's opcode stream equals
 * its recorded {@code pickletools.genops} listing, and every pickle-stage corrupt file fails as
 * corrupt at exactly its {@code error_offset}. Both with the default window and a 16-byte one.
 */
class PickleReaderFixtureTest {
    private static final int[] WINDOWS = {PickleReader.DEFAULT_WINDOW_SIZE, PickleReader.MIN_WINDOW_SIZE};

    static List<Path> objectFixtures() {
        return FixtureCorpus.npyFiles().stream()
                .filter(p -> FixtureCorpus.expected(p).path("object").asBoolean())
                .collect(Collectors.toList());
    }

    static List<Path> pickleCorruptFixtures() {
        return FixtureCorpus.corruptFiles().stream()
                .filter(p -> FixtureCorpus.expected(p).path("stage").asText().equals("pickle"))
                .collect(Collectors.toList());
    }

    static Stream<Arguments> objectFixturesAndWindows() {
        return objectFixtures().stream().flatMap(p -> java.util.stream.IntStream.of(WINDOWS).boxed().flatMap(w -> Stream.of(
                Arguments.of(FixtureCorpus.label(p), p, w))));
    }

    static Stream<Arguments> corruptFixturesAndWindows() {
        return pickleCorruptFixtures().stream().flatMap(p -> java.util.stream.IntStream.of(WINDOWS).boxed().flatMap(w -> Stream.of(
                Arguments.of(FixtureCorpus.label(p), p, w))));
    }

    /**
     * Where the pickle starts, from the .npy header itself (not from the header parser, which is
     * another module's): bytes 6..7 are the version; v1 has a uint16 LE header length at 8 and
     * data at 10 + len, v2/v3 a uint32 LE at 8 and data at 12 + len.
     */
    static long pickleStart(FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
            // fill
        }
        int major = head.get(6) & 0xFF;
        return major == 1 ? 10 + (head.getShort(8) & 0xFFFF) : 12 + (head.getInt(8) & 0xFFFF_FFFFL);
    }

    @Test
    void corpusHasObjectAndCorruptFixtures() {
        assertFalse(objectFixtures().isEmpty());
        assertFalse(pickleCorruptFixtures().isEmpty());
    }

    @ParameterizedTest(name = "{0}, window {2}")
    @MethodSource("objectFixturesAndWindows")
    void opcodeStreamEqualsGenopsListing(String label, Path fixture, int window) throws IOException {
        JsonNode expected = FixtureCorpus.expected(fixture);
        try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ)) {
            long start = pickleStart(ch);
            assertEquals(expected.get("header").get("data_offset").longValue(), start, label);
            try (PickleReader r = new PickleReader(ch, start, ch.size(), fixture, window)) {
                GenopsListing.assertMatches(FixtureCorpus.ops(fixture), r, label);
                assertEquals(expected.get("protocol").intValue(), r.protocol(), label);
            }
        }
    }

    @ParameterizedTest(name = "{0}, window {2}")
    @MethodSource("corruptFixturesAndWindows")
    void corruptPickleFailsAtErrorOffset(String label, Path fixture, int window) {
        JsonNode expected = FixtureCorpus.expected(fixture);
        long errorOffset = expected.get("error_offset").longValue();
        // Opcodes only, as the indexer's scan reads them ...
        CorruptInputException scan = readToEnd(fixture, window, false);
        assertEquals(errorOffset, scan.offset(), () -> label + ": " + scan.getMessage());
        // ... and with every argument decoded, as genops does: the same error, nothing else.
        CorruptInputException decoded = readToEnd(fixture, window, true);
        assertEquals(errorOffset, decoded.offset(), () -> label + ": " + decoded.getMessage());
        assertEquals(fixture, scan.file());
        assertTrue(scan.getMessage().contains("at byte " + errorOffset), scan.getMessage());
    }

    private static CorruptInputException readToEnd(Path fixture, int window, boolean decode) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(CorruptInputException.class, () -> {
            try (FileChannel ch = FileChannel.open(fixture, StandardOpenOption.READ);
                 PickleReader r = new PickleReader(ch, pickleStart(ch), ch.size(), fixture, window)) {
                while (r.next() != null) {
                    if (decode) {
                        decodeArgument(r);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** Decodes the current argument the way pickletools would, discarding it. */
    static void decodeArgument(PickleReader r) {
        ArgKind kind = r.opcode().argKind();
        if (r.isBoolInt()) {
            r.boolArg();
        } else if (kind.isInteger()) {
            r.bigIntArg();
        } else if (kind.isFloat()) {
            r.floatArg();
        } else if (kind.isText()) {
            r.stringArg();
        } else if (kind.isBinary()) {
            GenopsListing.payloadCrc(r);
        }
    }
}
