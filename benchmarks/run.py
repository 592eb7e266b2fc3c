"""Benchmark icmap on synthetic orgs of 1k, 10k and 20k teams, or 100k (docs/performance.md).

    python benchmarks/run.py                    # 1000, 10000 and 20000 teams
    python benchmarks/run.py --sizes 1000 10000 100000

For each size it writes one org file (benchmarks/generate.py, seeded), then measures, each in a
fresh process: the bare minimum a user's own script would need (yaml.load with libyaml's C
loader, then a networkx DiGraph of the hand-offs), icmap's load and graph build, each analysis,
and the real commands (check, report, impact of a front-line and of a deep team, and graph in
every picture format: dot, mermaid, json, html, graphml, gexf, and svg, png and pdf through
Graphviz unless --no-graphviz, all of them the group overview at these sizes; one group's
drill-down; --all (every team) in dot, mermaid, json, html, and svg while Graphviz's limit
allows; a step running over 10 minutes is stopped and shown as inf), and the survey loop:
icmap survey, two filled rounds read and applied, report and check with them; then diff against
a copy with one lead time in 200 changed, and check and report of the same org as a file per
team (issue 29). It prints
seconds, peak memory, CPU seconds and the ratios to the bare baseline, then CPU microseconds per
hand-off across the sizes (every step the same at each size: the rows to compare).

    python benchmarks/run.py --scaling                      # 1k, 3k, 10k, 30k and 100k teams
    python benchmarks/run.py --scaling --sizes 1000 10000 --repeat 3

--scaling shows whether each step grows with the org and no faster (issue 19): for each size
it times, in CPU microseconds per hand-off, the load, the graph build, the compact views the
analyses share, each analysis, the report and check's rules as a whole, impact and a team page
(in one fresh process per size), and the check, report, graph -f json and impact commands (each
in a fresh process). A flat row from 10k to 100k is a linear step. Then, at 10,000 teams
(--ratio-size), it runs each of those commands and the bare parse-and-build in turn, --repeat
times (bare, command, bare, command...), and prints the median of the paired ratios: on a
machine shared with other work only such ratios mean anything.

Both are run on three shapes of org (issue 29): 4 customers at every size, one customer per
2,000 teams (51 at 100k), where an analysis that repeats a pass per customer stops being flat,
and one chain of teams to one customer, the deepest and narrowest, where every team strands all
those before it.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import backstage_catalog, chain_document, org_document, write  # noqa: E402

BARE = """
import yaml, networkx as nx
data = yaml.load(open(PATH, encoding="utf-8"), Loader=yaml.CSafeLoader)
graph = nx.DiGraph()
for section in ("teams", "suppliers"):
    for node, body in (data.get(section) or {}).items():
        for relation in (body or {}).get("provides", []):
            targets = relation["to"] if isinstance(relation["to"], list) else [relation["to"]]
            for target in targets:
                lead = relation.get("lead_time")
                graph.add_edge(node, target, what=relation["what"], lead_time=lead)
