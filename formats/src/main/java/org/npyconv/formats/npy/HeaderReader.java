package org.npyconv.formats.npy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;

/**
 * Reads and validates one {@code .npy} header, in the order NumPy's {@code read_magic} and
 * {@code _read_array_header} do, so the first problem found is the one NumPy would report.
 *
 * <p>Error offsets follow {@code testdata/README.md}: the magic string's start for a bad magic or
 * a file too short to hold it, the version bytes (unknown, or cut short), the length field (truncated,
 * pointing past the end, over the size limit), and the start of the header text for anything about
 * the text itself; messages add the exact character where that helps.
 *
 * <p>One instance reads one header; not thread-safe.
 */
final class HeaderReader {
    private static final String CONSTRUCT = "header";
    private static final List<String> KEYS = List.of("descr", "fortran_order", "shape");
    /** The largest byte[] the JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** NumPy 2's NPY_MAXDIMS. */
    private static final int MAX_DIMS = 64;

    private final SeekableByteChannel ch;
    private final long base;
    private final Path file;
    private final int maxHeaderSize;

    HeaderReader(SeekableByteChannel ch, long base, Path file, int maxHeaderSize) {
        this.ch = ch;
        this.base = base;
        this.file = file;
        this.maxHeaderSize = maxHeaderSize;
    }

    NpyHeader read() throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        int got = readAt(base, prefix);
        FormatVersion version = checkMagicAndVersion(prefix, got);

        int lengthField = version.lengthFieldSize;
        if (got < 8 + lengthField) {
            throw corrupt("file ends inside the " + lengthField + "-byte header length field", base + 8);
        }
        long headerLength = lengthField == 2
                ? Short.toUnsignedLong(prefix.getShort(8))
                : Integer.toUnsignedLong(prefix.getInt(8));
        long textStart = base + version.textOffset();
        long remaining = Math.max(0, ch.size() - textStart);
        if (headerLength > remaining) {
            throw corrupt("header length " + headerLength + " points past the end of the file (" + remaining
                    + " bytes follow the length field)", base + 8);
        }
        // Bytes bound characters from above; UTF-8 needs up to 4 bytes for one character. A raised
        // limit still stops short of the largest Java array.
        long maxBytes = Math.min(version.encoding == StandardCharsets.UTF_8 ? 4L * maxHeaderSize : maxHeaderSize,
                MAX_ARRAY);
        if (headerLength > maxBytes) {
            throw tooLong(headerLength + " bytes");
        }

        ByteBuffer textBytes = ByteBuffer.allocate((int) headerLength);
        if (readAt(textStart, textBytes) < headerLength) {
            throw corrupt("header length " + headerLength + " points past the end of the file", base + 8);
        }
        String text = decode(textBytes, version, textStart);
        int characters = text.codePointCount(0, text.length());
        if (characters > maxHeaderSize) {
            throw tooLong(characters + " characters");
        }

