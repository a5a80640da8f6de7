package org.npyconv.formats.element;

import java.util.Objects;

/**
 * A bare reference to a global ({@code GLOBAL}, {@code STACK_GLOBAL}, or the class of
 * {@code INST}/{@code OBJ}/{@code NEWOBJ}) exactly as the file names it: {@code module} and
 * {@code name} are not normalised ({@code __builtin__} stays {@code __builtin__}). Nothing is ever
 * imported or looked up from it; {@link #safety()} says what {@code np.load} would do with it.
 */
public record PyGlobal(String module, String name) {
    public PyGlobal {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(name, "name");
    }

    /** {@code module.name}, as Python prints it. */
    public String qualifiedName() {
        return module + "." + name;
    }

    /** How {@code np.load} would treat this global. */
    public GlobalSafety safety() {
        return GlobalSafety.classify(module, name);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }

    // Written out: a record's generated equals/hashCode link an invokedynamic call site on first
    // use (ObjectMethods.bootstrap, method handles spun at run time), ~20 ms of every convert's
    // start, where the preamble's globals are the first records hashed (docs/startup.md).
    @Override
    public boolean equals(Object o) {
        return o instanceof PyGlobal g && module.equals(g.module) && name.equals(g.name);
    }

    @Override
    public int hashCode() {
        return 31 * module.hashCode() + name.hashCode();
    }
}
