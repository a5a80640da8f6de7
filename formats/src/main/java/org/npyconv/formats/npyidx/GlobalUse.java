package org.npyconv.formats.npyidx;

/**
 * A global (module and name) that a pickle names, how often it is used (GLOBAL/STACK_GLOBAL/INST
 * opcodes plus memo references to it) and the absolute offset of its first appearance.
 */
public record GlobalUse(String module, String name, long uses, long firstOffset) {
    /** {@code module.name}, as Python prints a qualified name. */
    public String qualifiedName() {
        return module + "." + name;
    }
}
