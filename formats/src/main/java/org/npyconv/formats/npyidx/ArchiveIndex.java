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
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;
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
    private ByteBuffer mapped;

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
        long size = channel.size();
        if (size < SidecarLayout.FILE_HEADER_SIZE + SidecarLayout.FOOTER_SIZE) {
            throw damaged("file is too short (" + size + " bytes) to be an index");
        }
        ByteBuffer head = read(0, SidecarLayout.FILE_HEADER_SIZE);
        byte[] magic = new byte[8];
        head.get(magic);
        if (!Arrays.equals(magic, SidecarLayout.ARCHIVE_MAGIC)) {
            throw damaged("not an npyconv archive index (bad magic)");
        }
        int major = Short.toUnsignedInt(head.getShort());
        int minor = Short.toUnsignedInt(head.getShort());
        int reserved = head.getInt();
        if (major != SidecarLayout.ARCHIVE_MAJOR) {
            throw new UnsupportedInputException("archive index format version " + major + "." + minor
                    + " is not supported (this npyconv reads " + SidecarLayout.ARCHIVE_MAJOR + ".x)", file, 8, "npyidx");
        }
        ByteBuffer footer = read(size - SidecarLayout.FOOTER_SIZE, SidecarLayout.FOOTER_SIZE);
        long dirOffset = footer.getLong();
        long dirLength = Integer.toUnsignedLong(footer.getInt());
        int dirCrc = footer.getInt();
        byte[] end = new byte[8];
        footer.get(end);
        if (!Arrays.equals(end, SidecarLayout.END_MAGIC)) {
            throw damaged("index is truncated or damaged (no footer)");
        }
        if (dirOffset < SidecarLayout.FILE_HEADER_SIZE || dirLength < 4
                || dirOffset + dirLength != size - SidecarLayout.FOOTER_SIZE) {
            throw damaged("index directory out of place");
        }
        if (dirOffset > Integer.MAX_VALUE) {
            throw new UnsupportedInputException("an archive index over 2 GiB", file, 0, "npyidx");
        }
        ByteBuffer dir = read(dirOffset, (int) dirLength);
        CRC32C headerAndDirectory = new CRC32C();
        headerAndDirectory.update(head.flip());
        headerAndDirectory.update(dir.duplicate());
        if ((int) headerAndDirectory.getValue() != dirCrc || reserved != 0) {
            throw damaged("index header or directory checksum mismatch");
        }
        int n = dir.getInt();
        if ((long) n * SidecarLayout.DIRECTORY_ENTRY_SIZE + 4 != dirLength) {
            throw damaged("index directory size mismatch");
        }
        mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, dirOffset);
        for (int i = 0; i < n; i++) {
            int tag = dir.getInt();
            int sectionCrc = dir.getInt();
            long offset = dir.getLong();
            long length = dir.getLong();
            int member = dir.getInt();
            if (offset < SidecarLayout.FILE_HEADER_SIZE || length < 0 || offset + length > dirOffset) {
                throw damaged("section " + SidecarLayout.tagName(tag) + " out of place");
            }
            ByteBuffer body = mapped.duplicate().position((int) offset).limit((int) (offset + length));
            CRC32C crc = new CRC32C();
            crc.update(body);
            if ((int) crc.getValue() != sectionCrc) {
                throw damaged("section " + SidecarLayout.tagName(tag) + (member == SidecarLayout.ARCHIVE_LEVEL ? ""
                        : " of member " + member) + " checksum mismatch");
            }
            if (sections.put(key(tag, member), new long[] {offset, length}) != null) {
                throw damaged("section " + SidecarLayout.tagName(tag) + " appears twice for member " + member);
            }
        }
    }

    private ByteBuffer read(long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (channel.read(b, offset + b.position()) < 0) {
                throw damaged("index ends early");
            }
        }
        b.flip();
        return b;
    }

    private CorruptInputException damaged(String reason) {
        return new CorruptInputException(reason, file, -1, "npyidx");
    }
}
