"""Renders the harness's results (DATA_DIR/results.json) as docs/benchmarks.md.

    python report.py RESULTS.json OUT.md     # re-render without re-measuring

Every number in the output comes from the results; nothing here measures anything.
"""
import json
import sys

# (npyconv tool, anchor): the ratios each file's table reports, npyconv / anchor.
COMPARISONS = [
    ("index", "np.load"), ("index", "genops"), ("get", "np.load"), ("export", "np.load"),
    ("convert.arrow", "pa.arrow"), ("convert.parquet", "pa.parquet"),
]

# Rows that do not read the whole file: no MB/s.
NOT_A_PASS = {"start", "get"}


def seconds(s):
    if s >= 100:
        return f"{s:.0f}"
    if s >= 10:
        return f"{s:.1f}"
    if s >= 1:
        return f"{s:.2f}"
    return f"{s:.3f}"


def num(x):
    """Three significant digits, no exponent: 0.0123, 3.00, 62.4, 1234."""
    return f"{x:.0f}" if x >= 1000 else f"{x:#.3g}".rstrip(".")


def speed(ratio):
    """A time ratio ours/anchor as a speed-up or slow-down: '4.80x faster', '1.90x slower'."""
    return f"{num(1 / ratio)}x faster" if ratio <= 1 else f"{num(ratio)}x slower"


def _ratio(entry, ours, anchor, field):
    """ours / anchor of one summary field, or None unless both ran."""
    a, b = entry["tools"].get(ours, {}), entry["tools"].get(anchor, {})
    if a.get("status") == "ok" and b.get("status") == "ok" and b[field] > 0:
        return a[field] / b[field]
    return None


def _time_ratio(entry, ours, anchor):
    return _ratio(entry, ours, anchor, "median_s")


def _rss_ratio(entry, ours, anchor):
    return _ratio(entry, ours, anchor, "rss_mb")


def _warm_median(entry):
    w = entry["warm_get"]
    return w["median_us"] if w["status"] == "ok" else None


def _cold_get(entry):
    g = entry["tools"]["get"]
    return g["median_s"] if g["status"] == "ok" else None


def _times(v):
    return f"{num(v)}x"


# (issue, target text, value(file entry), formatted value, met?, applies to these files or all)
TARGETS = [
    ("#3", "index time <= 1/3 of np.load", lambda e: _time_ratio(e, "index", "np.load"),
     _times, lambda v: v <= 1 / 3, None),
    ("#3", "index >= 50x faster than genops", lambda e: _time_ratio(e, "index", "genops"),
     speed, lambda v: 1 / v >= 50, None),
    ("#3", "warm random get median < 50 µs", _warm_median,
     lambda v: f"{v:.1f} µs", lambda v: v < 50, ("strings", "dicts")),
    ("#3", "get from a cold process < 0.5 s", _cold_get,
     lambda v: f"{v:.2f} s", lambda v: v < 0.5, None),
    ("#4", "convert -> Arrow >= 4x faster than numpy + pyarrow",
     lambda e: _time_ratio(e, "convert.arrow", "pa.arrow"),
     speed, lambda v: 1 / v >= 4, None),
    ("#4", "convert -> Parquet >= 2x faster than numpy + pyarrow",
     lambda e: _time_ratio(e, "convert.parquet", "pa.parquet"),
     speed, lambda v: 1 / v >= 2, None),
    ("#4", "convert -> Arrow peak RSS <= 1/3 of the pipeline's",
     lambda e: _rss_ratio(e, "convert.arrow", "pa.arrow"),
     _times, lambda v: v <= 1 / 3, None),
    ("#4", "convert -> Parquet peak RSS <= 1/3 of the pipeline's",
     lambda e: _rss_ratio(e, "convert.parquet", "pa.parquet"),
     _times, lambda v: v <= 1 / 3, None),
]


def cell(text):
    return str(text).replace("|", "\\|")


