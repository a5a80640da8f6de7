package org.npyconv.indexer;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.ReplacingFile;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.element.MemoSink;
import org.npyconv.formats.element.SpanEvaluator;
import org.npyconv.formats.element.SpanResult;
import org.npyconv.formats.npy.Dtype;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.element.PyTuple;
import java.util.List;
import java.util.Locale;
import org.npyconv.formats.npyidx.ElementSpan;
import org.npyconv.formats.npyidx.SidecarIndex;
import org.npyconv.formats.npyidx.SpanCursor;

/**
 * An object {@code .npy} opened for random access and streaming through its sidecar index —
 * what {@code np.load(allow_pickle=True)} cannot do: read element {@code i} without the others,
 * without loading the file, without executing the pickle.
 *
 * <pre>{@code
 * try (NpyObjectArray array = NpyObjectArray.open(Path.of("data.npy"))) {
 *     Object third = array.get(2);                 // flat C-order position
 *     Object cell = array.get(new long[] {3, 1});  // multi-dimensional index
 *     array.stream().forEach(System.out::println); // all elements, flat memory
 * }
 * }</pre>
 *
 * <p>{@link #open} uses {@code FILE.npyidx} and (re)builds it when it is missing, stale or damaged,
 * telling {@link Options#notices} why. Element values are the Java types of docs/elements.md.
 * Objects shared between elements (the same Python object in two places) are returned as the same
 * Java object: treat returned values as read-only.
 *
 * <p>Thread-safe: {@link #get} may be called from many threads; each {@link #stream()} belongs to
 * the thread that consumes it. Owns its file channel and index; {@link #close()} releases both.
 */
public final class NpyObjectArray implements Closeable {
    /** How long a chain of back-references into earlier elements may be before random access gives up. */
    static final int MAX_RESOLUTION_DEPTH = 256;
    /** Resolved cross-element memo entries kept for later gets. */
    static final int RESOLVED_CACHE_SIZE = 4096;
    /** Memo entries a stream keeps when the index could not list the referenced ones. */
    static final int STREAM_FALLBACK_CACHE = 65_536;
    private static final int STREAM_WINDOW = 1 << 20;

    /** How to open. */
    public record Options(Path index, boolean rebuild, int checkpointInterval, Consumer<String> notices) {
        public static Options defaults() {
            return new Options(null, true, Indexer.DEFAULT_CHECKPOINT_INTERVAL, message -> { });
        }

        public Options withIndex(Path p) {
            return new Options(p, rebuild, checkpointInterval, notices);
        }

        public Options withNotices(Consumer<String> n) {
            return new Options(index, rebuild, checkpointInterval, n);
        }
    }

