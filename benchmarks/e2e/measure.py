"""Whole-process timing: wall time around the process, peak RSS from `/usr/bin/time -v`."""
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Optional

TIME = "/usr/bin/time"
RSS_LINE = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
TIMEOUT_S = 3600


@dataclass
class Run:
    seconds: float
    rss_mb: float
    exit_code: int
    error: str = ""  # what a failed run said (error_line)

    @property
    def ok(self):
        return self.exit_code == 0


def run(argv, cwd=None) -> Run:
    """Runs `argv` once with stdout discarded; returns wall time, peak RSS and exit status.

    The command runs in its own process group, so a timeout or an interrupted harness kills it
    with everything it started (the launcher's JVM, not only /usr/bin/time).
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        began = time.perf_counter()
        p = subprocess.Popen([TIME, "-v", "-o", report.name, *argv], cwd=cwd, start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _, stderr = p.communicate(timeout=TIMEOUT_S)
        except BaseException as e:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            if isinstance(e, subprocess.TimeoutExpired):
                return Run(TIMEOUT_S, 0.0, -1, f"timed out after {TIMEOUT_S} s")
            raise
        seconds = time.perf_counter() - began
        match = RSS_LINE.search(report.read())
    rss_mb = int(match.group(1)) / 1024 if match else 0.0
    error = "" if p.returncode == 0 else error_line(stderr.decode("utf-8", "replace"))
    return Run(seconds, rss_mb, p.returncode, error)


def error_line(stderr: str) -> str:
    """The line that says what went wrong: npyconv's `error:` line, a Java exception, or the last."""
    lines = [l.strip() for l in stderr.strip().splitlines() if l.strip()]
    for prefix in ("error:", "Exception in thread"):
        found = [l for l in lines if l.startswith(prefix)]
        if found:
            return found[-1]
    return lines[-1] if lines else "no message"


@dataclass
class Series:
    """The runs of one tool on one file, and their summary."""
    runs: list = field(default_factory=list)

    def add(self, r: Run):
        self.runs.append(r)

    @property
    def failure(self) -> Optional[Run]:
        return next((r for r in self.runs if not r.ok), None)

    def summary(self) -> dict:
        failed = self.failure
        if failed:
            return {"status": "failed", "exit_code": failed.exit_code, "error": failed.error}
        seconds = [r.seconds for r in self.runs]
        return {"status": "ok", "runs": len(seconds),
                "median_s": statistics.median(seconds), "min_s": min(seconds), "max_s": max(seconds),
                "rss_mb": statistics.median(r.rss_mb for r in self.runs),
                "max_rss_mb": max(r.rss_mb for r in self.runs)}


def drop_file(path):
    """Removes an output between runs so every run writes from scratch."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