        Object literal;
        try {
            literal = PythonLiteral.parse(text, version != FormatVersion.V3_0);
        } catch (LiteralSyntaxException e) {
            throw corrupt("header text is not a Python literal: " + e.reason() + " [character " + e.index()
                    + " of the text, byte " + byteOffsetOf(text, e.index(), version, textStart) + " of the file]",
                    textStart);
        }
        NpyHeader header = validate(literal, version, headerLength, textStart);
        ch.position(header.dataOffset());
        return header;
    }

    private FormatVersion checkMagicAndVersion(ByteBuffer prefix, int got) {
        int magicBytes = Math.min(got, NpyHeader.MAGIC.length);
        for (int i = 0; i < magicBytes; i++) {
            if (prefix.get(i) != NpyHeader.MAGIC[i]) {
                throw corrupt("not a .npy file: it starts with " + bytesRepr(prefix, magicBytes) + ", not b'\\x93NUMPY'"
                        + (startsLikeZip(prefix, got) ? " (this is a zip archive: an .npz?)" : ""), base);
            }
        }
        if (got == 0) {
            throw corrupt(base == 0 ? "not a .npy file: it is empty" : "no .npy header: nothing at this offset", base);
        }
        if (got < NpyHeader.MAGIC.length) {
            throw corrupt("not a .npy file: only " + got + " bytes, too short for the magic string", base);
        }
        if (got < 8) {
            throw corrupt("file ends inside the 2-byte format version", base + 6);
        }
        int major = Byte.toUnsignedInt(prefix.get(6));
        int minor = Byte.toUnsignedInt(prefix.get(7));
        FormatVersion version = FormatVersion.of(major, minor);
        if (version == null) {
            throw new UnsupportedInputException("unsupported .npy format version " + major + "." + minor
                    + " (NumPy defines 1.0, 2.0 and 3.0)", file, base + 6, CONSTRUCT);
        }
        return version;
    }

    private String decode(ByteBuffer bytes, FormatVersion version, long textStart) {
        bytes.flip();
        CharsetDecoder decoder = version.encoding.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.remaining());
        CoderResult result = decoder.decode(bytes, chars, true);
        if (result.isUnderflow()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            // Latin-1 decodes every byte, so only UTF-8 (3.0) gets here.
            throw corrupt("header text is not valid " + version.encoding.name() + " [bad byte sequence at byte "
                    + (textStart + bytes.position()) + " of the file]", textStart);
        }
        chars.flip();
        return chars.toString();
    }

    private NpyHeader validate(Object literal, FormatVersion version, long headerLength, long textStart) {
        if (!(literal instanceof Map<?, ?> dict)) {
            throw corrupt("header is not a dictionary: " + abbreviate(PythonLiteral.repr(literal)), textStart);
        }
        for (String key : KEYS) {
            if (!dict.containsKey(key)) {
                throw corrupt("header dict has no '" + key + "' key" + keysHint(), textStart);
            }
        }
        for (Object key : dict.keySet()) {
            if (!KEYS.contains(key)) {
                throw corrupt("header dict has an unexpected key " + abbreviate(PythonLiteral.repr(key)) + keysHint(),
                        textStart);
            }
        }

        Object shapeValue = dict.get("shape");
        if (!(shapeValue instanceof PyTuple shapeTuple) || !allInts(shapeTuple)) {
            throw corrupt("shape is not valid: " + abbreviate(PythonLiteral.repr(shapeValue))
                    + " (must be a tuple of ints)", textStart);
        }
        Object fortranValue = dict.get("fortran_order");
        if (!(fortranValue instanceof Boolean fortranOrder)) {
            throw corrupt("fortran_order is not a valid bool: " + abbreviate(PythonLiteral.repr(fortranValue)),
                    textStart);
        }
        Object descr = dict.get("descr");
        Dtype dtype = Descr.toDtype(descr, file, textStart);

        long[] shape = dimensions(shapeTuple, textStart);
        long count = count(shape, dtype, shapeTuple, textStart);
        return new NpyHeader(file, base, version, headerLength, descr, dtype, shape, fortranOrder, count);
    }

    private static String keysHint() {
        return " (NumPy requires exactly 'descr', 'fortran_order' and 'shape')";
    }

    /** Python's isinstance(x, int) without bool: NumPy's array constructor refuses True as a dimension. */
    private static boolean allInts(PyTuple t) {
        for (Object d : t.items()) {
            if (!(d instanceof Long) && !(d instanceof BigInteger)) {
                return false;
            }
        }
        return true;
    }

    private long[] dimensions(PyTuple t, long textStart) {
        if (t.size() > MAX_DIMS) {
            throw corrupt("shape has " + t.size() + " dimensions; NumPy supports at most " + MAX_DIMS, textStart);
        }
        long[] shape = new long[t.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = t.get(i);
            if (d instanceof BigInteger big) {
                throw corrupt("dimension " + big + " in shape " + abbreviate(t.toString())
                        + (big.signum() < 0 ? " is negative" : " exceeds NumPy's maximum " + Long.MAX_VALUE), textStart);
            }
            long n = (Long) d;
            if (n < 0) {
                throw corrupt("negative dimension " + n + " in shape " + abbreviate(t.toString()), textStart);
            }
            shape[i] = n;
        }
        return shape;
    }

    /**
     * The product of the shape. Like NumPy, refuses shapes whose size in bytes overflows a signed
     * 64-bit count even when another dimension is 0.
     */
    private long count(long[] shape, Dtype dtype, PyTuple t, long textStart) {
        long bytes = Math.max(1, dtype.itemSize());
        long count = 1;
        boolean empty = false;
        for (long d : shape) {
            if (d == 0) {
                empty = true;
                continue;
            }
            try {
                bytes = Math.multiplyExact(bytes, d);
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw corrupt("array is too big: shape " + abbreviate(t.toString()) + " of " + dtype.str()
                        + " exceeds 2^63-1 bytes", textStart);
            }
        }
        return empty ? 0 : count;
    }

    private UnsupportedInputException tooLong(String size) {
        return new UnsupportedInputException("header text is " + size + ", over the limit of " + maxHeaderSize
                + " characters; NumPy refuses it too unless max_header_size is raised (or allow_pickle=True)",
                file, base + 8, CONSTRUCT);
    }

    /** Python's bytes repr of the first {@code n} bytes, as NumPy quotes a wrong magic string. */
    private static String bytesRepr(ByteBuffer buf, int n) {
        StringBuilder sb = new StringBuilder("b'");
        for (int i = 0; i < n; i++) {
            int b = Byte.toUnsignedInt(buf.get(i));
            if (b >= 0x20 && b < 0x7f && b != '\\' && b != '\'') {
                sb.append((char) b);
            } else {
                sb.append(String.format(Locale.ROOT, "\\x%02x", b));
            }
        }
        return sb.append('\'').toString();
    }

    private static boolean startsLikeZip(ByteBuffer buf, int got) {
        return got >= 4 && buf.get(0) == 'P' && buf.get(1) == 'K' && buf.get(2) == 3 && buf.get(3) == 4;
    }

    /** Absolute byte offset of character {@code index} of the decoded text. */
    private static long byteOffsetOf(String text, int index, FormatVersion version, long textStart) {
        if (version.encoding != StandardCharsets.UTF_8) {
            return textStart + index; // latin-1: one byte per character
        }
        return textStart + text.substring(0, Math.min(index, text.length())).getBytes(StandardCharsets.UTF_8).length;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Reads into {@code buf} from absolute {@code position} until it is full or the channel ends. */
    private int readAt(long position, ByteBuffer buf) throws IOException {
        ch.position(position);
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private CorruptInputException corrupt(String reason, long offset) {
        return new CorruptInputException(reason, file, offset, CONSTRUCT);
    }
}
