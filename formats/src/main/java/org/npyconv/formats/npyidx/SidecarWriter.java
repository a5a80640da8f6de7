package org.npyconv.formats.npyidx;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.npyconv.formats.Durability;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.ReplacingFile;

/**
 * Writes a {@code .npyidx} sidecar (docs/npyidx.md) push-style: {@link #elements} once per batch
 * of elements, in order, while the pickle is scanned, then {@link #finish} with everything learned at the end.
 *
 * <p>All output goes to a temporary file beside the target ({@code NAME.tmp-XXXX}); {@link #finish}
 * renames it over the target atomically (not forced to the disk: docs/npyidx.md), so readers see the old index or the new one,
 * never a partial file. {@link #close()} without {@code finish} deletes the temporary files. Span
 * records and checkpoints stream to disk, so memory does not grow with the element count.
 * Not thread-safe.
 */
public final class SidecarWriter implements Closeable {
    private final Path target;
    private final Path temp;
    private final Path checkpointTemp;
    private final FileChannel out;
    private final FileChannel checkpoints;
    private final SectionOutput spans;
    private final SectionOutput checkpointOut;
    private final int interval;
    private final List<long[]> directory = new ArrayList<>();
    private long count;
    /** Elements until the next checkpoint is due; 1 means the next element gets one. */
    private int untilCheckpoint = 1;
    private long previousEnd;
    private boolean finished;