def not_ok(summary):
    if summary["status"] == "n/a":
        return summary["reason"]
    return f"failed (exit {summary['exit_code']}): {summary['error']}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def file_section(entry, labels):
    mb = entry["bytes"] / 1e6
    out = [f"### `{entry['file']}`: {entry['elements']:,} elements, {mb:,.1f} MB",
           "", entry["description"] + ".", ""]
    rows = []
    for key, s in entry["tools"].items():
        if s["status"] == "ok":
            rows.append([labels[key], seconds(s["median_s"]),
                         f"{seconds(s['min_s'])}–{seconds(s['max_s'])}",
                         "" if key in NOT_A_PASS else f"{mb / s['median_s']:,.0f}",
                         f"{s['rss_mb']:,.0f}"])
        else:
            rows.append([labels[key], not_ok(s), "", "", ""])
    out += [table(["Tool", "Median wall (s)", "Range (s)", "MB/s", "Peak RSS (MB)"], rows), ""]

    rows = []
    for ours, anchor in COMPARISONS:
        t, r = _time_ratio(entry, ours, anchor), _rss_ratio(entry, ours, anchor)
        if t is None:
            s = entry["tools"].get(ours) or {"status": "n/a", "reason": "n/a"}
            rows.append([f"{ours} / {anchor}", not_ok(s) if s["status"] != "ok" else "n/a", ""])
        else:
            shown = f"{num(t)} ({speed(t)})" if t < 1 else num(t)
            rows.append([f"{ours} / {anchor}", shown, num(r) if r is not None else ""])
    out += [table(["npyconv / anchor", "Time ratio", "Peak RSS ratio"], rows), ""]

    w = entry["warm_get"]
    if w["status"] == "ok":
        out.append(f"Warm random `get` (one open `NpyObjectArray`, {w['gets_per_jvm']:,} random gets "
                   f"timed one by one after as many warm-up gets; median over {w['jvms']} JVMs): "
                   f"**median {w['median_us']:.1f} µs, p99 {w['p99_us']:.1f} µs**.")
    else:
        out.append(f"Warm random `get`: {not_ok(w)}.")
    return "\n".join(out) + "\n"


def targets_section(files):
    names = [f["name"] for f in files]
    rows = []
    for issue, text, value, fmt, met, applies in TARGETS:
        row = [issue, text]
        for f in files:
            v = value(f)
            if v is None:
                row.append("n/a")
            elif applies is not None and f["name"] not in applies:
                row.append(f"({fmt(v)}, not a target)")
            else:
                row.append(f"{fmt(v)} {'✅' if met(v) else '❌'}")
        rows.append(row)
    return table(["Issue", "Target"] + [f"`{n}`" for n in names], rows) + "\n"


def scaling_section(scaling, labels):
    mults = scaling["multipliers"]
    files = scaling["files"]
    sizes = ", ".join(f"{m}x = {f['elements']:,} elements, {f['bytes'] / 1e6:,.1f} MB"
                      for m, f in zip(mults, files))
    out = [f"Content `{scaling['content']}` at {sizes}.", ""]
    header = (["Tool"] + [f"{m}x (s)" for m in mults] + [f"time {mults[-1]}x/{mults[0]}x"]
              + [f"{m}x RSS (MB)" for m in mults] + [f"RSS {mults[-1]}x/{mults[0]}x"])
    rows = []
    for key, series in scaling["tools"].items():
        if any(s["status"] != "ok" for s in series):
            bad = next(s for s in series if s["status"] != "ok")
            rows.append([labels[key], not_ok(bad)] + [""] * (len(header) - 2))
            continue
        first, last = series[0], series[-1]
        rows.append([labels[key]] + [seconds(s["median_s"]) for s in series]
                    + [num(last["median_s"] / first["median_s"])]
                    + [f"{s['rss_mb']:,.0f}" for s in series]
                    + [num(last["rss_mb"] / first["rss_mb"])])
    out += [table(header, rows), ""]
    verdicts = []
    for key in ("convert.arrow", "convert.parquet"):
        series = scaling["tools"].get(key, [])
        if series and all(s["status"] == "ok" for s in series):
            growth = series[-1]["rss_mb"] / series[0]["rss_mb"]
            verdicts.append(f"{key} {num(growth)}x {'✅' if growth <= 1.2 else '❌'}")
        else:
            verdicts.append(f"{key} n/a")
    out.append(f"Target (#4): convert's peak RSS at {mults[-1]}x within 1.2x of {mults[0]}x: "
               + "; ".join(verdicts) + ".")
    return "\n".join(out) + "\n"


