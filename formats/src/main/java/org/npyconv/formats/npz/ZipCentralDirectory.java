package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;

/**
 * The member list of a zip archive, read from its central directory (APPNOTE.TXT 4.3.12-4.3.16)
 * without {@code java.util.zip.ZipFile}, which hides members' data offsets and has 4 GiB limits.
 * Handles the ZIP64 end record and locator and the ZIP64 extra field (members over 4 GiB, more than
 * 65,535 members), and reads every member's local header to find where its data starts.
 *
 * <p>The input is untrusted: every offset and length is checked against the file size (and the
 * region it must lie in) before it is used; a violation is one {@link CorruptInputException} with
 * the absolute byte offset of the record at fault and the construct {@code zip ...}. Valid archives
 * this reader does not handle (encryption, split archives, methods other than stored and deflated)
 * raise {@link UnsupportedInputException}. Immutable once read.
 */
public final class ZipCentralDirectory {
    static final int LOCAL_HEADER = 0x04034b50;
    static final int CENTRAL_HEADER = 0x02014b50;
    static final int END_RECORD = 0x06054b50;
    static final int ZIP64_END_RECORD = 0x06064b50;
    static final int ZIP64_LOCATOR = 0x07064b50;
    static final int END_RECORD_SIZE = 22;
    static final int ZIP64_LOCATOR_SIZE = 20;
    static final int ZIP64_END_RECORD_SIZE = 56;
    static final int CENTRAL_HEADER_SIZE = 46;
    static final int LOCAL_HEADER_SIZE = 30;
    static final int ZIP64_EXTRA_ID = 0x0001;
    /** Largest CD this reader loads (it is read onto the heap once; 2 GiB would be ~30 million members). */
    static final long MAX_DIRECTORY_BYTES = Integer.MAX_VALUE - 16;
    private static final long U32_MAX = 0xFFFF_FFFFL;
    private static final int U16_MAX = 0xFFFF;
    private static final int FLAG_ENCRYPTED = 1;
    private static final int FLAG_UTF8 = 1 << 11;
    private static final Charset CP437 = cp437();

    private final Path file;
    private final long fileSize;
    private final long directoryOffset;
    private final long directoryLength;
    private final int directoryCrc32c;
    private final List<ZipMember> members;

    private ZipCentralDirectory(Path file, long fileSize, long directoryOffset, long directoryLength,
            int directoryCrc32c, List<ZipMember> members) {
        this.file = file;
        this.fileSize = fileSize;
        this.directoryOffset = directoryOffset;
        this.directoryLength = directoryLength;
        this.directoryCrc32c = directoryCrc32c;
        this.members = List.copyOf(members);
    }

    /**
     * Reads the central directory of the archive in {@code ch} (borrowed; positional reads only).
     *
     * @param file the archive, named in messages
     */
    public static ZipCentralDirectory read(FileChannel ch, Path file) throws IOException {
        return new Reader(ch, file).read();
    }

