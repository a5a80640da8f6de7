package org.npyconv.indexer;

/** What a pickle global means to the structural scan; decides the kind of what it builds. */
enum GlobalRole {
    RECONSTRUCT, DTYPE, SCALAR, FROMBUFFER, SET, FROZENSET, BYTEARRAY, CODECS_ENCODE, OTHER;

    static GlobalRole of(String module, String name) {
        boolean numpyCore = module.equals("numpy.core.multiarray") || module.equals("numpy._core.multiarray");
        boolean numpyNumeric = module.equals("numpy.core.numeric") || module.equals("numpy._core.numeric");
        boolean builtins = module.equals("builtins") || module.equals("__builtin__");
        if (numpyCore && name.equals("_reconstruct")) {
            return RECONSTRUCT;
        }
        if (numpyCore && name.equals("scalar")) {
            return SCALAR;
        }
        if (numpyNumeric && name.equals("_frombuffer")) {
            return FROMBUFFER;
        }
        if (module.equals("numpy") && name.equals("dtype")) {
            return DTYPE;
        }
        if (builtins) {
            switch (name) {
                case "set":
                    return SET;
                case "frozenset":
                    return FROZENSET;
                case "bytearray":
                    return BYTEARRAY;
                default:
                    return OTHER;
            }
        }
        if (module.equals("_codecs") && name.equals("encode")) {
            return CODECS_ENCODE;
        }
        return OTHER;
    }
}
