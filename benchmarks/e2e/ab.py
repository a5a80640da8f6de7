#!/usr/bin/env python3
"""Interleaved A/B timing of whole commands (docs/perf/session5.md).

    benchmarks/e2e/ab.py N 'LABEL::SHELL COMMAND' ['LABEL::SHELL COMMAND' ...]

Runs every command once per round, N rounds, alternating (so a slow spell of the shared machine
hits all of them alike), each under /usr/bin/time, and prints per command the median and minimum
wall time, the median CPU time (user + sys) and the median peak RSS. For deciding between two
settings in one sitting; the published numbers come from benchmarks/run-e2e.sh.
"""
import statistics
import subprocess
import sys


def main():
    rounds = int(sys.argv[1])
    specs = sys.argv[2:]
    results = {s: [] for s in specs}
    for _ in range(rounds):
        for s in specs:
            cmd = s.split('::', 1)[1]
            t = subprocess.run(['/usr/bin/time', '-f', '%e %U %S %M', 'bash', '-c', cmd],
                               capture_output=True, text=True)
            results[s].append(tuple(float(x) for x in t.stderr.strip().splitlines()[-1].split()))
    for s in specs:
        v = results[s]
        wall = sorted(x[0] for x in v)
        cpu = sorted(x[1] + x[2] for x in v)
        rss = sorted(x[3] for x in v)
        print(f"{s.split('::')[0]:40s} wall med {statistics.median(wall):.3f} min {wall[0]:.3f}  "
              f"cpu med {statistics.median(cpu):.2f}  rss med {statistics.median(rss) / 1024:.0f} MB")


if __name__ == '__main__':
    main()
