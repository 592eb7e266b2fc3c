"""The benchmark scripts still run: a tiny size of each that finishes in seconds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def test_folders_benchmark_prints_a_row_per_size() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "folders.py"), "--sizes", "40", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| 40 |")]
    assert len(rows) == 1
    assert len(rows[0].split("|")) == 8  # teams, three timings, the ratio, the peaks
