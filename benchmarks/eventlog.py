"""Event logs of 1M and 10M events: generated (seeded), then read by icmap (docs/performance.md).

    python benchmarks/eventlog.py                                  # 1M and 10M events
    python benchmarks/eventlog.py --sizes 1000000 10000000
    python benchmarks/eventlog.py --generate 1000000 -o /tmp/logs   # only write the logs

**The logs.** ``--teams`` support groups (300), of which a few are front desks where cases
start; each group hands on to 2-8 others, chosen with a preference for popular groups, so a
few pairs carry much of the work (hot pairs) and most carry little. A hand-off is sent
straight back to the group it came from with a probability of its own (ping-pong: 0-10% for
most pairs, 20-50% for one pair in 20). A case holds 2-30 events (mean about 6.5), a stay with
one group 1-4 of them; inside a stay events are minutes to hours apart, and a hand-off waits
from minutes to weeks (log-normal, median 3 hours, capped at 8 weeks). Cases open over two
years. Each event has a case (``INC00012345``), a time, the group, an activity and a person.

The events are made in Python as small integers, then DuckDB writes the files in time order
(as an audit table is exported): CSV and JSON lines with times as text, Parquet (DuckDB's
COPY) with a ``TIMESTAMP WITH TIME ZONE`` column, and XES (one trace per case, IEEE 1849
names) up to :data:`XES_UP_TO` events. The same seed always gives the same files; they are
kept in ``--folder`` and reused.

**The runs.** For each size and format, each in a fresh process: ``icmap import events LOG
-o DIR`` (the whole command: read, measure, write the org), then reading and measuring alone
(``read_events`` and ``measure`` in-process, each timed). Wall seconds, CPU seconds (user +
system, every thread) and peak memory (the process's maximum resident size).
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

#: XES and JSON lines are written and timed up to this many events.
XES_UP_TO = 1_000_000
FORMATS = ("csv", "parquet", "jsonl", "xes")
ACTIVITIES = ("Assign", "Update", "Work note", "Wait for caller", "Resolve", "Close")
AREAS = (
    "Service Desk",
    "Network",
    "Database",
    "Identity",
    "Workplace",
    "Payroll",
    "Facilities",
    "ERP",
    "Security",
    "Cloud Platform",
    "Storage",
    "Telephony",
)
#: Cases open over two years from here (UTC).
START = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())
SPAN = 2 * 365 * 86_400
#: Front desks where cases start.
DESKS = 8


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _routing(
    rng: random.Random, teams: int
) -> tuple[list[list[int]], list[list[float]], dict[tuple[int, int], float]]:
    """Each team's receivers and their cumulative weights, and each pair's chance of return."""
    popularity = [1.0 / (rank + 1) ** 0.8 for rank in range(teams)]
    receivers: list[list[int]] = []
    weights: list[list[float]] = []
    back: dict[tuple[int, int], float] = {}
    for team in range(teams):
        chosen: list[int] = []
        while len(chosen) < rng.randint(2, 8):
            other = rng.choices(range(teams), popularity)[0]
            if other != team and other not in chosen:
                chosen.append(other)
        receivers.append(chosen)
        weights.append(_cumulative([rng.paretovariate(1.2) for _ in chosen]))
        for other in chosen:
            hot = rng.random() < 0.05
            back[team, other] = rng.uniform(0.2, 0.5) if hot else rng.uniform(0.0, 0.1)
    return receivers, weights, back


def events_of(total: int, seed: int = 7, teams: int = 300) -> Iterator[str]:
    """The events as ``case,epoch,team,activity,person`` lines of small integers, by case."""
    rng = random.Random(seed)
    receivers, weights, back = _routing(rng, teams)
    desks = _cumulative([1.0 / (d + 1) for d in range(DESKS)])
    made_all = 0
    rand, lognormal = rng.random, rng.lognormvariate
    handoff_mu, stay_mu = math.log(3 * 3600), math.log(20 * 60)
    cap = 8 * 7 * 86_400
    case = 0
    while made_all < total:
        case += 1
        # The last case may be shorter, to fill the count exactly.
        length = min(30, 2 + int(rng.expovariate(1 / 5)), total - made_all)
        made_all += length
        moment = START + int(rand() * SPAN)
        team = bisect.bisect(desks, rand() * desks[-1])
        before = -1
        made = 0
        while made < length:
            stay = min(length - made, 1 + int(rng.expovariate(1 / 1.2)), 4)
            for k in range(stay):
                if k:
                    moment += max(1, min(cap, int(lognormal(stay_mu, 1.5))))
                activity = 0 if k == 0 else (1 + int(rand() * 3))
                if made + k == length - 1:
                    activity = 5 if length > 2 else 4
                yield f"{case},{moment},{team},{activity},{team * 8 + int(rand() * 8)}\n"
            made += stay
            if made >= length:
                break
            moment += max(1, min(cap, int(lognormal(handoff_mu, 2.0))))
            if before >= 0 and rand() < back.get((before, team), 0.0):
                team, before = before, team
            else:
                cumulative = weights[team]
                nxt = receivers[team][bisect.bisect(cumulative, rand() * cumulative[-1])]
                team, before = nxt, team


def _team_names(teams: int) -> list[tuple[int, str]]:
    return [(t, f"{AREAS[t % len(AREAS)]} {t // len(AREAS) + 1:02d}") for t in range(teams)]


def generate(
    total: int, folder: Path, seed: int = 7, teams: int = 300, formats: tuple[str, ...] = FORMATS
) -> dict[str, Path]:
    """Write the log of ``total`` events in each of ``formats`` (XES and JSON lines only up to
    :data:`XES_UP_TO`); files already there are kept. Returns the path of each format."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    stem = f"events-{total}-s{seed}-t{teams}"
    wanted = {
        kind: folder / f"{stem}.{kind}"
        for kind in formats
        if kind in ("csv", "parquet") or total <= XES_UP_TO
    }
    if all(path.exists() for path in wanted.values()):
        return wanted
    started = time.perf_counter()
    raw = folder / f"{stem}.raw.csv"
    with raw.open("w", encoding="ascii") as out:
        out.writelines(events_of(total, seed, teams))
    print(f"  {total:,} events made in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    db = duckdb.connect(":memory:")
    db.execute("SET TimeZone = 'UTC'")
    db.execute(f"SET temp_directory = '{folder / 'duckdb-tmp'}'")
    db.execute(
        "CREATE TABLE raw AS SELECT *, row_number() OVER () AS n FROM read_csv("
        f"'{raw}', header = false, columns = {{'c': 'BIGINT', 't': 'BIGINT', 'g': 'INTEGER', "
        "'a': 'INTEGER', 'p': 'INTEGER'})"
    )
    db.execute("CREATE TABLE names (g INTEGER, name VARCHAR)")
    db.executemany("INSERT INTO names VALUES (?, ?)", _team_names(teams))
    db.execute("CREATE TABLE acts (a INTEGER, activity VARCHAR)")
    db.executemany("INSERT INTO acts VALUES (?, ?)", list(enumerate(ACTIVITIES)))
    select = (
        "SELECT printf('INC%08d', c) AS case_id, {time} AS timestamp, "
        "names.name AS assignment_group, acts.activity AS activity, "
        "printf('person %05d', p) AS resource "
        "FROM raw JOIN names USING (g) JOIN acts USING (a) ORDER BY t, c, n"
    )
    text = "strftime(to_timestamp(t), '%Y-%m-%d %H:%M:%S')"
    for kind, path in wanted.items():
        if path.exists():
            continue
        part = path.with_name(path.name + ".part")
        if kind == "csv":
            db.execute(f"COPY ({select.format(time=text)}) TO '{part}' (HEADER, DELIMITER ',')")
        elif kind == "jsonl":
            db.execute(f"COPY ({select.format(time=text)}) TO '{part}' (FORMAT json)")
        elif kind == "parquet":
            db.execute(
                f"COPY ({select.format(time='to_timestamp(t)')}) TO '{part}' "
                "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
            )
        else:
            _write_xes(db, part, stem)
        part.rename(path)
        print(f"  wrote {path} ({path.stat().st_size / 2**20:,.0f} MiB)", file=sys.stderr)
    db.close()
    raw.unlink()
    return wanted


def _write_xes(db: object, path: Path, stem: str) -> None:
    """One trace per case, its events in time order, as XES 1849 with the standard names."""
    from xml.sax.saxutils import quoteattr

    cursor = db.execute(  # type: ignore[attr-defined]
        "SELECT c, strftime(to_timestamp(t), '%Y-%m-%dT%H:%M:%S.000+00:00'), names.name, "
        "acts.activity, p FROM raw JOIN names USING (g) JOIN acts USING (a) ORDER BY c, t, n"
    )
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            '<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">\n'
            '  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
            '  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
            '  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n'
            f'  <string key="concept:name" value={quoteattr(stem)}/>\n'
        )
        current = None
        while rows := cursor.fetchmany(100_000):
            chunk = []
            for case, moment, team, activity, person in rows:
                if case != current:
                    if current is not None:
                        chunk.append("  </trace>\n")
                    chunk.append(
                        f'  <trace>\n    <string key="concept:name" value="INC{case:08d}"/>\n'
                    )
                    current = case
                chunk.append(
                    "    <event>\n"
                    f'      <string key="concept:name" value="{activity}"/>\n'
                    f'      <string key="org:group" value="{team}"/>\n'
                    f'      <string key="org:resource" value="person {person:05d}"/>\n'
                    f'      <date key="time:timestamp" value="{moment}"/>\n'
                    "    </event>\n"
                )
            out.write("".join(chunk))
        if current is not None:
            out.write("  </trace>\n")
        out.write("</log>\n")


