package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.npyconv.formats.CorruptInputException;

/**
 * A member inflated by zlib ({@code java.util.zip.Inflater}, raw deflate) — several times faster
 * than {@link DeflateDecoder} — from its start or from a {@link DeflateCheckpoint}.
 *
 * <p>zlib cannot start at a bit offset (Java has no {@code inflatePrime}). Shifting the compressed
 * bytes right by the bit offset would realign the first block but misalign every later stored
 * block, whose data starts at a byte boundary of the <em>original</em> stream. Instead a primer is
 * put in front: empty deflate blocks that emit nothing and whose total length {@code L} satisfies
 * {@code L ≡ bit offset (mod 8)}, followed by the top {@code 8 - bit offset} bits of the
 * checkpoint's byte. The original bytes after it then follow at their own byte alignment. Empty
 * fixed blocks are 10 bits (≡ 2 mod 8); an empty dynamic block (a one-code literal/length code of
 * just end-of-block, which zlib accepts, and no distance codes) listing all 19 code-length code
 * lengths is 95 bits (≡ 7), so with up to three fixed ones every residue is reachable. The
 * checkpoint's 32 KiB history goes in with {@code setDictionary}, which raw inflate allows at any
 * time (zlib.h, inflateSetDictionary).
 */
final class ZlibCursor implements MemberCursor {
    private static final int INPUT = 64 * 1024;

    private final FileChannel in;
    private final Path file;
    private final long dataOffset;
    private final long dataEnd;
    private final Inflater inflater = new Inflater(true);
    private final byte[] input = new byte[INPUT];
    private final byte[] scratch = new byte[INPUT];
    private long next;
    private long position;
    private boolean dummySent;

    private ZlibCursor(FileChannel in, Path file, long dataOffset, long compressedSize) {
        this.in = in;
        this.file = file;
        this.dataOffset = dataOffset;
        this.dataEnd = dataOffset + compressedSize;
        this.next = dataOffset;
    }

    /** A cursor at the start of the member. */
    static ZlibCursor atStart(FileChannel in, Path file, long dataOffset, long compressedSize) {
        return new ZlibCursor(in, file, dataOffset, compressedSize);
    }

    /** A cursor at checkpoint {@code c}, whose history is the last {@code c.historyLength()} bytes of {@code history}. */
    static ZlibCursor at(FileChannel in, Path file, long dataOffset, long compressedSize, DeflateCheckpoint c,
            ByteBuffer history) throws IOException {
        ZlibCursor z = new ZlibCursor(in, file, dataOffset, compressedSize);
        if (c.historyLength() > 0) {
            byte[] dictionary = new byte[c.historyLength()];
            history.get(history.limit() - c.historyLength(), dictionary);
            z.inflater.setDictionary(dictionary);
        }
        z.position = c.outOffset();
        long q = c.bitOffset() >>> 3;
        int b = (int) (c.bitOffset() & 7);
        z.next = dataOffset + q;
        if (b != 0) {
            ByteBuffer one = ByteBuffer.allocate(1);
            if (q >= compressedSize || in.read(one, dataOffset + q) != 1) {
                throw z.corrupt("a checkpoint lies past the member's compressed bytes");
            }
            z.inflater.setInput(primer(b, one.get(0) & 0xFF));
            z.next++;
        }
        return z;
    }

    /** Empty blocks of a length ≡ {@code b} (mod 8), then the top {@code 8 - b} bits of {@code partial}: whole bytes. */
    static byte[] primer(int b, int partial) {
        BitWriter w = new BitWriter();
        int fixed;
        if (b % 2 == 0) {
            fixed = b / 2;                        // 10 bits each: 2, 4, 6 mod 8
        } else {
            int codes = 19;                       // 95 bits: 7 mod 8
            emptyDynamicBlock(w, codes);
            fixed = ((b - 7) & 7) / 2;            // then 0 to 3 empty fixed blocks
        }
        for (int i = 0; i < fixed; i++) {
            w.bits(0, 1).bits(1, 2).bits(0, 7);   // BFINAL 0, BTYPE 01, end-of-block (7 zero bits)
        }
        if ((w.length & 7) != b) {
            throw new AssertionError("primer of " + w.length + " bits for offset " + b);
        }
        w.bits(partial >>> b, 8 - b);
        return w.bytes();
    }

