package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.npyconv.formats.Durability;
import org.npyconv.formats.ReplacingFile;

/**
 * A dataset directory's names and its commit protocol. Parts are staged as hidden temporaries
 * ({@code .part-00000.parquet.tmp-PID-RANDOM}: ignored by pyarrow.dataset and Spark, which skip
 * names starting with {@code .}, and not matched by a {@code *.parquet} glob), then committed:
 * <ol>
 *   <li>the {@code _SUCCESS} marker is removed (from here on the directory is not a complete dataset);</li>
 *   <li>every existing part ({@code part-NNNNN.parquet} or {@code .arrow}, any count) is removed;</li>
 *   <li>the staged parts are renamed into place in order;</li>
 *   <li>{@code _SUCCESS} is written (JSON: parts, rows, rows per file, format, version).</li>
 * </ol>
 * A failure before step 1 leaves the previous dataset as it was; a failure in steps 1-4 removes the
 * new parts already renamed, so the directory holds no parts. Old and new parts are never mixed: old
 * ones go before any new one arrives. Only a process killed outright inside the commit (a few renames)
 * can leave some new parts without {@code _SUCCESS}. One writer per directory at a time.
 */
final class DatasetDirectory {
    /** Written last: a dataset without it is incomplete. */
    static final String MARKER = "_SUCCESS";
    private static final Pattern PART = Pattern.compile("part-\\d{5,}\\.(parquet|arrow)");

    private final Path dir;
    private final OutputFormat format;
    private final Durability durability;

    DatasetDirectory(Path dir, OutputFormat format, Durability durability) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.format = format;
        this.durability = durability;
        if (Files.exists(this.dir) && !Files.isDirectory(this.dir)) {
            throw new NotDirectoryException(dir.toString());
        }
        Files.createDirectories(this.dir);
    }

    /** {@code part-00007.parquet}: five digits or more, so that names sort in row order up to 100,000 parts. */
    static String partName(long k, OutputFormat format) {
        return String.format(Locale.ROOT, "part-%05d.%s", k, format == OutputFormat.ARROW ? "arrow" : "parquet");
    }

    Path part(long k) {
        return dir.resolve(partName(k, format));
    }

    /** A new, empty hidden temporary for part {@code k}. */
    Path stage(long k) throws IOException {
        return ReplacingFile.createTemp(dir.resolve("." + partName(k, format)), "");
    }

    /** The parts of an earlier run (either format), by name. */
    List<Path> existingParts() throws IOException {
        List<Path> parts = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir,
                p -> PART.matcher(p.getFileName().toString()).matches())) {
            entries.forEach(parts::add);
        }
        return parts;
    }

    /**
     * Replaces whatever dataset the directory held by the {@code staged} parts (part k at index k),
     * then writes the marker. On failure the renamed parts are removed again; the staged ones stay
     * the caller's to delete.
     */
    void commit(List<Path> staged, String marker) throws IOException {
        Files.deleteIfExists(dir.resolve(MARKER));
        for (Path old : existingParts()) {
            Files.deleteIfExists(old);
        }
        List<Path> placed = new ArrayList<>();
        boolean done = false;
        try {
            for (int k = 0; k < staged.size(); k++) {
                Path target = part(k);
                ReplacingFile.moveIntoPlace(staged.get(k), target, durability);
                placed.add(target);
            }
            Path temp = ReplacingFile.createTemp(dir.resolve(MARKER), "");
            try {
                Files.writeString(temp, marker + "\n", StandardCharsets.UTF_8);
                durability.force(temp);
                ReplacingFile.moveIntoPlace(temp, dir.resolve(MARKER), durability);
            } finally {
                ReplacingFile.discard(temp);
            }
            done = true;
        } finally {
            if (!done) {
                // A part of the new set without the rest could be read as the whole dataset.
                for (Path p : placed) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
