package org.npyconv.indexer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.npyconv.formats.ReplacingFile;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.npyidx.ArchiveFingerprint;
import org.npyconv.formats.npyidx.ArchiveIndexWriter;
import org.npyconv.formats.npz.FileRegion;
import org.npyconv.formats.npz.InflateCheckpoints;
import org.npyconv.formats.npz.InflatedMember;
import org.npyconv.formats.npz.ZipCentralDirectory;
import org.npyconv.formats.npz.ZipMember;

/**
 * Builds the archive index of an {@code .npz} ({@code ARCHIVE.npz.npyidx}, docs/npz.md): for every
 * deflated {@code .npy} member — object, numeric, structured or string — one pass of the pure-Java
 * decoder records deflate checkpoints (and checks the member's size and CRC-32), so that a read
 * anywhere in it starts at most one checkpoint spacing back; for every object member the ordinary {@link Indexer} runs
 * over the member's channel view and its {@code .npyidx} is embedded. Per-member pieces go to
 * temporary files beside the target and are copied into the archive index, which is written under
 * a temporary name and renamed, so an interrupted run leaves nothing behind.
 */
public final class NpzIndexer {
    /** What a finished run did. */
    public record Result(Path index, int members, int objectMembers, int deflatedMembers, long elements,
            long checkpoints, long archiveBytes, long indexBytes, long nanos) {
    }

    private NpzIndexer() {}

    /** Indexes {@code archive} into {@code index}; {@code inflateSpacing} is the uncompressed bytes between deflate checkpoints. */
    public static Result build(Path archive, Path index, int checkpointInterval, long inflateSpacing,
            Indexer.Progress progress) throws IOException {
        if (checkpointInterval < 1 || inflateSpacing < 1) {
            throw new IllegalArgumentException("checkpoint interval and spacing must be positive");
        }
        long began = System.nanoTime();
        Path dir = index.toAbsolutePath().getParent();
        try (FileChannel channel = FileChannel.open(archive, StandardOpenOption.READ);
             ArchiveIndexWriter writer = ArchiveIndexWriter.create(index)) {
            long mtime = Files.getLastModifiedTime(archive).to(TimeUnit.NANOSECONDS);
            ZipCentralDirectory directory = ZipCentralDirectory.read(channel, archive);
            List<ZipMember> members = directory.members();
            int objects = 0;
            int deflated = 0;
            long elements = 0;
            long checkpoints = 0;
            for (int k = 0; k < members.size(); k++) {
                ZipMember m = members.get(k);
                if (!m.name().endsWith(".npy")) {
                    continue;
                }
                Path name = NpzArchive.memberPath(archive, m);
                Path inflTemp = null;
                Path idxTemp = null;
                try {
                    InflateCheckpoints table = null;
                    FileChannel inflSink = null;
                    // Every deflated member, object or not: get reads numeric items at random too
                    // (format 1.1; a 1.0 index had them for object members only).
                    if (!m.isStored()) {
                        deflated++;
                        inflTemp = Files.createTempFile(dir, index.getFileName() + ".tmp-", ".infl");
                        ReplacingFile.track(inflTemp);
                        inflSink = FileChannel.open(inflTemp, StandardOpenOption.READ, StandardOpenOption.WRITE);
                        checkpoints += InflateCheckpoints.record(channel, archive, m, inflateSpacing, inflSink);
                        table = InflateCheckpoints.of(inflSink.map(FileChannel.MapMode.READ_ONLY, 0, inflSink.size()),
                                inflTemp);
                        writer.inflateCheckpoints(k, inflTemp);
                    }
                    try (FileChannel view = m.isStored() ? FileRegion.of(channel, m.dataOffset(), m.compressedSize())
                            : InflatedMember.of(channel, archive, m, table)) {
                        NpyHeader header = NpyHeader.read(view, name);
                        if (header.isObject()) {
                            objects++;
                            idxTemp = Files.createTempFile(dir, index.getFileName() + ".tmp-", ".npyidx");
                            ReplacingFile.track(idxTemp);
                            Indexer.Result r = Indexer.build(view, name, mtime, m.name(), idxTemp, checkpointInterval,
                                    progress);
                            elements += r.elements();
                            writer.memberIndex(k, idxTemp);
                        }
                    } finally {
                        if (inflSink != null) {
                            inflSink.close();
                        }
                    }
                } finally {
                    if (inflTemp != null) {
                        ReplacingFile.discard(inflTemp);
                    }
                    if (idxTemp != null) {
                        ReplacingFile.discard(idxTemp);
                    }
                }
            }
            writer.finish(new ArchiveFingerprint(Files.size(archive), mtime, directory.directoryOffset(),
                    directory.directoryLength(), directory.directoryCrc32c(), members.size(),
                    archive.getFileName().toString()));
            return new Result(index, members.size(), objects, deflated, elements, checkpoints, directory.fileSize(),
                    Files.size(index), System.nanoTime() - began);
        }
    }
}
