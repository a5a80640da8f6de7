package org.npyconv.indexer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.StaleIndexException;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.npyidx.ArchiveFingerprint;
import org.npyconv.formats.npyidx.ArchiveIndex;
import org.npyconv.formats.npyidx.SidecarIndex;
import org.npyconv.formats.npz.FileRegion;
import org.npyconv.formats.npz.InflateCheckpoints;
import org.npyconv.formats.npz.InflatedMember;
import org.npyconv.formats.npz.ZipCentralDirectory;
import org.npyconv.formats.npz.ZipMember;

/**
 * An {@code .npz} archive opened for reading its members (docs/npz.md). Each member is seen as a
 * channel of its {@code .npy} bytes — a stored member in place, a deflated one through
 * {@link InflatedMember} — so an object member is an ordinary {@link NpyObjectArray} with random
 * access and streaming. One sidecar, {@code ARCHIVE.npz.npyidx}, indexes every object member and
 * holds every deflated member's checkpoints; {@link #objectArray} builds it when it is missing,
 * stale or damaged (with a notice for the last two), as {@link NpyObjectArray#open} does.
 *
 * <pre>{@code
 * try (NpzArchive npz = NpzArchive.open(Path.of("data.npz"));
 *      NpyObjectArray a = npz.objectArray("arr_0")) {
 *     Object e = a.get(12);
 * }
 * }</pre>
 *
 * <p>Owns the archive's channel and the sidecar; arrays it hands out borrow both and must be
 * closed before it. Thread-safe for opening members.
 */
public final class NpzArchive implements Closeable {
    /** How to open. */
    public record Options(Path index, boolean rebuild, int checkpointInterval, long inflateSpacing,
            Consumer<String> notices) {
        public static Options defaults() {
            return new Options(null, true, Indexer.DEFAULT_CHECKPOINT_INTERVAL, InflateCheckpoints.DEFAULT_SPACING,
                    message -> { });
        }

        public Options withIndex(Path p) {
            return new Options(p, rebuild, checkpointInterval, inflateSpacing, notices);
        }

        public Options withNotices(Consumer<String> n) {
            return new Options(index, rebuild, checkpointInterval, inflateSpacing, n);
        }

        public Options withRebuild(boolean r) {
            return new Options(index, r, checkpointInterval, inflateSpacing, notices);
        }

        public Options withInflateSpacing(long bytes) {
            return new Options(index, rebuild, checkpointInterval, bytes, notices);
        }
    }

    /** A member and what its {@code .npy} header says (null header for a member that is not a .npy). */
    public record Member(int number, ZipMember zip, NpyHeader header) {
        public String key() {
            return zip.key();
        }

        public boolean isObject() {
            return header != null && header.isObject();
        }
    }

    private final Path file;
    private final Options options;
    private final FileChannel channel;
    private final ZipCentralDirectory directory;
    private ArchiveIndex index;

    private NpzArchive(Path file, Options options, FileChannel channel, ZipCentralDirectory directory) {
        this.file = file;
        this.options = options;
        this.channel = channel;
        this.directory = directory;
    }

    public static NpzArchive open(Path file) throws IOException {
        return open(file, Options.defaults());
    }

    /** Reads the archive's central directory; the sidecar is opened when first needed. */
    public static NpzArchive open(Path file, Options options) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new NpzArchive(file, options, channel, ZipCentralDirectory.read(channel, file));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Whether {@code file} starts like a zip archive ({@code PK\3\4}, or an empty archive's end record): an .npz. */
    public static boolean isArchive(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ZipCentralDirectory.looksLikeZip(ch);
        }
    }

    public Path file() {
        return file;
    }

    public ZipCentralDirectory directory() {
        return directory;
    }

    /** The sidecar path this archive uses. */
    public Path indexPath() {
        return options.index() != null ? options.index() : Indexer.sidecarPath(file);
    }

    /** Every member with its .npy header (reading a deflated member's header inflates its first bytes only). */
    public List<Member> members() throws IOException {
        List<ZipMember> zs = directory.members();
        java.util.ArrayList<Member> out = new java.util.ArrayList<>(zs.size());
        for (int k = 0; k < zs.size(); k++) {
            out.add(member(k));
        }
        return out;
    }

