package org.npyconv.formats.pickle;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Locale;
import java.util.zip.Checksum;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.MappedReads;
import org.npyconv.formats.UnsupportedInputException;

/**
 * Streams the opcodes of one pickle, the way {@code pickletools.genops} lists them, without
 * executing anything and without copying payloads.
 *
 * <p>Each {@link #next()} reads one opcode and its argument and makes it the <em>current
 * opcode</em>; accessors describe it: {@link #opcode()}, {@link #opcodeOffset()},
 * {@link #endOffset()}, the decoded argument ({@link #intArg()}, {@link #floatArg()},
 * {@link #stringArg()}, ...) and, for string, bytes, LONG1/LONG4 and text-line arguments, where
 * the raw payload lies ({@link #payloadOffset()}, {@link #payloadLength()}). Payloads are only
 * located during {@code next()}: a 1 GiB {@code BINBYTES8} costs a length check and a position
 * update. They are decoded or copied only when asked. FRAME is reported like any opcode and is
 * otherwise transparent.
 *
 * <p>Beyond {@code genops}, the reader keeps the memo's keys (never its values) as
 * {@code pickletools.dis} does: a fetch of a key never stored is corrupt, and
 * {@link #memoIndex()} gives the key MEMOIZE stores at.
 *
 * <p>All offsets are absolute byte offsets in the file ({@code long}, correct beyond 4 GiB). Every
 * length the stream claims is checked against the bytes that remain before {@code end} before
 * anything is skipped or allocated; malformed input raises {@link CorruptInputException} carrying
 * the file, the offset of the opcode that cannot be read and its name. I/O failures surface as
 * {@link UncheckedIOException}.
 *
 * <p>Reads are positional, copies out of the reader's own sliding mapping of the channel
 * ({@link MappedReads}; plain {@link FileChannel#read(ByteBuffer, long)} where it cannot map) into
 * a reusable heap window, so several readers, on several threads, may share one channel. A reader
 * itself is not
 * thread-safe. {@link #open(Path, long)} owns its channel and {@link #close()} closes it; the
 * public constructor borrows the channel and {@link #close()} leaves it open.
 *
 * <p>Specified in {@code docs/pickle-reader.md}.
 */
public final class PickleReader implements Closeable {
    /** Window size {@link #open(Path, long)} uses: 256 KiB. */
    public static final int DEFAULT_WINDOW_SIZE = 256 * 1024;
    /** Smallest window accepted: must hold an opcode with its longest fixed argument (9 bytes). */
    public static final int MIN_WINDOW_SIZE = 16;
    /** Longest newline-terminated argument that is decoded (located payloads have no limit). */
    public static final int MAX_DECODED_LINE = 64 << 20;
    /** Memo keys stored out of sequence that are tracked before giving up (Python never writes any). */
    public static final int MAX_SPARSE_MEMO_KEYS = 1 << 20;

    /** Opcode byte plus the longest fixed part (FRAME's, BINFLOAT's or BINBYTES8's eight bytes). */
    private static final int MAX_HEAD = 9;
    /** Largest Java array the JDK reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    // What next() does after the opcode byte, by code byte (Jackson-style 256-entry table). These
    // are behaviours, not ArgKinds: PROTO, STOP, FRAME and the memo opcodes have their own entries
    // so that no other case carries a test for them.
    private static final byte UNKNOWN = 0;
    private static final byte NO_ARG = 1;
    private static final byte U1 = 2;
    private static final byte U2 = 3;
    private static final byte I4 = 4;
    private static final byte U4 = 5;
    private static final byte F8 = 6;
    private static final byte COUNT1 = 7;
    private static final byte COUNT4 = 8;
    private static final byte COUNT4_SIGNED = 9;
    private static final byte COUNT8 = 10;
    private static final byte LONG_1 = 11;
    private static final byte LONG_4 = 12;
    private static final byte LINE = 13;
    private static final byte PUT1 = 14;
    private static final byte PUT4 = 15;
    private static final byte GET1 = 16;
    private static final byte GET4 = 17;
    private static final byte MEMOIZE_OP = 18;
    private static final byte STOP_OP = 19;
    private static final byte PROTO_OP = 20;
    private static final byte FRAME_OP = 21;

    private static final byte[] ACTION = new byte[256];

    // The opcodes readStrRun() recognises by their byte.
    private static final int SHORT_BINUNICODE_CODE = PickleOpcode.SHORT_BINUNICODE.code();
    private static final int BINUNICODE_CODE = PickleOpcode.BINUNICODE.code();
    private static final int MEMOIZE_CODE = PickleOpcode.MEMOIZE.code();
    private static final int BINPUT_CODE = PickleOpcode.BINPUT.code();
    private static final int LONG_BINPUT_CODE = PickleOpcode.LONG_BINPUT.code();

    static {
        for (PickleOpcode op : PickleOpcode.values()) {
            ACTION[op.code()] = action(op);
        }
    }

    private static byte action(PickleOpcode op) {
        switch (op) {
            case STOP: return STOP_OP;
            case PROTO: return PROTO_OP;
            case FRAME: return FRAME_OP;
            case BINPUT: return PUT1;
            case LONG_BINPUT: return PUT4;
            case BINGET: return GET1;
            case LONG_BINGET: return GET4;
            case MEMOIZE: return MEMOIZE_OP;
            default: break;
        }
        switch (op.argKind()) {
            case NONE: return NO_ARG;
            case UINT1: return U1;
            case UINT2: return U2;
            case INT4: return I4;
            case UINT4: return U4;
            case FLOAT8: return F8;
            case LONG1: return LONG_1;
            case LONG4: return LONG_4;
            case STRING1: case BYTES1: case UNICODESTRING1: return COUNT1;
            case STRING4: return COUNT4_SIGNED;
            case BYTES4: case UNICODESTRING4: return COUNT4;
            case BYTES8: case BYTEARRAY8: case UNICODESTRING8: return COUNT8;
            default:
                if (op.argKind().isLine()) {
                    return LINE;
                }
                throw new AssertionError(op);
        }
    }

    // How intArg() finds a LONG1/LONG4 or text-line integer (fixed-size integers are always in argLong).
    private static final byte INT_IN_ARG = 0;  // argLong holds it
    private static final byte INT_BIG = 1;     // valid, beyond long: bigIntArg() only
    private static final byte INT_UNKNOWN = 2; // LONG1/LONG4 payload of more than 8 bytes, decided on demand

    // Source.
    private final FileChannel channel;
    /** The channel's bytes through a sliding mapping: a third of the cost of read(2) (docs/perf/mapped-reads.md). */
    private final MappedReads input;
    private final boolean ownsChannel;
    private final Path source;
    private final long end;

    // Window: buf[0, limit) holds the file bytes at [bufStart, bufStart + limit); pos is the next
    // unread byte. Only next() and seek() move them, so while an opcode is current, position() is
    // its end offset, and its payload's offset and length follow from opStart and position().
    private final byte[] buf;
    private final ByteBuffer bufView;
    private long bufStart;
    private int pos;
    private int limit;

