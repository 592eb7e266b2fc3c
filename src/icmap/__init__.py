"""icmap: map who serves whom inside an organisation.

The library API for scripts::

    import icmap

    org = icmap.load("examples/restaurant.yaml")   # an Org (icmap.model), or LoadError
    graph = icmap.build_graph(org)                 # a networkx.DiGraph, provider -> receiver

:func:`load` reads one YAML file or a directory of them and raises
:class:`icmap.errors.LoadError` with every problem found (``err.diagnostics``, each with file,
line and column). :func:`build_graph` documents the node and edge attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "build_graph", "load", "load_text"]

if TYPE_CHECKING:
    from icmap.graph import build_graph
    from icmap.loader import load, load_text


def __getattr__(name: str) -> Any:
    # Lazy, so that `icmap --version` does not pay for importing YAML and networkx.
    if name in ("load", "load_text"):
        from icmap import loader

        return getattr(loader, name)
    if name == "build_graph":
        from icmap.graph import build_graph

        return build_graph
    raise AttributeError(f"module 'icmap' has no attribute {name!r}")
