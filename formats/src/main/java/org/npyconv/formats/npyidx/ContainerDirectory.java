package org.npyconv.formats.npyidx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;

/**
 * The container both index kinds share (docs/npyidx.md, "File layout"): the 16-byte file header,
 * the footer, and the directory it points to, checked (magic, major version, footer magic,
 * placement, the CRC32C of file header and directory). Section bodies are the caller's to map and
 * checksum. Package-private: {@link SidecarIndex} and {@link ArchiveIndex} read through it.
 */
final class ContainerDirectory {
    /** One directory entry; {@code last} is the flags field (array index) or member number (archive index). */
    record Entry(int tag, int crc, long offset, long length, int last) {
    }

    private final int minor;
    private final long sectionsEnd;
    private final List<Entry> entries;

    private ContainerDirectory(int minor, long sectionsEnd, List<Entry> entries) {
        this.minor = minor;
        this.sectionsEnd = sectionsEnd;
        this.entries = entries;
    }

    /** The file header's minor version (any minor of the accepted major is read). */
    int minor() {
        return minor;
    }

    /** Where the sections end: the directory's offset. */
    long sectionsEnd() {
        return sectionsEnd;
    }

    List<Entry> entries() {
        return entries;
    }

    /**
     * Reads and checks the container of {@code channel}.
     *
     * @param kind "index" or "archive index", for messages
     */
    static ContainerDirectory read(FileChannel channel, Path file, byte[] magic, int major, String kind)
            throws IOException {
        long size = channel.size();
        if (size < SidecarLayout.FILE_HEADER_SIZE + SidecarLayout.FOOTER_SIZE) {
            throw damaged("file is too short (" + size + " bytes) to be an " + kind, file);
        }
        ByteBuffer head = read(channel, 0, SidecarLayout.FILE_HEADER_SIZE, file);
        byte[] got = new byte[8];
        head.get(got);
        if (!Arrays.equals(got, magic)) {
            throw damaged("not an npyconv " + kind + " (bad magic)", file);
        }
        int fileMajor = Short.toUnsignedInt(head.getShort());
        int fileMinor = Short.toUnsignedInt(head.getShort());
        int reserved = head.getInt();
        if (fileMajor != major) {
            throw new UnsupportedInputException(kind + " format version " + fileMajor + "." + fileMinor
                    + " is not supported (this npyconv reads " + major + ".x)", file, 8, "npyidx");
        }
        ByteBuffer footer = read(channel, size - SidecarLayout.FOOTER_SIZE, SidecarLayout.FOOTER_SIZE, file);
        long dirOffset = footer.getLong();
        long dirLength = Integer.toUnsignedLong(footer.getInt());
        int dirCrc = footer.getInt();
        byte[] end = new byte[8];
        footer.get(end);
        if (!Arrays.equals(end, SidecarLayout.END_MAGIC)) {
            throw damaged(kind + " is truncated or damaged (no footer)", file);
        }
        if (dirOffset < SidecarLayout.FILE_HEADER_SIZE || dirLength < 4
                || dirOffset + dirLength != size - SidecarLayout.FOOTER_SIZE) {
            throw damaged(kind + " directory out of place", file);
        }
        ByteBuffer dir = read(channel, dirOffset, (int) dirLength, file);
        CRC32C headerAndDirectory = new CRC32C();
        headerAndDirectory.update(head.flip());
        headerAndDirectory.update(dir.duplicate());
        if ((int) headerAndDirectory.getValue() != dirCrc || reserved != 0) {
            throw damaged(kind + " header or directory checksum mismatch", file);
        }
        int n = dir.getInt();
        if ((long) n * SidecarLayout.DIRECTORY_ENTRY_SIZE + 4 != dirLength) {
            throw damaged(kind + " directory size mismatch", file);
        }
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Entry e = new Entry(dir.getInt(), dir.getInt(), dir.getLong(), dir.getLong(), dir.getInt());
            if (e.offset() < SidecarLayout.FILE_HEADER_SIZE || e.length() < 0 || e.offset() + e.length() > dirOffset) {
                throw damaged("section " + SidecarLayout.tagName(e.tag()) + " out of place", file);
            }
            entries.add(e);
        }
        return new ContainerDirectory(fileMinor, dirOffset, List.copyOf(entries));
    }

    static ByteBuffer read(FileChannel channel, long offset, int length, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (channel.read(b, offset + b.position()) < 0) {
                throw damaged("index ends early", file);
            }
        }
        b.flip();
        return b;
    }

    static int crc(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate());
        return (int) crc.getValue();
    }

    private static CorruptInputException damaged(String reason, Path file) {
        return new CorruptInputException(reason, file, -1, "npyidx");
    }
}
