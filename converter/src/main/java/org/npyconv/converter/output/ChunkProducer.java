package org.npyconv.converter.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.npyconv.converter.arrow.ExpansionGuard;
import org.npyconv.converter.arrow.MixedTypesException;
import org.npyconv.converter.arrow.TypeInferrer;
import org.npyconv.converter.arrow.ValueWriter;
import org.npyconv.formats.element.NdArray;
import org.npyconv.formats.npyidx.SpanCursor;
import org.npyconv.indexer.NpyObjectArray;

/**
 * Turns the elements into Arrow chunks, in order, handing each to a sink. The rows are cut into
 * <em>tasks</em> of at most {@code rowsPerChunk} rows and {@value #TASK_PICKLE_BYTES} bytes of pickle
 * (span lengths from the index); a task becomes one chunk, or several when its Arrow buffers pass the chunk byte bound (checked every
 * {@value #BYTE_CHECK_EVERY} rows). Tasks run on {@code threads} worker threads, each reading its own
 * range of elements ({@link NpyObjectArray#iterator(long, long)}), and are written strictly in task
 * order: chunk boundaries depend only on the data and the options, so the output is byte-for-byte
 * the same for any thread count. At most {@code 2 * threads} tasks are in flight, which bounds memory.
 *
 * <p><b>Speculative typing.</b> With a {@code sample} (the first elements, already evaluated), the
 * column type was inferred from that sample only, and every task also infers the type of its own
 * elements together with the sample. When a task's type differs from the column's, the whole
 * conversion is abandoned with {@link SpeculationFailed} and the caller starts over with a type
 * inferred from every element. When every task agrees, the type inferred over all elements is the
 * column's (inference is a join: the union of ranges that each join to T with the sample joins to T),
 * and the elements were evaluated once instead of twice.
 */
final class ChunkProducer {
    static final int BYTE_CHECK_EVERY = 256;
    /** Pickle bytes per task: well under the 64 MiB chunk bound for payload-heavy elements. */
    static final long TASK_PICKLE_BYTES = 32L << 20;

    /** How each element becomes a value. */
    enum Mode { TYPED, JSON, PICKLE, STR_SPANS }