"""

#: ``icmap team --all`` writes a page per team, each listing every team its failure reaches
#: with the chain to it: teams times blast radius, quadratic in the org by what it writes. Timed
#: up to this size only.
TEAM_PAGES_UP_TO = 1_000

#: icmap.render.picture.image.MAX_NODES: larger orgs are refused for SVG, PNG and PDF (not timed
#: here).
GRAPHVIZ_NODES = 1_000

STAGES = {
    "icmap.load": ("", "org = icmap.load(PATH)"),
    "build_graph": ("org = icmap.load(PATH)", "graph = icmap.build_graph(org)"),
}
ANALYSES = {
    "reach": "from icmap.analysis.reach import reach as f",
    "front_line": "from icmap.analysis.frontline import front_line as f",
    "critical_paths": "from icmap.analysis.critical import critical_paths as f",
    "chokepoints": "from icmap.analysis.chokepoints import chokepoints as f",
    "loops": "from icmap.analysis.loops import loops as f",
    "loop_cycles": "from icmap.analysis.loops import loop_cycles as f",
}


def _child(setup: str, timed: str, path: Path) -> tuple[float, float, float]:
    """Seconds for ``timed`` after ``setup`` in a fresh process, its peak MiB, and CPU seconds."""
    code = (
        "import json, resource, time, icmap\n"
        f"PATH = {str(path)!r}\n{setup}\n"
        "started, cpu = time.perf_counter(), time.process_time()\n"
        f"{timed}\n"
        "elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps([elapsed, peak, cpu]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"benchmark step failed: {timed}\n{done.stderr}")
    elapsed, peak, cpu = json.loads(done.stdout.strip().splitlines()[-1])
    return float(elapsed), float(peak), float(cpu)


#: A step still running after this many seconds is stopped and shown as such.
STEP_TIMEOUT = 600.0


def _command(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds of one icmap command in a fresh process, its peak MiB, and CPU seconds."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "icmap", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > STEP_TIMEOUT:
            process.kill()
            process.wait()
            return float("inf"), float("nan"), float("inf")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"icmap {' '.join(args)} failed")
    return elapsed, usage.ru_maxrss / 1024, _cpu_of(usage)


def _bare(path: Path) -> tuple[float, float, float]:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", f"PATH = {str(path)!r}\n{BARE}"])
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("bare baseline failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, _cpu_of(usage)


def _front_and_deep(path: Path) -> tuple[str, str]:
    """A front-line team and the team farthest from any customer.

    Found in a child process: a child's peak memory starts from its parent's at fork time, so
    the parent must stay small for the children's numbers to mean anything.
    """
    code = (
        "import json, icmap\nfrom icmap.analysis.reach import reach\n"
        f"hops = reach(icmap.build_graph(icmap.load({str(path)!r}))).hops\n"
        "teams = sorted(hops, key=lambda t: (hops[t], t))\n"
        "print(json.dumps([teams[0], teams[-1]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    front, deep = json.loads(done.stdout)
    return str(front), str(deep)


def _fill(questionnaire: Path, target: Path, seed: int) -> int:
    """Answer every question of ``questionnaire`` twice (seeded scores, some lead times)."""
    import csv
    import random

    rng = random.Random(seed)
    with questionnaire.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            for respondent in ("a", "b"):
                score = round(rng.uniform(1, 5), 1)
                lead = f"{rng.randint(1, 72)}h" if rng.random() < 0.3 else ""
                writer.writerow(
                    {**row, "score": score, "lead_time": lead, "respondent": respondent}
                )
    return 2 * len(rows)


def _surveys(path: Path, folder: Path) -> list[tuple[str, float, float, float]]:
    """``icmap survey``, then two filled rounds read by load, report and check."""
    sheet = folder / "survey.csv"
    rows = [
        ("icmap survey -o survey.csv (process)", *_command(["survey", str(path), "-o", str(sheet)]))
    ]
    rounds = folder / "surveys"
    answers = sum(_fill(sheet, rounds / f"2026-q{n}.csv", n) for n in (2, 3))
    setup = (
        "from pathlib import Path\n"
        "from icmap.loader.surveys import read_rounds, survey_files, apply_rounds\n"
        "org = icmap.load(PATH)"
    )
    timed = f"apply_rounds(org, read_rounds(survey_files(Path({str(rounds)!r}), 's'), org))"
    rows.append(
        (
            f"read + apply 2 rounds ({answers:,} answers)",
            *_child(setup, timed, path),
        )
    )
    for command in ("report", "check"):
        timing = _command([command, str(path), "--survey", str(rounds), "-f", "json"])
        rows.append((f"icmap {command} --survey, 2 rounds (process)", *timing))
    return rows


def changed(doc: dict[str, object], every: int = 200) -> dict[str, object]:
    """A copy of ``doc`` with one team lead time in ``every`` set to 9d: the other side of a
    pull request's diff, equal to the first in nearly every part."""
    copied = copy.deepcopy(doc)
    teams: dict[str, dict[str, list[dict[str, object]]]] = copied["teams"]  # type: ignore[assignment]
    seen = 0
    for body in teams.values():
        for relation in body["provides"]:
            if "lead_time" in relation:
                seen += 1
                if seen % every == 0:
                    relation["lead_time"] = "9d"
    return copied