def render(results):
    meta = results["meta"]
    m, v = meta["machine"], meta["versions"]
    labels = meta["tools"]
    parts = [HEADER.format(command=meta["command"]), "## This run", "",
             f"- Produced {meta['date']} by `{meta['command']}` on {meta['revision']}.",
             f"- Machine: {m.get('cpu', '?')}, {m['cores']} cores, {m.get('ram_gib', '?')} GiB RAM; "
             f"{m['platform']}. Shared and noisy: compare ratios from the same run, not absolute times.",
             f"- Versions: {v['java']}; Python {v['python']}, NumPy {v['numpy']}, pyarrow {v['pyarrow']}; "
             f"{v['npyconv']}.",
             f"- Median of {meta['runs']} alternating runs per tool (every tool on every file once per round), "
             "whole processes (JVM or interpreter start included), page cache warm; "
             "peak RSS from `/usr/bin/time -v` (median over the runs).",
             ]
    if meta["quick"]:
        parts.append("- **Quick mode**: tiny files, a smoke test of the harness. Start-up dominates; "
                     "these numbers say nothing about the targets.")
    parts += ["", "## Targets read off this run", "", targets_section(results["files"]),
              "## Per file", ""]
    parts += [file_section(f, labels) for f in results["files"]]
    if "scaling" in results:
        parts += ["## Scaling: time linear, memory flat", "", scaling_section(results["scaling"], labels)]
    parts.append(TOOLS_NOTE)
    return "\n".join(parts)


HEADER = """# Benchmarks

Generated by `benchmarks/run-e2e.sh`; do not edit by hand. Every number below is the harness's
output for the run described under "This run".

## Reproducing

    benchmarks/run-e2e.sh --scaling        # default sizes + scaling: ~850 MB in bench-data/, tens of minutes
    benchmarks/run-e2e.sh --quick          # smoke test on tiny files (report in bench-data/quick/)
    benchmarks/run-e2e.sh --help           # --scale K, --runs N, --only, --tools, --data-dir, --output, ...

The script sets up the Python anchors offline (`tools/setup-python.sh`: NumPy 2.4.6, pyarrow
25.0.1), generates the files with real NumPy into `bench-data/` (git-ignored; regenerated only
when missing or their parameters change), builds `bin/npyconv` and `benchmarks/target/benchmarks.jar`,
and times everything. Raw results go to `bench-data/results.json`; `python3
benchmarks/e2e/report.py bench-data/results.json docs/benchmarks.md` re-renders this page.
npyconv commands that `bin/npyconv COMMAND --help` does not know yet appear as "n/a"; they are
measured automatically once they land.

JMH micro-benchmarks over the same files (`benchmarks/src/main/java/org/npyconv/benchmarks/`:
`PickleReaderBenchmark` opcode-reader throughput, `IndexBuildBenchmark` index build,
`RandomGetBenchmark` random `get` warm and cold-element, `IterationBenchmark` `stream()` over all
elements), from the repository root after the files exist (`benchmarks/run-e2e.sh --generate-only`):

    mvn -q -pl benchmarks -am package -DskipTests
    java --add-opens=java.base/java.nio=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar -f 1 -wi 2 -i 3

Each benchmark runs on the three files of `bench-data/`; `-p file=PATH` picks another file, a
regular expression after the options picks benchmarks (e.g. `RandomGet`). Their numbers are not
part of this page.
"""

TOOLS_NOTE = """## What each row runs

- `cat FILE > /dev/null`: the page-cache read limit.
- `np.load(allow_pickle=True)`: NumPy's only way to read these files (whole file into memory).
- `pickletools.genops` scan: Python's opcode-level disassembler over the pickle, counting opcodes;
  the naive way to find element boundaries without executing the pickle.
- numpy + pyarrow -> Arrow IPC: `pa.array(np.load(f, allow_pickle=True).ravel())` as column
  `value`, written with `pa.ipc.new_file` (uncompressed). -> Parquet: the same table,
  `pq.write_table(..., compression='zstd')`.
- `npyconv --version`: the floor under every npyconv row (bash launcher, JVM start, picocli).
- `npyconv index FILE --force`; `npyconv get FILE I...` with five fixed random indices, index
  already built; `npyconv export FILE > /dev/null`; `npyconv convert FILE --output OUT --format
  arrow --compression none` and `--format parquet --compression zstd`.
- Warm random get: `org.npyconv.benchmarks.WarmGetLatency` (benchmarks module) opens the array
  once and times single `get(i)` calls at uniformly random `i`.
"""


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as f:
        results = json.load(f)
    with open(sys.argv[2], "w") as f:
        f.write(render(results))