    // The current opcode and its decoded argument.
    private PickleOpcode op;
    private long opStart;
    private long argLong;     // integer argument, memo key, FRAME length, or BINFLOAT bits
    private byte intState;    // INT_* for LONG1/LONG4 and text-line integers
    private boolean boolInt;  // protocol-0 INT written as 00 / 01

    // Stream state.
    private boolean stopped;
    private int protocol;
    private boolean closed;
    // The first FRAME that announced more bytes than remain (-1: none). Reported at STOP, or
    // named in the error where the input runs out (docs/pickle-reader.md, "FRAME").
    private long badFrameOffset = -1;
    private long badFrameLength;

    // Memo keys stored so far, as pickletools.dis tracks them (keys only, never values): keys
    // [0, memoDense) plus, for writers that number out of sequence, memoSparse. When memoKnown is
    // false (after seek(offset)) the fast paths still count, but nothing is checked or reported.
    private boolean memoKnown = true;
    private long memoDense;
    private HashSet<Long> memoSparse;

    // Digest of every input byte in order (digest(Checksum)), fed from the window as it fills, so
    // that a caller needing a checksum of the whole input does not read it a second time. digested
    // is the absolute offset up to which bytes went in; bytes skipped over (payloads reaching past
    // the window) are read and added at the next fill.
    private Checksum digest;
    private long digested;
    private ByteBuffer gapBuffer;
    /** Bytes digested by reads of their own (skipped payloads, the rest after STOP), for tests. */
    long digestedApart;