# --- the runs -------------------------------------------------------------------------------

MEASURE = """
import json, resource, sys, time
from pathlib import Path
from icmap.eventlog import EventLogOptions
from icmap.eventlog.read import read_events
from icmap.eventlog.measure import measure

options = EventLogOptions()
wall, cpu = time.perf_counter(), time.process_time()
table = read_events([Path(PATH)], options)
read = (time.perf_counter() - wall, time.process_time() - cpu)
wall, cpu = time.perf_counter(), time.process_time()
log = measure(table, options, "Customers")
done = (time.perf_counter() - wall, time.process_time() - cpu)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"read": read, "measure": done, "peak": peak, "events": log.events,
                  "cases": log.cases, "teams": len(log.teams), "pairs": len(log.handoffs)}))
"""


def _cpu_of(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _run(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system, all threads), peak MiB, and stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            message = err.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(argv[:5])} failed:\n{message}")
        return elapsed, _cpu_of(usage), usage.ru_maxrss / 1024, out.read().decode()


def bench(path: Path, work: Path) -> list[tuple[str, float, float, float, str]]:
    """The import command and the reading and measuring alone, on one log."""
    target = work / f"org-{path.name}"
    wall, cpu, peak, _ = _run(
        [
            sys.executable,
            "-m",
            "icmap",
            "import",
            "events",
            str(path),
            "-o",
            str(target),
            "--customer",
            "Customers",
        ]
    )
    rows = [("icmap import events", wall, cpu, peak, "")]
    _, _, peak, out = _run([sys.executable, "-c", f"PATH = {str(path)!r}\n{MEASURE}"])
    found = json.loads(out.strip().splitlines()[-1])
    shape = (
        f"{found['events']:,} events, {found['cases']:,} cases, {found['teams']} teams, "
        f"{found['pairs']:,} pairs"
    )
    rows.append(("  read_events", *found["read"], peak, shape))
    rows.append(("  measure", *found["measure"], peak, ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--teams", type=int, default=300)
    parser.add_argument(
        "--folder",
        type=Path,
        default=Path(tempfile.gettempdir()) / "icmap-eventlogs",
        help="where the generated logs are kept and reused (default: %(default)s)",
    )
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument(
        "--generate", type=int, nargs="+", metavar="EVENTS", help="only write logs of these sizes"
    )
    parser.add_argument("-o", "--output", type=Path, help="with --generate: the folder")
    args = parser.parse_args()
    if args.generate:
        for total in args.generate:
            generate(total, args.output or args.folder, args.seed, args.teams, tuple(args.formats))
        return
    import duckdb

    print(
        f"python {sys.version.split()[0]}, duckdb {duckdb.__version__}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    )
    print(f"{'log':32} {'step':22} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}  shape")
    with tempfile.TemporaryDirectory(prefix="icmap-eventbench-") as temp:
        for total in args.sizes:
            paths = generate(total, args.folder, args.seed, args.teams, tuple(args.formats))
            for kind in FORMATS:
                if kind not in paths:
                    continue
                for step, wall, cpu, peak, shape in bench(paths[kind], Path(temp)):
                    label = f"{total:,} {kind} ({paths[kind].stat().st_size / 2**20:,.0f} MiB)"
                    print(f"{label:32} {step:22} {wall:8.2f} {cpu:8.2f} {peak:9.0f}  {shape}")
                    sys.stdout.flush()


if __name__ == "__main__":
    main()