def benchmark(
    size: int, folder: Path, *, pictures: bool = True
) -> list[tuple[str, float, float, float]]:
    path = folder / f"org-{size}.yaml"
    doc = org_document(size)
    write(doc, path, per_team=False)
    front, deep = _front_and_deep(path)
    rows = [("bare: yaml C loader + DiGraph (process)", *_bare(path))]
    for name, (setup, timed) in STAGES.items():
        rows.append((name, *_child(setup, timed, path)))
    for name, imported in ANALYSES.items():
        setup = f"{imported}\ngraph = icmap.build_graph(icmap.load(PATH))"
        rows.append((f"analysis: {name}", *_child(setup, "f(graph)", path)))
    rows.append(("icmap check (process)", *_command(["check", str(path), "-f", "json"])))
    rows.append(("icmap report (process)", *_command(["report", str(path), "-f", "json"])))
    for label, team in (("front-line", front), ("deepest", deep)):
        timing = _command(["impact", team, "--org", str(path), "-f", "json"])
        rows.append((f"icmap impact ({label} team, process)", *timing))
    team_page = _command(["team", front, "--org", str(path), "-f", "json"])
    rows.append(("icmap team (one page, process)", *team_page))
    if size <= TEAM_PAGES_UP_TO:
        pages = str(folder / f"pages-{size}")
        every = _command(["team", "--all", "--org", str(path), "-o", pages, "-f", "json"])
        rows.append(("icmap team --all (a page per team, process)", *every))
    rows += _surveys(path, folder)
    after = folder / f"org-{size}-changed.yaml"
    write(changed(doc), after, per_team=False)
    timing = _command(["diff", str(path), str(after), "-f", "json"])
    rows.append(("icmap diff (1 lead time in 200 changed, process)", *timing))
    per_team = folder / f"org-{size}-files"
    write(doc, per_team, per_team=True)
    rows.append(("icmap check, a file per team (process)", *_command(["check", str(per_team)])))
    timing = _command(["report", str(per_team), "-f", "json"])
    rows.append(("icmap report, a file per team (process)", *timing))
    # Past 120 nodes `icmap graph` draws the group overview; --all draws every team.
    for fmt in ("dot", "mermaid", "json", "html", "graphml", "gexf"):
        rows.append((f"icmap graph -f {fmt} (process)", *_command(["graph", str(path), "-f", fmt])))
    group = str(doc["teams"][front]["group"])  # type: ignore[index]  # the generator sets it
    drill = _command(["graph", str(path), "--group", group, "-f", "json"])
    rows.append(("icmap graph --group (one group, json, process)", *drill))
    for fmt in ("dot", "mermaid", "json", "html"):
        timing = _command(["graph", str(path), "--all", "-f", fmt])
        rows.append((f"icmap graph --all -f {fmt} (process)", *timing))
    rows.append(("icmap graph, the tree (process)", *_command(["graph", str(path), "-f", "text"])))
    nodes = sum(len(doc[section]) for section in ("teams", "customers", "suppliers"))
    if pictures:
        # Graphviz lays these out: its own time, which grows faster than the picture. The
        # overview is small enough at any size; every team only up to Graphviz's limit.
        for fmt in ("svg", "png", "pdf"):
            target = str(folder / f"picture.{fmt}")
            rows.append(
                (f"icmap graph -f {fmt} (process)", *_command(["graph", str(path), "-o", target]))
            )
        if nodes <= GRAPHVIZ_NODES:
            target = str(folder / "whole.svg")
            timing = _command(["graph", str(path), "--all", "-o", target])
            rows.append(("icmap graph --all -f svg (process)", *timing))
    return rows


def benchmark_import(components: int, folder: Path) -> list[tuple[str, float, float, float]]:
    """``icmap import backstage`` and ``--from backstage`` on a generated catalog."""
    root = backstage_catalog(components, folder / f"catalog-{components}")
    target = folder / f"imported-{components}"
    rows = [
        (
            "icmap import backstage (process)",
            *_command(["import", "backstage", str(root), "-o", str(target)]),
        )
    ]
    rows.append(
        (
            "icmap check of the imported org (process)",
            *_command(["check", str(target), "-f", "json"]),
        )
    )
    rows.append(
        (
            "icmap check --from backstage (process)",
            *_command(["check", "--from", "backstage", str(root), "-f", "json"]),
        )
    )
    rows.append(
        (
            "icmap report --from backstage (process)",
            *_command(["report", "--from", "backstage", str(root), "-f", "json"]),
        )
    )
    return rows


