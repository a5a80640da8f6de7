package org.npyconv.formats.npyidx;

/**
 * How many elements have one kind (and detail: a dtype code or a global number, see
 * {@link ElementKind}), and the first element that has it.
 */
public record KindCount(ElementKind kind, long detail, long count, long firstElement) {
    /** The dtype code ({@code "<f4"}) for kinds whose detail is a dtype, else {@code ""}. */
    public String dtype() {
        return kind.detailIsDtype() ? ShortAscii.unpack(detail) : "";
    }
}
