package org.npyconv.indexer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.npyidx.ArchiveFingerprint;
import org.npyconv.formats.npyidx.ArchiveIndex;
import org.npyconv.formats.npyidx.SidecarIndex;
import org.npyconv.formats.npyidx.SourceFingerprint;
import org.npyconv.formats.npz.FileRegion;
import org.npyconv.formats.npz.InflateCheck;
import org.npyconv.formats.npz.InflateCheckpoints;
import org.npyconv.formats.npz.InflatedMember;
import org.npyconv.formats.npz.ZipCentralDirectory;
import org.npyconv.formats.npz.ZipMember;

/**
 * Whether an archive index ({@code data.npz.npyidx}) belongs to its {@code .npz}: what
 * {@code npyconv verify data.npz} does, the archive counterpart of {@link IndexCheck#full}.
 *
 * <p>In order, the first problem found wins: the index opens (every section's CRC32C: else
 * DAMAGED); the archive's size, modification time and central directory are the indexed ones
 * (else STALE); the index has exactly the sections its version promises for the archive's members
 * — an embedded index per object member, deflate checkpoints per deflated member (per deflated
 * object member in a 1.0 index) — and none for members that do not exist (else DAMAGED); then
 * every member's bytes are read once: each member against its zip CRC-32 (a mismatch is damage of
 * the archive itself, thrown as {@link CorruptInputException}), object members against their
 * embedded index's checksums (else STALE, as for a {@code .npy}), and every deflate checkpoint is
 * re-entered and compared with the sequential output ({@link InflateCheck}: else DAMAGED).
 */
public final class ArchiveIndexCheck {
    private static final int CHUNK = 1 << 20;

    private ArchiveIndexCheck() {}

    /** The full check; reads every byte of every member once. */
    public static IndexCheck.Verdict full(Path archive, Path index) throws IOException {
        if (!Files.exists(index)) {
            return missing(index);
        }
        ArchiveIndex idx;
        try {
            idx = ArchiveIndex.open(index);
        } catch (CorruptInputException | UnsupportedInputException e) {
            return new IndexCheck.Verdict(IndexCheck.Status.DAMAGED, e.reason());
        } catch (NoSuchFileException e) {
            return missing(index);
        }
        try (idx; FileChannel channel = FileChannel.open(archive, StandardOpenOption.READ)) {
            ZipCentralDirectory directory = ZipCentralDirectory.read(channel, archive);
            String stale = staleness(archive, directory, idx.source());
            if (stale != null) {
                return new IndexCheck.Verdict(IndexCheck.Status.STALE, stale);
            }
            String damaged = sections(archive, channel, directory, idx);
            if (damaged != null) {
                return new IndexCheck.Verdict(IndexCheck.Status.DAMAGED, damaged);
            }
            List<ZipMember> members = directory.members();
            for (int k = 0; k < members.size(); k++) {
                IndexCheck.Verdict v = member(archive, channel, idx, k, members.get(k));
                if (v != null) {
                    return v;
                }
            }
            return new IndexCheck.Verdict(IndexCheck.Status.CURRENT, "");
        }
    }

    private static IndexCheck.Verdict missing(Path index) {
        return new IndexCheck.Verdict(IndexCheck.Status.MISSING, "no index at " + index);
    }

    /**
     * Why the fingerprint {@code fp} does not describe {@code archive} (read into {@code directory}),
     * or {@code null} when it does: size and modification time, then the central directory's place
     * and CRC32C, which change when any member is added, removed, resized or rewritten.
     */
    static String staleness(Path archive, ZipCentralDirectory directory, ArchiveFingerprint fp) throws IOException {
        long size = Files.size(archive);
        if (size != fp.size()) {
            return "the archive has " + size + " bytes, the index was made for " + fp.size();
        }
        if (Files.getLastModifiedTime(archive).to(TimeUnit.NANOSECONDS) != fp.mtimeNanos()) {
            return "the archive was modified after it was indexed";
        }
        if (fp.directoryOffset() != directory.directoryOffset() || fp.directoryLength() != directory.directoryLength()
                || fp.directoryCrc32c() != directory.directoryCrc32c()
                || fp.memberCount() != directory.members().size()) {
            return "the archive's member list differs from the indexed one";
        }
        return null;
    }

    /** Whether the index has the member sections its version promises, and no others; null when it does. */
    private static String sections(Path archive, FileChannel channel, ZipCentralDirectory directory, ArchiveIndex idx)
            throws IOException {
        List<ZipMember> members = directory.members();
        Map<Integer, boolean[]> has = new HashMap<>();     // member -> {NIDX, INFL}
        for (ArchiveIndex.Section s : idx.sections()) {
            if (s.archiveLevel() || !(s.tag().equals("NIDX") || s.tag().equals("INFL"))) {
                continue;                                    // ZSRC; unknown tags are ignored (docs/npyidx.md)
            }
            if (s.member() < 0 || s.member() >= members.size()) {
                return "section " + s.tag() + " is about member " + Integer.toUnsignedString(s.member())
                        + ", but the archive has " + members.size() + " members";
            }
            has.computeIfAbsent(s.member(), m -> new boolean[2])[s.tag().equals("NIDX") ? 0 : 1] = true;
        }
        for (int k = 0; k < members.size(); k++) {
            ZipMember z = members.get(k);
            boolean[] got = has.getOrDefault(k, new boolean[2]);
            if (!z.name().endsWith(".npy")) {
                if (got[0] || got[1]) {
                    return "the index has sections for member " + z.name() + ", which is not a .npy file";
                }
                continue;
            }
            boolean object = header(archive, channel, z).isObject();
            if (object && !got[0]) {
                return "the index has no entry for object member " + z.name() + " (section NIDX of member " + k
                        + " is missing)";
            }
            if (!object && got[0]) {
                return "the index has an array index (NIDX) for member " + z.name() + ", which is not an object array";
            }
            boolean wantInfl = !z.isStored() && (object || idx.checkpointsEveryDeflatedMember());
            if (wantInfl && !got[1]) {
                return "the index has no deflate checkpoints for deflated member " + z.name() + " (section INFL of member "
                        + k + " is missing)";
            }
            if (z.isStored() && got[1]) {
                return "the index has deflate checkpoints (INFL) for stored member " + z.name();
            }
        }
        return null;
    }

