"""Benchmark the HTML page in headless Chromium (issue 29, target 4; docs/performance.md).

    python benchmarks/page.py                          # 100, 1,000 and 10,000 teams
    python benchmarks/page.py --sizes 1000 --runs 5 --screenshots /tmp/shots
    python benchmarks/page.py --sizes 250 500 750 1000 1250 --only-all --runs 1 --timeout 300

For each size it writes one org (benchmarks/generate.py, seeded) and, with ``icmap graph ORG -f
html``, the page icmap draws without options (the whole org up to 120 nodes, the group overview
above) and the page of ``--all`` (every team), then opens each in a fresh headless Chromium
from file:// and reads, from the page's own clock (``performance.mark``, set by the page):

- drawn: from the start of navigation to the picture in the page (``icmap-drawn``), split into
  the engine's start-up (``icmap-engine``: decoding and compiling Graphviz's WebAssembly) and
  Graphviz's layout (``icmap-layout``);
- CPU: the CPU seconds the browser's processes used from navigation to the drawn picture
  (from /proc): on a machine shared with other work, the figure to compare;
- click: from a click on a team (dispatched on its node) to the frame after the panel shows it
  (``requestAnimationFrame`` then a task: the paint has happened), median and worst over a
  few teams clicked twice each, including those with the most hand-offs and the largest
  impact; "script", the page's own click handler, the rest is the browser's style, layout
  and paint of the picture;
- the page's bytes, the picture's nodes and drawn hand-offs, and icmap's CPU seconds to write it.

Where the picture asked for is past what the page lays out (``BROWSER_HANDOFFS``), the page
draws what it shows instead; its banner is printed under the row.

Each page is opened ``--runs`` times (a fresh browser each time) and the medians printed; a page
not drawn within ``--timeout`` seconds is stopped and shown as such. These are wall times in a
browser on a machine shared with other work: compare runs made together, and look at the
screenshots (``--screenshots DIR``) for what was drawn.

Needs Debian's chromium and chromium-driver and selenium (the dev extra); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import org_document, write  # noqa: E402

#: Read once the page says it is drawn: where the time went, and what was drawn.
_DRAWN_JS = """
const at = name => {
  const e = performance.getEntriesByName(name); return e.length ? e[0].startTime : null; };
const data = JSON.parse(document.getElementById('icmap-data').textContent);
const banner = document.getElementById('too-large');
return {drawn: at('icmap-drawn'), engine: at('icmap-engine'), layout: at('icmap-layout'),
        nodes: document.querySelectorAll('#canvas svg .node[data-id]').length,
        handoffs: data.edges.length, banner: banner ? banner.innerText : null,
        status: (document.getElementById('status') || {}).innerText || null};
"""

#: The teams to click: the ones with the most hand-offs and the largest impact, and a few more.
_TEAMS_JS = """
const data = JSON.parse(document.getElementById('icmap-data').textContent);
const teams = data.nodes.filter(n => n.kind === 'team');
const size = n => n.provides.length + n.receives.length;
// How far a team's failure reaches: listed per team before round 9, walked since (as the
// page does).
const reach = data.downstream, index = reach ? new Map(reach.ids.map((x, i) => [x, i])) : null;
const impact = n => {
  if (!n.facts) return 0;
  if (!reach) return n.facts.downstream.length;
  const seen = new Set([index.get(n.id)]), todo = [...seen];
  while (todo.length) {
    for (const v of reach.succ[todo.pop()]) if (!seen.has(v)) { seen.add(v); todo.push(v); }
  }
  return seen.size - 1;
};
const pick = [...teams].sort((a, b) => size(b) - size(a)).slice(0, 2)
  .concat([...teams].sort((a, b) => impact(b) - impact(a)).slice(0, 2))
  .concat(teams.filter((n, i) => i % Math.max(1, Math.floor(teams.length / 3)) === 0).slice(0, 3));
