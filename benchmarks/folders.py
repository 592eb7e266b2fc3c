"""Loading an org written as one file per team: serial against parallel (docs/performance.md).

    python benchmarks/folders.py                          # 1k, 3k, 10k and 30k files
    python benchmarks/folders.py --sizes 1000 100000 --repeat 3

For each size it writes the org as a folder (benchmarks/generate.py --per-team, seeded), then
loads it in fresh processes, alternating: once with every file read in this process and once
with one worker process per core (the loader does this from ``icmap.loader.PARALLEL_FILES``
files up, for the cores the load average leaves idle; here every core is used). It prints
the median wall seconds of each, their ratio and the peak memory, which is where the
threshold comes from; the one-file org of the same size is loaded for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import org_document, write  # noqa: E402

LOAD = """
import json, os, resource, sys, time
import icmap.loader
icmap.loader.PARALLEL_FILES = int(sys.argv[2])
# Every core, busy or not: this compares the two ways of reading, not the machine's load.
icmap.loader._idle_cores = lambda: os.cpu_count() or 1
started = time.perf_counter()
org = icmap.loader.load(sys.argv[1])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps([elapsed, max(peak, children), len(org.teams)]))
"""
NEVER = 10**9


def _load(path: Path, threshold: int) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", LOAD, str(path), str(threshold)],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed, peak, _ = json.loads(done.stdout)
    return float(elapsed), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000, 30000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cores} cores; median of {args.repeat} alternating runs\n")
    print(
        "| teams | one file s | folder, serial s | folder, parallel s | parallel ÷ serial "
        "| peak MiB, serial / parallel |"
    )
    print("|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            doc = org_document(size)
            folder = Path(scratch) / f"org-{size}"
            write(doc, folder, per_team=True)
            single = Path(scratch) / f"org-{size}.yaml"
            write(doc, single, per_team=False)
            del doc
            runs: dict[str, list[tuple[float, float]]] = {"one": [], "serial": [], "par": []}
            for _ in range(args.repeat):
                runs["one"].append(_load(single, NEVER))
                runs["serial"].append(_load(folder, NEVER))
                runs["par"].append(_load(folder, 1))
            one, serial, par = (statistics.median(t for t, _ in runs[k]) for k in runs)
            peaks = [max(p for _, p in runs[k]) for k in ("serial", "par")]
            print(
                f"| {size:,} | {one:.2f} | {serial:.2f} | {par:.2f} | {par / serial:.2f} "
                f"| {peaks[0]:.0f} / {peaks[1]:.0f} |"
            )


if __name__ == "__main__":
    main()
