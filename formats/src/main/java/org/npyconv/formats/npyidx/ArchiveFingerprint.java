package org.npyconv.formats.npyidx;

/**
 * What binds an archive index to its {@code .npz} (the {@code ZSRC} section): the archive's size
 * and modification time, checked on every open, and where its central directory lies with a CRC32C
 * of its bytes, which changes when any member is added, removed, resized or moved.
 */
public record ArchiveFingerprint(long size, long mtimeNanos, long directoryOffset, long directoryLength,
        int directoryCrc32c, int memberCount, String fileName) {
}