return [...new Set(pick.map(n => n.id))];
"""

#: Click one team and answer when the frame after the panel's change has been painted.
_CLICK_JS = """
const [id, done] = arguments;
const g = document.querySelector('.node[data-id="' + CSS.escape(id) + '"]');
const t0 = performance.now();
g.dispatchEvent(new MouseEvent('click', {bubbles: true}));
const handler = performance.now() - t0;
const title = () => (document.querySelector('#details h2') || {}).textContent;
requestAnimationFrame(() => setTimeout(() => done(
  {handler, painted: performance.now() - t0, panel: title()}), 0));
"""


@dataclass
class Case:
    """One page: an org's size and the options it was drawn with."""

    teams: int
    options: tuple[str, ...]
    page: Path = Path()
    bytes: int = 0
    write_cpu: float = 0.0
    note: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.teams:,} teams" + (f" {' '.join(self.options)}" if self.options else "")


def _write_page(case: Case, org: Path, folder: Path) -> None:
    case.page = folder / f"page-{case.teams}{''.join(case.options).replace('-', '_')}.html"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "icmap",
            "graph",
            str(org),
            "-f",
            "html",
            *case.options,
            "-o",
            str(case.page),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"icmap graph failed ({result.returncode}): {result.stderr}")
    case.write_cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    case.bytes = case.page.stat().st_size
    case.note = " ".join(
        line for line in result.stderr.splitlines() if line.startswith("icmap: note")
    )


def _browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        raise SystemExit("needs Debian's chromium and chromium-driver (apt-get install them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900"):
        options.add_argument(argument)
    # An explicit driver path: selenium-manager never looks for (or downloads) one.
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


