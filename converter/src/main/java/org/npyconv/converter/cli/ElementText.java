package org.npyconv.converter.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.element.ElementRepr;
import org.npyconv.indexer.NpyObjectArray;

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

    /**
     * A failure to render element {@code element} of {@code array} (an expansion bomb, an int past
     * Python's digit limit, nesting too deep for JSON), located: the renderers see only the value,
     * so their errors name no file and no byte, and {@code get FILE 3 9} or an export of a million
     * elements would not say which one failed. Failures that are already located (evaluation
     * errors) are returned as they are.
     */
    static NpyconvException located(NpyconvException e, NpyObjectArray array, long element) {
        if (e.file() != null || e.offset() >= 0) {
            return e;
        }
        return new NpyconvException(e.reason(), array.file(), array.index().span(element).start(), "element " + element, e);
    }
}
