"""Shared helpers: the bundled examples, writing org files, and loading that must fail."""

from __future__ import annotations

import textwrap
from pathlib import Path

import networkx as nx
import pytest

from icmap.diagnostics import Diagnostic
from icmap.errors import LoadError
from icmap.graph import build_graph
from icmap.loader import load
from icmap.model import Org

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: Every bundled example: the single files and the one-file-per-team directory.
EXAMPLE_PATHS = sorted([*EXAMPLES.glob("*.yaml"), EXAMPLES / "northwind"])

MINIMAL = """\
customers:
  diners: {name: Diners}
teams:
  kitchen:
    provides: [{what: Dishes, to: waiters}]
  waiters:
    provides: [{what: Service, to: diners}]
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """Write an org file (dedenting text) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_failure(path: Path) -> list[Diagnostic]:
    """The diagnostics of a load that must fail."""
    with pytest.raises(LoadError) as caught:
        load(path)
    return list(caught.value.diagnostics)


@pytest.fixture
def org_file(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write ``text`` as tmp/org.yaml and return the path."""

    def make(text: str | bytes, name: str = "org.yaml") -> Path:
        return write(tmp_path, name, text)

    return make


# Hypothesis: the default suite runs a small profile; CI's fuzz target runs 10,000 examples
# per test with ICMAP_FUZZ_PROFILE=fuzz (see .ci/run and README). Neither has a deadline nor
# the too-slow health check: both are clocks, and a clock fails at random on a busy machine.
from hypothesis import HealthCheck, settings  # noqa: E402

_NO_CLOCK = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("default", max_examples=150, **_NO_CLOCK)
settings.register_profile("fuzz", max_examples=10_000, **_NO_CLOCK)
settings.load_profile(__import__("os").environ.get("ICMAP_FUZZ_PROFILE", "default"))


def graph_shape(org: Org) -> tuple[object, ...]:
    """The graph as the analyses see it, without source positions."""
    graph = build_graph(org)
    nodes = sorted((n, tuple(sorted(d.items()))) for n, d in graph.nodes(data=True))
    edges = sorted(
        (
            p,
            r,
            tuple(
                (
                    x.what,
                    x.lead_time and x.lead_time.hours,
                    x.satisfaction,
                    x.feedback,
                    x.mode,
                    x.since,
                    x.until,
                    x.state,
                )
                for x in d["relations"]
            ),
        )
        for p, r, d in graph.edges(data=True)
    )
    return graph.graph.get("name"), tuple(nodes), tuple(edges)


def node_link_graph(data: dict[str, object]) -> nx.DiGraph:
    """icmap's node-link JSON read back by networkx, as docs/pictures.md says to.

    networkx 3.4 renamed the keyword that names the edge list (``link`` to ``edges``).
    """
    try:
        return nx.node_link_graph(data, edges="links")
    except TypeError:  # networkx before 3.4
        return nx.node_link_graph(data, link="links")
