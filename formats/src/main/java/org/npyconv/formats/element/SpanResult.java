package org.npyconv.formats.element;

import java.util.Collections;
import java.util.List;

/**
 * What evaluating a span left behind: the items on the stack (bottom first), where the MARKs sit
 * among them, and the memo counter ({@code len(memo)} in Python) after the span.
 *
 * @param items the stack items, bottom first (marks not included)
 * @param markPositions for each open MARK, bottom first, the number of items below it
 * @param memoEnd the memo counter after the span
 */
public record SpanResult(List<Object> items, List<Integer> markPositions, long memoEnd) {
    public SpanResult {
        items = Collections.unmodifiableList(items);
        markPositions = List.copyOf(markPositions);
    }

    /** True when the span left exactly one item and no marks: a complete element. */
    public boolean isSingleItem() {
        return items.size() == 1 && markPositions.isEmpty();
    }
}
