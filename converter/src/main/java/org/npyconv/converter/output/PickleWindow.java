package org.npyconv.converter.output;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.MappedReads;
import org.npyconv.indexer.NpyObjectArray;

/**
 * The pickle bytes around one element span at a time, for the fast paths that read elements'
 * opcodes straight from the file ({@link StrSpans}, {@link NdSpans}). Reads ahead up to the
 * window's size, so a run of small consecutive spans costs one read; a span larger than the window
 * grows it. Reads through {@link NpyObjectArray#openChannel()}, so an {@code .npz} member works like
 * a file. Owns its channel; one pass, not thread-safe.
 */
final class PickleWindow implements Closeable {
    /**
     * The last closed window's array, for the next window on the same thread: a conversion opens one
     * window per task (153 for 10 M short strings), and a fresh 4 MiB array each time cost its
     * zeroing, a tenth of the str fast path's CPU. Only arrays up to {@value #KEEP_AT_MOST} bytes are
     * kept, so a thread holds at most that much after a huge element.
     */
    private static final ThreadLocal<byte[]> SPARE = new ThreadLocal<>();
    private static final int KEEP_AT_MOST = 16 << 20;
    private final FileChannel channel;
    /** Copies out of a sliding mapping: a third of read(2)'s cost (docs/perf/mapped-reads.md). */
    private final MappedReads input;
    private final Path file;
    private byte[] bytes;
    private long base = -1;
    private int length;
    /** File offset that loads read ahead up to at most (see {@link #readAheadUntil}). */
    private long readAheadEnd = Long.MAX_VALUE;

    PickleWindow(NpyObjectArray array, int size) throws IOException {
        this.channel = array.openChannel();
        this.input = MappedReads.mapped(channel);
        this.file = array.file();
        byte[] spare = SPARE.get();
        if (spare != null && spare.length >= size) {
            // Stale bytes are never read: load() fills what it returns offsets into.
            SPARE.remove();
            this.bytes = spare;
        } else {
            this.bytes = new byte[size];
        }
    }

    /**
     * Makes the span {@code [start, end)} available in {@link #bytes()} and returns the offset of
     * {@code start} there. Invalidates offsets returned before.
     */
    int load(long start, long end) throws IOException {
        if (base >= 0 && start >= base && end <= base + length) {
            return (int) (start - base);
        }
        long span = end - start;
        if (span > Integer.MAX_VALUE - 16) {
            throw new CorruptInputException("an element of " + span + " bytes", file, start, null);
        }
        if (span > bytes.length) {
            bytes = new byte[(int) span];
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long size = channel.size();
        buffer.limit((int) Math.max(span, Math.min(bytes.length, Math.min(size, readAheadEnd) - start)));
        while (buffer.position() < span) {
            if (input.read(buffer, start + buffer.position()) < 0) {
                throw new CorruptInputException("file ends inside an element (it changed after indexing?)",
                        file, start + buffer.position(), null);
            }
        }
        base = start;
        length = buffer.position();
        return 0;
    }

    /**
     * Stops read-ahead at file offset {@code end} (spans past it are still loaded whole): a task
     * that needs a few hundred KB of the pickle would otherwise copy a whole window of bytes it never
     * reads (10 M short strs in 153 tasks of ~850 KB copied 600 MB through 4 MiB windows).
     */
    void readAheadUntil(long end) {
        readAheadEnd = end;
    }

    /** How many of {@link #bytes()}, from index 0, hold file bytes since the last load. */
    int loaded() {
        return length;
    }

    /** The window's bytes (valid at the offsets {@link #load} returned since the last load). */
    byte[] bytes() {
        return bytes;
    }

    /**
     * The index of the first opcode at or after {@code at} that is not a memo store or a frame
     * ({@code MEMOIZE}, {@code BINPUT}, {@code LONG_BINPUT}, {@code FRAME}, the opcodes the fast
     * paths skip between an element's parts); {@code stop} or beyond when there is none before it.
     */
    static int skipMemo(byte[] b, int at, int stop) {
        int i = at;
        while (i < stop) {
            int op = b[i] & 0xFF;
            if (op == 0x94) { // MEMOIZE
                i++;
            } else if (op == 'q') { // BINPUT
                i += 2;
            } else if (op == 'r') { // LONG_BINPUT
                i += 5;
            } else if (op == 0x95) { // FRAME
                i += 9;
            } else {
                return i;
            }
        }
        return i;
    }

    /** The little-endian 32-bit int at {@code at} (pickle lengths and memo indexes). */
    static int littleInt(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    @Override
    public void close() throws IOException {
        if (bytes.length <= KEEP_AT_MOST) {
            SPARE.set(bytes);
        }
        input.close();
        channel.close();
    }
}
