package org.npyconv.indexer.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.element.ElementRepr;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.pickle.ArgKind;
import org.npyconv.formats.pickle.PickleReader;
import org.npyconv.indexer.IndexCheck;
import org.npyconv.indexer.Indexer;
import org.npyconv.indexer.NpyObjectArray;

/**
 * The four fuzz targets of docs/robustness.md. Each takes the bytes of a whole {@code .npy} file
 * (seeds: the fixture corpus and the hostile corpus) and may fail only with an
 * {@link NpyconvException} (corrupt or unsupported input); anything else — an unchecked exception
 * from a bug, an {@code OutOfMemoryError}, a {@code StackOverflowError}, a hang caught by the
 * fuzzer's timeout — is a finding. Used by the Jazzer campaign ({@code tools/hostile/fuzz.sh},
 * through the per-target classes' {@code fuzzerTestOneInput}) and by {@link FuzzRegressionTest}.
 * Not thread-safe: each target reuses one scratch file.
 */
enum FuzzTarget {
    /** {@code NpyHeader.read} over an in-memory channel. */
    HEADER {
        @Override
        void run(byte[] data) throws IOException {
            NpyHeader h = NpyHeader.read(new ByteArrayChannel(data), SCRATCH_NAME);
            h.count();
            h.descr();
            h.isObject();
        }
    },
    /** The opcode reader over the pickle after a valid header, with a small window and every argument decoded. */
    PICKLE_READER {
        @Override
        void run(byte[] data) throws IOException {
            Path file = scratch(data);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                NpyHeader h = NpyHeader.read(ch, file);
                int window = PickleReader.MIN_WINDOW_SIZE << (data.length % 8);
                try (PickleReader r = new PickleReader(ch, h.dataOffset(), ch.size(), file, window)) {
                    while (r.next() != null) {
                        decodeArgument(r);
                    }
                }
            }
        }
    },
    /** {@code Indexer.build}; a built index must verify as current. */
    INDEXER {
        @Override
        void run(byte[] data) throws IOException {
            Path file = scratch(data);
            Path index = Indexer.sidecarPath(file);
            Files.deleteIfExists(index);
            Indexer.build(file, index, 1 + data.length % 3, Indexer.Progress.NONE);
            IndexCheck.Verdict v = IndexCheck.full(file, index);
            if (!v.usable()) {
                throw new AssertionError("a freshly built index is " + v);
            }
        }
    },
    /** {@code NpyObjectArray.get} of (up to 64) elements, the stream, and both renderings of each. */
    ELEMENTS {
        @Override
        void run(byte[] data) throws IOException {
            Path file = scratch(data);
            Files.deleteIfExists(Indexer.sidecarPath(file));
            try (NpyObjectArray array = NpyObjectArray.open(file)) {
                long n = Math.min(array.size(), 64);
                for (long i = n - 1; i >= 0; i--) {
                    render(array.get(i));
                }
                Iterator<Object> it = array.iterator();
                for (int i = 0; i < 64 && it.hasNext(); i++) {
                    render(it.next());
                }
            }
        }
    };

    private static final Path SCRATCH_NAME = Path.of("fuzz-input.npy");
    private static Path scratchDir;

    abstract void run(byte[] data) throws IOException;

    /** Runs the target; rethrows what counts as a finding, swallows clean refusals. */
    void fuzz(byte[] data) {
        try {
            run(data);
        } catch (NpyconvException expected) {
            // corrupt or unsupported input, reported cleanly: what hostile input should get
            if (expected.getMessage() == null || expected.getMessage().isEmpty()) {
                throw new AssertionError("an error without a message", expected);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized Path scratch(byte[] data) throws IOException {
        if (scratchDir == null) {
            scratchDir = Files.createTempDirectory("npyconv-fuzz");
            scratchDir.toFile().deleteOnExit();
        }
        Path file = scratchDir.resolve(SCRATCH_NAME);
        Files.write(file, data);
        return file;
    }

    private static void render(Object element) throws IOException {
        Appendable sink = new Appendable() {
            @Override
            public Appendable append(CharSequence csq) {
                return this;
            }

            @Override
            public Appendable append(CharSequence csq, int start, int end) {
                return this;
            }

            @Override
            public Appendable append(char c) {
                return this;
            }
        };
        try {
            ElementJson.write(element, sink);
        } catch (NpyconvException refused) {
            // recursive, too deep or an expansion bomb: refused cleanly
        }
        ElementRepr.write(element, sink, ElementJson.DEFAULT_MAX_DEPTH);
    }

    /** Decodes the current argument as pickletools would (as PickleReaderFixtureTest does), discarding it. */
    static void decodeArgument(PickleReader r) {
        ArgKind kind = r.opcode().argKind();
        if (r.isBoolInt()) {
            r.boolArg();
        } else if (kind.isInteger()) {
            r.bigIntArg();
        } else if (kind.isFloat()) {
            r.floatArg();
        } else if (kind.isText()) {
            r.stringArg();
        } else if (kind.isBinary()) {
            long length = r.payloadLength();
            if (length <= 1 << 20) {
                r.payloadBytes();
            } else {
                r.copyPayload(0, ByteBuffer.allocate(4096));
            }
        }
    }
}
