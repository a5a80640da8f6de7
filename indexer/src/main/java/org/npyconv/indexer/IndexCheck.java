package org.npyconv.indexer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.npyconv.formats.MappedReads;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.npyidx.SidecarIndex;
import org.npyconv.formats.npyidx.SourceFingerprint;

/**
 * Whether a sidecar belongs to its file. {@link #quick} compares size and modification time (what
 * every command does before trusting an index); {@link #full} also recomputes the checksums of
 * every byte of the file (what {@code npyconv verify} does).
 */
public final class IndexCheck {
    /** The outcome. */
    public enum Status { MISSING, CURRENT, STALE, DAMAGED }

    /** A status and, unless current, one line that says why. */
    public record Verdict(Status status, String reason) {
        public boolean usable() {
            return status == Status.CURRENT;
        }
    }

    private IndexCheck() {}

    /** Size and mtime check; never throws for a bad index, only for an unreadable data file. */
    public static Verdict quick(Path file, Path index) throws IOException {
        return check(file, index, false);
    }

    /** {@link #quick} plus CRC32C of the header and pickle bytes. Reads the whole file. */
    public static Verdict full(Path file, Path index) throws IOException {
        return check(file, index, true);
    }

    private static Verdict check(Path file, Path index, boolean checksums) throws IOException {
        if (!Files.exists(index)) {
            return new Verdict(Status.MISSING, "no index at " + index);
        }
        try (SidecarIndex sidecar = SidecarIndex.open(index)) {
            return compare(file, sidecar, checksums);
        } catch (CorruptInputException | UnsupportedInputException e) {
            return new Verdict(Status.DAMAGED, e.reason());
        } catch (NoSuchFileException e) {
            return new Verdict(Status.MISSING, "no index at " + index);
        }
    }

    /** Compares an open sidecar with the file it claims to index. */
    public static Verdict compare(Path file, SidecarIndex sidecar, boolean checksums) throws IOException {
        SourceFingerprint fp = sidecar.source();
        long size = Files.size(file);
        if (size != fp.size()) {
            return new Verdict(Status.STALE, "the file has " + size + " bytes, the index was made for " + fp.size());
        }
        long mtime = Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS);
        if (mtime != fp.mtimeNanos()) {
            return new Verdict(Status.STALE, "the file was modified after it was indexed");
        }
        if (checksums) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                 MappedReads input = MappedReads.mapped(ch)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 20);
                AtomicBoolean never = new AtomicBoolean();
                if (Indexer.crc(input, 0, fp.pickleOffset(), buffer, never) != fp.headerCrc32c()) {
                    return new Verdict(Status.STALE, "the header bytes differ from the indexed file's");
                }
                if (Indexer.crc(input, fp.pickleOffset(), fp.pickleEnd(), buffer, never) != fp.pickleCrc32c()) {
                    return new Verdict(Status.STALE, "the pickle bytes differ from the indexed file's (same size and time)");
                }
            }
        }
        return new Verdict(Status.CURRENT, "");
    }
}
