package org.npyconv.formats.npy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * Damages real headers systematically (every truncation, every header byte replaced by bytes that
 * matter to the grammar) and checks that reading either succeeds or fails with an
 * {@link NpyconvException} naming an offset inside the header: never another exception type.
 */
class NpyHeaderRobustnessTest {
    /** Bytes that steer the literal parser, the length field and the UTF-8 decoder somewhere new. */
    private static final byte[] REPLACEMENTS = {
        0, (byte) 0xff, (byte) 0xc3, (byte) 0x80, '(', ')', '[', ']', '{', '}', '\'', '"', '\\', ',', ':', '-', '0',
        '9', 'L', 'x', '#', '\n', ' ', '<', '|', 'O', 'V', 'M', 'U',
    };

    /** One fixture per header shape: v1, v2, v3, structured, nested, padded, datetime, Python 2. */
    static Stream<Arguments> headers() {
        return Stream.of("numpy-2.4.6/strings_ascii.npy", "numpy-2.4.6/header_v2.npy", "numpy-2.4.6/header_v3.npy",
                        "numpy-2.4.6/struct_nested.npy", "numpy-2.4.6/struct_padded.npy",
                        "numpy-2.4.6/struct_subarray.npy", "numpy-2.4.6/dt64_ns.npy", "numpy-1.26.4/py2_p2.npy")
                .map(name -> FixtureCorpus.root().resolve("fixtures").resolve(name))
                .peek(p -> assertTrue(Files.exists(p), () -> "missing fixture " + p))
                .map(p -> Arguments.of(Named.of(FixtureCorpus.label(p), p)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headers")
    void damagedHeadersFailOnlyWithLocatedNpyconvExceptions(Path fixture) throws IOException {
        byte[] original = Files.readAllBytes(fixture);
        int dataOffset = (int) NpyHeader.read(fixture).dataOffset();
        int reads = 0;
        for (int length = 0; length < dataOffset; length++) {
            check(fixture, Arrays.copyOf(original, length), dataOffset);
            reads++;
        }
        for (int at = 0; at < dataOffset; at++) {
            for (byte b : REPLACEMENTS) {
                byte[] damaged = original.clone();
                damaged[at] = b;
                check(fixture, damaged, dataOffset);
                reads++;
            }
        }
        assertTrue(reads > dataOffset * REPLACEMENTS.length);
    }

    private static void check(Path fixture, byte[] bytes, int dataOffset) throws IOException {
        try {
            NpyHeader.read(new BytesChannel(bytes), 0, fixture);
        } catch (NpyconvException e) {
            if (e.offset() < 0 || e.offset() > Math.max(12, dataOffset)) {
                fail("offset " + e.offset() + " outside the header: " + e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            fail("unexpected " + e + " for damaged " + FixtureCorpus.label(fixture), e);
        }
    }
}
