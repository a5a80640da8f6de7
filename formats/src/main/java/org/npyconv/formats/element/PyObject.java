package org.npyconv.formats.element;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An inert record of an object the pickle would construct by calling something npyconv does not
 * allow to build real values: whatever {@code np.load} would import and call (a class, a function,
 * possibly {@code os.system}) is only written down here, never looked up or run.
 *
 * <p>It records how the pickle asked for the object ({@link Construction}), the callable (usually a
 * {@link PyGlobal}; any value for a REDUCE whose callable was itself computed), the positional
 * arguments, the keyword arguments ({@code NEWOBJ_EX}), the {@code BUILD} state if any, and the
 * items the pickle appended ({@code APPEND}/{@code APPENDS}), added ({@code ADDITEMS}) or set
 * ({@code SETITEM}/{@code SETITEMS}) on it, in order.
 *
 * <p>Identity-equal, like a Python object without {@code __eq__}. Filled in while its span is
 * evaluated (the pickle may memoize it before its state arrives) and read-only afterwards; the
 * collections returned are unmodifiable views.
 */
public final class PyObject {
    /** The opcode that created the object. */
    public enum Construction {
        /** {@code REDUCE}: {@code callable(*args)}. */
        REDUCE,
        /** {@code NEWOBJ}: {@code cls.__new__(cls, *args)}. */
        NEWOBJ,
        /** {@code NEWOBJ_EX}: {@code cls.__new__(cls, *args, **kwargs)}. */
        NEWOBJ_EX,
        /** {@code INST} (protocol 0): {@code module.name(*args)}. */
        INST,
        /** {@code OBJ} (protocol 1): {@code cls(*args)}. */
        OBJ,
        /** {@code copyreg._reconstructor(cls, base, state)}: {@link #callable()} is {@code cls}, {@link #args()} is {@code (base, state)}. */
        RECONSTRUCTOR
    }

    private final Construction construction;
    private final Object callable;
    private final List<Object> args;
    private final Map<Object, Object> kwargs;
    private boolean hasState;
    private Object state;
    private final List<Object> listItems = new ArrayList<>(0);
    private final List<Object> addedItems = new ArrayList<>(0);
    private final Map<Object, Object> dictItems = new LinkedHashMap<>(0);

    PyObject(Construction construction, Object callable, List<Object> args, Map<Object, Object> kwargs) {
        this.construction = construction;
        this.callable = callable;
        this.args = args;
        this.kwargs = kwargs;
    }

    public Construction construction() {
        return construction;
    }

    /** What would have been called: a {@link PyGlobal}, or any value for a computed callable. */
    public Object callable() {
        return callable;
    }

    /**
     * {@code module.name} of the callable when it is a {@link PyGlobal}, else {@code null}; this is
     * what JSON writes as {@code "$class"}.
     */
    public String className() {
        return callable instanceof PyGlobal ? ((PyGlobal) callable).qualifiedName() : null;
    }

    public List<Object> args() {
        return Collections.unmodifiableList(args);
    }

    /** Keyword arguments of {@code NEWOBJ_EX}; empty otherwise. */
    public Map<Object, Object> kwargs() {
        return Collections.unmodifiableMap(kwargs);
    }

    /** Whether a {@code BUILD} gave this object a state (which may itself be {@code null}). */
    public boolean hasState() {
        return hasState;
    }

    /** The {@code BUILD} state ({@code __setstate__} argument or {@code __dict__} update), or {@code null}. */
    public Object state() {
        return state;
    }

    /** Items appended with {@code APPEND}/{@code APPENDS} (a list subclass, or {@code extend}). */
    public List<Object> listItems() {
        return Collections.unmodifiableList(listItems);
    }

    /** Items added with {@code ADDITEMS} (a set subclass). */
    public List<Object> addedItems() {
        return Collections.unmodifiableList(addedItems);
    }

    /** Items set with {@code SETITEM}/{@code SETITEMS} (a dict subclass), in order. */
    public Map<Object, Object> dictItems() {
        return Collections.unmodifiableMap(dictItems);
    }

    /** BUILD. A second BUILD on the same object (which no pickler writes) replaces the state. */
    void applyState(Object newState) {
        this.state = newState;
        this.hasState = true;
    }

    List<Object> mutableListItems() {
        return listItems;
    }

    List<Object> mutableAddedItems() {
        return addedItems;
    }

    Map<Object, Object> mutableDictItems() {
        return dictItems;
    }

    @Override
    public String toString() {
        return ElementRepr.repr(this);
    }
}
