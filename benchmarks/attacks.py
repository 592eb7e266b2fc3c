"""Time and peak memory of icmap on hostile org files at full size (docs/robustness.md), and
on hostile event logs at the real limits (docs/events.md#limits).

    python benchmarks/attacks.py            # org files, then event logs
    python benchmarks/attacks.py events     # event logs only
    python benchmarks/attacks.py importers  # big CSV and Backstage sources beside the same org

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


def _run(path: Path, *source: str) -> tuple[str, float, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "icmap", "graph", *source, str(path), "-f", "json"],
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


# --- event logs, at the real limits of icmap.eventlog.read -------------------------------------

_XES_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<log xmlns="http://www.xes-standard.org/">\n'


def _entity_bomb(path: Path) -> None:
    entities = "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9)
    )
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE log [\n<!ENTITY a "aaaaaaaaaa">\n' + entities + "]>\n"
        '<log><trace><string key="concept:name" value="&j;"/></trace></log>\n'
    )


def _long_line(path: Path) -> None:
    """A 2 GB line (written sparsely: a hole of zero bytes after a header and one event)."""
    with path.open("wb") as stream:
        stream.write(b"case,time,team\nC1,2026-01-01T10:00,A\nC1,2026-01-01T11:00,")
        stream.truncate(2 * 1024**3)


def _long_line_late(path: Path) -> None:
    """A 2 GB line after 100,000 good ones (past the lines the reader sniffs)."""
    with path.open("wb") as stream:
        stream.write(b"case,time,team\n" + b"C1,2026-01-01T10:00,A\n" * 100_000)
        stream.write(b"C2,2026-01-01T11:00," + b"x" * (2 * 1024**3) + b"\n")


def _gzip_bomb_xes(path: Path) -> None:
    """A small .xes.gz that unpacks past 16 GiB (its gzip trailer says little)."""
    import zlib

    event = (
        b'<event><string key="org:group" value="A"/>'
        b'<date key="time:timestamp" value="2026-01-01T10:00:00"/></event>\n'
    )
    block = event * 100_000
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as stream:
        stream.write(
            compressor.compress(_XES_HEAD + b'<trace><string key="concept:name" value="C"/>')
        )
        for _ in range(17 * 1024**3 // len(block) + 1):
            stream.write(compressor.compress(block))
        stream.write(compressor.flush())


def _billion_parquet(path: Path) -> None:
    """A billion events in a small Parquet file (constant columns compress to almost nothing)."""
    import duckdb

    duckdb.connect().execute(
        "COPY (SELECT 'C' || (i // 1000) AS case_id, TIMESTAMP '2026-01-01' AS time, 'A' AS team "
        f"FROM range(1000000000) t(i)) TO '{path}'"
    )


def _long_case(path: Path) -> None:
    """One case of 1,500,000 events (past the 1,000,000 one case may hold) beside a short one."""
    with path.open("w", encoding="utf-8") as stream:
        stream.write("case,time,team\nC1,2026-01-01T10:00,A\nC1,2026-01-01T11:00,B\n")
        for i in range(1_500_000):
            stream.write(f"BIG,2026-01-01T10:{i % 60:02d},{'AB'[i % 2]}\n")


def _nul_bytes(path: Path) -> None:
    path.write_bytes(b"case,time,team\n" + b"C1,2026-01-01T10:00,A\x00B\n" * 1_000_000)


def _latin1(path: Path) -> None:
    row = "C1,2026-01-01T10:00,K\u00fcche\n"
    path.write_bytes(b"case,time,team\n" + (row.encode("latin-1") + row.encode()) * 500_000)


EVENT_ATTACKS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "XES entity bomb (10^10 expansions)": ("bomb.xes", _entity_bomb),
    "a 2 GB line in the sniffed lines": ("line.csv", _long_line),
    "a 2 GB line after 100,000 events": ("late.csv", _long_line_late),
    "gzipped XES unpacking past 16 GiB": ("bomb.xes.gz", _gzip_bomb_xes),
    "a billion events in one Parquet file": ("billion.parquet", _billion_parquet),
    "one case of 1,500,000 events": ("case.csv", _long_case),
    "1,000,000 teams with a NUL byte": ("nul.csv", _nul_bytes),
    "1,000,000 lines, half Latin-1": ("latin1.csv", _latin1),
}


def events() -> None:
    print("| event log attack | size | outcome | seconds | peak MiB |\n|---|---:|---|---:|---:|")
    for name, (file, make) in EVENT_ATTACKS.items():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / file
            make(path)
            size = path.stat().st_size / 1e6
            outcome, seconds, peak = _run(path, "--from", "events")
            print(f"| {name} | {size:.1f} MB | {outcome} | {seconds:.1f} | {peak:.0f} |")


# --- importers at the size of their targets (docs/robustness.md#limits) ------------------------


def _csv_hand_offs(path: Path, rows: int) -> None:
    """``rows`` hand-offs between ``rows / 10`` teams, every tenth to one external customer."""
    teams = max(rows // 10, 2)
    with path.open("w", encoding="utf-8") as stream:
        stream.write("provider,receiver,what,lead_time\n")
        for i in range(rows):
            p = i // 10 % teams
            receiver = "customer" if i % 10 == 9 else f"t{(p + i % 10 + 1) % teams}"
            stream.write(f"t{p},{receiver},w{i},{i % 7 + 1}h\n")


def _csv_chain(path: Path, rows: int) -> None:
    """``rows`` hand-offs along a chain of ``rows + 1`` teams: every row names a new team."""
    with path.open("w", encoding="utf-8") as stream:
        stream.write("provider,receiver,what\n")
        for i in range(rows):
            stream.write(f"team {i},team {i + 1},thing {i}\n")


def _backstage(path: Path, entities: int) -> None:
    """``entities`` entities in one multi-document file: a group per ten components, each
    component depending on one of another group."""
    groups = max(entities // 10, 2)
    with path.open("w", encoding="utf-8") as stream:
        for g in range(groups):
            stream.write(
                f"---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: g{g}}}\n"
                "spec: {type: team, children: []}\n"
            )
        for c in range(entities - groups):
            other = (c + 10) % (entities - groups)
            kind = "website" if c % 10 == 0 else "service"
            owner = c // 10 % groups
            stream.write(
                f"---\napiVersion: backstage.io/v1alpha1\nkind: Component\n"
                f"metadata: {{name: c{c}}}\nspec: {{type: {kind}, lifecycle: production, "
                f"owner: g{owner}, dependsOn: [component:c{other}]}}\n"
            )


IMPORTER_CASES: dict[str, tuple[str, str, Callable[[Path, int], None], int]] = {
    "CSV, 1,000,000 hand-offs among 100,000 teams": ("csv", "h.csv", _csv_hand_offs, 1_000_000),
    "CSV, 1,000,000 hand-offs along a chain": ("csv", "chain.csv", _csv_chain, 1_000_000),
    "Backstage, 100,000 entities in one file": ("backstage", "c.yaml", _backstage, 100_000),
}


def _cpu_and_peak(*args: str) -> tuple[str, float, float]:
    """``icmap ARGS`` in a fresh process, stdout to /dev/null: its exit, CPU seconds (user and
    system, with its children: wall time on the shared machine says little) and peak MiB."""
    process = subprocess.Popen(
        [sys.executable, "-m", "icmap", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return f"exit {code}", usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def importers(only: str | None = None) -> None:
    """Each source read by ``graph --from``, beside the org ``icmap import`` writes from it;
    then, for the CSV cases, ``import`` itself and ``check --from`` (issue 28 item 6's target:
    each under 1 GB at a million rows), CPU seconds and peak MiB."""
    print("| importer case | size | outcome | seconds | peak MiB | same org: seconds | peak MiB |")
    print("|---|---:|---|---:|---:|---:|---:|")
    costs: list[str] = []
    for name, (fmt, file, make, n) in IMPORTER_CASES.items():
        if only and only not in name:
            continue
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / file
            make(path, n)
            size = path.stat().st_size / 1e6
            outcome, seconds, peak = _run(path, "--from", fmt)
            org = Path(folder) / "org"
            made = _cpu_and_peak("import", fmt, str(path), "-o", str(org))
            same = _run(org) if org.exists() else ("no org written", 0.0, 0.0)
            print(
                f"| {name} | {size:.1f} MB | {outcome} | {seconds:.1f} | {peak:.0f} "
                f"| {same[1]:.1f} | {same[2]:.0f} |"
            )
            if fmt == "csv":
                checked = _cpu_and_peak("check", "--from", fmt, str(path))
                graphed = _cpu_and_peak("graph", "--from", fmt, str(path), "-f", "json")
                for command, (code, cpu, most) in (
                    (f"import {fmt}", made),
                    (f"check --from {fmt}", checked),
                    (f"graph --from {fmt} -f json", graphed),
                ):
                    costs.append(f"| {name} | `{command}` | {code} | {cpu:.1f} | {most:.0f} |")
    if costs:
        print("\n| importer case | command | outcome | CPU s | peak MiB |\n|---|---|---|---:|---:|")
        print("\n".join(costs))


def main() -> None:
    if sys.argv[1:2] == ["importers"]:
        importers(sys.argv[2] if len(sys.argv) > 2 else None)
        return
    if sys.argv[1:] != ["events"]:
        print("| attack | size | outcome | seconds | peak MiB |\n|---|---:|---|---:|---:|")
        with tempfile.TemporaryDirectory() as folder:
            for name, make in ATTACKS.items():
                path = Path(folder) / "org.yaml"
                path.write_text(make(0), encoding="utf-8")
                size = path.stat().st_size / 1e6
                outcome, seconds, peak = _run(path)
                print(f"| {name} | {size:.1f} MB | {outcome} | {seconds:.1f} | {peak:.0f} |")
        print()
    events()


if __name__ == "__main__":
    main()