    /** Whether the first four bytes of {@code ch} are a zip local header's ({@code PK\3\4}) or an empty archive's end record. */
    public static boolean looksLikeZip(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // positional reads until four bytes or EOF
        }
        if (b.hasRemaining()) {
            return false;
        }
        int sig = b.getInt(0);
        return sig == LOCAL_HEADER || sig == END_RECORD;
    }

    public Path file() {
        return file;
    }

    public long fileSize() {
        return fileSize;
    }

    /** Where the central directory starts. */
    public long directoryOffset() {
        return directoryOffset;
    }

    public long directoryLength() {
        return directoryLength;
    }

    /** CRC32C of the central directory's bytes: binds a sidecar to this exact member list. */
    public int directoryCrc32c() {
        return directoryCrc32c;
    }

    /** The members in central-directory order. */
    public List<ZipMember> members() {
        return members;
    }

    /** The member called {@code nameOrKey} ({@code x} or {@code x.npy}), or {@code null}. */
    public ZipMember member(String nameOrKey) {
        for (ZipMember m : members) {
            if (m.key().equals(nameOrKey)) {
                return m;
            }
        }
        for (ZipMember m : members) {
            if (m.name().equals(nameOrKey)) {
                return m;
            }
        }
        return null;
    }

    private static Charset cp437() {
        try {
            return Charset.forName("IBM437");
        } catch (IllegalArgumentException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    /** One read of one archive; fields are the parse state. */
    private static final class Reader {
        private final FileChannel ch;
        private final Path file;
        private final long size;

        Reader(FileChannel ch, Path file) throws IOException {
            this.ch = ch;
            this.file = file;
            this.size = ch.size();
        }

        ZipCentralDirectory read() throws IOException {
            long end = findEndRecord();
            ByteBuffer e = bytes(end, END_RECORD_SIZE, "zip end of central directory");
            int disk = u16(e, 4);
            int directoryDisk = u16(e, 6);
            long entriesHere = u16(e, 8);
            long entries = u16(e, 10);
            long cdLength = u32(e, 12);
            long cdOffset = u32(e, 16);
            long cdLimit = end;
            boolean zip64 = entries == U16_MAX || entriesHere == U16_MAX || cdLength == U32_MAX || cdOffset == U32_MAX;
            long locator = end - ZIP64_LOCATOR_SIZE;
            if (locator >= 0 && u32(bytes(locator, 4, "zip64 end locator"), 0) == ZIP64_LOCATOR) {
                ByteBuffer l = bytes(locator, ZIP64_LOCATOR_SIZE, "zip64 end locator");
                long record = l.getLong(8);
                if (l.getInt(16) != 1 || l.getInt(4) != 0) {
                    throw unsupported("split (multi-disk) archives are not supported", locator, "zip64 end locator");
                }
                if (record < 0 || record > locator - ZIP64_END_RECORD_SIZE) {
                    throw corrupt("the zip64 end record offset " + record + " lies outside the file", locator,
                            "zip64 end locator");
                }
                ByteBuffer r = bytes(record, ZIP64_END_RECORD_SIZE, "zip64 end of central directory");
                if (r.getInt(0) != ZIP64_END_RECORD) {
                    throw corrupt("no zip64 end record where the locator points", record, "zip64 end of central directory");
                }
                disk = r.getInt(16);
                directoryDisk = r.getInt(20);
                entriesHere = r.getLong(24);
                entries = r.getLong(32);
                cdLength = r.getLong(40);
                cdOffset = r.getLong(48);
                cdLimit = record;
                end = record;
            } else if (zip64) {
                throw corrupt("the end record defers to a zip64 end record that is missing", end,
                        "zip end of central directory");
            }
            if (disk != 0 || directoryDisk != 0 || entriesHere != entries) {
                throw unsupported("split (multi-disk) archives are not supported", end, "zip end of central directory");
            }
            if (cdOffset < 0 || cdLength < 0 || cdOffset > cdLimit || cdLength > cdLimit - cdOffset) {
                throw corrupt("the central directory (" + cdLength + " bytes at " + cdOffset
                        + ") does not fit before the end record", end, "zip end of central directory");
            }
            if (entries < 0 || entries > cdLength / CENTRAL_HEADER_SIZE) {
                throw corrupt(entries + " members cannot fit in a central directory of " + cdLength + " bytes", end,
                        "zip end of central directory");
            }
            if (cdLength > MAX_DIRECTORY_BYTES) {
                throw unsupported("a central directory of " + cdLength + " bytes is too large", end,
                        "zip end of central directory");
            }
            ByteBuffer cd = bytes(cdOffset, (int) cdLength, "zip central directory");
            CRC32C crc = new CRC32C();
            crc.update(cd.duplicate());
            List<ZipMember> members = new ArrayList<>((int) Math.min(entries, 1 << 16));
            Set<String> names = new HashSet<>();
            int at = 0;
            for (long i = 0; i < entries; i++) {
                ZipMember m = member(cd, at, cdOffset, cdOffset);
                if (!names.add(m.name())) {
                    throw corrupt("two members are called " + m.name(), cdOffset + at, "zip central directory");
                }
                members.add(m);
                at += CENTRAL_HEADER_SIZE + u16(cd, at + 28) + u16(cd, at + 30) + u16(cd, at + 32);
            }
            return new ZipCentralDirectory(file, size, cdOffset, cdLength, (int) crc.getValue(), members);
        }

        /** The end record: the last {@code PK\5\6} whose comment length reaches exactly the end of the file. */
        private long findEndRecord() throws IOException {
            if (size < END_RECORD_SIZE) {
                throw corrupt("a file of " + size + " bytes is too short to be a zip archive", 0,
                        "zip end of central directory");
            }
            int tail = (int) Math.min(size, END_RECORD_SIZE + U16_MAX);
            ByteBuffer b = bytes(size - tail, tail, "zip end of central directory");
            for (int at = tail - END_RECORD_SIZE; at >= 0; at--) {
                if (b.getInt(at) == END_RECORD && at + END_RECORD_SIZE + u16(b, at + 20) == tail) {
                    return size - tail + at;
                }
            }
            // A file that starts like a zip (PK\3\4) is blamed at that claim, byte 0, as np.load's
            // BadZipFile does; anything else at the end, where the record should have been.
            boolean claimsZip = size >= 4 && startsWithLocalHeader();
            throw corrupt((claimsZip ? "the file starts like a zip archive (.npz) but has" : "there is")
                    + " no end of central directory record (truncated, or not a zip archive)", claimsZip ? 0 : size,
                    "zip end of central directory");
        }

        private boolean startsWithLocalHeader() throws IOException {
            return bytes(0, 4, "zip local header").getInt(0) == LOCAL_HEADER;
        }

        /** The central-directory record at {@code cd[at]} and its local header. */
        private ZipMember member(ByteBuffer cd, int at, long cdOffset, long cdEnd) throws IOException {
            long where = cdOffset + at;
            if (at > cd.limit() - CENTRAL_HEADER_SIZE) {
                throw corrupt("the central directory ends inside a member record", where, "zip central directory");
            }
            if (cd.getInt(at) != CENTRAL_HEADER) {
                throw corrupt("no central directory record signature", where, "zip central directory");
            }
            int flags = u16(cd, at + 8);
            int method = u16(cd, at + 10);
            int crc = cd.getInt(at + 16);
            long compressed = u32(cd, at + 20);
            long uncompressed = u32(cd, at + 24);
            int nameLength = u16(cd, at + 28);
            int extraLength = u16(cd, at + 30);
            int commentLength = u16(cd, at + 32);
            int diskStart = u16(cd, at + 34);
            long local = u32(cd, at + 42);
            if ((long) at + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength > cd.limit()) {
                throw corrupt("a member record runs past the end of the central directory", where, "zip central directory");
            }
            byte[] nameBytes = new byte[nameLength];
            cd.get(at + CENTRAL_HEADER_SIZE, nameBytes);
            String name = new String(nameBytes, (flags & FLAG_UTF8) != 0 ? StandardCharsets.UTF_8 : CP437);
            // ZIP64 extra field: the values whose 32-bit fields are 0xFFFFFFFF, in this order.
            int extra = at + CENTRAL_HEADER_SIZE + nameLength;
            int extraEnd = extra + extraLength;
            boolean needUncompressed = uncompressed == U32_MAX;
            boolean needCompressed = compressed == U32_MAX;
            boolean needLocal = local == U32_MAX;
            while (extra + 4 <= extraEnd) {
                int id = u16(cd, extra);
                int length = u16(cd, extra + 2);
                if (extra + 4 + length > extraEnd) {
                    throw corrupt("an extra field runs past its record", cdOffset + extra, "zip central directory");
                }
                if (id == ZIP64_EXTRA_ID) {
                    int p = extra + 4;
                    int limit = p + length;
                    if (needUncompressed) {
                        uncompressed = zip64Value(cd, p, limit, cdOffset);
                        p += 8;
                    }
                    if (needCompressed) {
                        compressed = zip64Value(cd, p, limit, cdOffset);
                        p += 8;
                    }
                    if (needLocal) {
                        local = zip64Value(cd, p, limit, cdOffset);
                    }
                    needUncompressed = needCompressed = needLocal = false;
                }
                extra += 4 + length;
            }
            if (needUncompressed || needCompressed || needLocal) {
                throw corrupt("member " + name + " defers a size or offset to a zip64 extra field it lacks", where,
                        "zip central directory");
            }
            if ((flags & FLAG_ENCRYPTED) != 0) {
                throw unsupported("member " + name + " is encrypted", where, "zip central directory");
            }
            if (diskStart != 0 && diskStart != U16_MAX) {
                throw unsupported("split (multi-disk) archives are not supported", where, "zip central directory");
            }
            if (method != ZipMember.STORED && method != ZipMember.DEFLATED) {
                throw unsupported("member " + name + " uses compression method " + method + " ("
                        + methodName(method) + "); only stored (0) and deflated (8) are supported", where,
                        "zip central directory");
            }
            if (method == ZipMember.STORED && compressed != uncompressed) {
                throw corrupt("stored member " + name + " claims " + compressed + " bytes in the archive but "
                        + uncompressed + " uncompressed", where, "zip central directory");
            }
            if (compressed < 0 || uncompressed < 0) {
                throw corrupt("member " + name + " has a size beyond 2^63", where, "zip central directory");
            }
            if (local < 0 || local > cdEnd - LOCAL_HEADER_SIZE) {
                throw corrupt("member " + name + "'s local header offset " + local + " lies outside the member area",
                        where, "zip central directory");
            }
            long data = localData(local, name, nameBytes);
            if (compressed > cdEnd - data) {
                throw corrupt("member " + name + "'s " + compressed + " bytes of data at " + data
                        + " run past the start of the central directory at " + cdEnd, local, "zip local header");
            }
            return new ZipMember(name, method, flags, crc, compressed, uncompressed, local, data, where);
        }

        private long zip64Value(ByteBuffer cd, int p, int limit, long cdOffset) {
            if (p + 8 > limit) {
                throw corrupt("a zip64 extra field is too short", cdOffset + p, "zip central directory");
            }
            long v = cd.getLong(p);
            if (v < 0) {
                throw corrupt("a zip64 size or offset beyond 2^63", cdOffset + p, "zip central directory");
            }
            return v;
        }

        /** Reads the local header at {@code local}, checks it names the same member, and returns where its data starts. */
        private long localData(long local, String name, byte[] nameBytes) throws IOException {
            ByteBuffer h = bytes(local, LOCAL_HEADER_SIZE, "zip local header");
            if (h.getInt(0) != LOCAL_HEADER) {
                throw corrupt("no local header signature for member " + name, local, "zip local header");
            }
            int nameLength = u16(h, 26);
            int extraLength = u16(h, 28);
            long data = local + LOCAL_HEADER_SIZE + nameLength + extraLength;
            if (data > size) {
                throw corrupt("member " + name + "'s local header runs past the end of the file", local, "zip local header");
            }
            ByteBuffer n = bytes(local + LOCAL_HEADER_SIZE, nameLength, "zip local header");
            byte[] localName = new byte[nameLength];
            n.get(0, localName);
            if (!java.util.Arrays.equals(localName, nameBytes)) {
                throw corrupt("the local header names another member than the central directory's " + name, local,
                        "zip local header");
            }
            return data;
        }

        private ByteBuffer bytes(long offset, int length, String construct) throws IOException {
            if (offset < 0 || length < 0 || offset > size - length) {
                throw corrupt("a " + length + "-byte record at " + offset + " runs past the end of the file ("
                        + size + " bytes)", Math.max(0, Math.min(offset, size)), construct);
            }
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw corrupt("the file ends early", offset + b.position(), construct);
                }
            }
            return b.flip();
        }

        private CorruptInputException corrupt(String reason, long offset, String construct) {
            return new CorruptInputException(reason, file, offset, construct);
        }

        private UnsupportedInputException unsupported(String reason, long offset, String construct) {
            return new UnsupportedInputException(reason, file, offset, construct);
        }
    }

    static String methodName(int method) {
        switch (method) {
            case 1: return "shrink";
            case 6: return "implode";
            case 9: return "deflate64";
            case 12: return "bzip2";
            case 14: return "lzma";
            case 93: return "zstd";
            case 95: return "xz";
            default: return "unknown";
        }
    }

    private static int u16(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at));
    }

    private static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }
}
