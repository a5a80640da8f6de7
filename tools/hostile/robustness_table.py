#!/usr/bin/env python3
"""Prints the case table of docs/robustness.md from testdata/hostile/*.json and a test log.

    mvn -B test -pl converter -Dtest='Hostile*Test' | tee /tmp/hostile.log
    python3 tools/hostile/robustness_table.py /tmp/hostile.log

The log lines it reads are the ones HostileCorpusTest and HostileMemoryTest print:
    hostile CASE.npy COMMAND exit N  MS ms  ERROR-LINE
    forked -Xmx64m CASE COMMAND exit N  MS ms  ERROR-LINE
"""
import json
import os
import re
import sys

root = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
log = open(sys.argv[1], encoding="utf-8", errors="replace").read() if len(sys.argv) > 1 else ""
inproc = {}
for m in re.finditer(r"^hostile (\S+)\.npy\s+(\S+)\s+exit (\d) +(\d+) ms", log, re.M):
    inproc.setdefault(m.group(1), {})[m.group(2)] = (int(m.group(3)), int(m.group(4)))
forked = {}
for m in re.finditer(r"^forked -Xmx64m (\S+)\s+(\S+)\s+exit (\S+) +(\d+) ms", log, re.M):
    forked.setdefault(m.group(1), []).append("%s: exit %s, %.1f s" % (m.group(2), m.group(3), int(m.group(4)) / 1000))

print("| case | what it is | info | index | get 0 | export | slowest (ms) | -Xmx64m fork |")
print("|---|---|---|---|---|---|---|---|")
d = os.path.join(root, "testdata", "hostile")
for name in sorted(os.listdir(d)):
    if not name.endswith(".json"):
        continue
    c = json.load(open(os.path.join(d, name), encoding="utf-8"))
    case = c["case"]
    cells = []
    for cmd in ("info", "index", "get", "export"):
        want = c["expect"][cmd]
        cells.append("ok" if want == "ok" else "**error**")
    runs = inproc.get(case, {})
    slowest = max((ms for _, ms in runs.values()), default=None)
    desc = c["description"].replace("|", "\\|")
    if c.get("dangerous_globals"):
        desc += "; info marks " + ", ".join("`%s`" % g for g in c["dangerous_globals"]) + " DANGEROUS"
    if c.get("error_contains") and "error" in c["expect"].values():
        desc += "; error names \"%s\"" % c["error_contains"]
    print("| `%s` | %s | %s | %s | %s | %s | %s | %s |" % (case, desc, *cells, slowest if slowest is not None else "",
                                                            "; ".join(forked.get(case, []))))
