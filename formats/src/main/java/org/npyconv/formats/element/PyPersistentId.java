package org.npyconv.formats.element;

/**
 * An inert stand-in for a persistent reference ({@code PERSID}/{@code BINPERSID}): the id as the
 * file gives it. {@code np.save} never writes these; {@code np.load} would fail on them
 * ("A load persistent id instruction was encountered"), so npyconv keeps the id and goes on.
 */
public record PyPersistentId(Object id) {
    @Override
    public String toString() {
        return "persistent_id(" + ElementRepr.repr(id) + ")";
    }
}