    /**
     * Opens {@code file} and reads the pickle that starts at {@code start} (for {@code .npy} files,
     * just past the header). The reader owns the channel and closes it in {@link #close()}.
     *
     * @throws IOException if the file cannot be opened
     * @throws IllegalArgumentException if {@code start} is negative or beyond the end of the file
     */
    public static PickleReader open(Path file, long start) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new PickleReader(ch, true, start, ch.size(), file, DEFAULT_WINDOW_SIZE);
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Reads the pickle at {@code [start, end)} of a borrowed channel; {@link #close()} leaves the
     * channel open. Only positional reads are used, so the channel's position is never touched
     * and other readers may use it concurrently. {@code start} is taken to be the beginning of a
     * pickle (an empty memo); to begin mid-pickle, follow with {@link #seek(long, long)}.
     *
     * @param ch the channel; the caller keeps ownership
     * @param start absolute offset of the first opcode
     * @param end absolute offset where the input ends (usually {@code ch.size()}); nothing at or
     *     beyond it is read, and lengths are checked against it
     * @param source the file name for error messages, or {@code null}
     * @param windowSize bytes of the reusable read window, at least {@link #MIN_WINDOW_SIZE}
     */
    public PickleReader(FileChannel ch, long start, long end, Path source, int windowSize) {
        this(ch, false, start, end, source, windowSize);
    }

    private PickleReader(FileChannel ch, boolean owns, long start, long end, Path source, int windowSize) {
        if (ch == null) {
            throw new NullPointerException("channel");
        }
        if (windowSize < MIN_WINDOW_SIZE) {
            throw new IllegalArgumentException("window size " + windowSize + " < " + MIN_WINDOW_SIZE);
        }
        if (start < 0 || start > end) {
            throw new IllegalArgumentException("start " + start + " outside [0, " + end + "]");
        }
        this.channel = ch;
        this.input = MappedReads.mapped(ch);
        this.ownsChannel = owns;
        this.source = source;
        this.end = end;
        this.buf = new byte[windowSize];
        this.bufView = ByteBuffer.wrap(buf);
        this.bufStart = start;
    }

    // ------------------------------------------------------------------------------------------
    // The hot loop
    // ------------------------------------------------------------------------------------------

    /**
     * Reads the next opcode and its argument and makes it the current opcode.
     *
     * @return the opcode, or {@code null} once STOP has been returned (until {@link #seek})
     * @throws CorruptInputException if the input ends before STOP, holds an unknown opcode byte,
     *     an argument is malformed or claims more bytes than remain, or a memo fetch names a key
     *     never stored; the offset is that of the opcode that cannot be read
     */
    public PickleOpcode next() {
        if (stopped) {
            return null;
        }
        int p = pos;
        if (limit - p < MAX_HEAD) {
            p = loadMore(); // near the end of the window (or of the input)
        }
        final byte[] b = buf;
        final int avail = limit - p;
        if (avail <= 0) {
            throw endsBeforeStop(bufStart + p);
        }
        final int code = b[p] & 0xFF;
        final PickleOpcode o = PickleOpcode.of(code); // null for unknown bytes: ACTION is UNKNOWN there
        op = o;
        opStart = bufStart + p;
        // A payload that ends inside the window exists, so only payloads reaching past the window
        // are checked against the end of the input (countedBeyondWindow).
        switch (ACTION[code]) {
            case NO_ARG:
                pos = p + 1;
                return o;
            case COUNT1: {
                if (avail < 2) {
                    throw argumentCut(1);
                }
                final int n = b[p + 1] & 0xFF;
                if (n <= avail - 2) {
                    pos = p + 2 + n;
                    return o;
                }
                return countedBeyondWindow(p, 2, n);
            }
            case MEMOIZE_OP:
                pos = p + 1;
                if (memoSparse == null) {
                    argLong = memoDense++; // MEMOIZE stores at len(memo)
                } else {
                    memoizeSlow();
                }
                return o;
            case PUT1: {
                if (avail < 2) {
                    throw argumentCut(1);
                }
                final long key = b[p + 1] & 0xFF;
                argLong = key;
                pos = p + 2;
                if (key == memoDense && memoSparse == null) {
                    memoDense++;
                } else {
                    memoPutSlow(key);
                }
                return o;
            }
            case GET1: {
                if (avail < 2) {
                    throw argumentCut(1);
                }
                final long key = b[p + 1] & 0xFF;
                argLong = key;
                pos = p + 2;
                if (key >= memoDense) {
                    memoGetSlow(key);
                }
                return o;
            }
            case U1:
                if (avail < 2) {
                    throw argumentCut(1);
                }
                argLong = b[p + 1] & 0xFF;
                pos = p + 2;
                return o;
            case I4:
                if (avail < 5) {
                    throw argumentCut(4);
                }
                argLong = int4(b, p + 1);
                pos = p + 5;
                return o;
            case U2:
                if (avail < 3) {
                    throw argumentCut(2);
                }
                argLong = (b[p + 1] & 0xFF) | (b[p + 2] & 0xFF) << 8;
                pos = p + 3;
                return o;
            case U4:
                if (avail < 5) {
                    throw argumentCut(4);
                }
                argLong = int4(b, p + 1) & 0xFFFF_FFFFL;
                pos = p + 5;
                return o;
            case F8:
                if (avail < 9) {
                    throw argumentCut(8);
                }
                argLong = Long.reverseBytes(int8(b, p + 1)); // BINFLOAT is big-endian
                pos = p + 9;
                return o;
            case COUNT4: {
                if (avail < 5) {
                    throw argumentCut(4);
                }
                final long n = int4(b, p + 1) & 0xFFFF_FFFFL;
                if (n <= avail - 5) {
                    pos = p + 5 + (int) n;
                    return o;
                }
                return countedBeyondWindow(p, 5, n);
            }
            case COUNT8: {
                if (avail < 9) {
                    throw argumentCut(8);
                }
                final long n = int8(b, p + 1); // negative: 2^63 or more, rejected as beyond the input
                if (n >= 0 && n <= avail - 9) {
                    pos = p + 9 + (int) n;
                    return o;
                }
                return countedBeyondWindow(p, 9, n);
            }
            case LONG_1:
                if (avail < 2) {
                    throw argumentCut(1);
                }
                return long1or4(p, 2, b[p + 1] & 0xFF);
            case PUT4: {
                if (avail < 5) {
                    throw argumentCut(4);
                }
                final long key = int4(b, p + 1) & 0xFFFF_FFFFL;
                argLong = key;
                pos = p + 5;
                if (key == memoDense && memoSparse == null) {
                    memoDense++;
                } else {
                    memoPutSlow(key);
                }
                return o;
            }
            case GET4: {
                if (avail < 5) {
                    throw argumentCut(4);
                }
                final long key = int4(b, p + 1) & 0xFFFF_FFFFL;
                argLong = key;
                pos = p + 5;
                if (key >= memoDense) {
                    memoGetSlow(key);
                }
                return o;
            }
            case STOP_OP:
                if (badFrameOffset >= 0) {
                    throw frameTooLong();
                }
                stopped = true;
                pos = p + 1;
                return o;
            case PROTO_OP:
                if (avail < 2) {
                    throw argumentCut(1);
                }
                argLong = b[p + 1] & 0xFF;
                protocol = (int) argLong;
                pos = p + 2;
                return o;
            case FRAME_OP: {
                if (avail < 9) {
                    throw argumentCut(8);
                }
                final long n = int8(b, p + 1);
                argLong = n;
                pos = p + 9;
                if (n < 0 || n > end - opStart - 9) {
                    noteBadFrame(n);
                }
                return o;
            }
            case COUNT4_SIGNED: {
                if (avail < 5) {
                    throw argumentCut(4);
                }
                final int n = int4(b, p + 1);
                if (n < 0) {
                    throw negativeLength(n);
                }
                if (n <= avail - 5) {
                    pos = p + 5 + n;
                    return o;
                }
                return countedBeyondWindow(p, 5, n);
            }
            case LONG_4: {
                if (avail < 5) {
                    throw argumentCut(4);
                }
                final int n = int4(b, p + 1);
                if (n < 0) {
                    throw negativeLength(n);
                }
                return long1or4(p, 5, n);
            }
            case LINE:
                return line(p);
            default:
                throw unknownOpcode(opStart, code);
        }
    }

    /**
     * The next opcode byte when it is already in the window, else -1 (the window is not refilled,
     * the reader does not move): a cheap test before {@link #readStrRun}.
     */
    public int peekCode() {
        final int p = pos;
        return p < limit && !stopped ? buf[p] & 0xFF : -1;
    }

    /**
     * Fused fast path for runs of str items (docs/indexer.md, "Speed"): reads consecutive
     * {@code SHORT_BINUNICODE} / {@code BINUNICODE} opcodes, each optionally followed by the
     * {@code MEMOIZE}, {@code BINPUT} or {@code LONG_BINPUT} that stores it at the next memo key, in
     * one loop over the window instead of one {@link #next()} dispatch per opcode. For the i-th str
     * it stores, at index {@code at + i} of the arrays: the offset of its opcode, of its payload, the
     * payload's length and the memo key it was stored at (-1: none). The reader ends up exactly as if
     * {@link #next()} had returned each of those opcodes (position, memo keys, current opcode).
     *
     * <p>Stops, without consuming it, at the first opcode that is anything else (FRAME included),
     * at a str whose payload and following memo opcode do not lie whole in the window, after
     * {@code max} strs, and at once when the memo is not the plain sequential one. A BINPUT with a
     * key out of sequence is left for {@link #next()}; the str before it is read without a key.
     * The payloads are not decoded, as {@code next()} does not decode them either.
     *
     * @param memoExpected the caller's count of memo keys; nothing is read unless it equals the
     *     reader's own ({@link #memoSize()}), so the keys reported continue the caller's numbering
     * @return how many strs were read (0 when the next opcode is not one of them)
     */
    public int readStrRun(long memoExpected, long[] opOffset, long[] payloadOffset, int[] payloadLength,
            long[] memoKey, int at, int max) {
        if (stopped || memoSparse != null || !memoKnown || memoDense != memoExpected) {
            return 0;
        }
        final byte[] b = buf;
        // Room after a payload for the longest memo opcode (LONG_BINPUT, five bytes): whatever
        // follows a str read here was in the window, so "no memo opcode" is a fact, not a guess.
        final int last = limit - 5;
        final long base = bufStart;
        long memo = memoDense;
        int p = pos;
        int i = 0;
        int lastOp = p;
        int lastCode = 0;
        while (i < max && p < last) {
            final int code = b[p] & 0xFF;
            final int q;
            final int n;
            if (code == SHORT_BINUNICODE_CODE) {
                q = p + 2;
                n = b[p + 1] & 0xFF;
            } else if (code == BINUNICODE_CODE) {
                q = p + 5;
                n = int4(b, p + 1); // the window is far below 2 GiB: a negative or huge length stops the run
            } else {
                break;
            }
            if (n < 0 || n > last - q) {
                break; // not whole in the window (or corrupt): next() decides
            }
            final int e = q + n;
            final int m = b[e] & 0xFF;
            long key = -1;
            int after = e;
            if (m == MEMOIZE_CODE) {
                key = memo;
                after = e + 1;
            } else if (m == BINPUT_CODE) {
                if ((b[e + 1] & 0xFF) == memo) {
                    key = memo;
                    after = e + 2;
                }
            } else if (m == LONG_BINPUT_CODE) {
                if ((int4(b, e + 1) & 0xFFFF_FFFFL) == memo) {
                    key = memo;
                    after = e + 5;
                }
            }
            final int slot = at + i;
            opOffset[slot] = base + p;
            payloadOffset[slot] = base + q;
            payloadLength[slot] = n;
            memoKey[slot] = key;
            if (key >= 0) {
                memo++;
                lastOp = e;
                lastCode = m;
            } else {
                lastOp = p;
                lastCode = code;
            }
            p = after;
            i++;
        }
        if (i > 0) {
            pos = p;
            memoDense = memo;
            opStart = base + lastOp;
            op = PickleOpcode.of(lastCode);
            argLong = lastCode == SHORT_BINUNICODE_CODE || lastCode == BINUNICODE_CODE ? argLong : memo - 1;
        }
        return i;
    }

    // ------------------------------------------------------------------------------------------
    // The window, for a caller's own fused loop
    // ------------------------------------------------------------------------------------------

    /**
     * Starts a fused read by a caller that decodes a few opcodes itself, straight from the window
     * (the indexer's element runs, docs/indexer.md "Structural scan"): under C1 a call per opcode
     * into {@link #next()} and the caller's dispatch was most of a file of small dicts' scan. The
     * caller reads {@link #window()} from the returned index up to {@link #windowLimit()} (bytes
     * at absolute offset {@link #windowStart()} + index), keeps count of the memo keys the opcodes
     * it reads store, and hands back with {@link #fusedEnd}. It must leave to {@link #next()}
     * everything that is not plainly valid (an opcode or payload cut by the window's end, a memo
     * key out of sequence or never stored, FRAME, STOP): errors are raised there, by the reader.
     *
     * @param memoExpected the caller's count of memo keys; nothing may be read unless it equals
     *     the reader's own (the plain sequential memo, known from the start of the pickle)
     * @return the window index of the next opcode, or -1 when the caller must use {@code next()}
     */
    public int fusedBegin(long memoExpected) {
        if (stopped || memoSparse != null || !memoKnown || memoDense != memoExpected) {
            return -1;
        }
        return pos;
    }

    /** The window's bytes, valid until the next {@link #next()} (only for a fused read, {@link #fusedBegin}). */
    public byte[] window() {
        return buf;
    }

    /** The absolute offset of the window's first byte. */
    public long windowStart() {
        return bufStart;
    }

    /** The end (exclusive) of the valid bytes in {@link #window()}. */
    public int windowLimit() {
        return limit;
    }

    /**
     * Ends a fused read: the caller read every opcode up to and including the one at window index
     * {@code lastOp} (whole, in the window, and valid), and {@code memoAfter} memo keys are stored
     * after it. The reader then stands exactly as if {@link #next()} had returned each of those
     * opcodes: the last one is decoded again as the current opcode (position, argument, memo keys),
     * one {@code next()} per fused read rather than per opcode.
     */
    public void fusedEnd(int lastOp, long memoAfter) {
        if (lastOp < pos || lastOp >= limit || memoAfter < memoDense) {
            throw new IllegalStateException("fused read ended at " + lastOp + " (memo " + memoAfter
                    + ") before it began at " + pos + " (memo " + memoDense + ")");
        }
        final int code = buf[lastOp] & 0xFF;
        final boolean stores = code == MEMOIZE_CODE || code == BINPUT_CODE || code == LONG_BINPUT_CODE;
        pos = lastOp;
        memoDense = stores ? memoAfter - 1 : memoAfter;
        next();
    }

    /**
     * Skips a counted payload of {@code n} bytes (unsigned: negative means 2^63 or more) that does
     * not end inside the window, after checking it against the bytes that remain.
     */
    private PickleOpcode countedBeyondWindow(int p, int header, long n) {
        final long payload = bufStart + p + header;
        final long remaining = end - payload;
        if (n < 0 || n > remaining) {
            throw claimsTooMuch(n, remaining);
        }
        skipTo(payload + n);
        return op;
    }

    /** LONG1/LONG4: locates the payload and decodes up to eight bytes of it into argLong. */
    private PickleOpcode long1or4(int p, int header, int n) {
        if (n <= limit - p - header) {
            pos = p + header + n;
            if (n <= 8) {
                argLong = littleEndianSigned(buf, p + header, n);
                intState = INT_IN_ARG;
                return op;
            }
        } else {
            countedBeyondWindow(p, header, n);
        }
        intState = INT_UNKNOWN; // intArgFitsLong() decides
        return op;
    }

    private static long littleEndianSigned(byte[] b, int off, int n) {
        if (n == 0) {
            return 0;
        }
        long v = b[off + n - 1]; // sign-extends the most significant byte
        for (int i = n - 2; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    private static int int4(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | b[i + 3] << 24;
    }

    private static long int8(byte[] b, int i) {
        return (int4(b, i) & 0xFFFF_FFFFL) | (long) int4(b, i + 4) << 32;
    }

    /**
     * FRAME: its content is read like any other opcodes, so nothing is skipped or allocated on its
     * length. A frame longer than the bytes that remain is corrupt, but the error waits for the
     * stream to show where it fails: at the opcode cut off by the end of the input (a truncated
     * file), or at this FRAME when STOP arrives first (a lying length).
     */
    private void noteBadFrame(long n) {
        if (badFrameOffset < 0) {
            badFrameOffset = opStart;
            badFrameLength = n;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Memo keys (cold paths; the sequential case is handled inline in next())
    // ------------------------------------------------------------------------------------------

    private void memoPutSlow(long key) {
        if (!memoKnown || key < memoDense) {
            return; // unknown memo; or a key stored again, which pickle.load allows: the count stays
        }
        if (key == memoDense) {
            memoDense++;
            while (memoSparse.remove(memoDense)) {
                memoDense++;
            }
            if (memoSparse.isEmpty()) {
                memoSparse = null;
            }
            return;
        }
        if (memoSparse == null) {
            memoSparse = new HashSet<>();
        }
        if (memoSparse.size() >= MAX_SPARSE_MEMO_KEYS && !memoSparse.contains(key)) {
            throw new UnsupportedInputException("more than " + MAX_SPARSE_MEMO_KEYS
                    + " memo keys stored out of sequence", source, opStart, op.name());
        }
        memoSparse.add(key);
    }

    private void memoGetSlow(long key) {
        if (memoKnown && (memoSparse == null || !memoSparse.contains(key))) {
            throw corrupt(op.name() + " of memo key " + key + ", which has never been stored into ("
                    + memoSize() + " keys are)", opStart);
        }
    }

    private void memoizeSlow() {
        argLong = memoDense + memoSparse.size();
        memoPutSlow(argLong);
    }

    // ------------------------------------------------------------------------------------------
    // Window management (cold)
    // ------------------------------------------------------------------------------------------

    /**
     * Moves the unread bytes to the front of the window and reads more after them. Returns the new
     * {@code pos}; fewer than {@link #MAX_HEAD} bytes are available only at the end of the input.
     */
    private int loadMore() {
        fill(pos);
        return pos;
    }

    /**
     * Keeps the window bytes from index {@code keep} on (moving them to the front), then reads as
     * many bytes as fit before {@link #end}. Returns false when nothing more could be read.
     */
    private boolean fill(int keep) {
        if (keep > 0) {
            System.arraycopy(buf, keep, buf, 0, limit - keep);
            bufStart += keep;
            pos -= keep;
            limit -= keep;
        }
        final long readAt = bufStart + limit;
        final int want = (int) Math.min(buf.length - limit, end - readAt);
        if (want <= 0) {
            return false;
        }
        bufView.limit(limit + want).position(limit);
        try {
            while (bufView.hasRemaining()) {
                if (input.read(bufView, bufStart + bufView.position()) < 0) {
                    break; // the file shrank under us; what is missing reads as the end of the input
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sourceName() + " at byte " + readAt, e);
        }
        final int added = bufView.position() - limit;
        if (digest != null && added > 0) {
            digestUpTo(readAt);
            digest.update(buf, limit, added);
            digested = readAt + added;
        }
        limit = bufView.position();
        return added > 0;
    }

    /** Continues after a payload that ends beyond the window: the window restarts empty there. */
    private void skipTo(long absolute) {
        bufStart = absolute;
        pos = 0;
        limit = 0;
    }

    // ------------------------------------------------------------------------------------------
    // Newline-terminated arguments (protocol 0; kept out of next()'s body)
    // ------------------------------------------------------------------------------------------

    /** Reads a text-line argument (two lines for GLOBAL/INST) for the opcode at window index p. */
    private PickleOpcode line(int p) {
        final PickleOpcode o = op;
        final long start = opStart;
        pos = p + 1;
        long nl = findNewline(start);
        if (nl >= 0 && o.argKind() == ArgKind.STRINGNL_NOESCAPE_PAIR) {
            nl = findNewline(start);
        }
        if (nl < 0) {
            throw corrupt("pickle ends inside the text argument of " + o.name() + " (no newline)" + frameNote(), start);
        }
        final ArgKind kind = o.argKind();
        if (kind == ArgKind.DECIMALNL_SHORT || kind == ArgKind.DECIMALNL_LONG || kind == ArgKind.FLOATNL) {
            // Numbers are validated now, like genops does, so that a bad line fails at its opcode.
            // In place when the line is in the window (no allocation), else on a copy.
            checkLineCap(o);
            final long rel = start + 1 - bufStart;
            final int len = (int) (nl - start - 1);
            final byte[] a;
            final int at;
            if (rel >= 0 && rel + len <= limit) {
                a = buf;
                at = (int) rel;
            } else {
                a = payloadBytes();
                at = 0;
            }
            if (kind == ArgKind.FLOATNL) {
                checkFloat(o, a, at, len);
            } else {
                checkDecimal(o, a, at, len);
                if (o == PickleOpcode.PUT || o == PickleOpcode.GET) {
                    memoLine(o);
                }
            }
        } else if (kind == ArgKind.STRINGNL) {
            checkQuoted(o);
        }
        // Other text lines are decoded by stringArg() on demand.
        return o;
    }

    /**
     * Scans from {@code pos} to the next {@code \n}, refilling as needed, and returns its absolute
     * offset (pos then points past it), or -1 at the end of the input. Keeps the bytes from
     * {@code keepFrom} in the window while they fit, so that short lines can be parsed in place;
     * longer lines slide through the window and are re-read on demand. Nothing is allocated.
     */
    private long findNewline(long keepFrom) {
        for (;;) {
            final byte[] b = buf;
            for (int i = pos, n = limit; i < n; i++) {
                if (b[i] == '\n') {
                    pos = i + 1;
                    return bufStart + i;
                }
            }
            pos = limit;
            int keep = (int) Math.max(0, Math.min(keepFrom - bufStart, limit));
            if (limit - keep >= buf.length) {
                keep = limit; // the line outgrew the window: stop keeping it
            }
            if (!fill(keep)) {
                return -1;
            }
        }
    }

    private void checkDecimal(PickleOpcode o, byte[] b, int off, int len) {
        int n = len;
        if (o.argKind() == ArgKind.DECIMALNL_LONG && n > 0 && b[off + n - 1] == 'L') {
            n--;
        }
        final int status = PythonLiterals.intStatus(b, off, n);
        if (status == PythonLiterals.INVALID) {
            throw corrupt(o.name() + " argument '" + PythonLiterals.preview(b, off, len)
                    + "' is not a decimal integer", opStart);
        }
        // pickletools reads exactly "00" and "01" as False and True (protocol-0 bools).
        boolInt = o.argKind() == ArgKind.DECIMALNL_SHORT && len == 2 && b[off] == '0'
                && (b[off + 1] == '0' || b[off + 1] == '1');
        if (status == PythonLiterals.FITS_LONG) {
            argLong = PythonLiterals.parseLong(b, off, n);
            intState = INT_IN_ARG;
        } else {
            intState = INT_BIG;
        }
    }

    /** PUT/GET with a decimal key: the same bookkeeping as their binary forms. */
    private void memoLine(PickleOpcode o) {
        if (intState != INT_IN_ARG || argLong < 0) {
            throw corrupt(o.name() + " memo key " + bigIntArg() + " is out of range", opStart);
        }
        if (o == PickleOpcode.PUT) {
            if (argLong == memoDense && memoSparse == null) {
                memoDense++;
            } else {
                memoPutSlow(argLong);
            }
        } else if (argLong >= memoDense) {
            memoGetSlow(argLong);
        }
    }

    private void checkFloat(PickleOpcode o, byte[] b, int off, int len) {
        if (!PythonLiterals.isFloat(b, off, len)) {
            throw corrupt(o.name() + " argument '" + PythonLiterals.preview(b, off, len)
                    + "' is not a float", opStart);
        }
    }

    private void checkQuoted(PickleOpcode o) {
        final long off = payOff();
        final long len = payLen();
        final int first = len > 0 ? byteAt(off) : -1;
        final int last = len > 0 ? byteAt(off + len - 1) : -1;
        if (first != '\'' && first != '"') {
            throw corrupt(o.name() + " argument is not in quotes", opStart);
        }
        if (last != first) {
            throw corrupt(o.name() + " argument does not end with its opening quote", opStart);
        }
    }

    private void checkLineCap(PickleOpcode o) {
        final long len = payLen();
        if (len > MAX_DECODED_LINE) {
            throw new UnsupportedInputException("the text argument of " + o.name() + " is " + len
                    + " bytes long; lines over " + MAX_DECODED_LINE + " bytes are not decoded",
                    source, opStart, o.name());
        }
    }

    // ------------------------------------------------------------------------------------------
    // The current opcode
    // ------------------------------------------------------------------------------------------

    /** The current opcode, or {@code null} before the first {@link #next()} and after {@link #seek}. */
    public PickleOpcode opcode() {
        return op;
    }

    /** Absolute offset of the current opcode's byte. */
    public long opcodeOffset() {
        current();
        return opStart;
    }

    /** Absolute offset just past the current opcode, its argument and its payload. */
    public long endOffset() {
        current();
        return bufStart + pos;
    }

    /** Absolute offset of the next byte {@link #next()} will read. */
    public long position() {
        return bufStart + pos;
    }

    /** Absolute offset where the input ends. */
    public long end() {
        return end;
    }

    /** The file being read (for messages), or {@code null}. */
    public Path source() {
        return source;
    }

    /** The argument of the last PROTO read, or 0 before any (protocol 0 and 1 pickles have none). */
    public int protocol() {
        return protocol;
    }

    /** Whether STOP has been returned: {@link #next()} now returns {@code null}. */
    public boolean isStopped() {
        return stopped;
    }

    /**
     * The memo key of the current PUT, BINPUT, LONG_BINPUT, GET, BINGET, LONG_BINGET or MEMOIZE;
     * for MEMOIZE the key it stores at, which is the number of keys stored before it.
     *
     * @throws IllegalStateException for other opcodes, and for MEMOIZE after {@link #seek(long)}
     *     (the number of keys stored before is unknown; use {@link #seek(long, long)})
     */
    public long memoIndex() {
        switch (current()) {
            case PUT: case BINPUT: case LONG_BINPUT: case GET: case BINGET: case LONG_BINGET:
                return argLong;
            case MEMOIZE:
                if (!memoKnown) {
                    throw new IllegalStateException("MEMOIZE index unknown after seek(offset); use seek(offset, memoSize)");
                }
                return argLong;
            default:
                throw new IllegalStateException(op + " has no memo key");
        }
    }

    /**
     * The number of distinct memo keys stored so far (what {@code len(memo)} would be), or -1 after
     * {@link #seek(long)} without a memo size.
     */
    public long memoSize() {
        if (!memoKnown) {
            return -1;
        }
        return memoSparse == null ? memoDense : memoDense + memoSparse.size();
    }

    /**
     * The integer argument when it fits in a long ({@link #intArgFitsLong()}): UINT1/UINT2/INT4/
     * UINT4/UINT8 values (BININT*, PROTO, FRAME length, EXT*, memo keys), protocol-0 INT/PUT/GET/
     * LONG lines and LONG1/LONG4.
     *
     * @throws IllegalStateException if the current opcode has no integer argument, or it does not
     *     fit in a long (use {@link #bigIntArg()})
     */
    public long intArg() {
        if (!intArgFitsLong()) {
            throw new IllegalStateException(op + " argument does not fit in a long; use bigIntArg()");
        }
        return argLong;
    }

    /**
     * Whether the integer argument fits in a long. Decodes a LONG1/LONG4 payload longer than eight
     * bytes on first call.
     *
     * @throws IllegalStateException if the current opcode has no integer argument
     */
    public boolean intArgFitsLong() {
        final ArgKind kind = current().argKind();
        requireKind(kind.isInteger(), "an integer");
        if (kind.isFixed()) {
            return true;
        }
        if (intState == INT_UNKNOWN) {
            BigInteger v = bigIntArg();
            if (v.bitLength() < 64) {
                argLong = v.longValue();
                intState = INT_IN_ARG;
            } else {
                intState = INT_BIG;
            }
        }
        return intState == INT_IN_ARG;
    }

    /**
     * The integer argument at any size: two's-complement little-endian for LONG1/LONG4, decimal
     * text for INT/LONG lines (LONG's trailing {@code L} dropped), the plain value otherwise.
     * Allocates.
     *
     * @throws IllegalStateException if the current opcode has no integer argument
     */
    public BigInteger bigIntArg() {
        final ArgKind kind = current().argKind();
        requireKind(kind.isInteger(), "an integer");
        if (kind.isFixed() || intState == INT_IN_ARG) {
            return BigInteger.valueOf(argLong);
        }
        if (kind == ArgKind.LONG1 || kind == ArgKind.LONG4) {
            byte[] le = payloadBytes();
            if (le.length == 0) {
                return BigInteger.ZERO;
            }
            byte[] be = new byte[le.length];
            for (int i = 0; i < le.length; i++) {
                be[i] = le[le.length - 1 - i];
            }
            return new BigInteger(be);
        }
        checkLineCap(op);
        return withPayload((b, off, len) -> {
            int n = len;
            if (kind == ArgKind.DECIMALNL_LONG && n > 0 && b[off + n - 1] == 'L') {
                n--;
            }
            return PythonLiterals.parseBig(b, off, n);
        });
    }

    /**
     * Whether the current opcode is a protocol-0 {@code INT} (or PUT/GET) whose text is exactly
     * {@code 00} or {@code 01}, which {@code pickletools} and {@code pickle} read as False/True.
     */
    public boolean isBoolInt() {
        return op != null && op.argKind() == ArgKind.DECIMALNL_SHORT && boolInt;
    }

    /**
     * The bool of an {@code I00}/{@code I01} line.
     *
     * @throws IllegalStateException unless {@link #isBoolInt()}
     */
    public boolean boolArg() {
        requireKind(isBoolInt(), "a bool");
        return argLong != 0;
    }

    /**
     * The float argument: BINFLOAT's big-endian double, or FLOAT's text parsed like Python's
     * {@code float()} (including {@code nan}, {@code inf}, {@code -inf}, underscores).
     *
     * @throws IllegalStateException if the current opcode has no float argument
     */
    public double floatArg() {
        final ArgKind kind = current().argKind();
        requireKind(kind.isFloat(), "a float");
        if (kind == ArgKind.FLOAT8) {
            return Double.longBitsToDouble(argLong);
        }
        checkLineCap(op);
        return withPayload(PythonLiterals::parseFloat);
    }

    /**
     * Absolute offset of the current argument's payload: the bytes after the length field for
     * counted arguments (strings, bytes, LONG1/LONG4), the text after the opcode for line arguments.
     * -1 when the current opcode has no payload.
     */
    public long payloadOffset() {
        return current().argKind().hasPayload() ? payOff() : -1;
    }

    /**
     * Length of the current payload in bytes: the counted length, or the text without its final
     * newline (for GLOBAL/INST both lines, {@code module\nname}). 0 when there is no payload.
     */
    public long payloadLength() {
        return current().argKind().hasPayload() ? payLen() : 0;
    }

    /** Payload offset of the current opcode, assuming it has a payload. */
    private long payOff() {
        return opStart + 1 + op.argKind().fixedSize();
    }

    /** Payload length of the current opcode, assuming it has one: up to the end (or its newline). */
    private long payLen() {
        return bufStart + pos - payOff() - (op.argKind().isLine() ? 1 : 0);
    }

    /**
     * The current argument as the {@code str} {@code pickletools} reports: UTF-8 (surrogates
     * allowed) for the BINUNICODE family, latin-1 for BINSTRING/SHORT_BINSTRING, raw-unicode-escape
     * for UNICODE, the unquoted and escape-decoded text for STRING, the escape-decoded line for
     * PERSID, and {@code "module name"} for GLOBAL/INST. Where {@code pickletools} would fail on
     * escape-decoded bytes that are not ASCII, this decodes them as latin-1 (as
     * {@code np.load(encoding='latin1')} does). Allocates.
     *
     * @throws IllegalStateException if the argument is not text
     * @throws CorruptInputException if the text is malformed (bad UTF-8 or escape)
     * @throws UnsupportedInputException if the text cannot become one Java String
     */
    public String stringArg() {
        final PickleOpcode o = current();
        final ArgKind kind = o.argKind();
        requireKind(kind.isText(), "a text");
        if (kind.isLine()) {
            checkLineCap(o);
        }
        try {
            return withPayload((b, off, len) -> decodeText(kind, b, off, len));
        } catch (IllegalArgumentException e) {
            throw new CorruptInputException(o.name() + " argument: " + e.getMessage(), source, opStart, o.name(), e);
        }
    }

    private static String decodeText(ArgKind kind, byte[] b, int off, int len) {
        switch (kind) {
            case STRING1:
            case STRING4:
                return new String(b, off, len, StandardCharsets.ISO_8859_1);
            case UNICODESTRING1:
            case UNICODESTRING4:
            case UNICODESTRING8:
                return PythonCodecs.utf8Surrogatepass(b, off, len);
            case UNICODESTRINGNL:
                return PythonCodecs.rawUnicodeEscape(b, off, len);
            case STRINGNL: // next() checked the quotes; like Python's data[1:-1], a lone quote is ''
                return len < 2 ? "" : latin1(PythonCodecs.escapeDecode(b, off + 1, len - 2));
            case STRINGNL_NOESCAPE:
                return latin1(PythonCodecs.escapeDecode(b, off, len));
            case STRINGNL_NOESCAPE_PAIR: {
                int nl = indexOfNewline(b, off, len);
                return latin1(PythonCodecs.escapeDecode(b, off, nl - off)) + ' '
                        + latin1(PythonCodecs.escapeDecode(b, nl + 1, off + len - nl - 1));
            }
            default:
                throw new AssertionError(kind);
        }
    }

    /**
     * GLOBAL/INST: the module line, decoded as UTF-8 as {@code pickle.load} does (unlike
     * {@link #stringArg()}, no escape processing).
     *
     * @throws IllegalStateException unless the current opcode is GLOBAL or INST
     */
    public String globalModule() {
        return globalPart(true);
    }

    /**
     * GLOBAL/INST: the name line (possibly dotted, e.g. {@code OrderedDict} or {@code a.b}), decoded
     * as UTF-8 as {@code pickle.load} does.
     *
     * @throws IllegalStateException unless the current opcode is GLOBAL or INST
     */
    public String globalName() {
        return globalPart(false);
    }

    private String globalPart(boolean module) {
        final PickleOpcode o = current();
        requireKind(o.argKind() == ArgKind.STRINGNL_NOESCAPE_PAIR, "a module and name");
        checkLineCap(o);
        try {
            return withPayload((b, off, len) -> {
                int nl = indexOfNewline(b, off, len);
                return module ? PythonCodecs.utf8Surrogatepass(b, off, nl - off)
                        : PythonCodecs.utf8Surrogatepass(b, nl + 1, off + len - nl - 1);
            });
        } catch (IllegalArgumentException e) {
            throw new CorruptInputException(o.name() + " argument: " + e.getMessage(), source, opStart, o.name(), e);
        }
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static int indexOfNewline(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        throw new AssertionError("GLOBAL payload without its inner newline");
    }

    /** Work on a byte range without caring whether it lies in the window. */
    private interface RangeFunction<T> {
        T apply(byte[] b, int off, int len);
    }

    /** Applies {@code f} to the current payload: in place when it lies in the window, else on a copy. */
    private <T> T withPayload(RangeFunction<T> f) {
        final long rel = payOff() - bufStart;
        final long len = payLen();
        if (rel >= 0 && rel + len <= limit) {
            return f.apply(buf, (int) rel, (int) len);
        }
        byte[] copy = payloadBytes();
        return f.apply(copy, 0, copy.length);
    }

    /**
     * A copy of the current payload. Allocates; for payloads too large for one array use
     * {@link #copyPayload(long, ByteBuffer)}.
     *
     * @throws IllegalStateException if the current opcode has no payload
     * @throws UnsupportedInputException if the payload exceeds the largest Java array
     */
    public byte[] payloadBytes() {
        requireKind(current().argKind().hasPayload(), "a payload");
        final long len = payLen();
        if (len > MAX_ARRAY) {
            throw tooLarge(len);
        }
        byte[] copy = new byte[(int) len];
        copyRange(payOff(), ByteBuffer.wrap(copy));
        return copy;
    }

    /**
     * Copies the first {@code min(payloadLength(), dst.length)} bytes of the current payload into
     * {@code dst} and returns how many: the allocation-free way to peek at short payloads (the
     * indexer looks at every short str this way). Does not move the reader.
     *
     * @throws IllegalStateException if the current opcode has no payload
     */
    public int copyPayloadPrefix(byte[] dst) {
        requireKind(current().argKind().hasPayload(), "a payload");
        final int n = (int) Math.min(dst.length, payLen());
        copyBytes(payOff(), dst, n);
        return n;
    }

    /**
     * Copies the whole current payload into {@code dst} (advancing its position), in bulk: the part
     * in the window by one array copy, the rest by positional reads straight into {@code dst}.
     * Does not move the reader.
     *
     * @throws BufferOverflowException if {@code dst} has less room than {@link #payloadLength()}
     * @throws IllegalStateException if the current opcode has no payload
     */
    public void copyPayload(ByteBuffer dst) {
        requireKind(current().argKind().hasPayload(), "a payload");
        final long len = payLen();
        if (dst.remaining() < len) {
            throw new BufferOverflowException();
        }
        copyRange(payOff(), dst.slice().limit((int) len));
        dst.position(dst.position() + (int) len);
    }

    /**
     * Copies payload bytes from {@code from} (relative to the payload start) into {@code dst}, as
     * many as fit and remain, for payloads of any size. Does not move the reader.
     *
     * @return the number of bytes copied
     * @throws IllegalArgumentException if {@code from} is outside {@code [0, payloadLength()]}
     * @throws IllegalStateException if the current opcode has no payload
     */
    public int copyPayload(long from, ByteBuffer dst) {
        requireKind(current().argKind().hasPayload(), "a payload");
        final long len = payLen();
        if (from < 0 || from > len) {
            throw new IllegalArgumentException("payload position " + from + " outside [0, " + len + "]");
        }
        final int n = (int) Math.min(dst.remaining(), len - from);
        copyRange(payOff() + from, dst.slice().limit(n));
        dst.position(dst.position() + n);
        return n;
    }

    /** Fills dst (position to limit) with the file bytes from {@code absolute}: window first, then the channel. */
    private void copyRange(long absolute, ByteBuffer dst) {
        long at = absolute;
        final long rel = at - bufStart;
        if (rel >= 0 && rel < limit) {
            final int n = (int) Math.min(dst.remaining(), limit - rel);
            dst.put(buf, (int) rel, n);
            at += n;
        }
        try {
            while (dst.hasRemaining()) {
                final int n = input.read(dst, at);
                if (n < 0) {
                    throw corrupt("file ends inside the payload of " + op.name(), opStart);
                }
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sourceName() + " at byte " + at, e);
        }
    }

    /**
     * Copies {@code n} bytes of the input from {@code absolute} into {@code dst}: from the window
     * when they are still in it (the common case for something read a few opcodes ago), else by a
     * positional read. Does not move the reader.
     *
     * @throws CorruptInputException if the input ends before {@code absolute + n}
     */
    public void copyBytes(long absolute, byte[] dst, int n) {
        final long rel = absolute - bufStart;
        if (rel >= 0 && rel + n <= limit) {
            System.arraycopy(buf, (int) rel, dst, 0, n);
        } else {
            copyRange(absolute, ByteBuffer.wrap(dst, 0, n));
        }
    }

    private int byteAt(long absolute) {
        final long rel = absolute - bufStart;
        if (rel >= 0 && rel < limit) {
            return buf[(int) rel] & 0xFF;
        }
        ByteBuffer one = ByteBuffer.allocate(1);
        copyRange(absolute, one);
        return one.get(0) & 0xFF;
    }

    // ------------------------------------------------------------------------------------------
    // Digest of the input
    // ------------------------------------------------------------------------------------------

    /**
     * Feeds {@code checksum} every byte of the input from the reader's start, in order, as the
     * reader goes: each window fill adds the bytes it copied (a heap copy, never the mapping, so a
     * file truncated meanwhile fails a copy with an {@link IOException} rather than the checksum
     * intrinsic), and payloads skipped without entering the window are read for it at the next fill.
     * {@link #digestRest()} adds what remains up to {@link #end()}. Only for one sequential pass:
     * {@link #seek} then fails. Call before the first {@link #next()}.
     *
     * @throws IllegalStateException if the reader has already read or is digesting
     */
    public void digest(Checksum checksum) {
        if (digest != null || op != null || limit != 0) {
            throw new IllegalStateException("digest() must come before the first next()");
        }
        digest = checksum;
        digested = bufStart;
    }

    /**
     * Adds the input bytes not yet digested, up to {@link #end()}: those after STOP (or after the
     * point where reading stopped) and any skipped payload not yet read.
     *
     * @throws IllegalStateException unless {@link #digest} was called
     * @throws UncheckedIOException if the file cannot be read, or shrank below {@link #end()}
     */
    public void digestRest() {
        if (digest == null) {
            throw new IllegalStateException("not digesting");
        }
        digestUpTo(end);
    }

    /** Digests the input from {@code digested} to {@code to} by reads of its own: bytes the window never held. */
    private void digestUpTo(long to) {
        if (to <= digested) {
            return;
        }
        ByteBuffer gap = gapBuffer;
        if (gap == null) {
            gap = gapBuffer = ByteBuffer.allocate((int) Math.min(buf.length, 64 << 10));
        }
        long at = digested;
        try {
            while (at < to) {
                gap.clear().limit((int) Math.min(gap.capacity(), to - at));
                final int n = input.read(gap, at);
                if (n < 0) {
                    throw new IOException("the file shrank while being read (at byte " + at + ")");
                }
                digest.update(gap.array(), 0, n);
                at += n;
                digestedApart += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sourceName() + " at byte " + at, e);
        } finally {
            digested = at;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Random access and lifecycle
    // ------------------------------------------------------------------------------------------

    /**
     * Continues reading at {@code absoluteOffset}, which must be an opcode boundary (the reader
     * cannot tell; a wrong offset reads garbage and usually fails as corrupt). Clears the STOP
     * state and the current opcode; {@link #protocol()} is kept. Reuses the window when the target
     * lies in it. The memo keys stored before the offset are unknown afterwards: fetches are not
     * checked and MEMOIZE has no index until {@link #seek(long, long)}.
     *
     * @throws IllegalArgumentException if the offset is outside {@code [0, end()]}
     */
    public void seek(long absoluteOffset) {
        seekTo(absoluteOffset);
        memoKnown = false;
        memoDense = 0;
        memoSparse = null;
    }

    /**
     * Like {@link #seek(long)}, with the memo state there known: keys {@code 0 .. memoSize-1} have
     * been stored (Python numbers keys sequentially; an index records the count at checkpoints).
     * Memo fetches are then checked and MEMOIZE indices reported again. {@code seek(start, 0)}
     * restarts a pickle from its beginning.
     *
     * @throws IllegalArgumentException if the offset is outside {@code [0, end()]} or memoSize is negative
     */
    public void seek(long absoluteOffset, long memoSize) {
        if (memoSize < 0) {
            throw new IllegalArgumentException("negative memo size " + memoSize);
        }
        seekTo(absoluteOffset);
        memoKnown = true;
        memoDense = memoSize;
        memoSparse = null;
    }

    private void seekTo(long absoluteOffset) {
        if (absoluteOffset < 0 || absoluteOffset > end) {
            throw new IllegalArgumentException("offset " + absoluteOffset + " outside [0, " + end + "]");
        }
        if (digest != null) {
            throw new IllegalStateException("seek while digesting: the digest covers one sequential pass");
        }
        final long rel = absoluteOffset - bufStart;
        if (rel >= 0 && rel <= limit) {
            pos = (int) rel;
        } else {
            skipTo(absoluteOffset);
        }
        stopped = false;
        op = null;
        badFrameOffset = -1;
    }

    /** Closes the channel if this reader opened it ({@link #open}); a borrowed channel stays open. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        input.close();
        if (ownsChannel) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + sourceName(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "PickleReader[" + sourceName() + " at " + position()
                + (op == null ? "" : ", " + op + " at " + opStart) + "]";
    }

    private String sourceName() {
        return source == null ? "pickle" : source.toString();
    }

    // ------------------------------------------------------------------------------------------
    // Errors (cold)
    // ------------------------------------------------------------------------------------------

    private PickleOpcode current() {
        if (op == null) {
            throw new IllegalStateException("no current opcode: call next() first");
        }
        return op;
    }

    private void requireKind(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(op + " has no " + what + " argument");
        }
    }

    private CorruptInputException corrupt(String reason, long offset) {
        return new CorruptInputException(reason, source, offset, op == null ? null : op.name());
    }

    private CorruptInputException endsBeforeStop(long offset) {
        op = null;
        return new CorruptInputException("pickle ends before STOP" + frameNote(), source, offset, null);
    }

    private CorruptInputException unknownOpcode(long offset, int code) {
        op = null;
        return new CorruptInputException(String.format(Locale.ROOT, "unknown opcode byte 0x%02x", code), source, offset, null);
    }

    /** The fixed part of the argument (length field or value) is cut off by the end of the input. */
    private CorruptInputException argumentCut(int need) {
        final long remaining = end - opStart - 1;
        return corrupt("pickle ends inside the argument of " + op.name() + ": it needs " + need
                + (need == 1 ? " byte" : " bytes") + " but only " + remaining + " remain" + frameNote(), opStart);
    }

    private CorruptInputException claimsTooMuch(long claimed, long remaining) {
        return corrupt(op.name() + " claims " + Long.toUnsignedString(claimed) + " bytes but only "
                + remaining + " remain" + frameNote(), opStart);
    }

    private CorruptInputException negativeLength(int n) {
        return corrupt(op.name() + " has a negative length (" + n + ")", opStart);
    }

    /** STOP arrived inside a frame that claimed more bytes than the input has. */
    private CorruptInputException frameTooLong() {
        final long remaining = end - badFrameOffset - 9;
        return new CorruptInputException("FRAME claims " + Long.toUnsignedString(badFrameLength)
                + " bytes but only " + remaining + " remain", source, badFrameOffset, "FRAME");
    }

    /** For errors at the end of the input: the frame that announced more, if any. */
    private String frameNote() {
        if (badFrameOffset < 0) {
            return "";
        }
        return " (the FRAME at byte " + badFrameOffset + " announced " + Long.toUnsignedString(badFrameLength)
                + " bytes; the input ends " + (end - badFrameOffset - 9) + " bytes into it)";
    }

    private UnsupportedInputException tooLarge(long len) {
        return new UnsupportedInputException("the payload of " + op.name() + " is " + len
                + " bytes, too large for one Java array", source, opStart, op.name());
    }
}
