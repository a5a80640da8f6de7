package org.npyconv.indexer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.MappedReads;
import org.npyconv.formats.ReplacingFile;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.npyidx.PickleFacts;
import org.npyconv.formats.npyidx.SidecarWriter;
import org.npyconv.formats.npyidx.SourceFingerprint;
import org.npyconv.formats.pickle.PickleReader;

/**
 * Builds the {@code .npyidx} sidecar of an object {@code .npy} in one sequential pass
 * (docs/indexer.md). The scan computes the CRC32C of the pickle bytes from its own copies of them
 * ({@link PickleReader#digest}), and a second thread records the spans it finds ({@link SpanHandoff}).
 * Memory is flat: spans and checkpoints stream to disk.
 */
public final class Indexer {
    /** Default elements between checkpoints (docs/npyidx.md explains the trade-off). */
    public static final int DEFAULT_CHECKPOINT_INTERVAL = 1024;

    private static final int SCAN_WINDOW = 1 << 20;
    private static final int CHECKSUM_CHUNK = 1 << 20;
    private static final long PROGRESS_EVERY_BYTES = 32L << 20;

    /** Told about progress now and then; called on the indexing thread. */
    @FunctionalInterface
    public interface Progress {
        void update(long bytesDone, long bytesTotal, long elements);

        Progress NONE = (done, total, elements) -> { };
    }

    /** What a finished index run did. */
    public record Result(Path index, long elements, long fileBytes, long indexBytes, long nanos) {
    }

    /**
     * Which scan paths a build may take, and what the fused ones read: tests build each file both
     * ways and compare the sidecars byte for byte, and check that the fast path was taken.
     */
    static final class ScanPaths {
        static final ScanPaths DEFAULT = new ScanPaths(true, SpanHandoff.BLOCK);

        final boolean fused;
        /** Elements per block handed to the recording thread ({@link SpanHandoff}); 0: spans are recorded on the scanning thread. */
        final int handoffBlock;
        /** Bytes of the scan's read window. */
        final int window;
        /** Strs read by the fused paths, str runs and the element loop (set when {@link #fused} and a build used this instance). */
        long fusedStrs;
        /** Elements appended by the fused element loop (set when {@link #fused} and a build used this instance). */
        long fusedElements;
        /** Elements recorded through the {@link SpanHandoff} (set when a build used this instance). */
        long handedOff;

        ScanPaths(boolean fused) {
            this(fused, SpanHandoff.BLOCK);
        }

        ScanPaths(boolean fused, int handoffBlock) {
            this(fused, handoffBlock, SCAN_WINDOW);
        }

        /** {@code window}: the reader's window in bytes; tests use tiny ones so that fused runs end at its edge everywhere. */
        ScanPaths(boolean fused, int handoffBlock, int window) {
            this.fused = fused;
            this.handoffBlock = handoffBlock;
            this.window = window;
        }
    }

    private Indexer() {}

    /** The sidecar path for {@code file}: the file name with {@code .npyidx} appended. */
    public static Path sidecarPath(Path file) {
        return file.resolveSibling(file.getFileName() + ".npyidx");
    }

    /** Indexes {@code file} into {@code index} (replacing it atomically). */
    public static Result build(Path file, Path index, int checkpointInterval, Progress progress) throws IOException {
        return build(file, index, checkpointInterval, progress, ScanPaths.DEFAULT);
    }

