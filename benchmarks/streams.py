"""What value streams cost: the per-stream analyses against the report, per hand-off.

    python benchmarks/streams.py                         # 10k, 30k and 100k teams, 10 streams
    python benchmarks/streams.py --sizes 10000 --streams 10 --repeat 3
    python benchmarks/streams.py --against /tmp/old/src  # alternate with another icmap source

For each size, an org from ``generate.py`` with ``--streams`` value streams (each about 10% of
the hand-offs, so 10 streams hold about as many stream hand-offs as the org has hand-offs) is
loaded in a fresh process, which then times, on graphs of their own, the whole report without
its streams section and ``stream_flows`` (every stream's numbers). CPU time of the process
itself, as in run.py; the median of ``--repeat`` processes. The budget (issue 26): the streams'
CPU per stream hand-off stays within the report's per hand-off, at every size.

The last column is a bare pass that does no analysis: it walks the org's hand-offs and reads
each relation's streams and lead time, the least any stream analysis reads, per stream
hand-off. Where it grows from 10k to 100k as the streams do, the growth is the memory the
walk goes through (the same objects spread over a heap ten times the size), not the analysis.
The column after it walks each stream's own arrays once (every hand-off's predecessor, its lead
time and a score stored at the predecessor's index, as the critical paths' forward pass reads
them, nothing computed): the analysis's own data, ten times larger at 100k than at 10k.

``--against SRC`` also times the icmap package under SRC (a ``src`` folder of another
checkout, put first on PYTHONPATH), its processes alternating with this checkout's, so that
before and after share the machine's load.
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

sys.path.insert(0, str(Path(__file__).parent))
from generate import add_streams, org_document

CHILD = """
import gc, json, sys, time
import icmap
from icmap.analysis.report import build_report
from icmap.analysis.streams import stream_flows

org = icmap.load(PATH)
gc.freeze()
plain = icmap.build_graph(org)
plain.graph["streams"] = {}  # the report as it was before streams
# The bare pass first, on a graph fresh from build_graph as the streams' is, collector off as
# in the analyses: only the walk through memory is left.
gc.disable()
started = time.process_time()
seen = 0
for row in plain.succ.values():
    for data in row.values():
        for relation in data["relations"]:
            for stream in relation.streams:
                seen += relation.lead_time is not None
bare = time.process_time() - started
gc.enable()
started = time.process_time()
build_report(plain, org=org)
report = time.process_time() - started
graph = icmap.build_graph(org)
started = time.process_time()
flows = stream_flows(graph)
streams = time.process_time() - started
arrays = None
try:
    from icmap.compact import stream_views
except ImportError:  # an icmap from before the streams' arrays (--against)
    pass
else:
    views = stream_views(graph)
    gc.disable()
    started = time.process_time()
    for mine in views.values():
        pred, pred_hours = mine.view.pred, mine.view.pred_hours
        # One score per team, read at each predecessor's index as the forward pass reads them.
        level = [float(n) for n in range(len(pred))]
        for v in range(len(pred)):
            for u, hours in zip(pred[v], pred_hours[v]):
                seen += hours is not None and level[u] >= 0.0
    arrays = time.process_time() - started
    gc.enable()
print(json.dumps({
    "handoffs": plain.number_of_edges(),
    "stream_handoffs": sum(flow.handoffs for flow in flows),
    "report": report,
    "streams": streams,
    "bare": bare,
    "arrays": arrays,
}))
"""


def measure(path: Path, source: str | None = None) -> dict[str, float]:
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", f"PATH = {str(path)!r}\n{CHILD}"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode:
        raise SystemExit(f"benchmark failed\n{done.stderr}")
    found: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--against",
        metavar="SRC",
        help="also time the icmap package in this folder, alternating with this checkout",
    )
    args = parser.parse_args()
    sources: list[str | None] = [None] if args.against is None else [args.against, None]
    print(
        "| icmap | teams | hand-offs | stream hand-offs | report µs/hand-off "
        "| streams µs/stream hand-off | streams ÷ report | bare pass µs/stream hand-off "
        "| bare pass over the arrays |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as temp:
        for size in args.sizes:
            doc = org_document(size)
            add_streams(doc, args.streams)
            path = Path(temp) / f"org-{size}.yaml"
            # Compact JSON: with its streams, a 100k org written indented passes icmap's 64 MiB.
            path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
            runs: dict[str | None, list[dict[str, float]]] = {source: [] for source in sources}
            for _ in range(args.repeat):
                for source in sources:
                    runs[source].append(measure(path, source))
            for source in sources:
                print(_row("this checkout" if source is None else source, size, runs[source]))


def _row(label: str, size: int, runs: list[dict[str, float]]) -> str:
    handoffs, in_streams = runs[0]["handoffs"], runs[0]["stream_handoffs"]
    report = statistics.median(r["report"] for r in runs) / handoffs * 1e6
    streams = statistics.median(r["streams"] for r in runs) / in_streams * 1e6
    bare = statistics.median(r["bare"] for r in runs) / in_streams * 1e6
    timed = [r["arrays"] for r in runs if r["arrays"] is not None]
    arrays = f"{statistics.median(timed) / in_streams * 1e6:.2f}" if timed else "n/a"
    return (
        f"| {label} | {size:,} | {handoffs:,.0f} | {in_streams:,.0f} | {report:.2f} "
        f"| {streams:.2f} | {streams / report:.2f} | {bare:.2f} | {arrays} |"
    )


if __name__ == "__main__":
    main()
