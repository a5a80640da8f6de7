package org.npyconv.converter.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.element.ElementRepr;

/** The two renderings {@code get} and {@code export} print: JSON (docs/elements.md) and Python-like text. */
final class ElementText {
    private ElementText() {}

    static String json(Object element) {
        return ElementJson.toJson(element);
    }

    static String repr(Object element) {
        return ElementRepr.repr(element);
    }

    static void writeJson(Object element, Appendable out) {
        try {
            ElementJson.write(element, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
