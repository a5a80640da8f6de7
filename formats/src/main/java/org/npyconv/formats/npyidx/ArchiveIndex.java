package org.npyconv.formats.npyidx;

import java.io.Closeable;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.npz.FileRegion;
import org.npyconv.formats.npz.InflateCheckpoints;

/**
 * An archive index (the sidecar of an {@code .npz}, docs/npyidx.md "Archive indexes") opened for
 * reading. Every section's CRC32C is checked on open. The sections stay in the file: member
 * indexes are opened over a region of it, deflate checkpoints are read from the mapping, so
 * nothing proportional to a member's size is copied onto the heap.
 *
 * <p>Owns its channel; member indexes it opens borrow it and must be closed before this is.
 * Thread-safe after {@link #open}.
 */
public final class ArchiveIndex implements Closeable {
    private final Path file;
    private final FileChannel channel;
    /** (tag, member) -> {offset, length} */
    private final Map<Long, long[]> sections = new HashMap<>();
    private final ArchiveFingerprint source;
    private final List<Section> listed = new ArrayList<>();
    private ByteBuffer mapped;
    private int minor;

    /** A section as the directory lists it: its tag ({@code NIDX}, {@code INFL}, ...), member and bytes. */
    public record Section(String tag, int member, long offset, long length) {
        /** Whether the section is about the whole archive rather than one member. */
        public boolean archiveLevel() {
            return member == SidecarLayout.ARCHIVE_LEVEL;
        }
    }

    private ArchiveIndex(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        readLayout();
        try {
            ByteBuffer s = section(SidecarLayout.ZSRC, SidecarLayout.ARCHIVE_LEVEL);
            if (s == null) {
                throw damaged("section ZSRC is missing");
            }
            long size = s.getLong();
            long mtime = s.getLong();
            long dirOffset = s.getLong();
            long dirLength = s.getLong();
            int dirCrc = s.getInt();
            int members = s.getInt();
            int n = s.getInt();
            if (n < 0 || n > s.remaining()) {
                throw damaged("string longer than its section");
            }
            byte[] name = new byte[n];
            s.get(name);
            source = new ArchiveFingerprint(size, mtime, dirOffset, dirLength, dirCrc, members,
                    new String(name, StandardCharsets.UTF_8));
        } catch (BufferUnderflowException e) {
            throw damaged("a section is shorter than its content");
        }
    }

    /** Opens and checks an archive index; {@link CorruptInputException} (construct {@code npyidx}) if it is damaged. */
    public static ArchiveIndex open(Path indexFile) throws IOException {
        FileChannel channel = FileChannel.open(indexFile, StandardOpenOption.READ);
        try {
            return new ArchiveIndex(indexFile, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    public ArchiveFingerprint source() {
        return source;
    }

    /**
     * The format's minor version. From 1.1 every deflated {@code .npy} member has deflate
     * checkpoints; a 1.0 index has them for deflated object members only (docs/npyidx.md).
     */
    public int minor() {
        return minor;
    }

    /** Whether this index's version promises an {@code INFL} section for every deflated {@code .npy} member. */
    public boolean checkpointsEveryDeflatedMember() {
        return minor >= 1;
    }

    /** Every section, in directory order (for {@code verify}: which members the index covers). */
    public List<Section> sections() {
        return List.copyOf(listed);
    }

    /** Whether member {@code member} (central-directory order) has an embedded array index. */
    public boolean hasMemberIndex(int member) {
        return sections.containsKey(key(SidecarLayout.NIDX, member));
    }

    /**
     * The embedded {@code .npyidx} of member {@code member}, opened over its region of this file
     * (offsets in it are relative to the member's uncompressed bytes), or {@code null}.
     */
    public SidecarIndex memberIndex(int member, String memberName) throws IOException {
        long[] at = sections.get(key(SidecarLayout.NIDX, member));
        if (at == null) {
            return null;
        }
        return SidecarIndex.open(FileRegion.of(channel, at[0], at[1]), Path.of(file + "!" + memberName));
    }

    /** The deflate checkpoints of member {@code member}, or {@code null} when it has none. */
    public InflateCheckpoints checkpoints(int member) {
        ByteBuffer b = section(SidecarLayout.INFL, member);
        return b == null ? null : InflateCheckpoints.of(b, file);
    }

    /** Bytes of the index file. */
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static long key(int tag, int member) {
        return (long) tag << 32 | (member & 0xFFFF_FFFFL);
    }

    private ByteBuffer section(int tag, int member) {
        long[] at = sections.get(key(tag, member));
        if (at == null) {
            return null;
        }
        return mapped.duplicate().position((int) at[0]).limit((int) (at[0] + at[1])).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private void readLayout() throws IOException {
        ContainerDirectory directory = ContainerDirectory.read(channel, file, SidecarLayout.ARCHIVE_MAGIC,
                SidecarLayout.ARCHIVE_MAJOR, "archive index");
        long dirOffset = directory.sectionsEnd();
        if (dirOffset > Integer.MAX_VALUE) {
            throw new UnsupportedInputException("an archive index over 2 GiB", file, 0, "npyidx");
        }
        minor = directory.minor();
        mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, dirOffset);
        for (ContainerDirectory.Entry e : directory.entries()) {
            ByteBuffer body = mapped.duplicate().position((int) e.offset()).limit((int) (e.offset() + e.length()));
            if (ContainerDirectory.crc(body) != e.crc()) {
                throw damaged("section " + SidecarLayout.tagName(e.tag()) + (e.last() == SidecarLayout.ARCHIVE_LEVEL ? ""
                        : " of member " + e.last()) + " checksum mismatch");
            }
            if (sections.put(key(e.tag(), e.last()), new long[] {e.offset(), e.length()}) != null) {
                throw damaged("section " + SidecarLayout.tagName(e.tag()) + " appears twice for member " + e.last());
            }
            listed.add(new Section(SidecarLayout.tagName(e.tag()), e.last(), e.offset(), e.length()));
        }
    }

    private CorruptInputException damaged(String reason) {
        return new CorruptInputException(reason, file, -1, "npyidx");
    }
}