    private SidecarWriter(Path target, int interval) throws IOException {
        if (interval < 1) {
            throw new IllegalArgumentException("checkpoint interval must be at least 1: " + interval);
        }
        this.target = target;
        this.interval = interval;
        try {
            this.temp = ReplacingFile.createTemp(target, "");
        } catch (NpyconvException cannotWrite) {
            if (cannotWrite.getCause() instanceof java.nio.file.NoSuchFileException
                    || cannotWrite.getCause() instanceof java.nio.file.NotDirectoryException) {
                throw cannotWrite; // a mistyped --index: the message says so
            }
            // Typically data on a read-only mount or in someone else's directory: its sidecar must live elsewhere.
            throw new NpyconvException(cannotWrite.reason() + " (put the index elsewhere with --index P)", cannotWrite);
        }
        this.checkpointTemp = ReplacingFile.createTemp(target, ".ckpt");
        FileChannel o = null;
        try {
            o = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            this.checkpoints = FileChannel.open(checkpointTemp, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException | RuntimeException e) {
            if (o != null) {
                o.close();
            }
            ReplacingFile.discard(temp);
            ReplacingFile.discard(checkpointTemp);
            throw e;
        }
        this.out = o;
        ByteBuffer header = ByteBuffer.wrap(fileHeader());
        while (header.hasRemaining()) {
            out.write(header);
        }
        this.spans = new SectionOutput(out);
        this.checkpointOut = new SectionOutput(checkpoints);
    }

    static byte[] fileHeader() {
        ByteBuffer header = ByteBuffer.allocate(SidecarLayout.FILE_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        header.put(SidecarLayout.MAGIC).putShort((short) SidecarLayout.MAJOR).putShort((short) SidecarLayout.MINOR).putInt(0);
        return header.array();
    }

    /** Starts writing the sidecar that will replace {@code target} on {@link #finish}. */
    public static SidecarWriter create(Path target, int checkpointInterval) throws IOException {
        return new SidecarWriter(target, checkpointInterval);
    }

    /**
     * Records the spans of a batch of consecutive elements (batches must come in order): element
     * {@code i} of {@code [from, to)} spans {@code [starts[i], starts[i + 1])} with memo counters
     * {@code memoStarts[i]} to {@code memoStarts[i + 1]}; the last one ends at {@code end} with
     * {@code memoEnd}. The arrays are only read during the call.
     */
    public void elements(long[] starts, long[] memoStarts, int from, int to, long end, long memoEnd) throws IOException {
        // State in locals for the loop: a file of short strs records ten million spans, and the
        // field loads and stores around each were a good part of the cost. A checkpoint every
        // interval elements is a countdown, not count % interval: a 64-bit division per element
        // was a tenth of the scan.
        final int last = to - 1;
        final SectionOutput out = spans;
        long n = count;
        long prevEnd = previousEnd;
        int until = untilCheckpoint;
        for (int i = from; i <= last; i++) {
            final long start = starts[i];
            final long memoStart = memoStarts[i];
            final long stop = i < last ? starts[i + 1] : end;
            final long memoStop = i < last ? memoStarts[i + 1] : memoEnd;
            if (--until == 0) {
                checkpointOut.u64(start).u64(memoStart).u64(out.length());
                until = interval;
            }
            final long gap = n == 0 ? 0 : start - prevEnd;
            final long memoDelta = memoStop - memoStart;
            final long length = stop - start;
            if (gap < 0 || memoDelta < 0 || length <= 0) {
                throw new IllegalArgumentException("element " + n + " span out of order: [" + start + ", " + stop + ")");
            }
            if (gap == 0 && memoDelta <= 1) {
                out.varint(length << 2 | (memoDelta == 0 ? SidecarLayout.TAG_PLAIN : SidecarLayout.TAG_ONE_MEMO));
            } else if (gap == 0) {
                out.varint(length << 2 | SidecarLayout.TAG_MEMO).varint(memoDelta);
            } else {
                out.varint(length << 2 | SidecarLayout.TAG_GAP_MEMO).varint(gap).varint(memoDelta);
            }
            prevEnd = stop;
            n++;
        }
        // (A failure above abandons the writer: the fields need not follow it.)
        count = n;
        previousEnd = prevEnd;
        untilCheckpoint = until;
    }

    /** Elements recorded so far. */
    public long elementCount() {
        return count;
    }

    /**
     * Writes the remaining sections, the directory and the footer, and renames the file
     * over the target.
     *
     * @param retainedIndices memo entries referenced inside the element list, ascending
     * @param retainedLastUse for each, an upper bound of the last element that references it
     * @param retainedComplete false when the indexer stopped recording (the list is then a subset)
     */
    public void finish(SourceFingerprint source, int headerMajor, int headerMinor, String headerText,
                       PickleFacts facts, List<KindCount> kinds, List<GlobalUse> globals,
                       long[] retainedIndices, long[] retainedLastUse, boolean retainedComplete) throws IOException {
        if (facts.elementCount() != count || facts.checkpointInterval() != interval) {
            throw new IllegalArgumentException("facts disagree with the recorded elements");
        }
        addSection(SidecarLayout.SPAN, spans);
        appendCheckpoints();

        SectionOutput s = new SectionOutput(out);
        s.u64(source.size()).u64(source.mtimeNanos()).u64(source.pickleOffset()).u64(source.pickleEnd())
                .u32(source.headerCrc32c() & 0xffffffffL).u32(source.pickleCrc32c() & 0xffffffffL).string(source.fileName());
        addSection(SidecarLayout.SRCE, s);

        s = new SectionOutput(out);
        s.u16(headerMajor).u16(headerMinor).string(headerText);
        addSection(SidecarLayout.HEAD, s);

        s = new SectionOutput(out);
        s.u32(facts.protocol()).u32(facts.checkpointInterval()).u64(facts.elementCount()).u64(facts.preambleEnd())
                .u64(facts.preambleMemo()).u64(facts.stopOffset()).u64(facts.finalMemo());
        addSection(SidecarLayout.PICK, s);

        s = new SectionOutput(out);
        s.u32(kinds.size());
        for (KindCount k : kinds) {
            s.u32(k.kind().ordinal()).u64(k.detail()).u64(k.count()).u64(k.firstElement());
        }
        addSection(SidecarLayout.KIND, s);

        s = new SectionOutput(out);
        s.u32(globals.size());
        for (GlobalUse g : globals) {
            s.string(g.module()).string(g.name()).u64(g.uses()).u64(g.firstOffset());
        }
        addSection(SidecarLayout.GLBL, s);

        s = new SectionOutput(out);
        s.u32(retainedComplete ? 1 : 0).u64(retainedIndices.length);
        for (int i = 0; i < retainedIndices.length; i++) {
            s.u64(retainedIndices[i]).u64(retainedLastUse[i]);
        }
        addSection(SidecarLayout.MEMO, s);

        writeDirectoryAndFooter();
        // Not forced to the disk: a sidecar is derived data whose every section is CRC-checked and
        // bound to its source, so one torn by a power loss is detected and rebuilt (docs/npyidx.md).
        out.close();
        ReplacingFile.moveIntoPlace(temp, target, Durability.RENAME);
        finished = true;
    }

    private void addSection(int tag, SectionOutput section) throws IOException {
        int crc = section.finish();
        directory.add(new long[] {tag, crc, section.start(), section.length()});
    }

    private void appendCheckpoints() throws IOException {
        int crc = checkpointOut.finish();
        long start = out.position();
        long length = checkpointOut.length();
        long copied = 0;
        while (copied < length) {
            copied += checkpoints.transferTo(copied, length - copied, out);
        }
        out.position(start + length);
        directory.add(new long[] {SidecarLayout.CKPT, crc, start, length});
    }

    private void writeDirectoryAndFooter() throws IOException {
        long dirOffset = out.position();
        ByteBuffer dir = ByteBuffer.allocate(4 + directory.size() * SidecarLayout.DIRECTORY_ENTRY_SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        dir.putInt(directory.size());
        for (long[] e : directory) {
            dir.putInt((int) e[0]).putInt((int) e[1]).putLong(e[2]).putLong(e[3]).putInt(0);
        }
        dir.flip();
        // The footer's checksum covers the file header too, so no byte of the file goes unchecked.
        CRC32C crc = new CRC32C();
        crc.update(fileHeader());
        crc.update(dir.array(), 0, dir.limit());
        int dirLength = dir.limit();
        while (dir.hasRemaining()) {
            out.write(dir);
        }
        ByteBuffer footer = ByteBuffer.allocate(SidecarLayout.FOOTER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        footer.putLong(dirOffset).putInt(dirLength).putInt((int) crc.getValue()).put(SidecarLayout.END_MAGIC);
        footer.flip();
        while (footer.hasRemaining()) {
            out.write(footer);
        }
    }

    /** Deletes the temporary files unless {@link #finish} succeeded. */
    @Override
    public void close() throws IOException {
        try {
            if (out.isOpen()) {
                out.close();
            }
            checkpoints.close();
        } finally {
            ReplacingFile.discard(checkpointTemp);
            if (!finished) {
                ReplacingFile.discard(temp);
            }
        }
    }
}
