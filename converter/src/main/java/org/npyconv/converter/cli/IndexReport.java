package org.npyconv.converter.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.npyconv.formats.element.GlobalSafety;
import org.npyconv.formats.npyidx.ElementKind;
import org.npyconv.formats.npyidx.GlobalUse;
import org.npyconv.formats.npyidx.KindCount;
import org.npyconv.formats.npyidx.SidecarIndex;
import org.npyconv.indexer.IndexCheck;

/**
 * What {@code info} says about an object array's sidecar: its status and, when current, the
 * element kinds and the globals the pickle names, each classified by what {@code np.load} would
 * do with it. Reads only the sidecar (never builds one), so {@code info} stays instant.
 */
final class IndexReport {
    private final Path file;
    private final Path index;
    private final IndexCheck.Verdict verdict;
    private final List<KindCount> kinds;
    private final List<GlobalUse> globals;
    private final long indexBytes;

    private IndexReport(Path file, Path index, IndexCheck.Verdict verdict, List<KindCount> kinds, List<GlobalUse> globals,
                        long indexBytes) {
        this.file = file;
        this.index = index;
        this.verdict = verdict;
        this.kinds = kinds;
        this.globals = globals;
        this.indexBytes = indexBytes;
    }

    static IndexReport of(Path file, Path index) throws IOException {
        IndexCheck.Verdict verdict = IndexCheck.quick(file, index);
        if (!verdict.usable()) {
            return new IndexReport(file, index, verdict, List.of(), List.of(), 0);
        }
        try (SidecarIndex sidecar = SidecarIndex.open(index)) {
            return new IndexReport(file, index, verdict, sidecar.kinds(), sidecar.globals(), sidecar.size());
        }
    }

    void writeText(PrintWriter out) {
        out.printf(Locale.ROOT, "index:          %s (%s)%n", index, describeStatus());
        if (!verdict.usable()) {
            out.printf(Locale.ROOT, "                run 'npyconv index %s' for element kinds and globals%n", file);
            return;
        }
        out.println("element kinds:");
        for (KindCount k : kinds) {
            out.printf(Locale.ROOT, "  %-28s %12d  (first at %d)%n", kindLabel(k), k.count(), k.firstElement());
        }
        out.println("globals:");
        for (GlobalUse g : globals) {
            GlobalSafety safety = GlobalSafety.classify(g.module(), g.name());
            String mark = safety == GlobalSafety.DANGEROUS ? "  <- DANGEROUS: np.load would execute code"
                    : safety == GlobalSafety.UNKNOWN ? "  <- unknown: np.load would import and call it" : "";
            out.printf(Locale.ROOT, "  %-44s %10d uses  %s%s%n", g.qualifiedName(), g.uses(), safety.name().toLowerCase(Locale.ROOT), mark);
        }
    }

    void writeJson(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("path", index.toString());
        g.writeStringField("status", verdict.status().name().toLowerCase(Locale.ROOT));
        if (!verdict.usable()) {
            g.writeStringField("reason", verdict.reason());
        } else {
            g.writeNumberField("bytes", indexBytes);
            g.writeArrayFieldStart("kinds");
            for (KindCount k : kinds) {
                g.writeStartObject();
                g.writeStringField("kind", k.kind().label());
                if (k.kind().detailIsDtype()) {
                    g.writeStringField("dtype", k.dtype());
                } else if (k.kind().detailIsGlobal()) {
                    g.writeStringField("class", globalName(k.detail()));
                }
                g.writeNumberField("count", k.count());
                g.writeNumberField("first", k.firstElement());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("globals");
            for (GlobalUse use : globals) {
                GlobalSafety safety = GlobalSafety.classify(use.module(), use.name());
                g.writeStartObject();
                g.writeStringField("name", use.qualifiedName());
                g.writeNumberField("uses", use.uses());
                g.writeStringField("safety", safety.name().toLowerCase(Locale.ROOT));
                g.writeBooleanField("executes_code_under_np_load", safety == GlobalSafety.DANGEROUS);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private String describeStatus() {
        switch (verdict.status()) {
            case CURRENT:
                return "current, " + Sizes.human(indexBytes);
            case MISSING:
                return "missing";
            default:
                return verdict.status().name().toLowerCase(Locale.ROOT) + ": " + verdict.reason();
        }
    }

    private String kindLabel(KindCount k) {
        if (k.kind().detailIsDtype()) {
            return k.kind().label() + (k.detail() == 0 ? "" : " " + k.dtype());
        }
        if (k.kind() == ElementKind.OBJECT) {
            return "object " + globalName(k.detail());
        }
        return k.kind().label();
    }

    private String globalName(long number) {
        return number >= 0 && number < globals.size() ? globals.get((int) number).qualifiedName() : "?";
    }
}