def _descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (from /proc): the browser chromedriver started, and its own."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu(driver: Any) -> float:
    """CPU seconds used so far by the browser's processes (all of them: the page's renderer
    does the layout, the browser process reads the file), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _descendants(driver.service.process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _stop(driver: Any) -> None:
    """End a browser whose page is still laying out: its main thread answers nothing, so
    quitting politely would wait for the layout; the processes this run started are killed."""
    pid = driver.service.process.pid
    for child in [*_descendants(pid), pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def _measure(case: Case, timeout: float, shots: Path | None, run: int) -> dict[str, Any]:
    driver = _browser()
    outcome: dict[str, Any] = {}

    def wait() -> None:
        driver.set_page_load_timeout(timeout)
        before = _cpu(driver)
        driver.get(case.page.as_uri())
        # Each call waits while the page's main thread is busy (the layout runs on it).
        while not driver.execute_script("return document.body.hasAttribute('data-drawn')"):
            # A page with no picture (past the limit, and no overview to draw) says why instead.
            withheld = driver.execute_script(
                "const p = document.querySelector('p#too-large'); return p && p.innerText"
            )
            if withheld:
                outcome["banner"] = withheld
                return
            if driver.execute_script(
                "return !!document.getElementById('status') && "
                "document.getElementById('status').innerText.startsWith('Could not')"
            ):
                outcome["error"] = driver.execute_script(
                    "return document.getElementById('status').innerText"
                )
                return
            time.sleep(0.05)
        outcome["cpu"] = _cpu(driver) - before
        outcome.update(driver.execute_script(_DRAWN_JS))

    started = time.monotonic()
    worker = threading.Thread(target=wait, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or "drawn" not in outcome:
        _stop(driver)
        worker.join(10)
        return {"drawn": None, "waited": time.monotonic() - started, **outcome}
    try:
        if shots is not None and run == 0:
            shots.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(shots / f"{case.page.stem}.png"))
        clicks = []
        for team in driver.execute_script(_TEAMS_JS):
            # Twice each: coming from another team (or none), then again on the same one.
            for _ in range(2):
                clicks.append(driver.execute_async_script(_CLICK_JS, team))
        outcome["clicks"] = clicks
        if shots is not None and run == 0 and clicks:
            driver.save_screenshot(str(shots / f"{case.page.stem}-clicked.png"))
        driver.quit()
    except Exception:
        _stop(driver)
        raise
    return outcome


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _cpu_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}s"


def _report(cases: list[Case], timeout: float) -> list[dict[str, Any]]:
    rows = []
    print(
        f"{'page':<26} {'bytes':>12} {'nodes':>6} {'hand-offs':>9} {'write CPU':>9} "
        f"{'engine':>8} {'layout':>9} {'drawn':>9} {'CPU':>7} {'click':>7} {'click max':>9}"
    )
    for case in cases:
        drawn = [r for r in case.runs if r.get("drawn") is not None]
        clicks = [c["painted"] for r in drawn for c in r.get("clicks", [])]
        handlers = [c["handler"] for r in drawn for c in r.get("clicks", [])]
        first = drawn[0] if drawn else (case.runs[0] if case.runs else {})
        row = {
            "page": case.name,
            "bytes": case.bytes,
            "write_cpu_s": round(case.write_cpu, 2),
            "nodes": first.get("nodes"),
            "handoffs": first.get("handoffs"),
            "engine_ms": _median([r["engine"] for r in drawn]),
            "layout_ms": _median([r["layout"] - r["engine"] for r in drawn]),
            "drawn_ms": _median([r["drawn"] for r in drawn]),
            "browser_cpu_s": _median([r["cpu"] for r in drawn]),
            "click_ms": _median(clicks),
            "click_max_ms": max(clicks) if clicks else None,
            "click_script_ms": _median(handlers),
            "runs": len(case.runs),
            "not_drawn": len(case.runs) - len(drawn),
            "banner": first.get("banner"),
            "note": case.note,
        }
        rows.append(row)
        drawn_text = (
            _ms(row["drawn_ms"])
            if drawn
            else "no picture"
            if row["banner"]
            else f">{timeout:.0f} s"
        )
        print(
            f"{case.name:<26} {case.bytes:>12,} {row['nodes'] or '—':>6} "
            f"{row['handoffs'] or '—':>9} {case.write_cpu:>8.2f}s {_ms(row['engine_ms']):>8} "
            f"{_ms(row['layout_ms']):>9} {drawn_text:>9} {_cpu_text(row['browser_cpu_s']):>7} "
            f"{_ms(row['click_ms']):>7} {_ms(row['click_max_ms']):>9} "
            f"{_ms(row['click_script_ms']):>7}"
        )
        if row["banner"]:
            print(f"{'':<26} banner: {row['banner'][:150]}")
        if case.note:
            print(f"{'':<26} {case.note[:150]}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--runs", type=int, default=3, help="fresh browsers per page (default 3)")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds before a page counts as not drawn"
    )
    parser.add_argument(
        "--only-all", action="store_true", help="only the --all pages (for the threshold)"
    )
    parser.add_argument(
        "--screenshots", type=Path, help="save a PNG of each page, drawn and clicked"
    )
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args()
    cases: list[Case] = []
    with tempfile.TemporaryDirectory(prefix="icmap-page-") as temp:
        folder = Path(temp)
        for teams in args.sizes:
            org = folder / f"org-{teams}.json"
            write(org_document(teams), org, per_team=False)
            wanted = [("--all",)] if args.only_all else [(), ("--all",)]
            for options in wanted:
                case = Case(teams, options)
                _write_page(case, org, folder)
                cases.append(case)
        # Alternating: each round opens every page once, so a busy spell hits all of them.
        for run in range(args.runs):
            for case in cases:
                if run and case.runs and all(r.get("drawn") is None for r in case.runs):
                    continue  # not drawn once within the timeout: not waited for again
                case.runs.append(_measure(case, args.timeout, args.screenshots, run))
        load = os.getloadavg()[0]
        print(f"load average {load:.1f}; medians of {args.runs} runs, a fresh browser each")
        rows = _report(cases, args.timeout)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
