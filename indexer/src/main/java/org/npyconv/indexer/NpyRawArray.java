package org.npyconv.indexer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.element.NdArray;
import org.npyconv.formats.element.NumpyDtype;
import org.npyconv.formats.element.NumpyScalar;
import org.npyconv.formats.npy.Dtype;
import org.npyconv.formats.npy.NpyHeader;

/**
 * A non-object {@code .npy} (numeric, bool, datetime, fixed-width string, structured): raw items
 * after the header, read at random by offset arithmetic with positional reads. No sidecar is
 * needed; the header alone locates every item (docs/numeric.md).
 *
 * <pre>{@code
 * try (NpyRawArray array = NpyRawArray.open(Path.of("data.npy"))) {
 *     NumpyScalar third = array.get(2);             // flat C-order position of one item
 *     NdArray row = array.slice(new long[] {3});    // a[3]: a sub-array along the first axis
 *     array.stream().forEach(System.out::println);  // every item, flat C order
 * }
 * }</pre>
 *
 * <p>A header whose descr is itself a subarray ({@code ('<i4', (2,))}, never written by
 * {@code np.save}) is expanded as NumPy expands it: the logical shape gains the subarray's
 * dimensions and the items are of its base dtype. Fortran-ordered files are presented in C
 * (logical) order everywhere; {@link #readStorage} alone works in storage order.
 *
 * <p>Works over any {@link FileChannel} and data offset, so a {@code .npy} stored inside another file
 * (an uncompressed {@code .npz} member) reads the same way ({@link #of}). Thread-safe: all reads are
 * positional. Owns its channel only when made by {@link #open}.
 */
public final class NpyRawArray implements Closeable {
    private final FileChannel channel;
    private final boolean ownsChannel;
    private final Path file;
    private final NpyHeader header;
    private final NumpyDtype itemDtype;
    private final long[] shape;
    private final long size;
    private final int itemSize;

    private NpyRawArray(FileChannel channel, boolean ownsChannel, Path file, NpyHeader header) throws IOException {
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        this.file = file;
        this.header = header;
        if (header.isObject()) {
            throw new NpyconvException("an object array holds a pickle, not raw items (descr "
                    + header.descr() + "): use NpyObjectArray");
        }
        Dtype dt = header.dtype();
        long[] dims = header.shape();
        while (dt instanceof Dtype.Subarray) {
            Dtype.Subarray sub = (Dtype.Subarray) dt;
            long[] grown = java.util.Arrays.copyOf(dims, dims.length + sub.shape().size());
            for (int i = 0; i < sub.shape().size(); i++) {
                grown[dims.length + i] = sub.shape().get(i);
            }
            dims = grown;
            dt = sub.base();
        }
        this.shape = dims;
        try {
            this.itemDtype = NumpyDtype.of(dt);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedInputException("dtype " + dt.str() + " cannot be read: " + e.getMessage(), file,
                    header.startOffset(), "header");
        }
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        this.size = n;
        this.itemSize = itemDtype.itemSize();
        long need = Math.multiplyExact(size, (long) itemSize);
        long have = channel.size() - header.dataOffset();
        if (have < need) {
            throw new CorruptInputException("data is truncated: " + need + " bytes expected for shape "
                    + shapeText(header.shape()) + " of " + header.dtype().str() + ", " + Math.max(have, 0) + " present",
                    file, header.dataOffset(), "data");
        }
    }

