package org.npyconv.formats.npyidx;

/**
 * Where one element's opcodes lie in the file: {@code [start, end)} absolute offsets, and the
 * pickle's memo counter at {@code start} and {@code end} (memo entries {@code memoStart ..
 * memoEnd-1} are defined inside the element).
 */
public record ElementSpan(long index, long start, long end, long memoStart, long memoEnd) {
    public long length() {
        return end - start;
    }

    /** Whether memo entry {@code memoIndex} is defined inside this element. */
    public boolean defines(long memoIndex) {
        return memoIndex >= memoStart && memoIndex < memoEnd;
    }
}