    /** The member called {@code key} ({@code arr_0}, or with its {@code .npy} suffix). */
    public Member member(String key) throws IOException {
        ZipMember z = directory.member(key);
        if (z == null) {
            StringBuilder names = new StringBuilder();
            for (ZipMember m : directory.members()) {
                names.append(names.length() == 0 ? "" : ", ").append(m.key());
                if (names.length() > 200) {
                    names.append(", ...");
                    break;
                }
            }
            throw new NpyconvException("no member '" + key + "' in " + file + " (members: "
                    + (names.length() == 0 ? "none" : names) + ")");
        }
        return member(directory.members().indexOf(z));
    }

    private Member member(int k) throws IOException {
        ZipMember z = directory.members().get(k);
        if (!z.name().endsWith(".npy")) {
            return new Member(k, z, null);
        }
        try (FileChannel view = view(z, null)) {
            return new Member(k, z, NpyHeader.read(view, memberPath(file, z)));
        }
    }

    /**
     * Member {@code key} as an object array with random access, through the sidecar (built first if
     * needed). The caller closes it, before closing this archive.
     *
     * @throws UnsupportedInputException if the member is not an object array
     */
    public NpyObjectArray objectArray(String key) throws IOException {
        Member m = member(key);
        if (m.header() == null) {
            throw new UnsupportedInputException("member " + m.zip().name() + " is not a .npy file", file,
                    m.zip().localHeaderOffset(), "zip local header");
        }
        if (!m.isObject()) {
            throw new UnsupportedInputException("member " + m.key() + " is not an object array (descr "
                    + m.header().descr() + "); non-object .npz members are not yet supported here", file, -1, null);
        }
        ArchiveIndex idx = index();
        ZipMember z = m.zip();
        Path name = memberPath(file, z);
        InflateCheckpoints checkpoints = z.isStored() ? null : idx.checkpoints(m.number());
        SidecarIndex sidecar = idx.memberIndex(m.number(), z.name());
        if (sidecar == null) {
            throw new CorruptInputException("the archive index has no entry for object member " + z.name(),
                    idx.file(), -1, "npyidx");
        }
        return NpyObjectArray.of(view(z, checkpoints), name, sidecar, () -> view(z, checkpoints));
    }

    /**
     * The member's {@code .npy} bytes as a channel for reading front to back (export, convert),
     * borrowing the archive's; the caller closes it. A deflated member uses its checkpoints when
     * the sidecar is present and current, and is otherwise inflated from its start: a sequential
     * pass inflates every byte once either way, so no sidecar is built for it.
     */
    public FileChannel channel(Member m) throws IOException {
        InflateCheckpoints checkpoints = null;
        if (!m.zip().isStored() && indexProblem() == null) {
            checkpoints = index().checkpoints(m.number());
        }
        return view(m.zip(), checkpoints);
    }

    /**
     * The member's {@code .npy} bytes as a channel for reads at random ({@code get} of a numeric,
     * structured or string member); the caller closes it. A deflated member bigger than one
     * checkpoint spacing is read through its deflate checkpoints, so no read inflates it from its
     * start: the sidecar is built first when it is missing, and rebuilt (with a notice) when it is
     * stale, damaged, or a format 1.0 index, which has checkpoints for object members only.
     * Stored members, and deflated ones too small to have a checkpoint, are read directly.
     */
    public FileChannel randomAccessChannel(Member m) throws IOException {
        ZipMember z = m.zip();
        if (z.isStored() || z.uncompressedSize() <= options.inflateSpacing()) {
            return channel(m);
        }
        InflateCheckpoints checkpoints = index().checkpoints(m.number());
        if (checkpoints == null) {
            ArchiveIndex old = index();
            rebuild(old.checkpointsEveryDeflatedMember()
                    ? "damaged (it has no deflate checkpoints for deflated member " + z.name() + ")"
                    : oldFormat(old));
            checkpoints = index().checkpoints(m.number());
            if (checkpoints == null) {
                throw new CorruptInputException("the rebuilt index has no deflate checkpoints for member " + z.name(),
                        indexPath(), -1, "npyidx");
            }
        }
        return view(z, checkpoints);
    }

