package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Checks a {@link PickleReader}'s opcode stream against a {@code pickletools.genops} listing in
 * the format of testdata/README.md ({@code {"pos": ..., "op": ..., "arg": ...}} per opcode).
 */
final class GenopsListing {
    private GenopsListing() {}

    /** Reads the whole stream and compares every opcode, offset and argument; then expects the end. */
    static void assertMatches(List<JsonNode> rows, PickleReader r, String label) {
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            String where = label + " opcode #" + i + " " + row;
            PickleOpcode op = r.next();
            if (op == null) {
                fail(where + ": reader stopped early");
            }
            assertEquals(row.get("op").asText(), op.name(), where);
            assertEquals(row.get("pos").longValue(), r.opcodeOffset(), where);
            if (i + 1 < rows.size()) {
                assertEquals(rows.get(i + 1).get("pos").longValue(), r.endOffset(), where + ": end offset");
            }
            assertArgument(row.get("arg"), r, where);
        }
        assertNull(r.next(), label + ": opcodes after the listing's STOP");
    }

    /** Compares the current opcode's argument with its listing encoding ({@code null}: no argument). */
    static void assertArgument(JsonNode arg, PickleReader r, String where) {
        ArgKind kind = r.opcode().argKind();
        if (arg == null) {
            assertEquals(ArgKind.NONE, kind, where);
            return;
        }
        if (arg.isBoolean()) {
            assertTrue(r.isBoolInt(), where);
            assertEquals(arg.booleanValue(), r.boolArg(), where);
        } else if (arg.isIntegralNumber()) {
            assertFalse(r.isBoolInt(), where);
            BigInteger expected = arg.bigIntegerValue();
            assertEquals(expected, r.bigIntArg(), where);
            boolean fits = expected.bitLength() < 64;
            assertEquals(fits, r.intArgFitsLong(), where);
            if (fits) {
                assertEquals(expected.longValue(), r.intArg(), where);
            }
        } else if (arg.has("f64")) {
            String bits = String.format(Locale.ROOT, "%016x", Double.doubleToRawLongBits(r.floatArg()));
            assertEquals(arg.get("f64").asText().toLowerCase(Locale.ROOT), bits, where);
        } else if (arg.has("str")) {
            assertEquals(arg.get("str").asText(), r.stringArg(), where);
        } else if (arg.has("utf8_len")) {
            byte[] utf8 = utf8Surrogatepass(r.stringArg());
            assertEquals(arg.get("utf8_len").longValue(), utf8.length, where);
            CRC32 crc = new CRC32();
            crc.update(utf8);
            assertEquals(arg.get("crc32").longValue(), crc.getValue(), where);
        } else if (arg.has("bytes")) {
            assertTrue(kind.isBinary(), where);
            assertArrayEquals(Base64.getDecoder().decode(arg.get("bytes").asText()), r.payloadBytes(), where);
        } else if (arg.has("len")) {
            assertTrue(kind.isBinary(), where);
            assertEquals(arg.get("len").longValue(), r.payloadLength(), where);
            assertEquals(arg.get("crc32").longValue(), payloadCrc(r), where);
        } else {
            fail(where + ": unknown argument encoding " + arg);
        }
    }

    /** CRC-32 of the current payload, streamed in chunks (works for payloads of any size). */
    static long payloadCrc(PickleReader r) {
        CRC32 crc = new CRC32();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
        for (long at = 0; at < r.payloadLength(); ) {
            chunk.clear();
            int n = r.copyPayload(at, chunk);
            chunk.flip();
            crc.update(chunk);
            at += n;
        }
        return crc.getValue();
    }

    /** Python's {@code s.encode('utf-8', 'surrogatepass')}: lone surrogates become three bytes. */
    static byte[] utf8Surrogatepass(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | cp >> 6);
                out.write(0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                out.write(0xE0 | cp >> 12);
                out.write(0x80 | cp >> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            } else {
                out.write(0xF0 | cp >> 18);
                out.write(0x80 | cp >> 12 & 0x3F);
                out.write(0x80 | cp >> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            }
        }
        return out.toByteArray();
    }
}
