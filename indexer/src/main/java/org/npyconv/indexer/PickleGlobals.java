package org.npyconv.indexer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.npyconv.formats.npyidx.GlobalUse;

/**
 * The distinct globals a pickle names, numbered in order of first appearance, with use counts.
 * Bounded: a pickle naming more than {@link #MAX_GLOBALS} distinct globals is refused, since no
 * NumPy file comes near and a hostile one must not grow this table without limit.
 */
final class PickleGlobals {
    static final int MAX_GLOBALS = 65_536;

    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> modules = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<GlobalRole> roles = new ArrayList<>();
    private long[] counts = new long[16];
    private long[] firstOffsets = new long[16];

    /** Number of the global, registering it at {@code offset} if new; -1 when the table is full. */
    int use(String module, String name, long offset) {
        String key = module + '\n' + name;
        Integer id = ids.get(key);
        if (id == null) {
            if (modules.size() >= MAX_GLOBALS) {
                return -1;
            }
            id = modules.size();
            ids.put(key, id);
            modules.add(module);
            names.add(name);
            roles.add(GlobalRole.of(module, name));
            if (id >= counts.length) {
                counts = java.util.Arrays.copyOf(counts, counts.length * 2);
                firstOffsets = java.util.Arrays.copyOf(firstOffsets, firstOffsets.length * 2);
            }
            firstOffsets[id] = offset;
        }
        counts[id]++;
        return id;
    }

    /** Counts one more use of a global reached through the memo. */
    void reuse(int id) {
        if (id >= 0 && id < modules.size()) {
            counts[id]++;
        }
    }

    GlobalRole role(int id) {
        return id >= 0 && id < roles.size() ? roles.get(id) : GlobalRole.OTHER;
    }

    List<GlobalUse> uses() {
        List<GlobalUse> out = new ArrayList<>(modules.size());
        for (int i = 0; i < modules.size(); i++) {
            out.add(new GlobalUse(modules.get(i), names.get(i), counts[i], firstOffsets[i]));
        }
        return out;
    }
}
