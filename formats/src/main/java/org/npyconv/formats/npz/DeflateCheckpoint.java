package org.npyconv.formats.npz;

/**
 * Where a deflate stream can be entered without decoding what precedes it: a block boundary at
 * compressed bit {@code bitOffset} (from the start of the member's data) where the output is at
 * {@code outOffset}. The {@code historyLength} bytes of output before it (up to 32 KiB, the
 * longest back-reference deflate allows) live in the sidecar beside it (docs/npz.md).
 */
public record DeflateCheckpoint(long outOffset, long bitOffset, int historyLength) {
}
