package org.npyconv.formats.npyidx;

import java.io.Closeable;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;

/**
 * A {@code .npyidx} sidecar opened for reading (docs/npyidx.md). Every section's CRC32C is checked
 * on open, so a damaged index is refused before anything trusts it. The index answers with spans
 * (offsets and memo counters); reading the pickle is the caller's job.
 *
 * <p>The file is memory-mapped; nothing proportional to the element count is copied onto the
 * heap. Thread-safe after {@link #open}: all accessors read from private buffer duplicates.
 */
public final class SidecarIndex implements Closeable {
    private final Path file;
    private final FileChannel channel;
    private final Map<Integer, ByteBuffer> sections = new HashMap<>();
    private ByteBuffer mapped;
    private final SourceFingerprint source;
    private final int headerMajor;
    private final int headerMinor;
    private final String headerText;
    private final PickleFacts pickle;
    private final List<KindCount> kinds;
    private final List<GlobalUse> globals;
    private final boolean retainedComplete;
    private final long retainedCount;
    private final long checkpointCount;

    private SidecarIndex(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        readLayout();
        try {
            ByteBuffer s = section(SidecarLayout.SRCE);
            source = new SourceFingerprint(s.getLong(), s.getLong(), s.getLong(), s.getLong(), s.getInt(), s.getInt(), string(s));
            ByteBuffer h = section(SidecarLayout.HEAD);
            headerMajor = Short.toUnsignedInt(h.getShort());
            headerMinor = Short.toUnsignedInt(h.getShort());
            headerText = string(h);
            ByteBuffer p = section(SidecarLayout.PICK);
            pickle = new PickleFacts(p.getInt(), p.getInt(), p.getLong(), p.getLong(), p.getLong(), p.getLong(), p.getLong());
            if (pickle.checkpointInterval() < 1 || pickle.elementCount() < 0) {
                throw damaged("bad PICK section");
            }
            ByteBuffer k = section(SidecarLayout.KIND);
            int nk = k.getInt();
            List<KindCount> kindList = new ArrayList<>();
            for (int i = 0; i < nk; i++) {
                kindList.add(new KindCount(ElementKind.ofOrdinal(k.getInt()), k.getLong(), k.getLong(), k.getLong()));
            }
            kinds = List.copyOf(kindList);
            ByteBuffer g = section(SidecarLayout.GLBL);
            int ng = g.getInt();
            List<GlobalUse> globalList = new ArrayList<>();
            for (int i = 0; i < ng; i++) {
                globalList.add(new GlobalUse(string(g), string(g), g.getLong(), g.getLong()));
            }
            globals = List.copyOf(globalList);
            ByteBuffer m = section(SidecarLayout.MEMO);
            retainedComplete = m.getInt() != 0;
            retainedCount = m.getLong();
            if (retainedCount < 0 || retainedCount * 16 != m.remaining()) {
                throw damaged("bad MEMO section");
            }
            long expectedCheckpoints = (pickle.elementCount() + pickle.checkpointInterval() - 1) / pickle.checkpointInterval();
            checkpointCount = section(SidecarLayout.CKPT).remaining() / SidecarLayout.CHECKPOINT_SIZE;
            if (checkpointCount != expectedCheckpoints
                    || section(SidecarLayout.CKPT).remaining() % SidecarLayout.CHECKPOINT_SIZE != 0) {
                throw damaged("checkpoint table has " + checkpointCount + " entries, expected " + expectedCheckpoints);
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw damaged("a section is shorter than its content");
        }
    }

    /** Opens and checks a sidecar; {@link CorruptInputException} (construct {@code npyidx}) if it is damaged. */
    public static SidecarIndex open(Path indexFile) throws IOException {
        FileChannel channel = FileChannel.open(indexFile, StandardOpenOption.READ);
        try {
            return new SidecarIndex(indexFile, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens and checks a sidecar held in {@code channel} (positions 0 to {@code size()}), such as
     * one embedded in an archive index; takes ownership of the channel.
     *
     * @param name what {@link #file()} returns and messages name
     */
    public static SidecarIndex open(FileChannel channel, Path name) throws IOException {
        try {
            return new SidecarIndex(name, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    public SourceFingerprint source() {
        return source;
    }

    public int headerMajor() {
        return headerMajor;
    }

    public int headerMinor() {
        return headerMinor;
    }

    /** The .npy header's dict text as the indexed file had it. */
    public String headerText() {
        return headerText;
    }

    public PickleFacts pickle() {
        return pickle;
    }

    public long elementCount() {
        return pickle.elementCount();
    }

    public List<KindCount> kinds() {
        return kinds;
    }

    public List<GlobalUse> globals() {
        return globals;
    }

    /** Bytes of the sidecar file. */
    public long size() throws IOException {
        return channel.size();
    }

    /** A cursor positioned before the checkpoint at or below {@code element}; {@code next()} reaches it in at most interval-1 further steps. */
    public SpanCursor cursorNear(long element) {
        if (element < 0 || element >= pickle.elementCount()) {
            throw new IndexOutOfBoundsException("element " + element + " of " + pickle.elementCount());
        }
        long k = element / pickle.checkpointInterval();
        ByteBuffer c = section(SidecarLayout.CKPT);
        int at = Math.toIntExact(k * SidecarLayout.CHECKPOINT_SIZE);
        long start = c.getLong(at);
        long memo = c.getLong(at + 8);
        long record = c.getLong(at + 16);
        return new SpanCursor(section(SidecarLayout.SPAN), pickle.elementCount(), k * pickle.checkpointInterval(),
                start, memo, Math.toIntExact(record));
    }

    /**
     * An upper bound of the bytes the spans of elements {@code [from, to)} take, from the checkpoint
     * table alone (no span record is read): they lie between the start of the checkpoint at or
     * below {@code from} and the start of the one at or after {@code to}, or the STOP opcode.
     */
    public long spanBytesAtMost(long from, long to) {
        if (from < 0 || to <= from || to > pickle.elementCount()) {
            throw new IndexOutOfBoundsException("elements [" + from + ", " + to + ") of " + pickle.elementCount());
        }
        long interval = pickle.checkpointInterval();
        long after = (to + interval - 1) / interval;
        long end = after < checkpointCount ? checkpointStart(after) : pickle.stopOffset();
        return end - checkpointStart(from / interval);
    }

    /** Where checkpoint {@code k}'s element ({@code k * checkpointInterval}) starts in the file. */
    private long checkpointStart(long k) {
        return section(SidecarLayout.CKPT).getLong(Math.toIntExact(k * SidecarLayout.CHECKPOINT_SIZE));
    }

    /** The span of element {@code i} (0-based, flat C order). */
    public ElementSpan span(long i) {
        SpanCursor cursor = cursorNear(i);
        while (cursor.next()) {
            if (cursor.index() == i) {
                return cursor.span();
            }
        }
        throw damaged("span records end before element " + i);
    }

    /**
     * The element whose span defines memo entry {@code memoIndex}, or -1 when it is defined in the
     * preamble or outside the element list. Binary search over checkpoints, then a walk.
     */
    public long definingElement(long memoIndex) {
        if (memoIndex < pickle.preambleMemo() || pickle.elementCount() == 0) {
            return -1;
        }
        ByteBuffer c = section(SidecarLayout.CKPT);
        long lo = 0;
        long hi = checkpointCount - 1;
        while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            if (c.getLong(Math.toIntExact(mid * SidecarLayout.CHECKPOINT_SIZE + 8)) <= memoIndex) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        SpanCursor cursor = cursorNear(lo * pickle.checkpointInterval());
        while (cursor.next()) {
            if (cursor.memoStart() > memoIndex) {
                return -1;
            }
            if (cursor.memoEnd() > memoIndex) {
                return cursor.index();
            }
        }
        return -1;
    }

    /** Whether the MEMO section lists every memo entry referenced inside the element list. */
    public boolean retainedComplete() {
        return retainedComplete;
    }

    public long retainedCount() {
        return retainedCount;
    }

    /**
     * An upper bound of the last element that refers to memo entry {@code memoIndex}, or -1 when
     * no element refers to it (only meaningful when {@link #retainedComplete()}).
     */
    public long retainedLastUse(long memoIndex) {
        ByteBuffer m = section(SidecarLayout.MEMO);
        int base = 12;
        long lo = 0;
        long hi = retainedCount - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            long key = m.getLong(Math.toIntExact(base + mid * 16));
            if (key < memoIndex) {
                lo = mid + 1;
            } else if (key > memoIndex) {
                hi = mid - 1;
            } else {
                return m.getLong(Math.toIntExact(base + mid * 16 + 8));
            }
        }
        return -1;
    }

    /**
     * The smallest memo index at or after {@code memoIndex} that some element refers to (listed in
     * the MEMO section), or {@code Long.MAX_VALUE} when there is none. Lets a sequential reader
     * walk the listed entries in order instead of asking {@link #retainedLastUse} about every
     * entry it stores.
     */
    public long retainedAtOrAfter(long memoIndex) {
        ByteBuffer m = section(SidecarLayout.MEMO);
        int base = 12;
        long lo = 0;
        long hi = retainedCount;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (m.getLong(Math.toIntExact(base + mid * 16)) < memoIndex) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < retainedCount ? m.getLong(Math.toIntExact(base + lo * 16)) : Long.MAX_VALUE;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    // ---- layout ------------------------------------------------------------------------------

    private void readLayout() throws IOException {
        ContainerDirectory directory = ContainerDirectory.read(channel, file, SidecarLayout.MAGIC, SidecarLayout.MAJOR,
                "index");
        long dirOffset = directory.sectionsEnd();
        for (ContainerDirectory.Entry e : directory.entries()) {
            int tag = e.tag();
            if (e.length() > Integer.MAX_VALUE) {
                throw new UnsupportedInputException("index section " + SidecarLayout.tagName(tag)
                        + " over 2 GiB", file, e.offset(), "npyidx");
            }
            ByteBuffer body = e.length() == 0 ? ByteBuffer.allocate(0) : sectionBytes(e.offset(), e.length(), dirOffset);
            body.order(ByteOrder.LITTLE_ENDIAN);
            if (ContainerDirectory.crc(body) != e.crc()) {
                throw damaged("section " + SidecarLayout.tagName(tag) + " checksum mismatch");
            }
            sections.put(tag, body);
        }
        for (int tag : new int[] {SidecarLayout.SPAN, SidecarLayout.CKPT, SidecarLayout.SRCE, SidecarLayout.HEAD,
                SidecarLayout.PICK, SidecarLayout.KIND, SidecarLayout.GLBL, SidecarLayout.MEMO}) {
            if (!sections.containsKey(tag)) {
                throw damaged("section " + SidecarLayout.tagName(tag) + " is missing");
            }
        }
    }

    /**
     * A section's bytes. The sections (everything before the directory) are mapped once, as one
     * region, and sliced: a mapping lives until the garbage collector frees it, and one per section
     * per open would exhaust the process's map count when many indexes are opened.
     */
    private ByteBuffer sectionBytes(long offset, long length, long sectionsEnd) throws IOException {
        if (mapped == null) {
            if (sectionsEnd > Integer.MAX_VALUE) {
                return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, sectionsEnd);
        }
        return mapped.slice((int) offset, (int) length);
    }

    private ByteBuffer section(int tag) {
        return sections.get(tag).duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private String string(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw damaged("string longer than its section");
        }
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private CorruptInputException damaged(String reason) {
        return new CorruptInputException(reason, file, -1, "npyidx");
    }
}
