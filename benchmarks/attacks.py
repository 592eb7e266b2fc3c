"""Time and peak memory of icmap on hostile org files at full size (docs/robustness.md).

    python benchmarks/attacks.py

Each file is written to a temporary folder and read by ``icmap graph FILE -f json`` in a fresh
process; the table gives the outcome (exit code and the first problem's code and position),
seconds and the process's peak memory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _deep_list(_: int) -> str:
    return "customers: {c: {}}\nteams: {a: {}}\nx-deep: " + "[" * 50_000 + "\n"


def _closed_lists(_: int) -> str:
    return "customers: {c: {}}\nteams: {a: {}}\nx-deep: " + "[" * 100_000 + "]" * 100_000 + "\n"


def _empty_customers(_: int) -> str:
    return "customers:\n" + "".join(f"  c{n}:\n" for n in range(1_000_000)) + "teams: {a: {}}\n"


def _keys_in_one_team(_: int) -> str:
    keys = "".join(f"    k{n}: v\n" for n in range(1_000_000))
    return "customers: {c: {}}\nteams:\n  a:\n" + keys


def _flow_map_of_teams(_: int) -> str:
    teams = ", ".join(f"t{n}: {{}}" for n in range(300_000))
    return "customers: {c: {}}\nteams: {" + teams + "}\n"


def _unknown_ids_in_one_to(_: int) -> str:
    ids = ", ".join(f"u{n}" for n in range(200_000))
    return "customers: {c: {}}\nteams:\n  a: {provides: [{what: w, to: [" + ids + "]}]}\n"


def _teams_naming_unknown_ids(_: int) -> str:
    teams = "".join(f"  t{n}: {{provides: [{{what: w, to: u{n}}}]}}\n" for n in range(200_000))
    return "customers: {c: {}}\nteams:\n" + teams


ATTACKS: dict[str, Callable[[int], str]] = {
    "`x-deep: [[[…` 50,000 deep": _deep_list,
    "100,000 `[` then 100,000 `]`": _closed_lists,
    "1,000,000 empty customers": _empty_customers,
    "1,000,000 unknown keys in one team": _keys_in_one_team,
    "one-line flow map of 300,000 teams": _flow_map_of_teams,
    "200,000 unknown ids in one `to`": _unknown_ids_in_one_to,
    "200,000 teams each naming an unknown id": _teams_naming_unknown_ids,
}


def _run(path: Path) -> tuple[str, float, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "icmap", "graph", str(path), "-f", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    assert process.stderr is not None
    first = re.search(r":(\d+):(\d+): \w+: .*?\[(IC\d{3})\]", process.stderr.read())
    code = os.waitstatus_to_exitcode(status)
    outcome = f"exit {code}" + (f", {first[3]} at {first[1]}:{first[2]}" if first else "")
    return outcome, elapsed, usage.ru_maxrss / 1024


def main() -> None:
    print("| attack | size | outcome | seconds | peak MiB |\n|---|---:|---|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in ATTACKS.items():
            path = Path(folder) / "org.yaml"
            path.write_text(make(0), encoding="utf-8")
            size = path.stat().st_size / 1e6
            outcome, seconds, peak = _run(path)
            print(f"| {name} | {size:.1f} MB | {outcome} | {seconds:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