    static Result build(Path file, Path index, int checkpointInterval, Progress progress, ScanPaths paths)
            throws IOException {
        if (checkpointInterval < 1) {
            throw new IllegalArgumentException("checkpoint interval must be at least 1");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long mtime = Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS);
            return build(channel, file, mtime, file.getFileName().toString(), index, checkpointInterval, progress,
                    paths);
        }
    }

    /**
     * Indexes the {@code .npy} bytes of {@code channel} (borrowed; positions 0 to {@code size()}),
     * for instance a member of an {@code .npz} seen through a channel view. {@code file} names the
     * input in messages; {@code mtimeNanos} and {@code sourceName} go into the fingerprint.
     */
    public static Result build(FileChannel channel, Path file, long mtimeNanos, String sourceName, Path index,
            int checkpointInterval, Progress progress) throws IOException {
        return build(channel, file, mtimeNanos, sourceName, index, checkpointInterval, progress, ScanPaths.DEFAULT);
    }

    private static Result build(FileChannel channel, Path file, long mtimeNanos, String sourceName, Path index,
            int checkpointInterval, Progress progress, ScanPaths paths) throws IOException {
        if (checkpointInterval < 1) {
            throw new IllegalArgumentException("checkpoint interval must be at least 1");
        }
        ReplacingFile.requireDistinct(file, index, "index");
        long began = System.nanoTime();
        NpyHeader header = NpyHeader.read(channel, file);
        if (!header.isObject()) {
            throw new UnsupportedInputException("not an object array (descr " + header.descr()
                    + "): its elements are read directly, no index is needed", file, -1, null);
        }
        long size = channel.size();
        CRC32C pickleCrc = new CRC32C();
        KindTally kinds = new KindTally();
        try (SidecarWriter writer = SidecarWriter.create(index, checkpointInterval);
             PickleReader reader = new PickleReader(channel, header.dataOffset(), size, file, paths.window);
             SpanHandoff handoff = paths.handoffBlock > 0 ? new SpanHandoff(writer, kinds, paths.handoffBlock) : null) {
            // The pickle's checksum comes from the scan's own copies of the bytes: a second pass
            // over the file (its own mapping, copies and page faults) cost a ragged_f4.npy index
            // a sixth of its CPU time.
            reader.digest(pickleCrc);
            CrossReferences references = new CrossReferences();
            long[] preamble = {-1, -1};
            ElementScanner scanner = new ElementScanner(reader, channel, file, new ElementScanner.Listener() {
                private long nextReport = PROGRESS_EVERY_BYTES;
                private long elements;
                private final boolean[] detailCounted = ElementScanner.detailCounted();

                @Override
                public void elements(long[] start, long[] memoStart, byte[] kind, long[] detail, int from, int to,
                        long end, long memoEnd) {
                    long n = elements;
                    if (n == 0) {
                        preamble[0] = start[from];
                        preamble[1] = memoStart[from];
                    }
                    try {
                        if (handoff != null) {
                            handoff.elements(start, memoStart, kind, detail, from, to, end, memoEnd);
                        } else {
                            writer.elements(start, memoStart, from, to, end, memoEnd);
                            kinds.addAll(kind, detail, detailCounted, from, to, n);
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    elements = n + to - from;
                    if (end >= nextReport) {
                        progress.update(end, size, elements);
                        nextReport = end + PROGRESS_EVERY_BYTES;
                    }
                }

                @Override
                public void memoReference(long memoIndex, long elementBound) {
                    references.reference(memoIndex, elementBound);
                }

                @Override
                public void memoReferences(long[] memoIndex, long[] elementBound, int n) {
                    references.referenceAll(memoIndex, elementBound, n);
                }
            }, paths.fused);
            try {
                scanner.run();
                reader.digestRest();
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            if (handoff != null) {
                handoff.finish();
            }
            if (paths != ScanPaths.DEFAULT) {
                paths.fusedStrs += scanner.fusedStrs();
                paths.fusedElements += scanner.fusedElements();
                paths.handedOff += handoff == null ? 0 : handoff.recorded();
            }
            long count = scanner.elementCount();
            if (count != header.count()) {
                throw new CorruptInputException("the header's shape " + shapeText(header.shape()) + " holds "
                        + header.count() + " elements but the pickle's list holds " + count,
                        file, scanner.stopOffset(), "STOP");
            }
            if (count == 0) {
                preamble[0] = scanner.stopOffset();
                preamble[1] = scanner.memoCounter();
            }
            SourceFingerprint fingerprint = new SourceFingerprint(size, mtimeNanos, header.dataOffset(), size,
                    headerCrc(channel, header.dataOffset()), (int) pickleCrc.getValue(), sourceName);
            PickleFacts facts = new PickleFacts(reader.protocol(), checkpointInterval, count, preamble[0],
                    preamble[1], scanner.stopOffset(), scanner.memoCounter());
            long[][] retained = references.sorted();
            writer.finish(fingerprint, header.majorVersion(), header.minorVersion(), headerText(channel, header),
                    facts, kinds.counts(), scanner.globals().uses(), retained[0], retained[1], references.complete());
            progress.update(size, size, count);
            return new Result(index, count, size, Files.size(index), System.nanoTime() - began);
        }
    }

    /** CRC32C of the header bytes {@code [0, dataOffset)} (a few hundred bytes in practice), from a heap copy. */
    private static int headerCrc(FileChannel channel, long dataOffset) throws IOException {
        try (MappedReads input = MappedReads.positional(channel)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHECKSUM_CHUNK, Math.max(1, dataOffset)));
            return crc(input, 0, dataOffset, buffer, new AtomicBoolean());
        }
    }

    /**
     * CRC32C of the bytes {@code [from, to)}, copied out of {@code input} (never a CRC over a
     * mapping: a file truncated meanwhile must fail a copy, an IOException, not the CRC intrinsic,
     * a JVM crash). Stops early once {@code cancelled} is set.
     */
    static int crc(MappedReads input, long from, long to, ByteBuffer buffer, AtomicBoolean cancelled) throws IOException {
        CRC32C crc = new CRC32C();
        long at = from;
        while (at < to && !cancelled.get()) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), to - at));
            int n = input.read(buffer, at);
            if (n < 0) {
                throw new IOException("file shrank while being read");
            }
            buffer.flip();
            crc.update(buffer);
            at += n;
        }
        return (int) crc.getValue();
    }

    /** The header dict's text, kept in the sidecar so {@code verify} can say what changed. */
    private static String headerText(FileChannel channel, NpyHeader header) throws IOException {
        int textStart = header.majorVersion() == 1 ? 10 : 12;
        int length = (int) (header.dataOffset() - textStart);
        ByteBuffer b = ByteBuffer.allocate(Math.max(0, length));
        while (b.hasRemaining() && channel.read(b, textStart + b.position()) >= 0) {
            // positional reads until full
        }
        return new String(b.array(), 0, b.position(), header.majorVersion() >= 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1).strip();
    }

    static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
