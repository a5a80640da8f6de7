package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;
import org.npyconv.formats.CorruptInputException;

/**
 * What {@code npyconv verify} does to a deflated member: one sequential inflate of the whole member
 * (zlib) that checks its size and CRC-32 against the zip directory and, when the archive index has
 * checkpoints for it, that each one really re-enters the stream — its history equals the 32 KiB of
 * output before it, and a decoder started there produces the same bytes as the sequential one. The
 * section checksums only prove that the index is the one that was written; this proves that what
 * was written is right for this member.
 */
public final class InflateCheck {
    /** Bytes compared after each checkpoint: enough to cross several Huffman codes and back-references. */
    static final int PROBE = 64 * 1024;
    private static final int CHUNK = 1 << 20;

    /** Receives the member's uncompressed bytes in order, e.g. to checksum them. */
    @FunctionalInterface
    public interface Sink {
        /** {@code bytes} (position to limit) are the member's bytes at {@code position}; read-only use. */
        void accept(ByteBuffer bytes, long position) throws IOException;
    }

    private InflateCheck() {}

    /**
     * Inflates {@code member} once from its start, feeding every byte to {@code sink}.
     *
     * @param checkpoints the member's checkpoints from the archive index, or {@code null}
     * @return {@code null} when the checkpoints (if any) fit the member, else one line saying which
     *     one does not and how (the index is damaged)
     * @throws CorruptInputException if the member's data does not inflate to the size and CRC-32 the
     *     zip directory gives (the archive is damaged, whatever the index says)
     */
    public static String run(FileChannel archive, Path file, ZipMember member, InflateCheckpoints checkpoints,
            Sink sink) throws IOException {
        if (member.method() != ZipMember.DEFLATED) {
            throw new IllegalArgumentException(member.name() + " is not deflated");
        }
        String problem = null;
        if (checkpoints != null && (checkpoints.uncompressedSize() != member.uncompressedSize()
                || checkpoints.compressedSize() != member.compressedSize() || checkpoints.crc32() != member.crc32())) {
            problem = "the deflate checkpoints of member " + member.name() + " were made for another version of it"
                    + " (sizes or CRC-32 differ from the zip directory's)";
            checkpoints = null;
        }
        ZlibCursor sequential = ZlibCursor.atStart(archive, file, member.dataOffset(), member.compressedSize());
        Probe probe = null;
        try {
            CRC32 crc = new CRC32();
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
            // the last 32 KiB of output, as a ring, to compare with each checkpoint's history
            byte[] ring = new byte[DeflateDecoder.WINDOW];
            long size = member.uncompressedSize();
            long position = 0;
            int next = 0;
            int count = checkpoints == null ? 0 : checkpoints.count();
            while (position < size) {
                long stop = next < count ? checkpoints.get(next).outOffset() : size;
                if (position == stop) {
                    problem = first(problem, history(member, checkpoints, next, ring, position));
                    if (probe != null) {
                        probe.release();
                    }
                    long until = next + 1 < count ? checkpoints.get(next + 1).outOffset() : size;
                    try {
                        probe = new Probe(archive, file, member, checkpoints, next, Math.min(PROBE, until - position));
                    } catch (CorruptInputException e) {
                        probe = null;
                        problem = first(problem, name(member, checkpoints.get(next), next)
                                + " does not re-enter the deflate stream (" + e.reason() + ")");
                    }
                    next++;
                    continue;
                }
                int want = (int) Math.min(chunk.capacity(), stop - position);
                chunk.clear().limit(want);
                int n = sequential.read(chunk);
                if (n < want) {
                    throw new CorruptInputException("member " + member.name() + " inflates to " + (position + Math.max(n, 0))
                            + " bytes but the zip directory says " + size, file, member.dataOffset(), "deflate");
                }
                chunk.flip();
                if (probe != null) {
                    String wrong = probe.compare(chunk, position);
                    problem = first(problem, wrong);
                    if (wrong != null || probe.finished()) {
                        probe.release();
                        probe = null;
                    }
                }
                crc.update(chunk.duplicate());
                remember(ring, chunk, position);
                sink.accept(chunk.asReadOnlyBuffer(), position);
                position += n;
            }
            chunk.clear().limit(1);
            if (sequential.read(chunk) > 0) {
                throw new CorruptInputException("member " + member.name() + " inflates to more than the " + size
                        + " bytes the zip directory says", file, member.dataOffset(), "deflate");
            }
            if ((int) crc.getValue() != member.crc32()) {
                throw new CorruptInputException(String.format(Locale.ROOT, "member %s inflates to bytes with CRC-32 %08x but the zip "
                        + "directory says %08x", member.name(), (int) crc.getValue(), member.crc32()), file,
                        member.dataOffset(), "deflate");
            }
            return problem;
        } finally {
            sequential.release();
            if (probe != null) {
                probe.release();
            }
        }
    }