#: One fresh process per size times every step in it; each block that must not reuse the views
#: the earlier steps computed (they are cached per graph) gets a graph of its own.
SCALING_CHILD = """
import gc, json, sys, time
import icmap
from icmap.analysis.chokepoints import chokepoints
from icmap.analysis.critical import critical_paths, split_loops
from icmap.analysis.feedback import loop_crossings
from icmap.analysis.frontline import front_line
from icmap.analysis.impact import impact
from icmap.analysis.loops import loop_cycles, loops
from icmap.analysis.reach import reach
from icmap.analysis.report import build_report
from icmap.analysis.team_page import team_page
from icmap.analysis.weakest import weakest_links
from icmap.compact import compact, compact_delivery
from icmap.lint import run_check
from icmap.lint.policy import build_policy
from icmap.lint.registry import all_rules

times = {}


def timed(name, call):
    started = time.process_time()
    result = call()
    times[name] = time.process_time() - started
    return result


org = timed("load", lambda: icmap.load(PATH))
gc.freeze()  # as the CLI does once the org is loaded
graph = timed("build_graph", lambda: icmap.build_graph(org))
handoffs = graph.number_of_edges()
views = (compact, compact_delivery, split_loops)
timed("compact views (shared)", lambda: [view(graph) for view in views])
distances = timed("reach", lambda: reach(graph))
timed("front_line", lambda: front_line(graph))
critical = timed("critical_paths + slack", lambda: critical_paths(graph))
timed("chokepoints", lambda: chokepoints(graph))
timed("weakest_links", lambda: weakest_links(graph, critical))
timed("loops", lambda: loops(graph))
timed("loop_cycles", lambda: loop_cycles(graph))
timed("loop_crossings", lambda: loop_crossings(graph, critical, distances))
hops = distances.hops
ranked = sorted(hops, key=lambda t: (hops[t], t))
front, deep = ranked[0], ranked[-1]
policy = build_policy(all_rules(), {})
for name, call in (
    ("report, whole (own graph)", lambda g: build_report(g, org=org)),
    ("check's rules, whole (own graph)", lambda g: run_check(org, g, policy)),
    ("impact, front-line team (own graph)", lambda g: impact(g, [front])),
    ("impact, deepest team (own graph)", lambda g: impact(g, [deep])),
    ("team page (own graph)", lambda g: team_page(g, front)),
):
    del graph
    graph = icmap.build_graph(org)
    timed(name, lambda: call(graph))
print(json.dumps({"handoffs": handoffs, "front": front, "times": times}))
"""

#: The commands whose time the scaling table and target 2 of issue 19 follow.
SCALED_COMMANDS = {
    "icmap check -f json": ["check", "{path}", "-f", "json"],
    "icmap report -f json": ["report", "{path}", "-f", "json"],
    "icmap graph -f json": ["graph", "{path}", "-f", "json"],
    "icmap impact (front-line team) -f json": [
        "impact",
        "{front}",
        "--org",
        "{path}",
        "-f",
        "json",
    ],
}
#: Only in the paired ratios: the terminal text of the deepest team's impact (issue 29, target
#: 1: its thousands of rows once cost more in rich's table layout than the analysis).
RATIO_COMMANDS = {
    **SCALED_COMMANDS,
    "icmap impact (deepest team), text": ["impact", "{deep}", "--org", "{path}"],
}


def _cpu_of(usage: resource.struct_rusage) -> float:
    return float(usage.ru_utime + usage.ru_stime)


def _run(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process (exit 0 or 1: findings are not failures)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"benchmark step failed: {' '.join(argv)}")
    return time.perf_counter() - started, _cpu_of(usage)


def _bare_argv(path: Path) -> list[str]:
    return [sys.executable, "-c", f"PATH = {str(path)!r}\n{BARE}"]