    /** Why a current 1.0 index is not enough: it has checkpoints for deflated object members only. */
    private static String oldFormat(ArchiveIndex index) {
        return "of format 1." + index.minor() + ", which has no deflate checkpoints for non-object members";
    }

    /** Whether some deflated member is a numeric, structured or string .npy (reads each deflated header). */
    private boolean hasDeflatedNonObjectMember() throws IOException {
        for (Member m : members()) {
            if (!m.zip().isStored() && m.header() != null && !m.isObject()) {
                return true;
            }
        }
        return false;
    }

    /** Replaces the open sidecar, which is usable but lacks what a reader needs, by a fresh build. */
    private synchronized void rebuild(String problem) throws IOException {
        Path path = indexPath();
        if (!options.rebuild()) {
            throw new StaleIndexException("index not usable: " + problem, path);
        }
        options.notices().accept("index " + path + " is " + problem + "; rebuilding it");
        if (index != null) {
            index.close();
            index = null;
        }
        build(path);
    }

    private FileChannel view(ZipMember z, InflateCheckpoints checkpoints) {
        return z.isStored() ? FileRegion.of(channel, z.dataOffset(), z.compressedSize())
                : InflatedMember.of(channel, file, z, checkpoints);
    }

    /** How members are named in messages: {@code data.npz!arr_0.npy}. */
    static Path memberPath(Path file, ZipMember z) {
        return Path.of(file + "!" + z.name());
    }

    /**
     * Why the sidecar cannot be used as it is ({@code "missing"}, {@code "stale (...)"},
     * {@code "damaged (...)"}, or "of format 1.0, ..." when it is current but lacks the checkpoints
     * of a deflated non-object member), or {@code null} when it is current. Builds nothing.
     */
    public synchronized String indexProblem() throws IOException {
        if (index != null) {
            return null;
        }
        try (ArchiveIndex candidate = ArchiveIndex.open(indexPath())) {
            String stale = staleness(candidate.source());
            if (stale != null || candidate.checkpointsEveryDeflatedMember() || !hasDeflatedNonObjectMember()) {
                return stale;
            }
            return oldFormat(candidate);
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (CorruptInputException | UnsupportedInputException e) {
            return "damaged (" + e.reason() + ")";
        }
    }

    /** The sidecar, opened (and built or rebuilt first when needed) on first use. */
    public synchronized ArchiveIndex index() throws IOException {
        if (index != null) {
            return index;
        }
        Path path = indexPath();
        String problem = null;
        boolean missing = false;
        try {
            ArchiveIndex candidate = ArchiveIndex.open(path);
            problem = staleness(candidate.source());
            if (problem == null) {
                index = candidate;
                return index;
            }
            candidate.close();
        } catch (NoSuchFileException e) {
            missing = true;
            problem = "no index at " + path;
        } catch (CorruptInputException | UnsupportedInputException e) {
            problem = "damaged (" + e.reason() + ")";
        }
        if (!options.rebuild()) {
            throw new StaleIndexException("index not usable: " + problem, path);
        }
        if (!missing) {
            options.notices().accept("index " + path + " is " + problem + "; rebuilding it");
        }
        return build(path);
    }

    private ArchiveIndex build(Path path) throws IOException {
        NpzIndexer.build(file, path, options.checkpointInterval(), options.inflateSpacing(), Indexer.Progress.NONE);
        index = ArchiveIndex.open(path);
        String still = staleness(index.source());
        if (still != null) {
            throw new StaleIndexException("the archive changed while it was indexed: " + still, path);
        }
        return index;
    }

    /** Why the sidecar does not describe this archive, or null when it does. */
    private String staleness(ArchiveFingerprint fp) throws IOException {
        String reason = ArchiveIndexCheck.staleness(file, directory, fp);
        return reason == null ? null : "stale (" + reason + ")";
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            if (index != null) {
                index.close();
            }
        } finally {
            channel.close();
        }
    }
}
