package org.npyconv.converter.output;

import static org.npyconv.converter.output.LeafKind.BYTE;
import static org.npyconv.converter.output.LeafKind.BYTES;
import static org.npyconv.converter.output.LeafKind.DOUBLE;
import static org.npyconv.converter.output.LeafKind.FLOAT;
import static org.npyconv.converter.output.LeafKind.INT;
import static org.npyconv.converter.output.LeafKind.LONG;
import static org.npyconv.converter.output.LeafKind.SHORT;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.io.api.Binary;

/**
 * Parquet data pages of one column chunk encoded straight from an Arrow vector, for the column
 * shapes most object arrays have: a top-level {@code string}, {@code binary}, {@code int8..int64},
 * {@code float} or {@code double}, or a {@code list} of such numbers (ragged 1-D ndarrays). Levels
 * are written run by run ({@link LevelEncoder}: the same bytes parquet-java writes), PLAIN values
 * are copied from the vector's buffers in bulk, and min/max/null count come from plain loops; the
 * pages go to {@link ParquetFileWriter#writeDataPage} with their row counts, so the column index,
 * offset index and chunk statistics are parquet-java's. parquet-java's column writers, by
 * contrast, take every value through a virtual call, a dictionary attempt, a statistics update and
 * a size check.
 *
 * <p>Values, levels, statistics and page row boundaries follow the column writers' rules (pages of
 * at most {@value #PAGE_ROWS} rows, a page closed once it holds about a page size of values, pages
 * start at row boundaries). The difference is the encoding: always PLAIN. parquet-java (like
 * pyarrow) first tries a dictionary and falls back to PLAIN after the first page when the
 * dictionary does not make it smaller ({@code isCompressionSatisfying}); {@link #encode} applies
 * the same test to the first page's values ({@link #dictionaryPays}) and, when a dictionary would
 * be kept, returns {@code null}: that chunk goes through the column writers, which keep their
 * dictionary. The decision depends only on the chunk's values, never on threads. Not thread-safe:
 * one per encoding task.
 */
final class BulkPageEncoder {
    /** parquet-java's page row count limit ({@code ParquetProperties.DEFAULT_PAGE_ROW_COUNT_LIMIT}). */
    static final int PAGE_ROWS = 20_000;
    /** Value bytes after which a page is closed (parquet-java's default page size). */
    static final int PAGE_BYTES = ParquetProperties.DEFAULT_PAGE_SIZE;

    /** Page buffer kept between chunks: a few pages' worth; a bigger one (huge values) is dropped after its chunk. */
    private static final int KEEP_BYTES = PageBodies.ONE_CALL_BYTES;
    /** Room past the last string for {@link #strings}' whole-word copies of short values. */
    private static final int WORD_SLACK = 16;

    /** One finished data page: level entries, rows, uncompressed size, the (compressed) body, statistics. */
    record Page(int values, int rows, int uncompressed, BytesInput body, Statistics<?> stats) {
    }

    private final ColumnDescriptor column;
    private final boolean list;
    private final int kind;
    /** Bytes of one value in the Arrow vector, and in the PLAIN page (0 for strings). */
    private final int arrowWidth;
    private final int plainWidth;
    private final LevelEncoder rep;
    private final LevelEncoder def;
    private byte[] buf = new byte[1 << 16];
    private int size;
    /** Where each string value starts in {@link #buf} (its length prefix), for min/max and the dictionary test. */
    private int[] starts = new int[1024];
    /** A page's string offsets and bytes, copied from the Arrow buffers. */
    private int[] offs = new int[1024];
    private byte[] text = new byte[1 << 16];

    private BulkPageEncoder(ColumnDescriptor column, boolean list, int kind) {
        this.column = column;
        this.list = list;
        this.kind = kind;
        this.arrowWidth = switch (kind) {
            case DOUBLE, LONG -> 8;
            case FLOAT, INT -> 4;
            case SHORT -> 2;
            case BYTE -> 1;
            default -> 0;
        };
        this.plainWidth = kind == BYTES ? 0 : Math.max(4, arrowWidth);
        this.rep = list ? new LevelEncoder(column.getMaxRepetitionLevel()) : null;
        this.def = new LevelEncoder(column.getMaxDefinitionLevel());
    }

