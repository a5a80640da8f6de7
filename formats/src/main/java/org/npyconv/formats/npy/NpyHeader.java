package org.npyconv.formats.npy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The header of a {@code .npy} file: format version, dtype, shape, memory order and where the
 * data starts. Read with {@link #read(Path)}, or with {@link #read(SeekableByteChannel, long, Path)}
 * for a {@code .npy} member stored inside a larger file such as an uncompressed {@code .npz}.
 *
 * <p>The layout (NumPy's {@code numpy/lib/format.py}, spec in {@code docs/npy-header.md}):
 * <pre>
 *   0  \x93NUMPY                        magic
 *   6  major, minor                     1.0, 2.0 or 3.0
 *   8  header length                    uint16 LE (1.0) or uint32 LE (2.0, 3.0)
 *  10 or 12  header text                a Python dict literal, latin-1 (1.0, 2.0) or UTF-8 (3.0),
 *                                       e.g. {'descr': '|O', 'fortran_order': False, 'shape': (3,), }
 *  then      data                       raw items, or one pickle when the dtype has objects
 * </pre>
 * The text is parsed as a literal and never evaluated. Failures are
 * {@link org.npyconv.formats.CorruptInputException} or, for valid input this reader does not
 * handle, {@link org.npyconv.formats.UnsupportedInputException}; both name the file, the absolute
 * offset of the header field at fault (the magic, the version, the length field, or the start of
 * the header text for anything inside the dict) and the construct {@code "header"}.
 *
 * <p>Immutable and thread-safe.
 */
public final class NpyHeader {
    /** The six bytes every {@code .npy} file starts with. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /**
     * NumPy's default {@code max_header_size}: {@code np.load} refuses longer header texts (counted
     * in characters) unless told otherwise, because {@code literal_eval} on large input is unsafe.
     */
    public static final int MAX_HEADER_SIZE = 10_000;

    private final Path source;
    private final long startOffset;
    private final FormatVersion version;
    private final long headerLength;
    /** The descr as parsed (tuples kept), for {@link #toString()}. */
    private final Object descrLiteral;
    /** The descr in its JSON form, for {@link #descr()}. */
    private final Object descr;
    private final Dtype dtype;
    private final long[] shape;
    private final boolean fortranOrder;
    private final long count;

    NpyHeader(Path source, long startOffset, FormatVersion version, long headerLength, Object descr, Dtype dtype,
            long[] shape, boolean fortranOrder, long count) {
        this.source = source;
        this.startOffset = startOffset;
        this.version = version;
        this.headerLength = headerLength;
        this.descrLiteral = descr;
        this.descr = PythonLiteral.jsonForm(descr);
        this.dtype = dtype;
        this.shape = shape.clone();
        this.fortranOrder = fortranOrder;
        this.count = count;
    }

    /** Reads the header at the start of {@code file}. */
    public static NpyHeader read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, 0, file);
        }
    }

    /**
     * Reads the header at the start of {@code ch} (absolute position 0, whatever the channel's
     * current position). See {@link #read(SeekableByteChannel, long, Path)}.
     */
    public static NpyHeader read(SeekableByteChannel ch, Path sourceForMessages) throws IOException {
        return read(ch, 0, sourceForMessages);
    }

    /**
     * Reads a header whose magic string starts at {@code baseOffset} in {@code ch}, refusing header
     * texts longer than {@link #MAX_HEADER_SIZE} characters as NumPy does.
     *
     * <p>Every offset the result and its exceptions report, {@link #dataOffset()} included, is
     * absolute in {@code ch}. The end of the channel ({@code ch.size()}) counts as the end of the
     * file. The channel is borrowed, not closed; on success it is left positioned at
     * {@link #dataOffset()}, after a failure its position is unspecified.
     *
     * @param source the file to name in messages, or {@code null}
     * @throws org.npyconv.formats.CorruptInputException if the bytes are not a valid header
     * @throws org.npyconv.formats.UnsupportedInputException if they are valid but not handled
     *     (unknown format version, over-long header, a dtype spelling np.save never writes)
     * @throws IOException if reading the channel fails
     */
    public static NpyHeader read(SeekableByteChannel ch, long baseOffset, Path source) throws IOException {
        return read(ch, baseOffset, source, MAX_HEADER_SIZE);
    }

    /**
     * Like {@link #read(SeekableByteChannel, long, Path)} with another limit on the header text,
     * in characters, as NumPy's {@code max_header_size} argument; the text must still lie inside
     * the channel.
     */
    public static NpyHeader read(SeekableByteChannel ch, long baseOffset, Path source, int maxHeaderSize)
            throws IOException {
        Objects.requireNonNull(ch, "ch");
        if (baseOffset < 0) {
            throw new IllegalArgumentException("negative base offset " + baseOffset);
        }
        if (maxHeaderSize < 0) {
            throw new IllegalArgumentException("negative maxHeaderSize " + maxHeaderSize);
        }
        return new HeaderReader(ch, baseOffset, source, maxHeaderSize).read();
    }

    /** The file named in messages, or {@code null}. */
    public Path source() {
        return source;
    }

    /** Absolute offset of the magic string (the base offset the header was read at). */
    public long startOffset() {
        return startOffset;
    }

    /** 1, 2 or 3. */
    public int majorVersion() {
        return version.major;
    }

    /** Always 0 for the versions NumPy defines. */
    public int minorVersion() {
        return version.minor;
    }

    /** {@code "1.0"}, {@code "2.0"} or {@code "3.0"}. */
    public String versionString() {
        return version.toString();
    }

    /** The data type of the array's items. */
    public Dtype dtype() {
        return dtype;
    }

    /**
     * The header's {@code descr} in the form {@code json.dumps} gives it: a String for plain dtypes,
     * otherwise unmodifiable Lists (Python tuples become lists) of Strings, Lists and Longs.
     */
    public Object descr() {
        return descr;
    }

    /** The array's shape, a fresh copy; empty for a 0-d array. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int ndim() {
        return shape.length;
    }

    /**
     * True when the data is in Fortran (column-major) order. Object arrays' pickles list their
     * elements in C order either way.
     */
    public boolean fortranOrder() {
        return fortranOrder;
    }

    /** Bytes of header text as the length field states them (padding and final newline included). */
    public long headerLength() {
        return headerLength;
    }

    /** Absolute offset of the first data byte: base + 10 + headerLength (1.0) or base + 12 + headerLength. */
    public long dataOffset() {
        return startOffset + version.textOffset() + headerLength;
    }

    /** Number of items: the product of the shape, 1 for a 0-d array. */
    public long count() {
        return count;
    }

    /**
     * True when the dtype is or contains the object dtype ({@code dtype.hasobject}): then the data
     * is one pickle of the whole array, not raw items.
     */
    public boolean isObject() {
        return dtype.hasObject();
    }

    /** Python-like summary, e.g. {@code .npy 1.0 descr='|O' shape=(3,) fortran_order=False data@128}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(".npy ").append(version).append(" descr=");
        sb.append(PythonLiteral.repr(descrLiteral));
        sb.append(" shape=(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        sb.append(shape.length == 1 ? ",)" : ")");
        sb.append(" fortran_order=").append(fortranOrder ? "True" : "False");
        sb.append(" data@").append(dataOffset());
        return sb.toString();
    }
}
