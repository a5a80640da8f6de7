"""End-to-end benchmark: npyconv against the Python pipeline, whole processes, same files, same run.

Called by benchmarks/run-e2e.sh (see there for usage). Generates the files (datasets.py), times
every tool on every file in alternating rounds (cat, the Python anchors, each npyconv command
the launcher knows), measures warm random `get` latency in one JVM (WarmGetLatency), optionally
a 1x/2x/4x scaling series, saves raw results to DATA_DIR/results.json and writes the Markdown
report (report.py).
"""
import argparse
import datetime
import fcntl
import json
import os
import platform
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import datasets
import measure
import npyfile
import report

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NPYCONV = ROOT / "bin" / "npyconv"
BENCH_JAR = ROOT / "benchmarks" / "target" / "benchmarks.jar"
JAVA_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED"
GET_INDICES = 5
SCALING_MULTIPLIERS = (1, 2, 4)
SCALING_TOOLS = ("np.load", "pa.parquet", "index", "export", "convert.arrow", "convert.parquet")


def log(message):
    print(message, file=sys.stderr, flush=True)


@dataclass
class Tool:
    """One row: how to run it on a file, and whether it can run at all."""
    key: str
    label: str
    argv: Callable[[Path, Path], list]  # (input file, scratch dir) -> command line
    output: Optional[str] = None        # file in the scratch dir, removed before every run
    subcommand: Optional[str] = None    # the npyconv command it needs
    unavailable: Optional[str] = None   # why the row is n/a


def python_tools(python):
    anchor = [python, str(HERE / "anchors.py")]
    return [
        Tool("cat", "cat FILE > /dev/null (page-cache read)", lambda f, d: ["cat", str(f)]),
        Tool("np.load", "np.load(allow_pickle=True)", lambda f, d: [*anchor, "load", str(f)]),
        Tool("genops", "pickletools.genops scan", lambda f, d: [*anchor, "genops", str(f)]),
        Tool("pa.arrow", "numpy + pyarrow -> Arrow IPC",
             lambda f, d: [*anchor, "arrow", str(f), str(d / "anchor.arrow")], output="anchor.arrow"),
        Tool("pa.parquet", "numpy + pyarrow -> Parquet (zstd)",
             lambda f, d: [*anchor, "parquet", str(f), str(d / "anchor.parquet")], output="anchor.parquet"),
    ]


def npyconv_tools(get_indices):
    npy = str(NPYCONV)
    return [
        Tool("start", "npyconv --version (launcher + JVM start)", lambda f, d: [npy, "--version"]),
        Tool("index", "npyconv index --force", lambda f, d: [npy, "index", str(f), "--force"],
             subcommand="index"),
        Tool("get", f"npyconv get ({GET_INDICES} random indices, cold process)",
             lambda f, d: [npy, "get", str(f), *map(str, get_indices(f))], subcommand="get"),
        Tool("export", "npyconv export > /dev/null", lambda f, d: [npy, "export", str(f)],
             subcommand="export"),
        Tool("convert.arrow", "npyconv convert -> Arrow IPC",
             lambda f, d: [npy, "convert", str(f), "--output", str(d / "npyconv.arrow"),
                           "--format", "arrow", "--compression", "none"],
             output="npyconv.arrow", subcommand="convert"),
        Tool("convert.parquet", "npyconv convert -> Parquet (zstd)",
             lambda f, d: [npy, "convert", str(f), "--output", str(d / "npyconv.parquet"),
                           "--format", "parquet", "--compression", "zstd"],
             output="npyconv.parquet", subcommand="convert"),
    ]


# ---- building and probing the Java side ----------------------------------------------------------

def stale(target: Path, sources) -> bool:
    """True if `target` is missing or older than any file in `sources` (files or directories)."""
    if not target.exists():
        return True
    built = target.stat().st_mtime
    files = (p for src in sources for p in ([src] if src.is_file() else src.rglob("*")))
    return any(p.is_file() and p.stat().st_mtime > built for p in files)