    /** Whether {@link #of} takes {@code field}: the shapes above, nothing nested deeper. */
    static boolean supports(Field field) {
        if (field.getType() instanceof ArrowType.List) {
            int k = LeafKind.of(field.getChildren().get(0).getType());
            return k >= 0 && k != BYTES;
        }
        return LeafKind.of(field.getType()) >= 0;
    }

    /** An encoder for {@code field}'s one leaf column {@code column}; {@link #supports} must hold. */
    static BulkPageEncoder of(Field field, ColumnDescriptor column) {
        boolean list = field.getType() instanceof ArrowType.List;
        int k = LeafKind.of(list ? field.getChildren().get(0).getType() : field.getType());
        if (k < 0 || list && (k == BYTES || column.getMaxRepetitionLevel() != 1 || column.getMaxDefinitionLevel() != 3)
                || !list && (column.getMaxRepetitionLevel() != 0 || column.getMaxDefinitionLevel() != 1)) {
            throw new IllegalArgumentException("no bulk pages for " + field);
        }
        return new BulkPageEncoder(column, list, k);
    }

    /** Encoding of the level streams, for {@link ParquetFileWriter#writeDataPage}. */
    Encoding repetitionEncoding() {
        return list ? Encoding.RLE : Encoding.BIT_PACKED;
    }

    /**
     * The pages of {@code vector}'s {@code rows} rows, their bodies compressed into {@code bodies},
     * or {@code null} when a dictionary would pay for this chunk.
     */
    List<Page> encode(FieldVector vector, int rows, PageBodies bodies) throws IOException {
        List<Page> pages = new ArrayList<>();
        ListVector lists = list ? (ListVector) vector : null;
        FieldVector leaf = list ? lists.getDataVector() : vector;
        ArrowBuf offsets = list ? lists.getOffsetBuffer()
                : kind == BYTES ? ((BaseVariableWidthVector) leaf).getOffsetBuffer() : null;
        // Counted once per chunk: getNullCount() walks the whole validity buffer.
        nullRows = list && lists.getNullCount() > 0;
        nullValues = leaf.getNullCount() > 0;
        try {
            int first = 0;
            while (first < rows) {
                int end = pageEnd(offsets, first, rows);
                Statistics<?> stats = Statistics.createStats(column.getPrimitiveType());
                int values = list ? encodeLists(lists, leaf, first, end, stats) : encodeLeaf(leaf, first, end, stats);
                if (first == 0 && dictionaryPays()) {
                    return null;
                }
                pages.add(new Page(values, end - first, size, bodies.compress(buf, size), stats));
                first = end;
            }
        } finally {
            if (buf.length > KEEP_BYTES) {
                // A page of one huge value (a 900 MiB bytes object) must not stay on the heap with the encoder.
                buf = new byte[1 << 16];
            }
            if (text.length > KEEP_BYTES) {
                text = new byte[1 << 16];
            }
            if (offs.length > PAGE_ROWS + 1) {
                offs = new int[1024];
            }
        }
        return pages;
    }

