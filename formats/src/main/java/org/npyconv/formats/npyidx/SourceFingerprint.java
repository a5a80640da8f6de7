package org.npyconv.formats.npyidx;

/**
 * Binds a sidecar to the exact file it indexes: size and modification time (checked on every open,
 * cheap) and CRC32C checksums of the header bytes and of the pickle bytes (checked by
 * {@code npyconv verify}, which reads the whole file).
 */
public record SourceFingerprint(long size, long mtimeNanos, long pickleOffset, long pickleEnd,
                                int headerCrc32c, int pickleCrc32c, String fileName) {
}
