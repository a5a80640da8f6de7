#!/usr/bin/env bash
# Object arrays to Arrow IPC against the Python pipeline (issue 4; docs/perf/arrow-fast.md): per
# round, a baseline launcher, this checkout's bin/npyconv and benchmarks/e2e/anchors.py arrow each
# convert bench-data/FILE.npy once (alternating, so load changes hit all three alike); medians of
# wall and user+sys over the rounds. The sidecar is built once into target/scratch/ (bench-data/ is
# shared and never written); outputs go to tmpfs, so neither disk write-back nor fsync is measured.
#
#   benchmarks/object-arrow-convert.sh [--baseline LAUNCHER] [--runs 5] FILE...   (FILE: strings, ragged_f4, dicts)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
baseline=/work/main/bin/npyconv runs=5 files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) baseline=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -*) echo "usage: $0 [--baseline LAUNCHER] [--runs N] FILE..." >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
py="${VENV_DIR:-$root/.venv/np2}/bin/python"
out="/dev/shm/npyconv-bench-$$"
mkdir -p "$out" "$root/target/scratch"
trap 'rm -rf "$out"' EXIT
for f in "${files[@]}"; do
  src="$root/bench-data/$f.npy" idx="$root/target/scratch/$f.npyidx"
  [ -f "$idx" ] || "$root/bin/npyconv" index "$src" --index "$idx" >/dev/null
  : > "$out/times"
  for _ in $(seq "$runs"); do
    for tool in baseline branch python; do
      case $tool in
        baseline) cmd=("$baseline" convert "$src" --index "$idx" --output "$out/b.arrow" --format arrow --compression none) ;;
        branch) cmd=("$root/bin/npyconv" convert "$src" --index "$idx" --output "$out/n.arrow" --format arrow --compression none) ;;
        python) cmd=("$py" "$root/benchmarks/e2e/anchors.py" arrow "$src" "$out/p.arrow") ;;
      esac
      /usr/bin/time -f "$tool %e %U %S %M" -o "$out/t" "${cmd[@]}" >/dev/null
      tail -1 "$out/t" >> "$out/times"
    done
  done
  cmp -s "$out/b.arrow" "$out/n.arrow" && same="identical" || same="DIFFERENT"
  python3 - "$f" "$out/times" "$same" <<'PY'
import collections, statistics as s, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[2]):
    tool, *v = line.split()
    runs[tool].append([float(x) for x in v])
wall = {}
for tool, rs in runs.items():
    wall[tool] = s.median(r[0] for r in rs)
    print(f"{sys.argv[1]:<10} {tool:<8} wall {wall[tool]:.2f} s  cpu {s.median(r[1] + r[2] for r in rs):.2f} s  "
          f"rss {s.median(r[3] for r in rs) / 1024:.0f} MB  walls {' '.join('%.2f' % r[0] for r in rs)}")
print(f"{sys.argv[1]:<10} python/baseline {wall['python'] / wall['baseline']:.2f}x  "
      f"python/branch {wall['python'] / wall['branch']:.2f}x  output vs baseline: {sys.argv[3]}")
PY
done