    /** Where the page starting at row {@code first} ends: {@value #PAGE_ROWS} rows or about {@value #PAGE_BYTES} value bytes. */
    private int pageEnd(ArrowBuf offsets, int first, int rows) {
        int limit = (int) Math.min(rows, (long) first + PAGE_ROWS);
        if (offsets == null) {
            return Math.min(limit, first + Math.max(1, PAGE_BYTES / plainWidth));
        }
        // Strings: 4 + length bytes each; list items: plainWidth each. A page holds at least one row
        // and ends at the first row where its values reach PAGE_BYTES (the bytes grow with the end
        // row, so a binary search finds it).
        int base = offsets.getInt((long) first * 4);
        int lo = first + 1;
        int hi = limit;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long bytes = (long) (offsets.getInt((long) mid * 4) - base) * (list ? plainWidth : 1) + (list ? 0 : 4L * (mid - first));
            if (bytes >= PAGE_BYTES) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Definition levels and values of top-level rows {@code [first, end)} into {@link #buf}; returns the level entries. */
    private int encodeLeaf(FieldVector v, int first, int end, Statistics<?> stats) {
        int n = end - first;
        def.reset();
        int nulls = 0;
        if (!nullValues) {
            def.run(1, n);
        } else {
            for (int i = first; i < end; i++) {
                boolean isNull = v.isNull(i);
                nulls += isNull ? 1 : 0;
                def.add(isNull ? 0 : 1);
            }
        }
        def.finish();
        size = 0;
        putLevels(def);
        int valuesAt = size;
        if (kind == BYTES) {
            strings((BaseVariableWidthVector) v, first, end, nulls > 0, stats);
        } else {
            fixed(v, first, end, nulls > 0);
            PageStatistics.extremes(stats, buf, valuesAt, (size - valuesAt) / plainWidth);
        }
        stats.incrementNumNulls(nulls);
        return n;
    }

    /** Repetition and definition levels and item values of list rows {@code [first, end)}; returns the level entries. */
    private int encodeLists(ListVector lists, FieldVector items, int first, int end, Statistics<?> stats) {
        ArrowBuf offsets = lists.getOffsetBuffer();
        boolean nullItems = nullValues;
        rep.reset();
        def.reset();
        int entries = 0;
        int nulls = 0;
        for (int i = first; i < end; i++) {
            int s = offsets.getInt((long) i * 4);
            int e = offsets.getInt((long) (i + 1) * 4);
            if (nullRows && lists.isNull(i) || e == s) {
                // A null list (level 0) or an empty one (level 1): one null entry.
                rep.add(0);
                def.add(nullRows && lists.isNull(i) ? 0 : 1);
                nulls++;
                entries++;
                continue;
            }
            rep.add(0);
            rep.run(1, e - s - 1);
            if (!nullItems) {
                def.run(3, e - s);
            } else {
                for (int k = s; k < e; k++) {
                    boolean isNull = items.isNull(k);
                    nulls += isNull ? 1 : 0;
                    def.add(isNull ? 2 : 3);
                }
            }
            entries += e - s;
        }
        rep.finish();
        def.finish();
        size = 0;
        putLevels(rep);
        putLevels(def);
        int valuesAt = size;
        if (!nullRows && !nullItems) {
            fixed(items, offsets.getInt((long) first * 4), offsets.getInt((long) end * 4), false);
        } else {
            for (int i = first; i < end; i++) {
                if (!(nullRows && lists.isNull(i))) {
                    fixed(items, offsets.getInt((long) i * 4), offsets.getInt((long) (i + 1) * 4), nullItems);
                }
            }
        }
        PageStatistics.extremes(stats, buf, valuesAt, (size - valuesAt) / plainWidth);
        stats.incrementNumNulls(nulls);
        return entries;
    }

    /** A v1 page's level stream: its byte length (4 bytes, little-endian), then the hybrid encoding. */
    private void putLevels(LevelEncoder levels) {
        ensure(4 + levels.size());
        putInt(levels.size());
        System.arraycopy(levels.bytes(), 0, buf, size, levels.size());
        size += levels.size();
    }

    /** PLAIN values of the non-null items {@code [from, to)} of a fixed-width vector (narrow ints widened to int32). */
    private void fixed(FieldVector v, int from, int to, boolean nulls) {
        ArrowBuf data = ((BaseFixedWidthVector) v).getDataBuffer();
        int n = to - from;
        ensure((long) n * plainWidth);
        if (!nulls && arrowWidth == plainWidth) {
            data.getBytes((long) from * arrowWidth, buf, size, n * arrowWidth);
            size += n * arrowWidth;
            return;
        }
        for (int i = from; i < to; i++) {
            if (nulls && v.isNull(i)) {
                continue;
            }
            switch (kind) {
                case BYTE -> putInt(data.getByte(i));
                case SHORT -> putInt(data.getShort((long) i * 2));
                default -> {
                    data.getBytes((long) i * arrowWidth, buf, size, arrowWidth);
                    size += arrowWidth;
                }
            }
        }
    }

    /**
     * PLAIN strings (length, bytes) of the non-null rows {@code [first, end)}, with their min and
     * max. The page's offsets and bytes are read from the Arrow buffers in two bulk copies (one
     * checked {@link ArrowBuf} call per value cost more than the copy itself); min and max are
     * compared on an 8-byte big-endian prefix first, which settles almost every comparison.
     */
    private void strings(BaseVariableWidthVector v, int first, int end, boolean nulls, Statistics<?> stats) {
        int n = end - first;
        if (offs.length < n + 1) {
            offs = new int[Math.max(n + 1, Math.min(PAGE_ROWS + 1, offs.length * 2))];
        }
        v.getOffsetBuffer().nioBuffer((long) first * 4, (n + 1) * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(offs, 0, n + 1);
        int base = offs[0];
        int bytes = offs[n] - base;
        // A page of a few huge values (900 MiB bytes objects) is copied value by value: one more
        // heap copy of it would not fit beside the page itself.
        boolean direct = bytes > KEEP_BYTES;
        if (!direct && text.length < bytes + WORD_SLACK) {
            text = new byte[Math.max(bytes + WORD_SLACK, text.length * 2)];
        }
        if (!direct) {
            v.getDataBuffer().getBytes(base, text, 0, bytes);
        }
        ensure(bytes + 4L * n + WORD_SLACK);
        if (starts.length < n) {
            starts = new int[Math.max(n, starts.length * 2)];
        }
        int count = 0;
        int min = -1;
        int max = -1;
        long minKey = 0;
        long maxKey = 0;
        for (int k = 0; k < n; k++) {
            if (nulls && v.isNull(first + k)) {
                continue;
            }
            int s = offs[k] - base;
            int len = offs[k + 1] - offs[k];
            int at = size;
            long key;
            if (!direct && len <= 16) {
                // Two words copied whole, their excess overwritten by the next value (WORD_SLACK
                // keeps both arrays' last reads and writes inside them); the prefix is the first word.
                long w1 = HeapWords.getLong(text, s);
                HeapWords.putInt(buf, at, len);
                HeapWords.putLong(buf, at + 4, w1);
                HeapWords.putLong(buf, at + 12, HeapWords.getLong(text, s + 8));
                size = at + 4 + len;
                key = Long.reverseBytes(w1) & (len >= 8 ? -1L : ~(-1L >>> (8 * len)));
            } else {
                putInt(len);
                if (direct) {
                    v.getDataBuffer().getBytes(offs[k], buf, size, len);
                } else {
                    System.arraycopy(text, s, buf, size, len);
                }
                size += len;
                key = PlainStrings.prefix(buf, at + 4, len);
            }
            starts[count++] = at;
            if (min < 0) {
                min = at;
                max = at;
                minKey = key;
                maxKey = key;
                continue;
            }
            int toMin = Long.compareUnsigned(key, minKey);
            if (toMin < 0 || toMin == 0 && PlainStrings.compare(buf, at, min) < 0) {
                min = at;
                minKey = key;
            }
            int toMax = Long.compareUnsigned(key, maxKey);
            if (toMax > 0 || toMax == 0 && PlainStrings.compare(buf, at, max) > 0) {
                max = at;
                maxKey = key;
            }
        }
        stringCount = count;
        if (min >= 0) {
            stats.updateStats(Binary.fromConstantByteArray(Arrays.copyOfRange(buf, min + 4, min + 4 + PlainStrings.statsLength(buf, min))));
            stats.updateStats(Binary.fromConstantByteArray(Arrays.copyOfRange(buf, max + 4, max + 4 + PlainStrings.statsLength(buf, max))));
        }
    }

    private int stringCount;
    /** Whether the bound chunk has null rows (lists) and null values (leaf vector). */
    private boolean nullRows;
    private boolean nullValues;

    /**
     * parquet-java's test for keeping a dictionary, on the first page's first {@value
     * DictionaryProbe#WINDOW} non-null values (its first page, about): the
     * dictionary (PLAIN values of the distinct ones) plus the ids (bit width of the distinct count)
     * must be smaller than the PLAIN values. Counted with an open-addressing table of value
     * positions; once the distinct values alone reach the PLAIN size the answer is no.
     */
    private boolean dictionaryPays() {
        int all = kind == BYTES ? stringCount : (int) ((size - valuesStart()) / plainWidth);
        int count = Math.min(all, DictionaryProbe.WINDOW);
        if (count == 0) {
            return false;
        }
        long plain = count == all ? size - valuesStart()
                : kind == BYTES ? starts[count] - valuesStart() : (long) count * plainWidth;
        int capacity = Integer.highestOneBit(Math.max(16, count * 2 - 1)) << 1;
        int[] table = new int[capacity];
        int distinct = 0;
        long dictionaryBytes = 0;
        int base = valuesStart();
        for (int j = 0; j < count; j++) {
            int at = kind == BYTES ? starts[j] : base + j * plainWidth;
            int h = hash(at) & (capacity - 1);
            while (true) {
                int other = table[h] - 1;
                if (other < 0) {
                    table[h] = at + 1;
                    distinct++;
                    dictionaryBytes += kind == BYTES ? 4 + PlainStrings.lengthAt(buf, at) : plainWidth;
                    break;
                }
                if (same(at, other)) {
                    break;
                }
                h = (h + 1) & (capacity - 1);
            }
            if (dictionaryBytes >= plain) {
                return false;
            }
        }
        int idBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, distinct - 1));
        return dictionaryBytes + ((long) count * idBits + 7) / 8 < plain;
    }

    /** Where the values start in {@link #buf}: after the level streams. */
    private int valuesStart() {
        return (list ? 4 + rep.size() : 0) + 4 + def.size();
    }

    private int hash(int at) {
        int h;
        if (kind == BYTES) {
            int len = PlainStrings.lengthAt(buf, at);
            if (len <= 16 && at + 4 + 16 <= buf.length) {
                // Short values (most of a str column) as two masked words, not byte by byte; any
                // hash gives the same answer, only the probe's speed depends on it.
                long w1 = HeapWords.getLong(buf, at + 4) & (len >= 8 ? -1L : ~(-1L << 8 * len));
                long w2 = len <= 8 ? 0 : HeapWords.getLong(buf, at + 12) & (len >= 16 ? -1L : ~(-1L << 8 * (len - 8)));
                long x = w1 * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(w2 * 0xC2B2AE3D27D4EB4FL, 31) ^ len;
                return (int) (x ^ x >>> 29 ^ x >>> 47);
            }
            h = 1;
            for (int k = at + 4; k < at + 4 + len; k++) {
                h = 31 * h + buf[k];
            }
        } else {
            h = 0;
            for (int k = at; k < at + plainWidth; k++) {
                h = 31 * h + buf[k];
            }
        }
        return h ^ (h >>> 16) * 0x45d9f3b;
    }

    private boolean same(int a, int b) {
        if (kind == BYTES) {
            int la = PlainStrings.lengthAt(buf, a);
            return la == PlainStrings.lengthAt(buf, b) && Arrays.equals(buf, a + 4, a + 4 + la, buf, b + 4, b + 4 + la);
        }
        return Arrays.equals(buf, a, a + plainWidth, buf, b, b + plainWidth);
    }

    private void putInt(int x) {
        buf[size] = (byte) x;
        buf[size + 1] = (byte) (x >>> 8);
        buf[size + 2] = (byte) (x >>> 16);
        buf[size + 3] = (byte) (x >>> 24);
        size += 4;
    }

    private void ensure(long more) {
        long need = size + more;
        if (need > buf.length) {
            if (need > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a Parquet page over 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 16L, buf.length * 2L)));
        }
    }
}
