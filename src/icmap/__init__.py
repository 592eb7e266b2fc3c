"""icmap: map who serves whom inside an organisation.

The library API for scripts::

    import icmap

    org = icmap.load("examples/restaurant.yaml")   # an Org (icmap.model), or LoadError
    graph = icmap.build_graph(org)                 # a networkx.DiGraph, provider -> receiver
    report = icmap.build_report(graph)             # every analysis at once
    print(report.critical.paths[0].path)

:func:`load` reads one YAML file or a directory of them and raises
:class:`icmap.errors.LoadError` with every problem found (``err.diagnostics``, each with file,
line and column). :func:`build_graph` documents the node and edge attributes. The analyses
are pure functions of the graph that return dataclasses (docs/analyses.md); each is also
importable from its module under :mod:`icmap.analysis`.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Public name -> the module that defines it; imported on first use, so that
#: `icmap --version` does not pay for YAML and networkx.
_LAZY = {
    "load": "icmap.loader",
    "load_text": "icmap.loader",
    "build_graph": "icmap.graph",
    "delivery_graph": "icmap.graph",
    "build_report": "icmap.analysis.report",
    "reach": "icmap.analysis.reach",
    "front_line": "icmap.analysis.frontline",
    "critical_paths": "icmap.analysis.critical",
    "chokepoints": "icmap.analysis.chokepoints",
    "loops": "icmap.analysis.loops",
    "loop_cycles": "icmap.analysis.loops",
    "loop_crossings": "icmap.analysis.feedback",
    "weakest_links": "icmap.analysis.weakest",
    "impact": "icmap.analysis.impact",
    "diff_orgs": "icmap.analysis.diff",
    "Org": "icmap.model",
    "LoadError": "icmap.errors",
    "UsageError": "icmap.errors",
}
__all__ = [
    "LoadError",
    "Org",
    "UsageError",
    "__version__",
    "build_graph",
    "build_report",
    "chokepoints",
    "critical_paths",
    "delivery_graph",
    "diff_orgs",
    "front_line",
    "impact",
    "load",
    "load_text",
    "loop_crossings",
    "loop_cycles",
    "loops",
    "reach",
    "weakest_links",
]

# Not typing.TYPE_CHECKING: `import icmap` stays free of typing's import, which would be a third
# of `icmap --version`'s time. mypy treats any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from icmap.analysis.chokepoints import chokepoints
    from icmap.analysis.critical import critical_paths
    from icmap.analysis.diff import diff_orgs
    from icmap.analysis.feedback import loop_crossings
    from icmap.analysis.frontline import front_line
    from icmap.analysis.impact import impact
    from icmap.analysis.loops import loop_cycles, loops
    from icmap.analysis.reach import reach
    from icmap.analysis.report import build_report
    from icmap.analysis.weakest import weakest_links
    from icmap.errors import LoadError, UsageError
    from icmap.graph import build_graph, delivery_graph
    from icmap.loader import load, load_text
    from icmap.model import Org


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'icmap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
