package org.npyconv.formats;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Positional reads of a file for one sequential pass, through a memory mapping of one segment
 * at a time. Semantics are those of {@link FileChannel#read(ByteBuffer, long)}; the bytes come from
 * a copy out of the mapped segment instead of a {@code read} system call.
 *
 * <p>Why: on the machines we measured, {@code read(2)} from the page cache moved 1.2-1.4 GB/s (as
 * fast as {@code cat}), while copying out of a mapping of the same cached file moved 5-7 GB/s, page
 * faults included: a 400 MB pickle took 0.30 s to read and 0.06 s to copy (docs/perf/mapped-reads.md).
 *
 * <p>Why one segment at a time: a mapped page that has been touched counts in the process's
 * resident set until it is unmapped, so mapping the whole input would make the peak RSS grow with
 * the input. The previous segment is unmapped explicitly as soon as a read leaves it, so at most
 * {@link #SEGMENT} bytes of the file are mapped per instance. That is only safe because an instance
 * is confined to one thread and never hands out a view of its mapping: nothing can touch a segment
 * after it is unmapped.
 *
 * <p>Why the size check and copies only: if the file is truncated while mapped, touching a page
 * past its new end raises SIGBUS. The JVM turns that into an {@link InternalError} for its copy
 * routines, but from compiled code only later, wherever the thread happens to be; and a fault inside
 * another intrinsic (a CRC over a mapped buffer, say) would crash the JVM. So every copy is preceded
 * by a check of the file's current size (an {@link IOException} if it shrank), and callers only
 * ever get heap or direct-buffer copies, never the mapping.
 *
 * <p>Channels that cannot be mapped (an inflating {@code .npz} member view) are read positionally,
 * and so are all reads of an instance made with {@link #positional(FileChannel)}: random single
 * reads gain nothing from a fresh mapping per read. Not thread-safe; does not own the channel.
 */
public final class MappedReads implements Closeable {
    /** Bytes mapped at once: big enough that mapping costs nothing next to copying, small next to RSS budgets. */
    static final int SEGMENT = 16 << 20;
    private static final Unmapper UNMAPPER = Unmapper.find();

    private final FileChannel channel;
    private final int segmentSize;
    private boolean mapping;
    private MappedByteBuffer segment;
    private long segmentStart;
    private long size = -1;

    MappedReads(FileChannel channel, boolean mapping, int segmentSize) {
        this.channel = channel;
        this.mapping = mapping && UNMAPPER != null;
        this.segmentSize = segmentSize;
    }

    /** Reads of {@code channel} (borrowed) through a sliding mapping, where the channel can be mapped. */
    public static MappedReads mapped(FileChannel channel) {
        return new MappedReads(channel, true, SEGMENT);
    }

    /** Plain positional reads of {@code channel} (borrowed), for callers that jump around. */
    public static MappedReads positional(FileChannel channel) {
        return new MappedReads(channel, false, SEGMENT);
    }

    /**
     * Reads bytes at {@code position} into {@code dst}, up to its remaining space, like
     * {@link FileChannel#read(ByteBuffer, long)}: returns how many were read, -1 at or past the end
     * of the file.
     */
    public int read(ByteBuffer dst, long position) throws IOException {
        if (!mapping) {
            return channel.read(dst, position);
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (segment == null || position < segmentStart || position >= segmentStart + segment.capacity()) {
            if (!remap(position)) {
                return mapping ? -1 : channel.read(dst, position);
            }
        }
        int from = (int) (position - segmentStart);
        int n = Math.min(dst.remaining(), segment.capacity() - from);
        if (position + n > channel.size()) {
            // Checked before every copy (one fstat per copy, which is large): the JVM reports a fault
            // in compiled code asynchronously, after the copy has returned, so it cannot be caught here.
            throw new IOException("the file shrank while being read (at byte " + position + ")");
        }
        try {
            dst.put(dst.position(), segment, from, n);
        } catch (InternalError fault) {
            // SIGBUS in the interpreter: the file was truncated between the check and the copy.
            throw new IOException("the file shrank while being read (at byte " + position + ")", fault);
        }
        dst.position(dst.position() + n);
        return n;
    }

    /**
     * Reads exactly {@code length} bytes at {@code position} into {@code dst} from {@code offset},
     * fewer only at the end of the file; returns how many were read.
     */
    public int readFully(long position, byte[] dst, int offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst, offset, length);
        while (b.hasRemaining()) {
            if (read(b, position + b.position() - offset) < 0) {
                break;
            }
        }
        return b.position() - offset;
    }

    /** Maps the segment holding {@code position}; false at or past the end of the file. */
    private boolean remap(long position) throws IOException {
        unmap();
        if (size < 0 || position >= size) {
            size = channel.size(); // re-read: a file that grew is read to its new end
        }
        if (position >= size) {
            return false;
        }
        long start = position - position % segmentSize;
        long length = Math.min(segmentSize, size - start);
        try {
            segment = channel.map(FileChannel.MapMode.READ_ONLY, start, length);
        } catch (UnsupportedOperationException | IOException cannotMap) {
            mapping = false; // e.g. an inflating view: fall back for good
            return false;
        }
        segmentStart = start;
        return true;
    }

    private void unmap() {
        MappedByteBuffer s = segment;
        segment = null;
        if (s != null) {
            UNMAPPER.unmap(s);
        }
    }

    /** Whether reads come from a mapping (false: positional reads, by request or because the channel cannot map). */
    boolean isMapping() {
        return mapping;
    }

    /** Unmaps the current segment; the channel stays open. */
    @Override
    public void close() {
        unmap();
    }

    /**
     * Releases a mapping now rather than when the garbage collector finds the buffer unreachable,
     * through {@code sun.misc.Unsafe#invokeCleaner} (module jdk.unsupported, the supported way on
     * JDK 9+; {@code FileChannel} has no unmap of its own before the foreign-memory API).
     */
    private static final class Unmapper {
        private final sun.misc.Unsafe unsafe;

        private Unmapper(sun.misc.Unsafe unsafe) {
            this.unsafe = unsafe;
        }

        static Unmapper find() {
            try {
                Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                return new Unmapper((sun.misc.Unsafe) f.get(null));
            } catch (ReflectiveOperationException | RuntimeException unavailable) {
                return null; // then nothing is mapped: every read is positional
            }
        }

        void unmap(MappedByteBuffer b) {
            unsafe.invokeCleaner(b);
        }
    }
}
