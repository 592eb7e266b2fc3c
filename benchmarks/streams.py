"""What value streams cost: the per-stream analyses against the report, per hand-off.

    python benchmarks/streams.py                         # 10k and 100k teams, 10 streams
    python benchmarks/streams.py --sizes 10000 --streams 10 --repeat 3

For each size, an org from ``generate.py`` with ``--streams`` value streams (each about 10% of
the hand-offs, so 10 streams hold about as many stream hand-offs as the org has hand-offs) is
loaded in a fresh process, which then times, on graphs of their own, the whole report without
its streams section and ``stream_flows`` (every stream's numbers). CPU time of the process
itself, as in run.py; the median of ``--repeat`` processes. The budget (issue 26): the streams'
CPU per stream hand-off stays within the report's per hand-off, at every size.
"""

from __future__ import annotations

import argparse
import json
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
started = time.process_time()
build_report(plain, org=org)
report = time.process_time() - started
graph = icmap.build_graph(org)
started = time.process_time()
flows = stream_flows(graph)
streams = time.process_time() - started
print(json.dumps({
    "handoffs": plain.number_of_edges(),
    "stream_handoffs": sum(flow.handoffs for flow in flows),
    "report": report,
    "streams": streams,
}))
"""


def measure(path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", f"PATH = {str(path)!r}\n{CHILD}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"benchmark failed\n{done.stderr}")
    found: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(
        "| teams | hand-offs | stream hand-offs | report µs/hand-off | streams µs/stream hand-off |"
    )
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as temp:
        for size in args.sizes:
            doc = org_document(size)
            add_streams(doc, args.streams)
            path = Path(temp) / f"org-{size}.yaml"
            # Compact JSON: with its streams, a 100k org written indented passes icmap's 64 MiB.
            path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
            runs = [measure(path) for _ in range(args.repeat)]
            handoffs, in_streams = runs[0]["handoffs"], runs[0]["stream_handoffs"]
            report = statistics.median(r["report"] for r in runs) / handoffs * 1e6
            streams = statistics.median(r["streams"] for r in runs) / in_streams * 1e6
            row = (f"{size:,}", f"{handoffs:,.0f}", f"{in_streams:,.0f}", report, streams)
            print("| {} | {} | {} | {:.2f} | {:.2f} |".format(*row), flush=True)


if __name__ == "__main__":
    main()
