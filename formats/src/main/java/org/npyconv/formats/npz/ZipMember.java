package org.npyconv.formats.npz;

/**
 * One member of a zip archive as its central directory and local header describe it
 * (docs/npz.md). Offsets are absolute in the archive; sizes are the ZIP64 values where the
 * archive has them.
 *
 * @param name the member's file name in the archive ({@code arr_0.npy})
 * @param method 0 (stored) or 8 (deflated); others are refused when the directory is read
 * @param flags the general-purpose bit flags
 * @param crc32 the CRC-32 of the uncompressed bytes, as recorded
 * @param compressedSize bytes of member data in the archive
 * @param uncompressedSize bytes of the member once inflated (equal to compressedSize when stored)
 * @param localHeaderOffset where the member's local file header starts
 * @param dataOffset where its data starts (just past the local header, its name and extra field)
 * @param directoryOffset where its central directory record starts (for messages)
 */
public record ZipMember(String name, int method, int flags, int crc32, long compressedSize, long uncompressedSize,
        long localHeaderOffset, long dataOffset, long directoryOffset) {
    /** Compression method 0. */
    public static final int STORED = 0;
    /** Compression method 8. */
    public static final int DEFLATED = 8;

    /** The name NumPy's {@code NpzFile} gives the member: its file name without a trailing {@code .npy}. */
    public String key() {
        return name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
    }

    public boolean isStored() {
        return method == STORED;
    }

    /** Where the member's data ends in the archive. */
    public long dataEnd() {
        return dataOffset + compressedSize;
    }
}
