package org.npyconv.converter.arrow;

/** What {@code convert} does with a column whose elements have no common Arrow type. */
public enum OnMixed {
    /** Fail, naming the two conflicting kinds and the first position of each (the default). */
    ERROR,
    /** Write every element as its JSON text (DESIGN.md's JSON conventions) in a string column. */
    JSON,
    /** Write every element as a standalone pickle (protocol 4) in a binary column; Python's pickle.loads restores it. */
    PICKLE
}
