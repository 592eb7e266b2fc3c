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
icmap survey, two filled rounds read and applied, report and check with them. It prints
seconds, peak memory and the ratio to the bare baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import backstage_catalog, org_document, write  # noqa: E402

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

#: icmap.render.image.MAX_NODES: larger orgs are refused for SVG, PNG and PDF (not timed here).
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


def _child(setup: str, timed: str, path: Path) -> tuple[float, float]:
    """Seconds for ``timed`` after ``setup`` in a fresh process, and that process's peak MiB."""
    code = (
        "import json, resource, time, icmap\n"
        f"PATH = {str(path)!r}\n{setup}\n"
        "started = time.perf_counter()\n"
        f"{timed}\n"
        "elapsed = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps([elapsed, peak]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"benchmark step failed: {timed}\n{done.stderr}")
    elapsed, peak = json.loads(done.stdout.strip().splitlines()[-1])
    return float(elapsed), float(peak)


#: A step still running after this many seconds is stopped and shown as such.
STEP_TIMEOUT = 600.0


def _command(args: list[str]) -> tuple[float, float]:
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
            return float("inf"), float("nan")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"icmap {' '.join(args)} failed")
    return elapsed, usage.ru_maxrss / 1024


def _bare(path: Path) -> tuple[float, float]:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", f"PATH = {str(path)!r}\n{BARE}"])
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("bare baseline failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


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


def _surveys(path: Path, folder: Path) -> list[tuple[str, float, float]]:
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


def benchmark(size: int, folder: Path, *, pictures: bool = True) -> list[tuple[str, float, float]]:
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
    rows += _surveys(path, folder)
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


def benchmark_import(components: int, folder: Path) -> list[tuple[str, float, float]]:
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 20000])
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
    with tempfile.TemporaryDirectory(prefix="icmap-bench-") as temp:
        for size in args.sizes:
            rows = benchmark(size, Path(temp), pictures=not args.no_graphviz)
            bare = rows[0][1]
            print(f"\n{size} teams")
            print(f"{'step':55} {'seconds':>9} {'peak MiB':>9} {'x bare':>7}")
            for name, seconds, peak in rows:
                print(f"{name:55} {seconds:9.2f} {peak:9.0f} {seconds / bare:7.2f}")
        for components in args.backstage:
            print(f"\nBackstage catalog of {components} components")
            print(f"{'step':55} {'seconds':>9} {'peak MiB':>9}")
            for name, seconds, peak in benchmark_import(components, Path(temp)):
                print(f"{name:55} {seconds:9.2f} {peak:9.0f}")


if __name__ == "__main__":
    main()
