package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;
import org.npyconv.formats.CorruptInputException;

/**
 * The deflate checkpoints of one member: the body of an {@code INFL} section of an archive index
 * (docs/npyidx.md, "Archive indexes"). Read in place from the section's bytes (normally a slice of
 * the memory-mapped sidecar), so a member's checkpoints and their 32 KiB histories are never all
 * on the heap. {@link #record} writes one in the indexing pass.
 *
 * <pre>
 *   u64  spacing: uncompressed bytes the writer aimed to leave between checkpoints
 *   u64  the member's compressed size
 *   u64  the member's uncompressed size
 *   u32  the member's CRC-32 (as in the zip directory; checked during the pass)
 *   u32  count
 *   count x 32,788-byte records, ascending by output offset:
 *        u64 output offset, u64 compressed bit offset (from the member's data start),
 *        u32 history length h (at most 32,768), u8[32768] history, the last h bytes valid
 * </pre>
 * Immutable; thread-safe.
 */
public final class InflateCheckpoints {
    static final int HEADER_SIZE = 32;
    static final int RECORD_SIZE = 8 + 8 + 4 + DeflateDecoder.WINDOW;
    /** Default uncompressed bytes between checkpoints: zran's 1 MiB (docs/npz.md explains). */
    public static final long DEFAULT_SPACING = 1L << 20;

    private final ByteBuffer body;
    private final long spacing;
    private final long compressedSize;
    private final long uncompressedSize;
    private final int crc32;
    private final int count;

    private InflateCheckpoints(ByteBuffer body, Path source) {
        this.body = body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (this.body.remaining() < HEADER_SIZE) {
            throw damaged("an INFL section shorter than its header", source);
        }
        int base = this.body.position();
        spacing = this.body.getLong(base);
        compressedSize = this.body.getLong(base + 8);
        uncompressedSize = this.body.getLong(base + 16);
        crc32 = this.body.getInt(base + 24);
        count = this.body.getInt(base + 28);
        if (count < 0 || (long) count * RECORD_SIZE != this.body.remaining() - HEADER_SIZE) {
            throw damaged("an INFL section whose size does not match its " + count + " checkpoints", source);
        }
        long previous = -1;
        for (int k = 0; k < count; k++) {
            long out = outOffset(k);
            long bit = bitOffset(k);
            int h = historyLength(k);
            if (out <= previous || out > uncompressedSize || bit < 0 || bit > compressedSize * 8 || h < 0
                    || h > DeflateDecoder.WINDOW || h > out) {
                throw damaged("INFL checkpoint " + k + " is out of order or out of range", source);
            }
            previous = out;
        }
    }

    /** The checkpoints in {@code section} (its position to limit); {@code source} names the sidecar in messages. */
    public static InflateCheckpoints of(ByteBuffer section, Path source) {
        return new InflateCheckpoints(section, source);
    }

    public long spacing() {
        return spacing;
    }

    public long compressedSize() {
        return compressedSize;
    }

    public long uncompressedSize() {
        return uncompressedSize;
    }

    public int crc32() {
        return crc32;
    }

    public int count() {
        return count;
    }

    public DeflateCheckpoint get(int k) {
        return new DeflateCheckpoint(outOffset(k), bitOffset(k), historyLength(k));
    }

    /** The last checkpoint at or before uncompressed offset {@code position}, or -1 when none is. */
    public int floor(long position) {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (outOffset(mid) <= position) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Checkpoint {@code k}'s 32 KiB history field (the last {@code historyLength} bytes are valid), a view. */
    ByteBuffer history(int k) {
        int at = body.position() + HEADER_SIZE + k * RECORD_SIZE + 20;
        return body.duplicate().position(at).limit(at + DeflateDecoder.WINDOW).slice();
    }

    private long outOffset(int k) {
        return body.getLong(body.position() + HEADER_SIZE + k * RECORD_SIZE);
    }

    private long bitOffset(int k) {
        return body.getLong(body.position() + HEADER_SIZE + k * RECORD_SIZE + 8);
    }

    private int historyLength(int k) {
        return body.getInt(body.position() + HEADER_SIZE + k * RECORD_SIZE + 16);
    }

    private static CorruptInputException damaged(String reason, Path source) {
        return new CorruptInputException(reason, source, -1, "npyidx");
    }

    /**
     * The indexing pass over a deflated member: decodes it once, from the start, with the pure-Java
     * decoder, writes a checkpoint at the first block boundary at least {@code spacing} bytes of
     * output after the previous one, and checks the output's size and CRC-32 against the zip
     * directory. Writes the section body to {@code sink} at its current position (the caller
     * checksums and places it). Returns the number of checkpoints.
     *
     * @param archive the archive, borrowed
     * @throws CorruptInputException if the member does not inflate, or inflates to other bytes than
     *     the directory says
     */
    public static int record(FileChannel archive, Path file, ZipMember member, long spacing, FileChannel sink)
            throws IOException {
        if (member.method() != ZipMember.DEFLATED) {
            throw new IllegalArgumentException(member.name() + " is not deflated");
        }
        if (spacing < 1) {
            throw new IllegalArgumentException("spacing must be positive: " + spacing);
        }
        long headerAt = sink.position();
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        writeFully(sink, header.clear());
        int[] count = {0};
        long[] last = {0};
        ByteBuffer record = ByteBuffer.allocate(RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        DeflateDecoder decoder = DeflateDecoder.atStart(archive, file, member.dataOffset(), member.compressedSize());
        decoder.listener((bitOffset, outOffset, history, historyEnd, historyLength) -> {
            if (outOffset - last[0] < spacing) {
                return;
            }
            record.clear();
            record.putLong(outOffset).putLong(bitOffset).putInt(historyLength);
            int pad = DeflateDecoder.WINDOW - historyLength;
            record.put(new byte[pad]);
            record.put(history, historyEnd - historyLength, historyLength);
            writeFully(sink, record.flip());
            count[0]++;
            last[0] = outOffset;
        });
        CRC32 crc = new CRC32();
        long produced = decoder.drain(crc);
        if (produced != member.uncompressedSize()) {
            throw new CorruptInputException("member " + member.name() + " inflates to " + produced
                    + " bytes but the zip directory says " + member.uncompressedSize(), file, member.dataOffset(), "deflate");
        }
        if ((int) crc.getValue() != member.crc32()) {
            throw new CorruptInputException(String.format(Locale.ROOT, "member %s inflates to bytes with CRC-32 %08x but the zip "
                    + "directory says %08x", member.name(), (int) crc.getValue(), member.crc32()), file,
                    member.dataOffset(), "deflate");
        }
        header.clear();
        header.putLong(spacing).putLong(member.compressedSize()).putLong(member.uncompressedSize())
                .putInt(member.crc32()).putInt(count[0]).flip();
        while (header.hasRemaining()) {
            sink.write(header, headerAt + header.position());
        }
        return count[0];
    }

    private static void writeFully(FileChannel sink, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            sink.write(b);
        }
    }
}