    /** Opens a non-object {@code .npy} file; the result owns the channel. */
    public static NpyRawArray open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new NpyRawArray(ch, true, file, NpyHeader.read(ch, 0, file));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The raw array whose header {@code header} was read from {@code channel} (at any base offset).
     * The channel is borrowed: {@link #close()} leaves it open.
     *
     * @param source the file to name in messages, or {@code null}
     */
    public static NpyRawArray of(FileChannel channel, NpyHeader header, Path source) throws IOException {
        return new NpyRawArray(channel, false, source, header);
    }

    public Path file() {
        return file;
    }

    public NpyHeader header() {
        return header;
    }

    /** The dtype of one item (for a subarray descr, its base dtype). */
    public NumpyDtype itemDtype() {
        return itemDtype;
    }

    /** The logical shape (a copy): the header's, plus a subarray descr's dimensions. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of items: the product of {@link #shape()} (1 for a 0-d array). */
    public long size() {
        return size;
    }

    /** Whether the data is stored in Fortran (column-major) order. */
    public boolean fortranOrder() {
        return header.fortranOrder() && shape.length > 1;
    }

    /** Absolute offset of the first data byte in the channel. */
    public long dataOffset() {
        return header.dataOffset();
    }

    /** The item at flat C-order position {@code i}; negative counts from the end, as in Python. */
    public NumpyScalar get(long i) throws IOException {
        long at = i < 0 ? i + size : i;
        if (at < 0 || at >= size) {
            throw new IndexOutOfBoundsException("index " + i + " is out of bounds for " + size + " elements");
        }
        byte[] raw = new byte[itemSize];
        readFully(ByteBuffer.wrap(raw), dataOffset() + storageIndex(at) * itemSize);
        return NumpyScalar.of(itemDtype, raw);
    }

    /** The item at a full multi-dimensional index (one entry per axis; negatives count from the end). */
    public NumpyScalar get(long[] position) throws IOException {
        if (position.length != shape.length) {
            throw new IndexOutOfBoundsException(position.length + " indices for an array of " + shape.length
                    + " dimensions");
        }
        return get(NpyObjectArray.flatIndex(position, shape));
    }

    /**
     * NumPy's {@code a[i, j, ...]} with fewer indices than dimensions: the C-ordered sub-array they
     * select (its bytes are read and, for Fortran order, gathered).
     */
    public NdArray slice(long[] leading) throws IOException {
        if (leading.length == 0 || leading.length >= shape.length) {
            throw new IndexOutOfBoundsException("a slice takes 1 to " + (shape.length - 1) + " indices, not "
                    + leading.length);
        }
        long[] full = java.util.Arrays.copyOf(leading, shape.length);
        for (int d = 0; d < leading.length; d++) {
            long p = leading[d] < 0 ? leading[d] + shape[d] : leading[d];
            if (p < 0 || p >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + leading[d] + " is out of bounds for axis " + d
                        + " with size " + shape[d]);
            }
            full[d] = p;
        }
        long[] rest = java.util.Arrays.copyOfRange(shape, leading.length, shape.length);
        long count = 1;
        for (long d : rest) {
            count *= d;
        }
        long first = NpyObjectArray.flatIndex(full, shape);
        long bytes = Math.multiplyExact(count, (long) itemSize);
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new UnsupportedInputException("a sub-array of " + bytes + " bytes is too large to hold", file,
                    dataOffset(), "data");
        }
        byte[] data = new byte[(int) bytes];
        if (!fortranOrder()) {
            readFully(ByteBuffer.wrap(data), dataOffset() + first * itemSize);
        } else {
            ByteBuffer one = ByteBuffer.wrap(data);
            for (long k = 0; k < count; k++) {
                one.limit((int) ((k + 1) * itemSize)).position((int) (k * itemSize));
                readFully(one, dataOffset() + storageIndex(first + k) * itemSize);
            }
        }
        return NdArray.of(itemDtype, rest, data);
    }

    /** Every item in flat C order, read in large blocks; memory independent of the file size. */
    public Stream<NumpyScalar> stream() {
        return StreamSupport.stream(Spliterators.spliterator(iterator(), size,
                Spliterator.ORDERED | Spliterator.SIZED | Spliterator.NONNULL), false);
    }

    /** Like {@link #stream()}; one pass, not thread-safe. I/O failures surface as {@link java.io.UncheckedIOException}. */
    public Iterator<NumpyScalar> iterator() {
        return fortranOrder() ? new GatheringIterator() : new BlockIterator();
    }

    /**
     * Reads items {@code [first, first + dst.remaining() / itemSize)} in <em>storage</em> order (the
     * file's order: Fortran order for a Fortran-ordered array) into {@code dst}, raw, in the dtype's
     * byte order. For bulk copies.
     */
    public void readStorage(long first, ByteBuffer dst) throws IOException {
        long count = dst.remaining() / itemSize;
        if (first < 0 || first + count > size || dst.remaining() % itemSize != 0) {
            throw new IndexOutOfBoundsException("items [" + first + ", " + (first + count) + ") of " + size);
        }
        readFully(dst, dataOffset() + first * itemSize);
    }

    /**
     * Copies items {@code [first, first + count)} in storage order, raw, to {@code target} at its
     * current position. Between two files the kernel copies page to page ({@code sendfile}); the
     * bytes never enter the Java heap. For conversions whose output bytes are the items themselves.
     */
    public void transferStorage(long first, long count, WritableByteChannel target) throws IOException {
        if (first < 0 || count < 0 || first + count > size) {
            throw new IndexOutOfBoundsException("items [" + first + ", " + (first + count) + ") of " + size);
        }
        long at = dataOffset() + first * itemSize;
        long end = at + count * itemSize;
        while (at < end) {
            long n = channel.transferTo(at, end - at, target);
            if (n <= 0) {
                // transferTo reports the end of the file as 0 bytes moved, never as -1.
                throw new CorruptInputException("data ends early", file, at, "data");
            }
            at += n;
        }
    }

    /**
     * CRC32C of the header's bytes (magic to the end of the padding): with the file's size and
     * time, the fingerprint a conversion records (a checksum of the data would cost a second pass).
     */
    public long headerCrc32c() throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) (header.dataOffset() - header.startOffset()));
        readFully(b, header.startOffset());
        b.flip();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b);
        return crc.getValue();
    }

    /** The storage position of the item at C-order flat index {@code c} (identity unless Fortran-ordered). */
    public long storageIndex(long c) {
        if (!fortranOrder()) {
            return c;
        }
        long rest = c;
        long index = 0;
        long stride = 1;
        long[] fortranStride = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            fortranStride[d] = stride;
            stride *= shape[d];
        }
        for (int d = shape.length - 1; d >= 0; d--) {
            index += (rest % shape[d]) * fortranStride[d];
            rest /= shape[d];
        }
        return index;
    }

    private void readFully(ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new CorruptInputException("data ends early", file, at, "data");
            }
            at += n;
        }
    }

    @Override
    public void close() throws IOException {
        if (ownsChannel) {
            channel.close();
        }
    }

    /** C-ordered data: sequential blocks of about 64 KiB. */
    private final class BlockIterator implements Iterator<NumpyScalar> {
        private final int perBlock = Math.max(1, (64 << 10) / Math.max(1, itemSize));
        private byte[] block = new byte[0];
        private int inBlock;
        private int used;
        private long next;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public NumpyScalar next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (used == inBlock) {
                inBlock = (int) Math.min(perBlock, size - next);
                if (block.length < inBlock * itemSize) {
                    block = new byte[inBlock * itemSize];
                }
                try {
                    readFully(ByteBuffer.wrap(block, 0, inBlock * itemSize), dataOffset() + next * itemSize);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                used = 0;
            }
            int from = used * itemSize;
            used++;
            next++;
            return NumpyScalar.of(itemDtype, java.util.Arrays.copyOfRange(block, from, from + itemSize));
        }
    }

    /** Fortran-ordered data: one positional read per item (export of such files is rare and JSON-bound). */
    private final class GatheringIterator implements Iterator<NumpyScalar> {
        private long next;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public NumpyScalar next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            try {
                return get(next++);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Python's spelling of a shape, for messages. */
    private static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