def build_benchmarks_jar() -> Optional[str]:
    """Builds benchmarks.jar if stale; returns why it could not be built, or None."""
    modules = [ROOT / m for m in ("formats", "indexer", "converter", "benchmarks")]
    sources = [ROOT / "pom.xml", *(m / "pom.xml" for m in modules), *(m / "src" for m in modules)]
    # The launcher takes this lock while it builds into converter/target; -am builds there too.
    with open(ROOT / ".npyconv-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stale(BENCH_JAR, sources):
            return None
        log("building benchmarks/target/benchmarks.jar ...")
        p = subprocess.run(["mvn", "-B", "-q", "-DskipTests", "-pl", "benchmarks", "-am", "package"],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        errors = [l for l in p.stdout.splitlines() if l.startswith("[ERROR]")]
        log("\n".join(errors[:10]))
        return "benchmarks module does not build yet"
    return None


def probe_npyconv(tools):
    """Marks every command `bin/npyconv COMMAND --help` does not describe as n/a."""
    log("building/checking bin/npyconv ...")
    built = subprocess.run([str(NPYCONV), "--version"], capture_output=True, text=True)
    for tool in tools:
        if built.returncode != 0:
            tool.unavailable = "n/a (bin/npyconv does not build yet)"
            continue
        if tool.subcommand is None:
            continue
        # The root command answers `UNKNOWN --help` with its own usage and exit 0: check whose it is.
        help = subprocess.run([str(NPYCONV), tool.subcommand, "--help"], capture_output=True, text=True)
        if help.returncode != 0 or not help.stdout.startswith(f"Usage: npyconv {tool.subcommand} "):
            tool.unavailable = "n/a (not implemented yet)"
    return built.stdout.strip() if built.returncode == 0 else None


def warm_get(file: Path, rounds: int, gets: int, unavailable: Optional[str]) -> dict:
    """Median and p99 of single random gets in one warm JVM (median over `rounds` JVMs)."""
    if unavailable:
        return {"status": "n/a", "reason": f"n/a ({unavailable})"}
    runs = []
    for _ in range(rounds):
        p = subprocess.run(["java", JAVA_OPENS, "-XX:+UseSerialGC", "-cp", str(BENCH_JAR),
                            "org.npyconv.benchmarks.WarmGetLatency", str(file), "--gets", str(gets)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            return {"status": "failed", "exit_code": p.returncode, "error": measure.error_line(p.stderr)}
        runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
    return {"status": "ok", "jvms": len(runs), "gets_per_jvm": gets,
            "median_us": statistics.median(r["median_us"] for r in runs),
            "p99_us": statistics.median(r["p99_us"] for r in runs)}


# ---- timing ----------------------------------------------------------------------------------------

def time_tools(files, tools, rounds, scratch: Path):
    """Alternating rounds: every tool on every file once per round. Returns {(file, key): summary}."""
    series = {(f, t.key): measure.Series() for f in files for t in tools if not t.unavailable}
    scratch.mkdir(parents=True, exist_ok=True)
    for f in files:
        measure.run(["cat", str(f)])  # warm the page cache
    for r in range(1, rounds + 1):
        for f in files:
            for t in tools:
                if t.unavailable or series[f, t.key].failure:
                    continue
                if t.output:
                    measure.drop_file(scratch / t.output)
                result = measure.run(t.argv(f, scratch), cwd=ROOT)
                series[f, t.key].add(result)
                status = f"{result.seconds:8.2f} s {result.rss_mb:8.0f} MB" if result.ok \
                    else f"FAILED ({result.error})"
                log(f"  round {r}/{rounds} {f.name:<22} {t.key:<16} {status}")
    shutil.rmtree(scratch, ignore_errors=True)
    check_intact(files)
    summaries = {}
    for f in files:
        for t in tools:
            summaries[f, t.key] = {"status": "n/a", "reason": t.unavailable} if t.unavailable \
                else series[f, t.key].summary()
    return summaries


def check_intact(files):
    """Stops the run if a file changed under it: the machine is shared, and results over a file
    that another process rewrote mid-run would mean nothing."""
    changed = [f.name for f in files if not datasets.intact(f)]
    if changed:
        raise SystemExit(f"error: {', '.join(changed)} changed during the run (rewritten by another "
                         "process?); rerun, or use a private --data-dir")


def random_indices(file: Path):
    n = npyfile.element_count(file)
    rng = random.Random(file.name)
    return sorted(rng.randrange(n) for _ in range(min(GET_INDICES, n)))


# ---- run metadata ------------------------------------------------------------------------------------

def machine():
    info = {"cores": os.cpu_count(), "platform": platform.platform()}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            info["cpu"] = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            info["ram_gib"] = round(int(line.split()[1]) / 1024 ** 2, 1)
    return info


def versions(npyconv_version):
    import numpy
    import pyarrow
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return {"java": java[0] if java else "?", "python": platform.python_version(),
            "numpy": numpy.__version__, "pyarrow": pyarrow.__version__,
            "npyconv": npyconv_version or "npyconv n/a (does not build)"}


def git_revision():
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "a tree outside git"
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"branch {git('rev-parse', '--abbrev-ref', 'HEAD')} @ {commit}{dirty}"


# ---- main --------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(prog="benchmarks/run-e2e.sh", description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=ROOT / "bench-data",
                   help="where benchmark files go (default: bench-data/; --quick uses DATA_DIR/quick)")
    p.add_argument("--scale", type=float, default=1, help="multiply every element count by K")
    p.add_argument("--runs", type=int, default=3, help="timed runs per tool and file (median; >= 3)")
    p.add_argument("--only", default=",".join(datasets.DATASETS),
                   help="comma-separated subset of: " + ", ".join(datasets.DATASETS))
    p.add_argument("--quick", action="store_true", help="small files: a smoke test of the harness")
    p.add_argument("--scaling", action="store_true", help="also time one content at 1x, 2x, 4x")
    p.add_argument("--scaling-content", default="dicts", choices=list(datasets.DATASETS))
    p.add_argument("--warm-gets", type=int, default=20_000, help="timed gets per warm-get JVM")
    p.add_argument("--output", type=Path,
                   help="report path (default: docs/benchmarks.md; with --quick, DATA_DIR/benchmarks.md)")
    p.add_argument("--tools", help="comma-separated tool keys to time (default: all), e.g. "
                   "cat,np.load,pa.arrow,pa.parquet,convert.arrow,convert.parquet; the others appear as n/a")
    p.add_argument("--generate-only", action="store_true", help="write the files, time nothing")
    args = p.parse_args(argv)
    if args.runs < 3:
        p.error("--runs must be at least 3 (medians of fewer runs are noise on a shared machine)")
    unknown = set(args.only.split(",")) - set(datasets.DATASETS)
    if unknown:
        p.error(f"--only: unknown file(s) {', '.join(sorted(unknown))}")
    if args.quick:
        args.data_dir = args.data_dir / "quick"
    if args.output is None:
        args.output = args.data_dir / "benchmarks.md" if args.quick else ROOT / "docs" / "benchmarks.md"
    return args


def generate(names, args, multiplier):
    files = []
    for name in names:
        d = datasets.DATASETS[name]
        files.append(datasets.ensure(d, datasets.count_for(d, multiplier, args.quick),
                                     d.file(args.data_dir, multiplier), log))
    return files


def file_facts(file: Path, name: str):
    return {"name": name, "file": file.name, "bytes": file.stat().st_size, "elements": npyfile.element_count(file),
            "description": datasets.DATASETS[name].description}


def main(argv):
    # A plain `kill` unwinds like Ctrl-C, so the command being timed is killed with its group.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("error: terminated"))
    args = parse_args(argv)
    names = args.only.split(",")
    files = generate(names, args, args.scale)
    scaling_files = [generate([args.scaling_content], args, args.scale * m)[0]
                     for m in SCALING_MULTIPLIERS] if args.scaling else []
    if args.generate_only:
        return 0

    ours = npyconv_tools(random_indices)
    # The benchmarks jar first: its `-am package` repackages converter/target/npyconv.jar, and the
    # launcher then remakes its class-data archives (~10 s) in whichever run comes next; the probe
    # below takes that run, so no timed one does.
    jar_problem = None if args.tools and "get" not in args.tools.split(",") else build_benchmarks_jar()
    npyconv_version = probe_npyconv(ours)
    tools = python_tools(sys.executable) + ours
    if args.tools:
        chosen = set(args.tools.split(","))
        for t in tools:
            if t.key not in chosen and not t.unavailable:
                t.unavailable = "not selected (--tools)"

    results = {"meta": {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": shlex.join(["benchmarks/run-e2e.sh", *argv]),
        "revision": git_revision(), "machine": machine(), "versions": versions(npyconv_version),
        "runs": args.runs, "scale": args.scale, "quick": args.quick, "warm_gets": args.warm_gets,
        "tools": {t.key: t.label for t in tools}}}

    log(f"timing {len(tools)} tools x {len(files)} files x {args.runs} rounds ...")
    summaries = time_tools(files, tools, args.runs, args.data_dir / "scratch")
    results["files"] = []
    for name, f in zip(names, files):
        entry = file_facts(f, name)
        entry["tools"] = {t.key: summaries[f, t.key] for t in tools}
        log(f"warm random get on {f.name} ...")
        skip_get = "not selected (--tools)" if args.tools and "get" not in args.tools.split(",") else None
        entry["warm_get"] = warm_get(f, args.runs, args.warm_gets, skip_get or jar_problem)
        results["files"].append(entry)
    check_intact(files)

    if args.scaling:
        scaling_tools = [t for t in tools if t.key in SCALING_TOOLS]
        log(f"scaling: {args.scaling_content} at {SCALING_MULTIPLIERS} ...")
        summaries = time_tools(scaling_files, scaling_tools, args.runs, args.data_dir / "scratch")
        results["scaling"] = {
            "content": args.scaling_content,
            "multipliers": list(SCALING_MULTIPLIERS),
            "files": [file_facts(f, args.scaling_content) for f in scaling_files],
            "tools": {t.key: [summaries[f, t.key] for f in scaling_files] for t in scaling_tools}}

    raw = args.data_dir / "results.json"
    raw.write_text(json.dumps(results, indent=1) + "\n")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report.render(results))
    log(f"wrote {args.output} (raw results: {raw})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