def _command_argv(template: list[str], path: Path, front: str, deep: str = "") -> list[str]:
    args = [a.format(path=path, front=front, deep=deep) for a in template]
    return [sys.executable, "-m", "icmap", *args]


#: The shapes --scaling runs, by name: each makes the org of a size, and names its files.
SHAPES: dict[str, tuple[str, Callable[[int], dict[str, object]]]] = {
    "4 customers": ("", org_document),
    "a customer per 2,000 teams": (
        "-per-2000",
        lambda size: org_document(size, customers_per=2000),
    ),
    "one chain of teams": ("-chain", chain_document),
}


def _org_path(folder: Path, size: int, shape: str) -> Path:
    return folder / f"org-{size}{SHAPES[shape][0]}.yaml"


def scaling(
    sizes: list[int], folder: Path, shape: str = "4 customers"
) -> tuple[dict[int, int], dict[str, dict[int, float]]]:
    """CPU microseconds per hand-off of every step at each size, and the hand-offs per size."""
    per_handoff: dict[str, dict[int, float]] = {}
    handoffs: dict[int, int] = {}
    for size in sizes:
        path = _org_path(folder, size, shape)
        write(SHAPES[shape][1](size), path, per_team=False)
        code = f"PATH = {str(path)!r}\n{SCALING_CHILD}"
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise SystemExit(f"scaling run failed at {size} teams\n{done.stderr}")
        found = json.loads(done.stdout.strip().splitlines()[-1])
        edges = handoffs[size] = int(found["handoffs"])
        for name, seconds in found["times"].items():
            per_handoff.setdefault(name, {})[size] = seconds / edges * 1e6
        bare = _run(_bare_argv(path))[1]
        per_handoff.setdefault("bare: yaml C loader + DiGraph (process)", {})[size] = (
            bare / edges * 1e6
        )
        for name, template in SCALED_COMMANDS.items():
            cpu = _run(_command_argv(template, path, str(found["front"])))[1]
            per_handoff.setdefault(f"{name} (process)", {})[size] = cpu / edges * 1e6
        print(f"  {size} teams done ({edges:,} hand-offs)", file=sys.stderr, flush=True)
    return handoffs, per_handoff


def ratios(
    size: int, repeat: int, folder: Path, shape: str = "4 customers"
) -> list[tuple[str, float, float, float, float]]:
    """Each command against the bare parse-and-build: medians of ``repeat`` paired runs.

    Rows: name, median bare wall seconds, median command wall seconds, median ratio of the
    wall times, median ratio of the CPU times.
    """
    import statistics

    path = _org_path(folder, size, shape)
    if not path.exists():
        write(SHAPES[shape][1](size), path, per_team=False)
    front, deep = _front_and_deep(path)
    rows = []
    for name, template in RATIO_COMMANDS.items():
        bare_walls, walls, wall_ratios, cpu_ratios = [], [], [], []
        for _ in range(repeat):
            bare_wall, bare_cpu = _run(_bare_argv(path))
            wall, cpu = _run(_command_argv(template, path, front, deep))
            bare_walls.append(bare_wall)
            walls.append(wall)
            wall_ratios.append(wall / bare_wall)
            cpu_ratios.append(cpu / bare_cpu)
        rows.append(
            (
                name,
                statistics.median(bare_walls),
                statistics.median(walls),
                statistics.median(wall_ratios),
                statistics.median(cpu_ratios),
            )
        )
    return rows


