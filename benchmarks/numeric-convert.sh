#!/usr/bin/env bash
# Numeric conversion against the physical limit (docs/numeric.md, "Speed"): a float64 1-D .npy of
# about 400 MB converted by `npyconv convert` (Arrow IPC uncompressed, Arrow IPC zstd, Parquet
# uncompressed, and Arrow IPC uncompressed onto tmpfs) next to `cat FILE > /dev/null` from page cache. Best of N runs each, after one
# warm-up read. The data is written once by NumPy into bench-data/ (not committed).
#
#   benchmarks/numeric-convert.sh [--mb 400] [--runs 3]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
mb=400 runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --mb) mb=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--mb N] [--runs N]" >&2; exit 2 ;;
  esac
done
py="${VENV_DIR:-$root/.venv/np2}/bin/python"
data="$root/bench-data/numeric"
mkdir -p "$data"
src="$data/f8_${mb}mb.npy"
if [ ! -f "$src" ]; then
  "$py" -c "import numpy as np, sys; n = int(sys.argv[2]) * 1_000_000 // 8; np.save(sys.argv[1], np.random.default_rng(7).standard_normal(n))" "$src" "$mb"
fi
"$root/bin/npyconv" --version >/dev/null   # builds the jar if sources changed
cat "$src" > /dev/null                       # page cache warm-up

best() {  # best wall time in seconds of "$@" over $runs runs
  local b=""
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
    b=$(echo "$t1 $t0 ${b:-1e9}" | awk '{d = $1 - $2; print (d < $3 ? d : $3)}')
  done
  echo "$b"
}

size=$(stat -c %s "$src")
cat_s=$(best sh -c "cat '$src' > /dev/null")
printf "%-44s %8s %8s %10s\n" "command" "seconds" "x cat" "MB/s"
row() { printf "%-44s %8.3f %8.2f %10.0f\n" "$1" "$2" "$(echo "$2 $cat_s" | awk '{print $1 / $2}')" "$(echo "$size $2" | awk '{print $1 / 1e6 / $2}')"; }
row "cat FILE > /dev/null" "$cat_s"
for spec in "arrow none" "arrow zstd" "parquet none"; do
  set -- $spec
  out="$data/out.$1"
  t=$(best "$root/bin/npyconv" convert "$src" -o "$out" --compression "$2")
  row "npyconv convert -o X.$1 --compression $2" "$t"
  inproc=$("$root/bin/npyconv" convert "$src" -o "$out" --compression "$2" | sed -n 's/.*(\([^,]*\), \([0-9.]*\) s).*/\2/p')
  row "  (conversion alone, from its summary line)" "$inproc"
  rm -f "$out"
done
# The uncompressed conversion forced to the disk before its rename (--fsync; the default until
# session 4): what waiting for this machine's disk adds.
out="$data/out.arrow"
t=$(best "$root/bin/npyconv" convert "$src" -o "$out" --compression none --fsync)
row "npyconv convert -o X.arrow --compression none --fsync" "$t"
rm -f "$out"
# The same uncompressed conversion onto tmpfs: no disk at all under the output, so this row is the
# conversion's own cost (JVM start-up included).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  out=$(mktemp -u /dev/shm/npyconv-bench-XXXXXX).arrow
  t=$(best "$root/bin/npyconv" convert "$src" -o "$out" --compression none)
  row "  same, output on tmpfs (/dev/shm)" "$t"
  rm -f "$out"
fi
