package org.npyconv.formats.npyidx;

/**
 * What the indexer learned about the pickle as a whole (the sidecar's {@code PICK} section).
 *
 * @param protocol          PROTO argument, or the highest opcode protocol when there is no PROTO
 * @param checkpointInterval elements between checkpoints
 * @param elementCount      elements in the list
 * @param preambleEnd       absolute offset of the first element (or of the list's end when empty)
 * @param preambleMemo      memo counter at {@code preambleEnd}: entries below it live in the preamble
 * @param stopOffset        absolute offset of the STOP opcode
 * @param finalMemo         memo counter at STOP
 */
public record PickleFacts(int protocol, int checkpointInterval, long elementCount, long preambleEnd,
                          long preambleMemo, long stopOffset, long finalMemo) {
}
