#!/usr/bin/env bash
# Times a short command N times and prints min/median wall and CPU (user+sys) seconds.
# CPU time is the steadier number on a shared machine (docs/startup.md).
#   benchmarks/startup-time.sh 10 -- bin/npyconv get bench-data/strings.npy 5 77 1000
set -euo pipefail
n=${1:?usage: startup-time.sh N -- COMMAND...}; shift
[ "${1:-}" = "--" ] && shift
times=$(mktemp)
trap 'rm -f "$times"' EXIT
for _ in $(seq "$n"); do
  /usr/bin/time -f "%e %U %S" -a -o "$times" "$@" >/dev/null 2>&1
done
python3 - "$times" <<'P'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip() and l[0].isdigit()]
wall = [r[0] for r in rows]; cpu = [r[1] + r[2] for r in rows]
print("runs %d | wall min %.3f med %.3f s | cpu min %.3f med %.3f s"
      % (len(rows), min(wall), statistics.median(wall), min(cpu), statistics.median(cpu)))
P