    /**
     * An empty dynamic block listing {@code codes} (18 or 19) code-length code lengths: 257
     * literal/length codes where only end-of-block has a (1-bit) code, one unused distance code.
     */
    private static void emptyDynamicBlock(BitWriter w, int codes) {
        w.bits(0, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(codes - 4, 4);
        // code-length code lengths in RFC 1951 order 16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1,15:
        // symbol 18 gets 1 bit (code 0), symbols 0 and 1 get 2 bits (codes 10 and 11)
        int[] order = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
        for (int i = 0; i < codes; i++) {
            int sym = order[i];
            w.bits(sym == 18 ? 1 : sym == 0 || sym == 1 ? 2 : 0, 3);
        }
        w.huffman(0, 1).bits(138 - 11, 7);        // 18: 138 zeros
        w.huffman(0, 1).bits(118 - 11, 7);        // 18: 118 zeros (literals 0-255 unused)
        w.huffman(3, 2);                          // 1: end-of-block has a 1-bit code
        w.huffman(2, 2);                          // 0: the one distance code is unused
        w.huffman(0, 1);                          // end-of-block
    }

    /** LSB-first bit packing, as deflate stores everything but Huffman codes. */
    private static final class BitWriter {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private int acc;
        private int count;
        int length;

        BitWriter bits(int value, int n) {
            for (int i = 0; i < n; i++) {
                acc |= ((value >>> i) & 1) << count;
                count++;
                length++;
                if (count == 8) {
                    out.write(acc);
                    acc = 0;
                    count = 0;
                }
            }
            return this;
        }

        /** A Huffman code, written from its most significant bit as RFC 1951 requires. */
        BitWriter huffman(int code, int n) {
            for (int i = n - 1; i >= 0; i--) {
                bits((code >>> i) & 1, 1);
            }
            return this;
        }

        byte[] bytes() {
            if (count != 0) {
                throw new AssertionError("not whole bytes");
            }
            return out.toByteArray();
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long skip(long n) throws IOException {
        long done = 0;
        while (done < n) {
            int k = inflate(scratch, 0, (int) Math.min(scratch.length, n - done));
            if (k < 0) {
                break;
            }
            done += k;
        }
        return done;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int k;
            if (dst.hasArray()) {
                k = inflate(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (k > 0) {
                    dst.position(dst.position() + k);
                }
            } else {
                k = inflate(scratch, 0, Math.min(scratch.length, dst.remaining()));
                if (k > 0) {
                    dst.put(scratch, 0, k);
                }
            }
            if (k < 0) {
                return total == 0 ? -1 : total;
            }
            total += k;
        }
        return total;
    }

    /** Inflates at least one byte into {@code b}; -1 at the end of the stream. */
    private int inflate(byte[] b, int off, int len) throws IOException {
        try {
            while (true) {
                int k = inflater.inflate(b, off, len);
                if (k > 0) {
                    position += k;
                    return k;
                }
                if (inflater.finished()) {
                    return -1;
                }
                if (inflater.needsDictionary()) {
                    throw corrupt("the deflate stream asks for a preset dictionary");
                }
                if (inflater.needsInput()) {
                    refill();
                }
            }
        } catch (DataFormatException e) {
            throw corrupt("invalid deflate data (" + e.getMessage() + ")");
        }
    }

    private void refill() throws IOException {
        if (next >= dataEnd) {
            // zlib's raw mode may want one byte past the end to finish; anything more is an early end.
            if (dummySent) {
                throw corrupt("the compressed data ends early (past the member's " + (dataEnd - dataOffset) + " bytes)");
            }
            dummySent = true;
            inflater.setInput(new byte[1]);
            return;
        }
        ByteBuffer buffer = ByteBuffer.wrap(input, 0, (int) Math.min(input.length, dataEnd - next));
        while (buffer.hasRemaining()) {
            if (in.read(buffer, next + buffer.position()) < 0) {
                throw new CorruptInputException("the archive ends inside a member's compressed data", file,
                        next + buffer.position(), "deflate");
            }
        }
        inflater.setInput(input, 0, buffer.position());
        next += buffer.position();
    }

    private CorruptInputException corrupt(String reason) {
        long at = Math.min(dataEnd, dataOffset + inflater.getBytesRead());
        return new CorruptInputException(reason, file, at, "deflate");
    }

    @Override
    public void release() {
        inflater.end();
    }
}
