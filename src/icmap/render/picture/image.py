"""SVG, PNG and PDF through Graphviz's ``dot`` program (the other formats never need it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.errors import UsageError
from icmap.render.picture import dot

if TYPE_CHECKING:
    from icmap.analysis.picture import Picture

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; "
    "Windows: winget install graphviz) and make sure 'dot' is on PATH. "
    "The dot, mermaid, json and html formats work without it."
)


#: Graphviz's layout time grows much faster than the picture: about 8 s at 1,000 nodes, over
#: 5 minutes at 2,000. Larger pictures are refused rather than left to run for hours.
MAX_NODES = 1_000


def render(picture: Picture, image_format: str) -> bytes:
    """The picture drawn by ``dot`` as ``svg``, ``png`` or ``pdf`` bytes."""
    import graphviz

    if len(picture.nodes) > MAX_NODES:
        raise UsageError(
            f"{len(picture.nodes):,} nodes are too many for Graphviz to draw as {image_format} "
            f"(at most {MAX_NODES:,}): draw part of the org with --focus TEAM or --group NAME"
        )

    try:
        # quiet: dot's layout warnings ("triangulation failed") are noise to a user.
        data: bytes = dot.build(picture).pipe(format=image_format, quiet=True)
    except graphviz.ExecutableNotFound as exc:
        raise UsageError(
            f"{image_format} needs Graphviz's 'dot' program, not found: {INSTALL_HINT}"
        ) from exc
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip()
        raise UsageError(f"Graphviz could not draw the {image_format}: {detail}") from exc
    except OSError as exc:  # no process to start: out of descriptors (ulimit -n) or memory
        raise UsageError(
            f"cannot run Graphviz to draw the {image_format}: {exc.strerror or exc}"
        ) from exc
    return data
