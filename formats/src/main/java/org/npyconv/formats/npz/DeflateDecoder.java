package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import org.npyconv.formats.CorruptInputException;

/**
 * A pure-Java raw deflate decoder (RFC 1951) that can do what {@code java.util.zip.Inflater}
 * cannot: start at any <em>bit</em> of the compressed stream given the 32 KiB of output before it,
 * and report every block boundary with its bit position. That is zlib's zran scheme
 * (docs/npz.md): the indexing pass records {@link DeflateCheckpoint}s at block boundaries, and a
 * random read starts decoding at the nearest one instead of at the start of the member.
 *
 * <p>Reads the compressed bytes of one zip member, {@code [dataOffset, dataOffset + compressedSize)}
 * of a borrowed channel, by positional reads. Output is served in order through {@link #read} and
 * {@link #skip}; the decoder keeps the last 32 KiB of output as the history that back-references
 * reach into. A back-reference before the known history, an invalid code or block type, or a
 * stream that runs past the member's compressed bytes is a {@link CorruptInputException} at the
 * compressed byte where it was found (construct {@code deflate}). Not thread-safe; one per reader.
 */
final class DeflateDecoder implements MemberCursor {
    /** Deflate's maximum back-reference distance: the history a checkpoint must carry. */
    static final int WINDOW = 32 * 1024;
    /** Output decoded per refill beyond the history. */
    private static final int CHUNK = 256 * 1024;
    private static final int INPUT = 64 * 1024;
    private static final int MAX_MATCH = 258;
    private static final int HEADER = 0;
    private static final int STORED = 1;
    private static final int HUFFMAN = 2;
    private static final int DONE = 3;

    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
        67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
        5, 5, 5, 5, 0};
    private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
        769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
        11, 11, 12, 12, 13, 13};
    /** Order of the code-length code lengths in a dynamic block header. */
    private static final int[] CLEN_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    private static final int FIXED_LIT_BITS = 9;
    private static final int FIXED_DIST_BITS = 5;
    private static final int[] FIXED_LIT = new int[1 << FIXED_LIT_BITS];
    private static final int[] FIXED_DIST = new int[1 << FIXED_DIST_BITS];

    static {
        int[] lengths = new int[288];
        Arrays.fill(lengths, 0, 144, 8);
        Arrays.fill(lengths, 144, 256, 9);
        Arrays.fill(lengths, 256, 280, 7);
        Arrays.fill(lengths, 280, 288, 8);
        buildTable(lengths, 0, 288, FIXED_LIT, null, 0);
        int[] dist = new int[30];
        Arrays.fill(dist, 5);
        buildTable(dist, 0, 30, FIXED_DIST, null, 0);
    }

    /** Told about each block boundary the decoder passes (not the start it was given). */
    interface BoundaryListener {
        /**
         * A block starts at compressed bit {@code bitOffset} (relative to the member's data) and
         * uncompressed offset {@code outOffset}; the output before it ends at {@code history[historyEnd]},
         * and {@code historyLength} bytes of it (up to 32 KiB) are valid.
         */
        void boundary(long bitOffset, long outOffset, byte[] history, int historyEnd, int historyLength) throws IOException;
    }

    private final FileChannel in;
    private final Path file;
    private final long dataOffset;
    private final long dataEnd;
    private final byte[] inBuf = new byte[INPUT];
    /** Absolute file offset of inBuf[0]. */
    private long inBufStart;
    private int inPos;
    private int inLimit;
    private long bits;
    private int bitCount;

    private final byte[] out = new byte[WINDOW + CHUNK];
    /** Uncompressed offset of out[0]. */
    private long outBase;
    private int outPos;
    private int readPos;
    /** Uncompressed offset of the oldest byte of history the stream may refer to. */
    private long historyStart;

    private int state = HEADER;
    private boolean finalBlock;
    private boolean started;
    private int storedLeft;
    private final int[] litTable = new int[1 << 15];
    private final int[] distTable = new int[1 << 15];
    private final int[] codeLengths = new int[320];
    private final int[] clenTable = new int[1 << 7];
    private int[] lit;
    private int[] dist;
    private int litBits;
    private int distBits;
    private BoundaryListener listener;

    /**
     * A decoder for the member whose compressed bytes are {@code [dataOffset, dataOffset + compressedSize)}
     * of {@code in}, starting at compressed bit {@code startBit} (relative to dataOffset), which must be a
     * block boundary, at uncompressed offset {@code startOut}, with {@code history} the
     * {@code historyLength} bytes of output before it (the last bytes of the array are used).
     */
    DeflateDecoder(FileChannel in, Path file, long dataOffset, long compressedSize, long startBit, long startOut,
            ByteBuffer history, int historyLength) throws IOException {
        this.in = in;
        this.file = file;
        this.dataOffset = dataOffset;
        this.dataEnd = dataOffset + compressedSize;
        if (startBit < 0 || startBit > compressedSize * 8 || historyLength < 0 || historyLength > WINDOW) {
            throw new CorruptInputException("a deflate checkpoint at bit " + startBit + " lies outside the member's "
                    + compressedSize + " bytes", file, dataOffset, "deflate");
        }
        if (historyLength > 0) {
            history.get(history.limit() - historyLength, out, 0, historyLength);
        }
        outPos = historyLength;
        readPos = historyLength;
        outBase = startOut - historyLength;
        historyStart = outBase;
        inBufStart = dataOffset + (startBit >>> 3);
        loadInput();
        int skip = (int) (startBit & 7);
        if (skip > 0) {
            need(skip);
            bits >>>= skip;
            bitCount -= skip;
        }
    }

    /** A decoder from the start of the member's data. */
    static DeflateDecoder atStart(FileChannel in, Path file, long dataOffset, long compressedSize) throws IOException {
        return new DeflateDecoder(in, file, dataOffset, compressedSize, 0, 0, ByteBuffer.allocate(0), 0);
    }

    void listener(BoundaryListener l) {
        this.listener = l;
    }

    @Override
    public long position() {
        return outBase + readPos;
    }

    /** Whether the final block has ended and all output has been read. */
    boolean finished() throws IOException {
        return readPos == outPos && state == DONE;
    }

    /** Compressed bytes consumed so far (whole bytes, from the start of the member's data). */
    long compressedConsumed() {
        return inBufStart + inPos - dataOffset - (bitCount >> 3);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            if (readPos == outPos && !produce()) {
                return total == 0 ? -1 : total;
            }
            int n = Math.min(dst.remaining(), outPos - readPos);
            dst.put(out, readPos, n);
            readPos += n;
            total += n;
        }
        return total;
    }

    @Override
    public long skip(long n) throws IOException {
        long done = 0;
        while (done < n) {
            if (readPos == outPos && !produce()) {
                break;
            }
            int k = (int) Math.min(n - done, outPos - readPos);
            readPos += k;
            done += k;
        }
        return done;
    }

    /** Decodes the whole rest of the stream, for the indexing pass; returns the output bytes. */
    long drain(java.util.zip.Checksum crc) throws IOException {
        long done = 0;
        while (readPos < outPos || produce()) {
            crc.update(out, readPos, outPos - readPos);
            done += outPos - readPos;
            readPos = outPos;
        }
        return done;
    }

    // ---- decoding ------------------------------------------------------------------------------

    /** Decodes at least one more byte of output; false at the end of the stream. */
    private boolean produce() throws IOException {
        if (outPos > out.length - MAX_MATCH - 1) {
            // Everything was read: keep the last 32 KiB as history and decode behind it.
            int shift = outPos - WINDOW;
            System.arraycopy(out, shift, out, 0, WINDOW);
            outBase += shift;
            outPos = WINDOW;
            readPos = WINDOW;
        }
        int before = outPos;
        int limit = out.length - MAX_MATCH;
        while (outPos == before && state != DONE) {
            switch (state) {
                case HEADER:
                    blockHeader();
                    break;
                case STORED:
                    copyStored();
                    break;
                default:
                    decodeHuffman(limit);
                    break;
            }
        }
        return outPos > before;
    }

    private void blockHeader() throws IOException {
        if (finalBlock) {
            state = DONE;
            return;
        }
        if (started && listener != null) {
            int length = (int) Math.min(outPos, outBase + outPos - historyStart);
            listener.boundary(bitPosition(), outBase + outPos, out, outPos, Math.min(WINDOW, length));
        }
        started = true;
        need(3);
        finalBlock = (bits & 1) != 0;
        int type = (int) (bits >>> 1) & 3;
        consume(3);
        switch (type) {
            case 0:
                consume(bitCount & 7);
                need(32);
                int len = (int) bits & 0xFFFF;
                int nlen = (int) (bits >>> 16) & 0xFFFF;
                if (len != (~nlen & 0xFFFF)) {
                    throw corrupt("a stored block's length " + len + " does not match its complement");
                }
                consume(32);
                storedLeft = len;
                state = STORED;
                break;
            case 1:
                lit = FIXED_LIT;
                litBits = FIXED_LIT_BITS;
                dist = FIXED_DIST;
                distBits = FIXED_DIST_BITS;
                state = HUFFMAN;
                break;
            case 2:
                dynamicTables();
                state = HUFFMAN;
                break;
            default:
                throw corrupt("invalid deflate block type 3");
        }
    }

    private void copyStored() throws IOException {
        int room = out.length - outPos;
        // First the whole bytes still in the bit buffer, then straight from the input buffer.
        while (storedLeft > 0 && bitCount >= 8 && room > 0) {
            out[outPos++] = (byte) bits;
            bits >>>= 8;
            bitCount -= 8;
            storedLeft--;
            room--;
        }
        while (storedLeft > 0 && room > 0) {
            if (inPos == inLimit && !loadInput()) {
                throw corrupt("the compressed data ends inside a stored block");
            }
            int n = Math.min(Math.min(storedLeft, room), inLimit - inPos);
            System.arraycopy(inBuf, inPos, out, outPos, n);
            inPos += n;
            outPos += n;
            storedLeft -= n;
            room -= n;
        }
        if (storedLeft == 0) {
            state = HEADER;
        }
    }

    private void dynamicTables() throws IOException {
        need(14);
        int nlit = (int) (bits & 31) + 257;
        int ndist = (int) (bits >>> 5 & 31) + 1;
        int nclen = (int) (bits >>> 10 & 15) + 4;
        consume(14);
        if (nlit > 286 || ndist > 30) {
            throw corrupt("a dynamic block declares " + nlit + " literal/length and " + ndist + " distance codes");
        }
        int[] clen = new int[19];
        for (int i = 0; i < nclen; i++) {
            need(3);
            clen[CLEN_ORDER[i]] = (int) bits & 7;
            consume(3);
        }
        int clenBits = buildTable(clen, 0, 19, clenTable, this, 7);
        int clenMask = (1 << clenBits) - 1;
        int[] lengths = codeLengths;
        int n = 0;
        while (n < nlit + ndist) {
            need(clenBits);
            int e = clenTable[(int) bits & clenMask];
            int len = e & 15;
            if (len == 0) {
                throw corrupt("invalid code-length code");
            }
            consume(len);
            int sym = e >>> 4;
            if (sym < 16) {
                lengths[n++] = sym;
                continue;
            }
            int repeat;
            int value = 0;
            if (sym == 16) {
                if (n == 0) {
                    throw corrupt("a length repeat with no previous length");
                }
                value = lengths[n - 1];
                need(2);
                repeat = 3 + ((int) bits & 3);
                consume(2);
            } else if (sym == 17) {
                need(3);
                repeat = 3 + ((int) bits & 7);
                consume(3);
            } else {
                need(7);
                repeat = 11 + ((int) bits & 127);
                consume(7);
            }
            if (n + repeat > nlit + ndist) {
                throw corrupt("code lengths overflow the declared number of codes");
            }
            Arrays.fill(lengths, n, n + repeat, value);
            n += repeat;
        }
        if (lengths[256] == 0) {
            throw corrupt("a dynamic block without an end-of-block code");
        }
        litBits = buildTable(lengths, 0, nlit, litTable, this, 15);
        distBits = buildTable(lengths, nlit, ndist, distTable, this, 15);
        lit = litTable;
        dist = distTable;
    }

    /**
     * Fills {@code table} for canonical Huffman code lengths {@code lengths[from, from + n)} so that
     * the next {@code bits} bits (LSB first) index the entry {@code symbol << 4 | length}; 0 marks a
     * bit pattern no code starts with. Returns the table's index width (the longest code, at least 1).
     */
    private static int buildTable(int[] lengths, int from, int n, int[] table, DeflateDecoder owner, int maxBits) {
        int[] count = new int[16];
        int longest = 1;
        for (int i = 0; i < n; i++) {
            count[lengths[from + i]]++;
            longest = Math.max(longest, lengths[from + i]);
        }
        count[0] = 0;
        int left = 1;
        for (int len = 1; len <= 15; len++) {
            left = (left << 1) - count[len];
            if (left < 0) {
                throw owner.corrupt("an over-subscribed Huffman code");
            }
        }
        int[] next = new int[16];
        int code = 0;
        for (int len = 1; len <= 15; len++) {
            code = (code + count[len - 1]) << 1;
            next[len] = code;
        }
        int size = 1 << longest;
        Arrays.fill(table, 0, size, 0);
        for (int i = 0; i < n; i++) {
            int len = lengths[from + i];
            if (len == 0) {
                continue;
            }
            int reversed = Integer.reverse(next[len]++) >>> (32 - len);
            int entry = i << 4 | len;
            for (int j = reversed; j < size; j += 1 << len) {
                table[j] = entry;
            }
        }
        return longest;
    }

    /**
     * The hot loop: literals and matches of one Huffman block until it ends or the output buffer
     * is full. State lives in locals and is written back once (STYLE.md, Jackson's way).
     */
    private void decodeHuffman(int limit) throws IOException {
        final byte[] o = out;
        final byte[] ib = inBuf;
        final int[] lt = lit;
        final int[] dt = dist;
        final int litMask = (1 << litBits) - 1;
        final int distMask = (1 << distBits) - 1;
        final int floor = (int) Math.max(0, historyStart - outBase);
        long b = bits;
        int n = bitCount;
        int ip = inPos;
        int il = inLimit;
        int op = outPos;
        try {
            while (op < limit) {
                if (n < 48) {
                    while (n <= 56 && ip < il) {
                        b |= (long) (ib[ip++] & 0xff) << n;
                        n += 8;
                    }
                    if (n < 48) {
                        bits = b;
                        bitCount = n;
                        inPos = ip;
                        refill();
                        b = bits;
                        n = bitCount;
                        ip = inPos;
                        il = inLimit;
                    }
                }
                int e = lt[(int) b & litMask];
                int len = e & 15;
                b >>>= len;
                n -= len;
                if (len == 0 || n < 0) {
                    throw badCode(len, n);
                }
                int sym = e >>> 4;
                if (sym < 256) {
                    o[op++] = (byte) sym;
                    continue;
                }
                if (sym == 256) {
                    state = HEADER;
                    break;
                }
                sym -= 257;
                if (sym >= 29) {
                    throw corruptAt("invalid literal/length symbol " + (sym + 257), b, n, ip);
                }
                int extra = LENGTH_EXTRA[sym];
                int length = LENGTH_BASE[sym] + ((int) b & ((1 << extra) - 1));
                b >>>= extra;
                n -= extra;
                e = dt[(int) b & distMask];
                len = e & 15;
                b >>>= len;
                n -= len;
                if (len == 0 || n < 0) {
                    throw badCode(len, n);
                }
                int dsym = e >>> 4;
                if (dsym >= 30) {
                    throw corruptAt("invalid distance symbol " + dsym, b, n, ip);
                }
                extra = DIST_EXTRA[dsym];
                int distance = DIST_BASE[dsym] + ((int) b & ((1 << extra) - 1));
                b >>>= extra;
                n -= extra;
                if (n < 0) {
                    throw badCode(1, n);
                }
                if (distance > op - floor) {
                    throw corruptAt("a back-reference " + distance + " bytes back reaches before the start of the data",
                            b, n, ip);
                }
                int from = op - distance;
                if (distance >= length) {
                    System.arraycopy(o, from, o, op, length);
                    op += length;
                } else {
                    for (int k = 0; k < length; k++) {
                        o[op++] = o[from + k];
                    }
                }
            }
        } finally {
            bits = b;
            bitCount = n;
            inPos = ip;
            outPos = op;
        }
    }

    private CorruptInputException badCode(int len, int n) {
        if (n < 0) {
            return corrupt("the compressed data ends early (past the member's " + (dataEnd - dataOffset) + " bytes)");
        }
        return corrupt("invalid Huffman code");
    }

    private CorruptInputException corruptAt(String reason, long b, int n, int ip) {
        bitCount = n;
        inPos = ip;
        return corrupt(reason);
    }

    // ---- bits ----------------------------------------------------------------------------------

    /** Compressed bit position of the next unread bit, relative to the member's data. */
    private long bitPosition() {
        return (inBufStart + inPos - dataOffset) * 8 - bitCount;
    }

    /** Tops up the bit buffer from the input, loading the next input chunk when needed. */
    private void refill() throws IOException {
        while (bitCount <= 56) {
            if (inPos == inLimit && !loadInput()) {
                return;
            }
            bits |= (long) (inBuf[inPos++] & 0xff) << bitCount;
            bitCount += 8;
        }
    }

    private void need(int n) throws IOException {
        if (bitCount < n) {
            refill();
            if (bitCount < n) {
                throw corrupt("the compressed data ends early (past the member's " + (dataEnd - dataOffset) + " bytes)");
            }
        }
    }

    private void consume(int n) {
        bits >>>= n;
        bitCount -= n;
    }

    /** Reads the next input chunk; false when the member's compressed bytes are exhausted. */
    private boolean loadInput() throws IOException {
        inBufStart += inLimit;
        inPos = 0;
        inLimit = 0;
        long left = dataEnd - inBufStart;
        if (left <= 0) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(inBuf, 0, (int) Math.min(inBuf.length, left));
        while (b.hasRemaining()) {
            if (in.read(b, inBufStart + b.position()) < 0) {
                throw new CorruptInputException("the archive ends inside a member's compressed data", file,
                        inBufStart + b.position(), "deflate");
            }
        }
        inLimit = b.position();
        return true;
    }

    private CorruptInputException corrupt(String reason) {
        long at = Math.max(dataOffset, Math.min(dataEnd, dataOffset + (bitPosition() >> 3)));
        return new CorruptInputException(reason, file, at, "deflate");
    }
}