    private static NpyHeader header(Path archive, FileChannel channel, ZipMember z) throws IOException {
        try (FileChannel view = z.isStored() ? FileRegion.of(channel, z.dataOffset(), z.compressedSize())
                : InflatedMember.of(channel, archive, z, null)) {
            return NpyHeader.read(view, NpzArchive.memberPath(archive, z));
        }
    }

    /** Reads member {@code k} once and checks it against the zip directory and the index; null when it matches. */
    private static IndexCheck.Verdict member(Path archive, FileChannel channel, ArchiveIndex idx, int k, ZipMember z)
            throws IOException {
        if (!z.name().endsWith(".npy")) {
            return null;
        }
        InflateCheckpoints checkpoints;
        try {
            checkpoints = z.isStored() ? null : idx.checkpoints(k);
        } catch (CorruptInputException e) {
            return damaged("deflate checkpoints of member " + z.name() + ": " + e.reason());
        }
        SidecarIndex sidecar;
        try {
            sidecar = idx.memberIndex(k, z.name());
        } catch (CorruptInputException | UnsupportedInputException e) {
            return damaged("index of member " + z.name() + ": " + e.reason());
        }
        try (SidecarIndex closing = sidecar) {
            MemberChecksums sums = null;
            if (sidecar != null) {
                SourceFingerprint fp = sidecar.source();
                if (fp.size() != z.uncompressedSize() || fp.pickleEnd() != z.uncompressedSize()
                        || fp.pickleOffset() > fp.pickleEnd()) {
                    return damaged("the index of member " + z.name() + " was made for " + fp.size()
                            + " bytes, the member has " + z.uncompressedSize());
                }
                sums = new MemberChecksums(fp.pickleOffset());
            }
            MemberChecksums s = sums;
            String problem;
            if (z.isStored()) {
                problem = null;
                stored(archive, channel, z, s);
            } else {
                problem = InflateCheck.run(channel, archive, z, checkpoints, (bytes, position) -> {
                    if (s != null) {
                        s.update(bytes, position);
                    }
                });
            }
            if (problem != null) {
                return damaged(problem);
            }
            if (sums != null) {
                SourceFingerprint fp = sidecar.source();
                if (sums.header() != fp.headerCrc32c()) {
                    return new IndexCheck.Verdict(IndexCheck.Status.STALE,
                            "the header bytes of member " + z.name() + " differ from the indexed ones");
                }
                if (sums.pickle() != fp.pickleCrc32c()) {
                    return new IndexCheck.Verdict(IndexCheck.Status.STALE, "the pickle bytes of member " + z.name()
                            + " differ from the indexed ones (same size and time)");
                }
            }
            return null;
        }
    }

    /** Reads a stored member in place against its zip CRC-32, feeding {@code sums} (if any). */
    private static void stored(Path archive, FileChannel channel, ZipMember z, MemberChecksums sums) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        long end = z.dataOffset() + z.compressedSize();
        for (long at = z.dataOffset(); at < end; ) {
            buffer.clear().limit((int) Math.min(CHUNK, end - at));
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new CorruptInputException("the archive ends inside member " + z.name(), archive, at, "zip member");
            }
            buffer.flip();
            crc.update(buffer.duplicate());
            if (sums != null) {
                sums.update(buffer, at - z.dataOffset());
            }
            at += n;
        }
        if ((int) crc.getValue() != z.crc32()) {
            throw new CorruptInputException(String.format(Locale.ROOT, "member %s has bytes with CRC-32 %08x but the zip directory "
                    + "says %08x", z.name(), (int) crc.getValue(), z.crc32()), archive, z.dataOffset(), "zip member");
        }
    }

    private static IndexCheck.Verdict damaged(String reason) {
        return new IndexCheck.Verdict(IndexCheck.Status.DAMAGED, reason);
    }

    /** CRC32C of a member's header bytes and of its pickle bytes, as an embedded index's SRCE records them. */
    private static final class MemberChecksums {
        private final long pickleOffset;
        private final CRC32C header = new CRC32C();
        private final CRC32C pickle = new CRC32C();

        MemberChecksums(long pickleOffset) {
            this.pickleOffset = pickleOffset;
        }

        void update(ByteBuffer bytes, long position) {
            ByteBuffer b = bytes.duplicate();
            if (position < pickleOffset) {
                int n = (int) Math.min(b.remaining(), pickleOffset - position);
                header.update(b.duplicate().limit(b.position() + n));
                b.position(b.position() + n);
            }
            pickle.update(b);
        }

        int header() {
            return (int) header.getValue();
        }

        int pickle() {
            return (int) pickle.getValue();
        }
    }
}
