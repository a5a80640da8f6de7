package org.npyconv.formats.npyidx;

import java.nio.charset.StandardCharsets;

/** Constants of the {@code .npyidx} format, version 1.0; docs/npyidx.md is the normative spec. */
final class SidecarLayout {
    private SidecarLayout() {}

    /** First 8 bytes: {@code \x93NPYIDX\0} (0x93 as in .npy's magic: not text, not ASCII-safe). */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'P', 'Y', 'I', 'D', 'X', 0};
    /** Last 8 bytes of the footer. */
    static final byte[] END_MAGIC = {(byte) 0x93, 'I', 'D', 'X', 'E', 'N', 'D', 0};
    /** First 8 bytes of an archive index (the sidecar of an .npz): {@code \x93NPZIDX\0}. */
    static final byte[] ARCHIVE_MAGIC = {(byte) 0x93, 'N', 'P', 'Z', 'I', 'D', 'X', 0};
    static final int ARCHIVE_MAJOR = 1;
    /**
     * 1.1: every deflated {@code .npy} member has an {@code INFL} section (1.0 wrote one for
     * deflated object members only). Readers of 1.0 read 1.1 unchanged; a 1.0 index is still
     * valid, but a reader wanting checkpoints of a non-object member rebuilds it.
     */
    static final int ARCHIVE_MINOR = 1;
    /** Directory entry's last field in an archive index: the member a section belongs to; this for the archive. */
    static final int ARCHIVE_LEVEL = -1;
    static final int MAJOR = 1;
    static final int MINOR = 0;
    /** magic, u16 major, u16 minor, u32 reserved. */
    static final int FILE_HEADER_SIZE = 16;
    /** u64 directory offset, u32 directory length, u32 directory CRC32C, end magic. */
    static final int FOOTER_SIZE = 24;
    /** tag, u32 CRC32C, u64 offset, u64 length, u32 flags. */
    static final int DIRECTORY_ENTRY_SIZE = 28;
    /** Bytes per checkpoint: u64 element start, u64 memo counter, u64 offset into SPAN. */
    static final int CHECKPOINT_SIZE = 24;
    /** Span record tags (low two bits of the first varint). */
    static final int TAG_PLAIN = 0;
    static final int TAG_ONE_MEMO = 1;
    static final int TAG_MEMO = 2;
    static final int TAG_GAP_MEMO = 3;

    static final int SPAN = tag("SPAN");
    static final int CKPT = tag("CKPT");
    static final int SRCE = tag("SRCE");
    static final int HEAD = tag("HEAD");
    static final int PICK = tag("PICK");
    static final int KIND = tag("KIND");
    static final int GLBL = tag("GLBL");
    static final int MEMO = tag("MEMO");
    /** Archive index sections (docs/npyidx.md, "Archive indexes"). */
    static final int ZSRC = tag("ZSRC");
    static final int NIDX = tag("NIDX");
    static final int INFL = tag("INFL");

    /** A section tag as the little-endian u32 of its four ASCII bytes. */
    static int tag(String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    static String tagName(int tag) {
        byte[] b = {(byte) tag, (byte) (tag >>> 8), (byte) (tag >>> 16), (byte) (tag >>> 24)};
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