    /** Thrown when the speculative column type turns out wrong; the caller redoes the conversion. */
    static final class SpeculationFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SpeculationFailed(String why, Throwable cause) {
            super(why, cause, false, false);
        }
    }

    private final NpyObjectArray array;
    private final Schema schema;
    private final Mode mode;
    private final ConvertOptions options;
    private final BufferAllocator allocator;
    private final List<Object> sample;
    /** Off only in tests that compare the fast paths' output with the general evaluator's. */
    static volatile boolean fastPaths = true;
    /** Elements written by {@link NdSpans} without evaluation, over all conversions (tests read it). */
    static final java.util.concurrent.atomic.AtomicLong ndFastElements = new java.util.concurrent.atomic.AtomicLong();
    /** Tasks cut from checkpoint offsets without reading their span records, since start-up (tests read it). */
    static final java.util.concurrent.atomic.LongAdder CHECKPOINT_CUTS = new java.util.concurrent.atomic.LongAdder();
    /** Elements written by {@link TypedSpans} without evaluation, over all conversions (tests read it). */
    static final java.util.concurrent.atomic.AtomicLong typedFastElements = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param sample the elements the column type was inferred from (speculative typing), or
     *     {@code null} when the type is already known from every element
     */
    ChunkProducer(NpyObjectArray array, Schema schema, Mode mode, ConvertOptions options, BufferAllocator allocator,
                  List<Object> sample) {
        this.array = array;
        this.schema = schema;
        this.mode = mode;
        this.options = options;
        this.allocator = allocator;
        this.sample = sample;
    }

    /** Writes every chunk into {@code sink}; returns {rows, chunks}. */
    long[] run(ChunkSink sink) throws IOException {
        long n = array.size();
        TaskCutter cutter = new TaskCutter(n);
        int threads = options.threads();
        long rows = 0;
        long chunks = 0;
        ThreadPoolExecutor pool = threads > 1 && n > options.rowsPerChunk() ? (ThreadPoolExecutor) Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "npyconv-convert");
            t.setDaemon(true);
            return t;
        }) : null;
        int window = pool == null ? 1 : 2 * threads;
        ArrayDeque<Future<Ready>> inFlight = new ArrayDeque<>();
        try {
            while (cutter.hasNext() || !inFlight.isEmpty()) {
                while (cutter.hasNext() && inFlight.size() < window) {
                    long from = cutter.from();
                    long to = cutter.next();
                    if (pool == null) {
                        inFlight.add(java.util.concurrent.CompletableFuture.completedFuture(ready(convertRange(from, to), sink)));
                    } else {
                        inFlight.add(pool.submit(() -> ready(convertRange(from, to), sink)));
                    }
                }
                try (Ready done = take(inFlight.poll())) {
                    for (VectorSchemaRoot root : done.roots()) {
                        sink.writeChunk(root);
                        rows += root.getRowCount();
                        chunks++;
                    }
                    for (ChunkSink.Encoded chunk : done.encoded()) {
                        sink.writeEncoded(chunk);
                        rows += chunk.rows();
                        chunks++;
                    }
                }
                options.progress().accept(rows);
            }
        } finally {
            if (pool != null) {
                // Not shutdownNow(): it interrupts the workers, and an interrupt during a read closes
                // the array's shared FileChannel (an InterruptibleChannel), so the redo after a failed
                // speculation would fail with ClosedChannelException; and the futures of the tasks it
                // drops from the queue never complete, so waiting on them would hang for ever. Queued
                // tasks are taken off and cancelled; started ones finish and their chunks are closed.
                List<Runnable> neverStarted = new ArrayList<>();
                pool.getQueue().drainTo(neverStarted);
                pool.shutdown();
                for (Future<Ready> f : inFlight) {
                    if (neverStarted.contains(f)) {
                        f.cancel(false);
                    } else {
                        closeWhenDone(f);
                    }
                }
            }
        }
        return new long[] {rows, chunks};
    }

    /**
     * Cuts the rows into tasks: at most {@code rowsPerChunk} rows and, read from the index's span
     * lengths, at most {@value #TASK_PICKLE_BYTES} bytes of pickle, so that one task makes about one
     * chunk and a task's chunks never pile up in memory. Depends only on the file and the options.
     */
    private final class TaskCutter {
        private final long size;
        private final long byteLimit;
        private final boolean skipByCheckpoints;
        private SpanCursor cursor;
        /** Whether {@link #cursor} still stands at an earlier cut (the last task was skipped). */
        private boolean cursorBehind;
        /** Span records of short runs (10 M strs are cut on the main thread before workers start). */
        private final byte[] records = new byte[4096];
        private long from;
        private boolean started;

        TaskCutter(long size) {
            this(size, TASK_PICKLE_BYTES, true);
        }

        TaskCutter(long size, long byteLimit, boolean skipByCheckpoints) {
            this.size = size;
            this.byteLimit = byteLimit;
            this.skipByCheckpoints = skipByCheckpoints;
            this.cursor = size == 0 ? null : array.index().cursorNear(0);
        }

        boolean hasNext() {
            return !started || from < size;
        }

        long from() {
            return from;
        }

        long next() {
            started = true;
            long full = Math.min(size, from + options.rowsPerChunk());
            if (skipByCheckpoints && full - from > 1 && array.index().spanBytesAtMost(from, full) < byteLimit) {
                // Every element fits under the byte bound, so the walk below would cut at `full` too:
                // no need to read its span records (10 M of them for a file of short strs, on the
                // thread that also writes the output).
                from = full;
                cursorBehind = true;
                CHECKPOINT_CUTS.increment();
                return full;
            }
            if (cursorBehind) {
                cursor = array.index().cursorNear(from);
                while (cursor.index() < from - 1) {
                    if (!cursor.next()) {
                        throw new IllegalStateException("index ends before element " + from);
                    }
                }
                cursorBehind = false;
            }
            long to = from;
            long bytes = 0;
            while (to < size && to - from < options.rowsPerChunk() && (to == from || bytes < byteLimit)) {
                // Short spans (under 32 bytes) a run at a time, as many as cannot reach the byte bound.
                long room = Math.min(Math.min(size - to, options.rowsPerChunk() - (to - from)),
                        (byteLimit - bytes) >>> 5);
                int run = room > 1 ? cursor.nextShortRun(records, (int) Math.min(room, records.length)) : 0;
                if (run > 0) {
                    for (int k = 0; k < run; k++) {
                        bytes += records[k] >>> 2;
                    }
                    to += run;
                    continue;
                }
                if (!cursor.next()) {
                    throw new IllegalStateException("index ends before element " + to);
                }
                bytes += cursor.end() - cursor.start();
                to++;
            }
            from = to;
            return to;
        }
    }

    /** The task boundaries {@link #run} uses (tests: the same with and without skipping by checkpoints). */
    List<Long> taskCuts(long byteLimit, boolean skipByCheckpoints) {
        TaskCutter cutter = new TaskCutter(array.size(), byteLimit, skipByCheckpoints);
        List<Long> cuts = new ArrayList<>();
        while (cutter.hasNext()) {
            cuts.add(cutter.next());
        }
        return cuts;
    }

    /**
     * A task's chunks as the sink takes them: the roots, or (for a sink that {@link
     * ChunkSink#encodesInWorkers encodes in the workers}) their encodings, the roots already freed.
     */
    private record Ready(List<VectorSchemaRoot> roots, List<ChunkSink.Encoded> encoded) implements AutoCloseable {
        @Override
        public void close() {
            roots.forEach(VectorSchemaRoot::close);
            encoded.forEach(ChunkSink.Encoded::close);
        }
    }

    /**
     * Runs on the worker after {@link #convertRange}: a sink that encodes in the workers gets each
     * chunk now, and the chunk's vectors are freed as soon as it is encoded, so only the (smaller)
     * encodings wait for the writer.
     */
    private static Ready ready(List<VectorSchemaRoot> roots, ChunkSink sink) throws IOException {
        if (!sink.encodesInWorkers()) {
            return new Ready(roots, List.of());
        }
        List<ChunkSink.Encoded> encoded = new ArrayList<>();
        try {
            for (int k = 0; k < roots.size(); k++) {
                encoded.add(sink.encode(roots.get(k)));
                roots.get(k).close();
            }
            return new Ready(List.of(), encoded);
        } catch (IOException | RuntimeException | Error e) {
            encoded.forEach(ChunkSink.Encoded::close);
            throw e;
        } finally {
            roots.forEach(VectorSchemaRoot::close);
        }
    }

    private static Ready take(Future<Ready> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException) {
                throw (IOException) c;
            }
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw new IOException(c);
        }
    }

    /** Releases the chunks of a task abandoned after a failure (waits for it: buffers must not leak). */
    private static void closeWhenDone(Future<Ready> f) {
        try {
            f.get().close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            // The task failed: it closed its own roots.
        }
    }

    /** Converts elements {@code [from, to)} into one or more filled roots (caller-owned). */
    List<VectorSchemaRoot> convertRange(long from, long to) throws IOException {
        List<VectorSchemaRoot> out = new ArrayList<>();
        try {
            if (mode == Mode.STR_SPANS) {
                strRange(from, to, out);
            } else if (ndFastPath()) {
                ndRange(from, to, out);
            } else if (typedFastPath()) {
                typedRange(from, to, out);
            } else {
                elementRange(from, to, out);
            }
            return out;
        } catch (IOException | RuntimeException | Error e) {
            out.forEach(VectorSchemaRoot::close);
            throw e;
        }
    }

    private VectorSchemaRoot newRoot(List<VectorSchemaRoot> out) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        out.add(root);
        root.getVector(0).allocateNew();
        return root;
    }

    private void elementRange(long from, long to, List<VectorSchemaRoot> out) {
        ElementChecks checks = new ElementChecks();
        Iterator<Object> it = array.iterator(from, to);
        VectorSchemaRoot root = newRoot(out);
        ValueWriter writer = writerFor(root.getVector(0));
        int n = 0;
        long i = from;
        while (it.hasNext()) {
            Object element = it.next();
            checks.write(writer, n, element, i);
            n++;
            i++;
            if (n % BYTE_CHECK_EVERY == 0 && bufferBytes(root, n) > options.maxChunkBytes() && it.hasNext()) {
                root.setRowCount(n);
                root = newRoot(out);
                writer = writerFor(root.getVector(0));
                n = 0;
            }
        }
        root.setRowCount(n);
        checks.finish(from, to);
    }

    /**
     * Whether the column is {@code list<int*|uint*|float*>} and the sample holds only 1-D ndarrays
     * (or None): then {@link NdSpans} copies payloads straight from the file. Lists of Python numbers
     * have the same type but would all miss the fast path and be evaluated one by one by random
     * access, which is slower than the streaming iterator, hence the sample test.
     */
    private boolean ndFastPath() {
        if (!fastPaths || mode != Mode.TYPED || sample == null || sample.isEmpty()) {
            return false;
        }
        Field column = schema.getFields().get(0);
        if (!(column.getType() instanceof ArrowType.List) || !NdSpans.supports(column.getChildren().get(0))) {
            return false;
        }
        boolean any = false;
        for (Object e : sample) {
            if (e != null && !(e instanceof NdArray && ((NdArray) e).ndim() == 1)) {
                return false;
            }
            any |= e != null;
        }
        return any;
    }

    /**
     * 1-D numeric ndarrays through {@link NdSpans}. Those need no type check: {@link NdSpans}
     * accepts only arrays whose dtype is exactly the column's item type, and such an array joins to
     * the column's type.
     */
    private void ndRange(long from, long to, List<VectorSchemaRoot> out) throws IOException {
        Field item = schema.getFields().get(0).getChildren().get(0);
        int itemWidth = NdSpans.width(item);
        // The items' bytes cannot exceed the task's pickle bytes (read from the index) nor the chunk
        // bound: sizing the child buffer once spares the doubling re-allocations and their copies.
        long estimate = Math.min(pickleBytes(from, to), options.maxChunkBytes()) / itemWidth + 1;
        int itemCapacity = (int) Math.min(estimate, Integer.MAX_VALUE / 16);
        try (NdSpans spans = new NdSpans(array, item, from, to)) {
            spanRange(from, to, out, spans,
                    column -> NdSpans.presize((BaseFixedWidthVector) ((ListVector) column).getDataVector(), itemCapacity));
            ndFastElements.addAndGet(spans.fastCount());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Whether {@link TypedSpans} can decode this column's elements from their opcodes: a typed
     * column made only of structs, lists, string, binary, int64, double, bool and null (the
     * shapes of dicts, lists, str, ints, floats), over a plain object array whose index lists
     * every shared memo entry.
     */
    private boolean typedFastPath() {
        return fastPaths && mode == Mode.TYPED && VectorTarget.supports(schema.getFields().get(0))
                && TypedSpans.supports(array);
    }

    private void typedRange(long from, long to, List<VectorSchemaRoot> out) throws IOException {
        try (TypedSpans spans = new TypedSpans(array, from, to)) {
            spanRange(from, to, out, spans, column -> { });
            typedFastElements.addAndGet(spans.fastCount());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Like {@link #elementRange} (same chunk boundaries, same speculative checks for every element
     * that is evaluated), but the elements {@code spans} takes are written straight from the file
     * without evaluation; it takes only values that join to the column's type, so they need no
     * type check. When most of a task's spans miss the fast path, the rest of the task goes
     * through the streaming iterator. {@code prepare} sizes each new chunk's vectors.
     */
    private void spanRange(long from, long to, List<VectorSchemaRoot> out, FastSpans spans,
                           java.util.function.Consumer<FieldVector> prepare) throws IOException {
        ElementChecks checks = new ElementChecks();
        VectorSchemaRoot root = newRoot(out);
        FieldVector column = root.getVector(0);
        prepare.accept(column);
        ValueWriter writer = writerFor(column);
        int n = 0;
        long i = from;
        boolean split = false;
        Iterator<Object> rest = null;
        while (true) {
            Object element = null;
            int got;
            if (rest == null && i - from >= BYTE_CHECK_EVERY && spans.slowCount() * 2 > i - from) {
                // The spans mostly miss the fast path: stream the rest of the task instead.
                rest = array.iterator(i, to);
            }
            if (rest != null) {
                got = rest.hasNext() ? FastSpans.SLOW : FastSpans.END;
            } else {
                got = spans.peek();
            }
            if (got == FastSpans.END) {
                break;
            }
            if (split) {
                // Cut only when another element follows, as elementRange does.
                root.setRowCount(n);
                root = newRoot(out);
                column = root.getVector(0);
                prepare.accept(column);
                writer = writerFor(column);
                n = 0;
                split = false;
            }
            if (rest != null) {
                element = rest.next();
            } else {
                got = spans.next(column, n);
                element = spans.slowElement();
            }
            if (got == FastSpans.SLOW) {
                checks.write(writer, n, element, i);
            }
            n++;
            i++;
            if (n % BYTE_CHECK_EVERY == 0 && bufferBytes(root, n) > options.maxChunkBytes()) {
                split = true;
            }
        }
        root.setRowCount(n);
        checks.finish(from, to);
    }

    /** Pickle bytes of elements {@code [from, to)}, from the index's span lengths. */
    private long pickleBytes(long from, long to) {
        SpanCursor c = array.index().cursorNear(from);
        long bytes = 0;
        while (c.next() && c.index() < to) {
            if (c.index() >= from) {
                bytes += c.end() - c.start();
            }
        }
        return bytes;
    }

    private ValueWriter writerFor(FieldVector vector) {
        switch (mode) {
            case JSON: return ValueWriter.json((VarCharVector) vector);
            case PICKLE: return ValueWriter.pickle((VarBinaryVector) vector);
            default: return ValueWriter.of(vector);
        }
    }

    private void strRange(long from, long to, List<VectorSchemaRoot> out) throws IOException {
        VectorSchemaRoot root = newRoot(out);
        VarCharVector vector = (VarCharVector) root.getVector(0);
        int n = 0;
        try (StrSpans spans = new StrSpans(array, vector, from, to)) {
            int written;
            // Runs end at multiples of BYTE_CHECK_EVERY rows, so chunks are cut where single appends cut them.
            while ((written = spans.writeRun(vector, n, BYTE_CHECK_EVERY - n % BYTE_CHECK_EVERY)) > 0) {
                n += written;
                if (n % BYTE_CHECK_EVERY == 0 && bufferBytes(root, n) > options.maxChunkBytes()) {
                    root.setRowCount(n);
                    root = newRoot(out);
                    vector = (VarCharVector) root.getVector(0);
                    spans.retarget(vector);
                    n = 0;
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        root.setRowCount(n);
        if (n == 0 && out.size() > 1) {
            out.remove(out.size() - 1).close();
        }
    }

    private static long bufferBytes(VectorSchemaRoot root, int rows) {
        root.setRowCount(rows);
        long total = 0;
        for (FieldVector v : root.getFieldVectors()) {
            total += v.getBufferSize();
        }
        return total;
    }

    /**
     * What every element of a task passes before and after it is written: the expansion guard, and
     * (when the column type was guessed from the sample) the check that the task's elements join
     * with the sample to exactly that type. One per task; not thread-safe.
     */
    private final class ElementChecks {
        private final ExpansionGuard guard = new ExpansionGuard();
        private final TypeInferrer verifier;

        ElementChecks() {
            verifier = sample == null ? null : new TypeInferrer();
            if (verifier != null) {
                for (int i = 0; i < sample.size(); i++) {
                    verifier.accept(sample.get(i), i);
                }
            }
        }

        /** Guards, checks and writes element {@code i} at row {@code n}. */
        void write(ValueWriter writer, int n, Object element, long i) {
            guard.check(element, i);
            if (verifier != null) {
                verifier.accept(element, i);
            }
            try {
                writer.write(n, element);
            } catch (RuntimeException e) {
                if (verifier == null) {
                    throw e;
                }
                // The speculative type does not fit this element; inference over every element decides.
                throw new SpeculationFailed("element " + i + " does not fit the sampled type", e);
            }
        }

        /** After the task's last element: the joined type must be the guessed one. */
        void finish(long from, long to) {
            if (verifier == null) {
                return;
            }
            Field column = schema.getFields().get(0);
            Field seen;
            try {
                seen = verifier.field(column.getName());
            } catch (MixedTypesException e) {
                throw new SpeculationFailed("elements [" + from + ", " + to + ") are mixed", e);
            }
            if (!seen.equals(column)) {
                throw new SpeculationFailed("elements [" + from + ", " + to + ") are " + seen + ", not " + column, null);
            }
        }
    }
}
