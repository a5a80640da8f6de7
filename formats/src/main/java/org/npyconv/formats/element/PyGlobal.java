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
}
