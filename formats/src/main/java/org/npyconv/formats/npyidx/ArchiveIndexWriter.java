package org.npyconv.formats.npyidx;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.npyconv.formats.Durability;
import org.npyconv.formats.ReplacingFile;

/**
 * Writes an archive index, the sidecar of an {@code .npz} (docs/npyidx.md, "Archive indexes"):
 * per member an embedded {@code .npyidx} ({@code NIDX}) and deflate checkpoints ({@code INFL}),
 * copied in from files the caller wrote, then {@code ZSRC}, the directory and the footer.
 *
 * <pre>
 *   0      \x93NPZIDX\0, u16 major 1, u16 minor 1 (docs/npyidx.md "Versions"), u32 0
 *          sections, each a contiguous byte range
 *          directory: u32 count, count x (u32 tag, u32 CRC32C, u64 offset, u64 length, u32 member)
 *          footer: u64 directory offset, u32 directory length, u32 CRC32C(file header + directory),
 *                  \x93IDXEND\0
 * </pre>
 * Output goes to a temporary file beside the target, renamed over it by {@link #finish}; closing
 * without finishing deletes it. Not thread-safe.
 */
public final class ArchiveIndexWriter implements Closeable {
    private final Path target;
    private final Path temp;
    private final FileChannel out;
    private final List<long[]> directory = new ArrayList<>();
    private boolean finished;

    private ArchiveIndexWriter(Path target) throws IOException {
        this.target = target;
        this.temp = Files.createTempFile(target.toAbsolutePath().getParent(), target.getFileName() + ".tmp-", "");
        ReplacingFile.track(temp);
        FileChannel o = null;
        try {
            o = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            ByteBuffer header = ByteBuffer.allocate(SidecarLayout.FILE_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            header.put(SidecarLayout.ARCHIVE_MAGIC).putShort((short) SidecarLayout.ARCHIVE_MAJOR)
                    .putShort((short) SidecarLayout.ARCHIVE_MINOR).putInt(0).flip();
            writeFully(o, header);
        } catch (IOException | RuntimeException e) {
            if (o != null) {
                o.close();
            }
            ReplacingFile.discard(temp);
            throw e;
        }
        this.out = o;
    }

    /** Starts the archive index that will replace {@code target} on {@link #finish}. */
    public static ArchiveIndexWriter create(Path target) throws IOException {
        return new ArchiveIndexWriter(target);
    }

    /** Copies a complete {@code .npyidx} (written by {@link SidecarWriter}) in as member {@code member}'s NIDX section. */
    public void memberIndex(int member, Path npyidx) throws IOException {
        copySection(SidecarLayout.NIDX, member, npyidx);
    }

    /** Copies a deflate checkpoint section body ({@code InflateCheckpoints.record}) in as member {@code member}'s INFL section. */
    public void inflateCheckpoints(int member, Path body) throws IOException {
        copySection(SidecarLayout.INFL, member, body);
    }

    private void copySection(int tag, int member, Path from) throws IOException {
        long start = out.position();
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ)) {
            while (in.read(buffer.clear()) > 0) {
                buffer.flip();
                crc.update(buffer.duplicate());
                writeFully(out, buffer);
            }
        }
        directory.add(new long[] {tag, (int) crc.getValue(), start, out.position() - start, member});
    }

    /** Writes ZSRC, the directory and the footer, and renames the index into place. */
    public void finish(ArchiveFingerprint source) throws IOException {
        byte[] name = source.fileName().getBytes(StandardCharsets.UTF_8);
        ByteBuffer s = ByteBuffer.allocate(44 + name.length).order(ByteOrder.LITTLE_ENDIAN);
        s.putLong(source.size()).putLong(source.mtimeNanos()).putLong(source.directoryOffset())
                .putLong(source.directoryLength()).putInt(source.directoryCrc32c()).putInt(source.memberCount())
                .putInt(name.length).put(name).flip();
        long start = out.position();
        CRC32C crc = new CRC32C();
        crc.update(s.duplicate());
        writeFully(out, s);
        directory.add(new long[] {SidecarLayout.ZSRC, (int) crc.getValue(), start, out.position() - start,
            SidecarLayout.ARCHIVE_LEVEL});
        long dirOffset = out.position();
        ByteBuffer dir = ByteBuffer.allocate(4 + directory.size() * SidecarLayout.DIRECTORY_ENTRY_SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        dir.putInt(directory.size());
        for (long[] e : directory) {
            dir.putInt((int) e[0]).putInt((int) e[1]).putLong(e[2]).putLong(e[3]).putInt((int) e[4]);
        }
        dir.flip();
        CRC32C headerAndDirectory = new CRC32C();
        ByteBuffer header = ByteBuffer.allocate(SidecarLayout.FILE_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        header.put(SidecarLayout.ARCHIVE_MAGIC).putShort((short) SidecarLayout.ARCHIVE_MAJOR)
                .putShort((short) SidecarLayout.ARCHIVE_MINOR).putInt(0).flip();
        headerAndDirectory.update(header);
        headerAndDirectory.update(dir.duplicate());
        int dirLength = dir.remaining();
        writeFully(out, dir);
        ByteBuffer footer = ByteBuffer.allocate(SidecarLayout.FOOTER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        footer.putLong(dirOffset).putInt(dirLength).putInt((int) headerAndDirectory.getValue())
                .put(SidecarLayout.END_MAGIC).flip();
        writeFully(out, footer);
        // Not forced to the disk, as SidecarWriter: derived, CRC-checked data that is rebuilt when torn.
        out.close();
        ReplacingFile.moveIntoPlace(temp, target, Durability.RENAME);
        finished = true;
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            out.close();
            ReplacingFile.discard(temp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
