package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.npyconv.formats.CorruptInputException;

/**
 * A deflated zip member seen as a channel of its uncompressed bytes, with random access through
 * deflate checkpoints (docs/npz.md). A positional read continues a decoder that is already just
 * before the requested offset (sequential scans inflate each byte once), or starts a new one at the
 * nearest checkpoint at or before it — never further back than the checkpoint spacing (1 MiB by
 * default) plus one deflate block. Without checkpoints (before the member is indexed) every new
 * decoder starts at the beginning of the member.
 *
 * <p>Borrows the archive channel (positional reads only) and the checkpoints' bytes. Thread-safe:
 * reads are serialised; a few decoders are kept (least recently used is dropped) so interleaved
 * sequential readers, such as the indexer's scan and its checksum thread, do not restart each other.
 */
public final class InflatedMember extends ReadOnlyView {
    /** Decoders kept for reuse. */
    private static final int CURSORS = 4;
    /** A decoder behind the requested offset by at most this much is continued rather than restarted. */
    private static final long REUSE_DISTANCE = 1L << 20;

    private final FileChannel archive;
    private final Path file;
    private final ZipMember member;
    private final InflateCheckpoints checkpoints;
    private final List<MemberCursor> cursors = new ArrayList<>();
    /** Bytes of output kept from the latest reads, so short re-reads behind a cursor do not restart it. */
    private static final int RECENT = 1 << 20;
    private byte[] recent;
    private long recentStart;
    private int recentLength;
    /** Uncompressed bytes decoded so far by all of this view's decoders (what a read really cost). */
    private long inflated;

    private InflatedMember(FileChannel archive, Path file, ZipMember member, InflateCheckpoints checkpoints) {
        this.archive = archive;
        this.file = file;
        this.member = member;
        this.checkpoints = checkpoints;
    }

    /**
     * A view of {@code member} of the archive in {@code archive} (borrowed).
     *
     * @param checkpoints the member's checkpoints, or {@code null} to decode from the start
     */
    public static InflatedMember of(FileChannel archive, Path file, ZipMember member, InflateCheckpoints checkpoints) {
        if (member.method() != ZipMember.DEFLATED) {
            throw new IllegalArgumentException(member.name() + " is not deflated");
        }
        if (checkpoints != null && (checkpoints.uncompressedSize() != member.uncompressedSize()
                || checkpoints.compressedSize() != member.compressedSize() || checkpoints.crc32() != member.crc32())) {
            throw new CorruptInputException("the index's checkpoints were made for another version of member "
                    + member.name(), file, member.localHeaderOffset(), "npyidx");
        }
        return new InflatedMember(archive, file, member, checkpoints);
    }

    public ZipMember member() {
        return member;
    }

    /**
     * Uncompressed bytes this view has decoded so far, including those decoded only to be skipped
     * on the way to a requested offset: what its reads cost. A read near the end of a member that
     * has checkpoints costs at most the spacing plus a block plus the bytes read; without
     * checkpoints it costs the member up to there. For tests and measurements.
     */
    public synchronized long inflatedBytes() {
        return inflated;
    }

    /** Whether reads start from deflate checkpoints (false: every new decoder starts at the member's start). */
    public boolean hasCheckpoints() {
        return checkpoints != null && checkpoints.count() > 0;
    }

    @Override
    public long size() {
        return member.uncompressedSize();
    }

    @Override
    public synchronized int read(ByteBuffer dst, long at) throws IOException {
        if (at < 0) {
            throw new IllegalArgumentException("negative position " + at);
        }
        if (at >= member.uncompressedSize()) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int limit = dst.limit();
        dst.limit(dst.position() + (int) Math.min(dst.remaining(), member.uncompressedSize() - at));
        try {
            int served = fromRecent(dst, at);
            if (!dst.hasRemaining()) {
                return served;
            }
            long from = at + served;
            MemberCursor d = decoderFor(from);
            long before = d.position();
            long skipped = d.skip(from - d.position());
            if (d.position() != from) {
                throw short_(skipped);
            }
            int start = dst.position();
            int n = d.read(dst);
            inflated += d.position() - before;
            if (n < 0) {
                throw short_(0);
            }
            remember(dst, start, n, from);
            return served + n;
        } finally {
            dst.limit(limit);
        }
    }

    /**
     * Copies what {@code dst} wants at {@code at} from the last bytes read, if they hold it. A
     * reader that refills a window from the start of a record straddling the previous window's end
     * (the pickle scanner, streaming export) re-reads a little behind the cursor every time;
     * without this it would restart inflating from a checkpoint.
     */
    private int fromRecent(ByteBuffer dst, long at) {
        if (recentLength == 0 || at < recentStart || at >= recentStart + recentLength) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), recentStart + recentLength - at);
        dst.put(recent, (int) (at - recentStart), n);
        return n;
    }

    /** Keeps (up to the last {@link #RECENT} bytes of) what was just read into {@code dst[start, start + n)}. */
    private void remember(ByteBuffer dst, int start, int n, long at) {
        if (recent == null) {
            recent = new byte[RECENT];
        }
        int keep = Math.min(n, RECENT);
        dst.get(start + n - keep, recent, 0, keep);
        recentStart = at + n - keep;
        recentLength = keep;
    }

    private CorruptInputException short_(long skipped) {
        return new CorruptInputException("member " + member.name() + " inflates to fewer bytes than the "
                + member.uncompressedSize() + " the zip directory says", file, member.dataOffset(), "deflate");
    }

    /** The decoder to serve a read at {@code at}: one just behind it, else a new one from the nearest checkpoint. */
    private MemberCursor decoderFor(long at) throws IOException {
        MemberCursor best = null;
        for (MemberCursor d : cursors) {
            long p = d.position();
            if (p <= at && at - p <= REUSE_DISTANCE && (best == null || p > best.position())) {
                best = d;
            }
        }
        int k = checkpoints == null ? -1 : checkpoints.floor(at);
        long start = k < 0 ? 0 : checkpoints.get(k).outOffset();
        if (best != null && best.position() >= start) {
            cursors.remove(best);
            cursors.add(best);
            return best;
        }
        MemberCursor d;
        if (k < 0) {
            d = ZlibCursor.atStart(archive, file, member.dataOffset(), member.compressedSize());
        } else {
            DeflateCheckpoint c = checkpoints.get(k);
            d = ZlibCursor.at(archive, file, member.dataOffset(), member.compressedSize(), c, checkpoints.history(k));
        }
        if (cursors.size() == CURSORS) {
            cursors.remove(0).release();
        }
        cursors.add(d);
        return d;
    }

    @Override
    protected synchronized void implCloseChannel() {
        cursors.forEach(MemberCursor::release);
        cursors.clear();
        recent = null;
    }
}
