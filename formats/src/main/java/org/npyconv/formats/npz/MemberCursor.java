package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A sequential reader of a deflated member's uncompressed bytes, from some position onwards. */
interface MemberCursor {
    /** Uncompressed offset of the next byte {@link #read} returns. */
    long position();

    /** Decodes and discards up to {@code n} bytes; fewer only at the end of the stream. */
    long skip(long n) throws IOException;

    /** Fills {@code dst} as far as the stream goes; -1 at its end. */
    int read(ByteBuffer dst) throws IOException;

    /** Releases native resources, if any. */
    default void release() {
    }
}
