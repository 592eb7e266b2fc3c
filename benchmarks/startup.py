"""Benchmark a small org's start-up against its floors (issue 19, target 5; docs/performance.md).

    python benchmarks/startup.py                  # 15 rounds
    python benchmarks/startup.py --rounds 25
    python benchmarks/startup.py --before /tmp/old/src   # also time another checkout's src/

Each round runs every command once, in a fresh process, in an order rotated from round to
round (A, B, C…, then B, C…, A), so that a neighbour's load on a shared machine falls on all of
them alike. A command's ratio to its floor is the median over rounds of that round's ratio
(paired runs): on a loaded machine only these ratios mean anything, not the seconds.

The floors: ``python -c pass`` (the interpreter and site start) for ``icmap --version``, and
``python -c "import yaml, networkx"`` (what any Python tool on this stack pays) for ``check``
and ``report`` of examples/restaurant.yaml. icmap runs as its console script does
(``from icmap.cli import main; main()``), with ``src/`` first on the path, so ``--before``
compares two trees under the same interpreter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/restaurant.yaml"

#: What the ``icmap`` console script runs, as pip 26.3 writes it. Older pips' script (pip 23.2,
#: which Python 3.11's ``venv`` brings) begins with ``import re``: about 5 ms more for every
#: console script, icmap's or any other.
LAUNCH = (
    "import sys; from icmap.cli import main; sys.argv[0] = sys.argv[0].removesuffix('.exe'); "
    "sys.exit(main())"
)

FLOORS = {
    "python -c pass": ["-c", "pass"],
    'python -c "import yaml, networkx"': ["-c", "import yaml, networkx"],
}
COMMANDS = {
    "icmap --version": ["--version"],
    "icmap check restaurant": ["check", EXAMPLE],
    "icmap report restaurant": ["report", EXAMPLE],
}
#: Each command's floors, and the ratio issue 19 asks for (None: shown, no target).
TARGETS: dict[str, list[tuple[str, float | None]]] = {
    "icmap --version": [("python -c pass", 1.5)],
    "icmap check restaurant": [('python -c "import yaml, networkx"', 1.3)],
    "icmap report restaurant": [('python -c "import yaml, networkx"', 1.3)],
}


def _run(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - started
    # check exits 1 when it has findings at the failing severity; anything else is a failure.
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr.decode(errors='replace')}")
    return elapsed


def _variants(before: Path | None) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Name -> (argv, environment) of every process a round runs."""
    # Bytecode is cached, as it is for an installed icmap (pip compiles it): the warm-up run
    # writes it where PYTHONDONTWRITEBYTECODE would leave every run compiling icmap afresh.
    unset = ("PYTHONPATH", "ICMAP_DEBUG", "PYTHONDONTWRITEBYTECODE")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    trees = {"": ROOT / "src"} | ({" (before)": before} if before else {})
    runs: dict[str, tuple[list[str], dict[str, str]]] = {}
    for name, args in FLOORS.items():
        runs[name] = ([sys.executable, *args], base)
    for suffix, src in trees.items():
        env = base | {"PYTHONPATH": str(src)}
        for name, args in COMMANDS.items():
            runs[name + suffix] = ([sys.executable, "-c", LAUNCH, *args], env)
    return runs


def measure(rounds: int, before: Path | None) -> dict[str, list[float]]:
    runs = _variants(before)
    names = list(runs)
    for name in names:  # warm the page cache and the .pyc files; not counted
        _run(*runs[name])
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(_run(*runs[name]))
    return times


def report(times: dict[str, list[float]]) -> str:
    lines = [
        "| process | median ms | floor | × floor (paired median) | target |",
        "|---|---:|---|---:|---|",
    ]
    for name, samples in times.items():
        median = f"{statistics.median(samples) * 1000:.0f}"
        floors = TARGETS.get(name.removesuffix(" (before)"), [])
        if not floors:
            lines.append(f"| `{name}` | {median} | | | |")
        for floor, target in floors:
            ratio = statistics.median(a / b for a, b in zip(samples, times[floor], strict=True))
            verdict = (
                "" if target is None else f"≤ {target} {'met' if ratio <= target else 'not met'}"
            )
            lines.append(f"| `{name}` | {median} | `{floor}` | {ratio:.2f} | {verdict} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="runs of each process (15)")
    parser.add_argument(
        "--before", type=Path, help="another checkout's src/ folder, timed beside this one"
    )
    args = parser.parse_args()
    before = args.before.resolve() if args.before else None
    if before is not None and not (before / "icmap" / "__init__.py").is_file():
        raise SystemExit(f"--before {before}: not a src/ folder with the icmap package in it")
    print(f"Python {sys.version.split()[0]}, {args.rounds} rounds, {os.cpu_count()} cores")
    print(report(measure(args.rounds, before)))


if __name__ == "__main__":
    main()
