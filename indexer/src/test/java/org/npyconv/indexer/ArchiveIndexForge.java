package org.npyconv.indexer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.npyconv.formats.npyidx.ArchiveIndex;

/**
 * Rewrites an archive index section by section with valid checksums (docs/npyidx.md, "Archive
 * indexes"), written here from the spec rather than with the project's writer: tests forge indexes
 * whose checksums are right but whose content is wrong (a checkpoint's history, a missing section,
 * a format 1.0 index) — damage that only {@code verify}'s content checks can catch.
 */
final class ArchiveIndexForge {
    /** One section: its tag, member (-1 for the archive) and bytes. */
    static final class Section {
        final String tag;
        final int member;
        final byte[] body;

        Section(String tag, int member, byte[] body) {
            this.tag = tag;
            this.member = member;
            this.body = body;
        }
    }

    final List<Section> sections = new ArrayList<>();
    int minor;

    private ArchiveIndexForge() {}

    static ArchiveIndexForge read(Path index) throws IOException {
        ArchiveIndexForge f = new ArchiveIndexForge();
        byte[] all = Files.readAllBytes(index);
        try (ArchiveIndex idx = ArchiveIndex.open(index)) {
            f.minor = idx.minor();
            for (ArchiveIndex.Section s : idx.sections()) {
                byte[] body = new byte[(int) s.length()];
                System.arraycopy(all, (int) s.offset(), body, 0, body.length);
                f.sections.add(new Section(s.tag(), s.member(), body));
            }
        }
        return f;
    }

    Section find(String tag, int member) {
        return sections.stream().filter(s -> s.tag.equals(tag) && s.member == member).findFirst().orElseThrow();
    }

    void write(Path index) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        header.put(new byte[] {(byte) 0x93, 'N', 'P', 'Z', 'I', 'D', 'X', 0}).putShort((short) 1)
                .putShort((short) minor).putInt(0);
        int total = 16 + sections.stream().mapToInt(s -> s.body.length).sum();
        ByteBuffer dir = ByteBuffer.allocate(4 + 28 * sections.size()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(total + dir.capacity() + 24).order(ByteOrder.LITTLE_ENDIAN);
        out.put(header.array());
        dir.putInt(sections.size());
        for (Section s : sections) {
            CRC32C crc = new CRC32C();
            crc.update(s.body);
            dir.putInt(ByteBuffer.wrap(s.tag.getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN).getInt())
                    .putInt((int) crc.getValue()).putLong(out.position()).putLong(s.body.length).putInt(s.member);
            out.put(s.body);
        }
        CRC32C crc = new CRC32C();
        crc.update(header.array());
        crc.update(dir.array());
        long dirOffset = out.position();
        out.put(dir.array());
        out.putLong(dirOffset).putInt(dir.capacity()).putInt((int) crc.getValue())
                .put(new byte[] {(byte) 0x93, 'I', 'D', 'X', 'E', 'N', 'D', 0});
        Files.write(index, out.array());
    }
}
