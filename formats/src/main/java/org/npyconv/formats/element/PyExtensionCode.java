package org.npyconv.formats.element;

/**
 * An inert stand-in for an extension-registry reference ({@code EXT1}/{@code EXT2}/{@code EXT4}):
 * the code only means something in the writer's process ({@code copyreg.add_extension}), so npyconv
 * keeps the number. Calling it (REDUCE) yields an inert {@link PyObject} like any unknown global.
 */
public record PyExtensionCode(long code) {
    @Override
    public String toString() {
        return "extension_code(" + code + ")";
    }
}