    private final Path file;
    private final NpyHeader header;
    private final FileChannel channel;
    private final SidecarIndex index;
    private final Map<Long, Object> preambleMemo;
    private final Map<Long, Object> resolved = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Object> eldest) {
            return size() > RESOLVED_CACHE_SIZE;
        }
    });

    /** Opens another read channel on the bytes the index's offsets refer to (see {@link #openChannel()}). */
    @FunctionalInterface
    public interface ChannelOpener {
        FileChannel open() throws IOException;
    }

    private final ChannelOpener opener;

    private NpyObjectArray(Path file, NpyHeader header, FileChannel channel, SidecarIndex index, ChannelOpener opener)
            throws IOException {
        this.file = file;
        this.header = header;
        this.channel = channel;
        this.index = index;
        this.opener = opener;
        this.preambleMemo = evaluatePreamble();
    }

    /**
     * An object array whose {@code .npy} bytes are {@code channel} (positions 0 to {@code size()}),
     * indexed by {@code index}: a member of an {@code .npz} archive seen through a channel view.
     * Takes ownership of both (closed by {@link #close()}, or here if opening fails).
     *
     * @param name what {@link #file()} returns and messages name
     * @param opener opens further channels on the same bytes, for {@link #openChannel()}
     */
    public static NpyObjectArray of(FileChannel channel, Path name, SidecarIndex index, ChannelOpener opener)
            throws IOException {
        try {
            NpyHeader header = NpyHeader.read(channel, name);
            if (!header.isObject()) {
                throw new UnsupportedInputException("not an object array (descr " + header.descr() + ")", name, -1, null);
            }
            if (index.elementCount() != header.count()) {
                throw new CorruptInputException("index holds " + index.elementCount() + " elements, header says "
                        + header.count(), index.file(), -1, "npyidx");
            }
            return new NpyObjectArray(name, header, channel, index, opener);
        } catch (IOException | RuntimeException e) {
            try {
                index.close();
            } finally {
                channel.close();
            }
            throw e;
        }
    }

    /** Opens {@code file} with {@code FILE.npyidx}, building it first if needed. */
    public static NpyObjectArray open(Path file) throws IOException {
        return open(file, Options.defaults());
    }

    public static NpyObjectArray open(Path file, Options options) throws IOException {
        Path indexPath = options.index() != null ? options.index() : Indexer.sidecarPath(file);
        ReplacingFile.requireDistinct(file, indexPath, "index"); // before a rebuild's notice
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        SidecarIndex index = null;
        try {
            NpyHeader header = NpyHeader.read(channel, file);
            if (!header.isObject()) {
                throw new UnsupportedInputException("not an object array (descr " + header.descr() + ")", file, -1, null);
            }
            IndexCheck.Verdict verdict = IndexCheck.quick(file, indexPath);
            if (!verdict.usable()) {
                if (!options.rebuild()) {
                    throw new org.npyconv.formats.StaleIndexException("index not usable: " + verdict.reason(), indexPath);
                }
                if (verdict.status() != IndexCheck.Status.MISSING) {
                    options.notices().accept("index " + indexPath + " is " + verdict.status().name().toLowerCase(Locale.ROOT)
                            + " (" + verdict.reason() + "); rebuilding it");
                }
                Indexer.build(file, indexPath, options.checkpointInterval(), Indexer.Progress.NONE);
            }
            index = SidecarIndex.open(indexPath);
            if (index.elementCount() != header.count()) {
                throw new CorruptInputException("index holds " + index.elementCount() + " elements, header says "
                        + header.count(), indexPath, -1, "npyidx");
            }
            return new NpyObjectArray(file, header, channel, index,
                    () -> FileChannel.open(file, StandardOpenOption.READ));
        } catch (IOException | RuntimeException e) {
            if (index != null) {
                index.close();
            }
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    public NpyHeader header() {
        return header;
    }

    public SidecarIndex index() {
        return index;
    }

    /**
     * A new read channel on the bytes this array's index offsets refer to (the {@code .npy} file,
     * or an archive member's view), for a reader that wants its own; the caller closes it.
     */
    public FileChannel openChannel() throws IOException {
        return opener.open();
    }

    /** Number of elements (the product of the shape; 1 for a 0-d array). */
    public long size() {
        return header.count();
    }

    /** The array's shape (a copy). */
    public long[] shape() {
        return header.shape();
    }

    /**
     * The object memo entry {@code memoIndex} holds once the pickle has stored it (from the preamble,
     * a cache, or by evaluating the element that defines it), as {@link #get} resolves a
     * back-reference. For readers that decode element spans themselves and meet a {@code GET} of an
     * entry stored outside the span. Thread-safe like {@link #get}.
     */
    public Object memoEntry(long memoIndex) {
        return resolve(memoIndex, 0);
    }

    /** Element {@code i} in flat C order; negative {@code i} counts from the end, as in Python. */
    public Object get(long i) {
        long n = size();
        long at = i < 0 ? i + n : i;
        if (at < 0 || at >= n) {
            throw new IndexOutOfBoundsException("index " + i + " is out of bounds for " + n + " elements");
        }
        return evaluateElement(index.span(at), 0);
    }

    /** The element at a multi-dimensional index (one entry per axis; negatives count from the end). */
    public Object get(long[] position) {
        return get(flatIndex(position, header.shape()));
    }

    /** Flat C-order position of a multi-dimensional index; checks every axis like NumPy. */
    public static long flatIndex(long[] position, long[] shape) {
        if (position.length != shape.length) {
            throw new IndexOutOfBoundsException("an index of " + position.length + " axes for an array of "
                    + shape.length + " dimensions");
        }
        long flat = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            long p = position[axis] < 0 ? position[axis] + shape[axis] : position[axis];
            if (p < 0 || p >= shape[axis]) {
                throw new IndexOutOfBoundsException("index " + position[axis] + " is out of bounds for axis "
                        + axis + " with size " + shape[axis]);
            }
            flat = flat * shape[axis] + p;
        }
        return flat;
    }

    /** Every element in flat C order, read sequentially with memory independent of the file size. */
    public Stream<Object> stream() {
        return StreamSupport.stream(Spliterators.spliterator(iterator(), size(),
                Spliterator.ORDERED | Spliterator.SIZED), false);
    }

    /** Like {@link #stream()}; one pass, not thread-safe. */
    public Iterator<Object> iterator() {
        return new ElementIterator(0, size());
    }

    /**
     * The elements {@code [from, to)} in flat C order, read sequentially like {@link #iterator()}.
     * Several such iterators over disjoint ranges may run on different threads at once (the
     * converter's {@code --threads}): back-references into elements before {@code from} are resolved
     * by random access, as {@link #get} resolves them. One pass; each iterator belongs to one thread.
     */
    public Iterator<Object> iterator(long from, long to) {
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException("elements [" + from + ", " + to + ") of " + size());
        }
        return new ElementIterator(from, to);
    }

    @Override
    public void close() throws IOException {
        try {
            index.close();
        } finally {
            channel.close();
        }
    }

    // ---- evaluation --------------------------------------------------------------------------

    private Map<Long, Object> evaluatePreamble() throws IOException {
        long start = index.source().pickleOffset();
        long end = index.pickle().preambleEnd();
        byte[] bytes = read(start, end);
        Map<Long, Object> memo = new HashMap<>();
        new SpanEvaluator(file, SpanEvaluator.DEFAULT_MAX_NESTING).evaluate(bytes, 0, bytes.length, start, 0, m -> {
            throw new CorruptInputException("memo index " + m + " was never stored", file, -1, "GET");
        }, memo::put);
        return Collections.unmodifiableMap(memo);
    }

    private Object evaluateElement(ElementSpan span, int depth) {
        return asRecord(evaluate(span, depth, MemoSink.NONE).items().get(0));
    }

    /**
     * A structured array with object fields pickles each record as a tuple; NumPy hands it back
     * as a record with field names, and so do we (a {@code LinkedHashMap} in field order).
     */
    private Object asRecord(Object element) {
        if (!(header.dtype() instanceof Dtype.Structured) || !(element instanceof PyTuple)) {
            return element;
        }
        List<String> names = ((Dtype.Structured) header.dtype()).names();
        PyTuple tuple = (PyTuple) element;
        if (tuple.items().size() != names.size()) {
            throw new CorruptInputException("a record of " + tuple.items().size() + " values for a dtype of "
                    + names.size() + " fields", file, -1, null);
        }
        Map<String, Object> record = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            record.put(names.get(i), tuple.get(i));
        }
        return record;
    }

    private SpanResult evaluate(ElementSpan span, int depth, MemoSink sink) {
        byte[] bytes;
        try {
            bytes = read(span.start(), span.end());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SpanResult result = new SpanEvaluator(file, SpanEvaluator.DEFAULT_MAX_NESTING).evaluate(bytes, 0, bytes.length, span.start(), span.memoStart(),
                m -> resolve(m, depth + 1), sink);
        if (!result.isSingleItem()) {
            throw new CorruptInputException("element " + span.index() + " does not evaluate to one object",
                    file, span.start(), null);
        }
        return result;
    }

    /** A memo entry defined outside the span being evaluated: the preamble, a cache, or its element re-evaluated. */
    private Object resolve(long memoIndex, int depth) {
        Object value = preambleMemo.get(memoIndex);
        if (value != null || preambleMemo.containsKey(memoIndex)) {
            return value;
        }
        value = resolved.get(memoIndex);
        if (value != null) {
            return value;
        }
        if (depth > MAX_RESOLUTION_DEPTH) {
            throw new UnsupportedInputException("chain of back-references across more than " + MAX_RESOLUTION_DEPTH
                    + " elements", file, -1, null);
        }
        long element = index.definingElement(memoIndex);
        if (element < 0) {
            throw new CorruptInputException("memo index " + memoIndex + " is not defined by any element", file, -1, "GET");
        }
        Object[] found = new Object[1];
        boolean[] seen = new boolean[1];
        evaluate(index.span(element), depth, (m, v) -> {
            if (m == memoIndex) {
                found[0] = v;
                seen[0] = true;
            }
        });
        if (!seen[0]) {
            throw new CorruptInputException("memo index " + memoIndex + " is not defined by element " + element,
                    file, -1, "GET");
        }
        if (found[0] != null) {
            resolved.put(memoIndex, found[0]);
        }
        return found[0];
    }

    private byte[] read(long start, long end) throws IOException {
        long length = end - start;
        if (length > Integer.MAX_VALUE - 16) {
            throw new UnsupportedInputException("an element of " + length + " bytes is larger than Java arrays allow",
                    file, start, null);
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, start + buffer.position()) < 0) {
                throw new CorruptInputException("file ends inside an element (it changed after indexing?)",
                        file, start + buffer.position(), null);
            }
        }
        return buffer.array();
    }

    /**
     * Sequential evaluation keeping the memo entries later elements refer to (the index's MEMO
     * section says which, and until when) and dropping the rest after each element.
     */
    private final class ElementIterator implements Iterator<Object> {
        private final SpanCursor cursor;
        private final long from;
        private final long to;
        private final Map<Long, Object> kept;
        private final boolean listed = index.retainedComplete();
        private final StreamWindow window = new StreamWindow();
        // One evaluator for the stream; back-reference resolution uses its own (it runs mid-evaluation).
        private final SpanEvaluator evaluator = new SpanEvaluator(file, SpanEvaluator.DEFAULT_MAX_NESTING);
        private boolean ready;
        private boolean exhausted;
        private long sweepAt;

        ElementIterator(long from, long to) {
            this.from = from;
            this.to = to;
            exhausted = from >= to;
            cursor = exhausted ? null : index.cursorNear(from);
            kept = listed ? new HashMap<>() : new LinkedHashMap<>(1024, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Object> eldest) {
                    return size() > STREAM_FALLBACK_CACHE;
                }
            };
        }

        @Override
        public boolean hasNext() {
            if (!ready && !exhausted) {
                ready = cursor.next();
                // A cursor starts at the checkpoint before `from`: skip the spans up to it.
                while (ready && cursor.index() < from) {
                    ready = cursor.next();
                }
                ready = ready && cursor.index() < to;
                exhausted = !ready;
            }
            return ready;
        }

        @Override
        public Object next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ready = false;
            long i = cursor.index();
            if (listed && i >= sweepAt) {
                kept.keySet().removeIf(m -> index.retainedLastUse(m) < i);
                sweepAt = i + 1024;
            }
            int offset = window.load(cursor.start(), cursor.end());
            SpanResult result = evaluator.evaluate(window.bytes, offset, offset + (int) (cursor.end() - cursor.start()),
                    cursor.start(), cursor.memoStart(), this::lookup, this::keep);
            if (!result.isSingleItem()) {
                throw new CorruptInputException("element " + i + " does not evaluate to one object", file, cursor.start(), null);
            }
            return asRecord(result.items().get(0));
        }

        private Object lookup(long memoIndex) {
            Object value = kept.get(memoIndex);
            if (value != null || kept.containsKey(memoIndex)) {
                return value;
            }
            return resolve(memoIndex, 0);
        }

        private void keep(long memoIndex, Object value) {
            if (!listed || index.retainedLastUse(memoIndex) > cursor.index()) {
                kept.put(memoIndex, value);
            }
        }
    }

    /** A window over the file that serves consecutive spans from one buffer, refilled in large reads. */
    private final class StreamWindow {
        byte[] bytes = new byte[STREAM_WINDOW];
        long base = -1;
        int length;

        /** Makes {@code [start, end)} available in {@link #bytes}; returns the offset of {@code start}. */
        int load(long start, long end) {
            if (base >= 0 && start >= base && end <= base + length) {
                return (int) (start - base);
            }
            long span = end - start;
            if (span > Integer.MAX_VALUE - 16) {
                throw new UnsupportedInputException("an element of " + span + " bytes is larger than Java arrays allow",
                        file, start, null);
            }
            if (span > bytes.length) {
                bytes = new byte[(int) span];
            } else if (bytes.length > STREAM_WINDOW && span <= STREAM_WINDOW) {
                bytes = new byte[STREAM_WINDOW];
            }
            try {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                long fileSize = channel.size();
                int want = (int) Math.min(bytes.length, fileSize - start);
                buffer.limit(Math.max(want, (int) span));
                while (buffer.position() < span) {
                    if (channel.read(buffer, start + buffer.position()) < 0) {
                        throw new CorruptInputException("file ends inside an element (it changed after indexing?)",
                                file, start + buffer.position(), null);
                    }
                }
                base = start;
                length = buffer.position();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return 0;
        }
    }
}
