package org.npyconv.formats.element;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.npyconv.formats.pickle.PickleOpcode;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.UnsupportedInputException;

/**
 * Evaluates the opcodes of a byte range of a pickle into element-model values, without executing
 * anything: the safe unpickler (docs/elements.md "Span evaluation").
 *
 * <p>A span is any contiguous run of whole opcodes, for example one element of an object array's
 * element list (which leaves exactly one item: {@link #evaluateElement}) or the array's preamble
 * (which leaves MARKs and several items: {@link #evaluate}). Because the span is evaluated in
 * isolation, the caller supplies the memo counter at its start ({@code memoStart}, Python's
 * {@code len(memo)}), a {@link MemoResolver} for back-references to memo entries the span did not
 * store, and a {@link MemoSink} that is told about every store. {@code MEMOIZE} stores at the
 * current counter and advances it; {@code PUT}/{@code BINPUT}/{@code LONG_BINPUT} store at their
 * explicit index and advance the counter when the index equals it.
 *
 * <p>Only the globals {@link GlobalSafety} marks {@code NUMPY} or {@code SAFE} build real values;
 * every other call yields an inert {@link PyObject}. Every length is checked against the span before
 * anything is allocated, and payloads are copied, so the caller may reuse {@code buf} as soon as a
 * call returns. Evaluation is iterative; containers built within one span may nest at most
 * {@code maxNesting} levels. Every failure is an {@link NpyconvException} naming the absolute offset
 * and opcode where it happened: {@link CorruptInputException} for malformed input,
 * {@link UnsupportedInputException} for valid input npyconv does not handle; exceptions thrown by a
 * {@link MemoResolver} that are already {@code NpyconvException}s pass through unchanged.
 *
 * <p>Not thread-safe: use one evaluator per thread. It may be reused for any number of spans.
 */
public final class SpanEvaluator {
    /** Default limit on container nesting within a span. */
    public static final int DEFAULT_MAX_NESTING = 10_000;

    private final Path file;
    private final SpanUnpickler unpickler;
    private final SpanUnpickler.OpcodeCursor cursor = new SpanUnpickler.OpcodeCursor();

    /** An evaluator for in-memory input (errors name no file) with the default nesting limit. */
    public SpanEvaluator() {
        this(null, DEFAULT_MAX_NESTING);
    }

    /**
     * @param file the file the bytes come from, named in error messages (may be {@code null})
     * @param maxNesting the deepest container nesting accepted within one span (at least 1)
     */
    public SpanEvaluator(Path file, int maxNesting) {
        if (maxNesting < 1) {
            throw new IllegalArgumentException("maxNesting must be at least 1");
        }
        this.file = file;
        this.unpickler = new SpanUnpickler(maxNesting);
    }

    /**
     * Evaluates the opcodes in {@code buf[from, to)}.
     *
     * @param absoluteOffset the absolute file offset of {@code buf[from]}, for error messages
     * @param memoStart the memo counter at the span's start
     * @param resolver asked for memo entries the span reads but did not store; {@code null} makes
     *     such a read an error
     * @param sink told about every memo store; {@code null} for none
     * @return the items and marks the span left on the stack, and the memo counter after it
     */
    public SpanResult evaluate(byte[] buf, int from, int to, long absoluteOffset, long memoStart,
            MemoResolver resolver, MemoSink sink) {
        Objects.requireNonNull(buf, "buf");
        Objects.checkFromToIndex(from, to, buf.length);
        if (memoStart < 0) {
            throw new IllegalArgumentException("memoStart must not be negative");
        }
        cursor.opcodeStart = from;
        cursor.opcode = -1;
        try {
            return unpickler.run(buf, from, to, memoStart, resolver, sink == null ? MemoSink.NONE : sink, cursor);
        } catch (NpyconvException e) {
            throw e;
        } catch (UnsupportedOperationException | SpanUnpickler.NestingTooDeep e) {
            throw new UnsupportedInputException(e.getMessage(), file, offsetOf(from, absoluteOffset), opcodeName());
        } catch (IOException | RuntimeException e) {
            throw new CorruptInputException(reason(e), file, offsetOf(from, absoluteOffset), opcodeName(), e);
        }
    }

    /**
     * Evaluates a span that must leave exactly one item and no marks (one element) and returns it.
     *
     * @throws CorruptInputException if the span leaves anything else
     */
    public Object evaluateElement(byte[] buf, int from, int to, long absoluteOffset, long memoStart,
            MemoResolver resolver, MemoSink sink) {
        SpanResult result = evaluate(buf, from, to, absoluteOffset, memoStart, resolver, sink);
        if (!result.isSingleItem()) {
            throw new CorruptInputException("an element span must leave exactly one item, this one leaves "
                    + result.items().size() + " item(s) and " + result.markPositions().size() + " mark(s)",
                    file, absoluteOffset, null);
        }
        return result.items().get(0);
    }

    private long offsetOf(int from, long absoluteOffset) {
        return absoluteOffset + (cursor.opcodeStart - from);
    }

    private String opcodeName() {
        if (cursor.opcode < 0) {
            return null;
        }
        PickleOpcode op = PickleOpcode.of(cursor.opcode & 0xFF);
        return op != null ? op.name() : String.format(Locale.ROOT, "opcode 0x%02x", cursor.opcode & 0xFF);
    }

    private static String reason(Exception e) {
        if (e instanceof IOException) {
            return "span ends inside the opcode's argument";
        }
        String m = e.getMessage();
        if (e instanceof ClassCastException || e instanceof IndexOutOfBoundsException || m == null) {
            return "malformed pickle (" + e.getClass().getSimpleName() + (m == null ? "" : ": " + m) + ")";
        }
        if (e instanceof ArithmeticException) {
            return "value out of range: " + m;
        }
        return m;
    }
}