def _teams(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _handoffs(doc: dict[str, object]) -> int:
    """The hand-offs (provider-receiver pairs) of a generated org."""
    pairs: set[tuple[str, str]] = set()
    for section in ("teams", "suppliers"):
        for node, body in doc[section].items():  # type: ignore[attr-defined]
            pairs.update((node, relation["to"]) for relation in body["provides"])
    return len(pairs)


def print_scaling(
    handoffs: dict[int, int],
    per_handoff: dict[str, dict[int, float]],
    unit: str = "CPU microseconds per hand-off",
    shape: str = "",
) -> None:
    sizes = sorted(handoffs)
    last = sizes[-1]
    # Flatness: the largest size against 10k (or the smallest when 10k was not run).
    base = 10_000 if 10_000 in handoffs and last != 10_000 else sizes[0]
    flat = f"{_teams(last)}÷{_teams(base)}"
    print(f"\n{unit} (flat rows are linear steps){f', {shape}' if shape else ''}")
    header = "".join(f"{_teams(size):>9}" for size in sizes)
    print(f"{'step':52}{header}{flat:>10}")
    print(f"{'hand-offs':52}" + "".join(f"{handoffs[size]:>9,}" for size in sizes))
    for name, values in per_handoff.items():
        cells = "".join(f"{values[size]:9.2f}" for size in sizes)
        print(f"{name:52}{cells}{values[last] / values[base]:10.2f}")


def print_ratios(
    size: int, repeat: int, rows: list[tuple[str, float, float, float, float]], shape: str = ""
) -> None:
    print(
        f"\nAt {size:,} teams{f' ({shape})' if shape else ''}, each command ÷ the bare "
        f"parse-and-build (medians of {repeat} paired runs; target 2 of issue 19: at most 1.1)"
    )
    print(f"{'command':42}{'bare s':>8}{'cmd s':>8}{'wall x':>8}{'CPU x':>8}")
    for name, bare, wall, wall_ratio, cpu_ratio in rows:
        print(f"{name:42}{bare:8.2f}{wall:8.2f}{wall_ratio:8.2f}{cpu_ratio:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        help="org sizes in teams (default: 1000 10000 20000; with --scaling, 1000 3000 "
        "10000 30000 100000)",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="time per hand-off of every step at each size, then the paired command ratios",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="paired runs per command for the ratios with --scaling (0: skip them)",
    )
    parser.add_argument(
        "--ratio-size", type=int, default=10_000, help="teams in the org the ratios use"
    )
    parser.add_argument(
        "--no-graphviz", action="store_true", help="skip SVG, PNG and PDF (drawn by Graphviz)"
    )
    parser.add_argument(
        "--backstage",
        type=int,
        nargs="*",
        default=[10000],
        metavar="COMPONENTS",
        help="also import generated Backstage catalogs of these many components (none: skip)",
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    if args.scaling:
        with tempfile.TemporaryDirectory(prefix="icmap-bench-") as temp:
            sizes = args.sizes or [1000, 3000, 10000, 30000, 100000]
            for shape in SHAPES:
                print_scaling(*scaling(sizes, Path(temp), shape), shape=shape)
            if args.repeat > 0:
                for shape in SHAPES:
                    paired = ratios(args.ratio_size, args.repeat, Path(temp), shape)
                    print_ratios(args.ratio_size, args.repeat, paired, shape)
        return
    with tempfile.TemporaryDirectory(prefix="icmap-bench-") as temp:
        per_handoff: dict[str, dict[int, float]] = {}
        handoffs: dict[int, int] = {}
        for size in args.sizes or [1000, 10000, 20000]:
            rows = benchmark(size, Path(temp), pictures=not args.no_graphviz)
            bare = rows[0][1]
            handoffs[size] = _handoffs(org_document(size))
            bare_cpu = rows[0][3]
            print(f"\n{size} teams")
            columns = ("seconds", "peak MiB", "x bare", "CPU s", "x bare")
            print(f"{'step':55} " + " ".join(f"{c:>{max(7, len(c))}}" for c in columns))
            for name, seconds, peak, cpu in rows:
                print(
                    f"{name:55} {seconds:9.2f} {peak:9.0f} {seconds / bare:7.2f}"
                    f" {cpu:7.2f} {cpu / bare_cpu:7.2f}"
                )
                per_handoff.setdefault(name, {})[size] = cpu / handoffs[size] * 1e6
        if len(handoffs) > 1:
            # Start-up included: a linear command's figure falls as the org grows.
            complete = {n: v for n, v in per_handoff.items() if set(v) == set(handoffs)}
            print_scaling(handoffs, complete)
        for components in args.backstage:
            print(f"\nBackstage catalog of {components} components")
            print(f"{'step':55} {'seconds':>9} {'peak MiB':>9} {'CPU s':>7}")
            for name, seconds, peak, cpu in benchmark_import(components, Path(temp)):
                print(f"{name:55} {seconds:9.2f} {peak:9.0f} {cpu:7.2f}")


if __name__ == "__main__":
    main()