    private static String first(String kept, String found) {
        return kept != null ? kept : found;
    }

    /** Copies {@code chunk}'s bytes (output offset {@code position}) into the ring, at their offset mod its size. */
    private static void remember(byte[] ring, ByteBuffer chunk, long position) {
        int n = chunk.remaining();
        int skip = Math.max(0, n - ring.length);
        for (int i = skip; i < n; i++) {
            ring[(int) ((position + i) % ring.length)] = chunk.get(chunk.position() + i);
        }
    }

    /**
     * Checks checkpoint {@code k}, where the sequential decoder stands at {@code position}: its
     * history against the ring of output before it. Returns the problem, or {@code null}.
     */
    private static String history(ZipMember member, InflateCheckpoints checkpoints, int k, byte[] ring, long position) {
        DeflateCheckpoint c = checkpoints.get(k);
        int h = c.historyLength();
        if (h != Math.min(DeflateDecoder.WINDOW, position)) {
            return name(member, c, k) + " keeps " + h + " bytes of history, not " + Math.min(DeflateDecoder.WINDOW, position);
        }
        ByteBuffer history = checkpoints.history(k);
        for (int i = 0; i < h; i++) {
            long at = position - h + i;
            if (history.get(history.limit() - h + i) != ring[(int) (at % ring.length)]) {
                return name(member, c, k) + " has a history that differs from the member's bytes at offset " + at;
            }
        }
        return null;
    }

    private static String name(ZipMember member, DeflateCheckpoint c, int k) {
        return "deflate checkpoint " + k + " of member " + member.name() + " (output offset " + c.outOffset() + ")";
    }

    /** A decoder started at a checkpoint, compared with the sequential decoder's next bytes. */
    private static final class Probe {
        private final ZipMember member;
        private final DeflateCheckpoint checkpoint;
        private final int number;
        private ZlibCursor cursor;
        private long left;
        private byte[] scratch = new byte[0];

        /** Starts a decoder at checkpoint {@code k}, to compare {@code length} bytes. */
        Probe(FileChannel archive, Path file, ZipMember member, InflateCheckpoints checkpoints, int k, long length)
                throws IOException {
            this.member = member;
            this.checkpoint = checkpoints.get(k);
            this.number = k;
            this.left = length;
            this.cursor = ZlibCursor.at(archive, file, member.dataOffset(), member.compressedSize(), checkpoint,
                    checkpoints.history(k));
        }

        /** Whether every byte it was to compare has been compared. */
        boolean finished() {
            return left == 0;
        }

        /** Compares the start of {@code chunk} (the sequential output) with this decoder's next bytes. */
        String compare(ByteBuffer chunk, long position) throws IOException {
            int n = (int) Math.min(left, chunk.remaining());
            if (scratch.length < n) {
                scratch = new byte[n];
            }
            ByteBuffer mine = ByteBuffer.wrap(scratch, 0, n);
            try {
                int got = cursor.read(mine);
                if (got < n) {
                    return name(member, checkpoint, number) + " reaches the end of the stream early";
                }
            } catch (CorruptInputException e) {
                return name(member, checkpoint, number) + " does not re-enter the deflate stream (" + e.reason() + ")";
            }
            for (int i = 0; i < n; i++) {
                if (scratch[i] != chunk.get(chunk.position() + i)) {
                    return name(member, checkpoint, number) + " inflates to other bytes than the member's at offset "
                            + (position + i);
                }
            }
            left -= n;
            return null;
        }

        void release() {
            if (cursor != null) {
                cursor.release();
                cursor = null;
            }
        }
    }
}
