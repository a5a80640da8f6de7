package org.npyconv.formats.pickle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Where a reader must report a pickle cut off at byte {@code cut}, computed from its genops listing
 * (docs/pickle-reader.md, "Errors"): the first opcode that does not fit before the cut. A FRAME
 * whose frame runs past the cut is not itself the error: the opcode the cut falls in is.
 */
final class TruncationRule {
    private TruncationRule() {}

    /** The expected error offset, or -1 when the pickle (through STOP) lies before {@code cut}. */
    static long expectedErrorOffset(List<JsonNode> rows, long cut) {
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            long pos = row.get("pos").longValue();
            long end = i + 1 < rows.size() ? rows.get(i + 1).get("pos").longValue() : pos + 1;
            if (end > cut) {
                return pos;
            }
        }
        return -1;
    }

    /**
     * An opcode boundary from which reading up to {@code cut} fails at the same offset as reading
     * from the start: a few opcodes before the one the cut falls in. (A memo fetch there refers to
     * keys stored earlier, so the reader must be told the memo is unknown: {@code seek(offset)}.)
     */
    static long readFrom(List<JsonNode> rows, long cut) {
        int k = 0;
        while (k + 1 < rows.size() && rows.get(k + 1).get("pos").longValue() <= cut) {
            k++;
        }
        return rows.get(Math.max(0, k - 3)).get("pos").longValue();
    }
}
