"""SVG, PNG and PDF through Graphviz's ``dot`` program (the other formats never need it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.errors import UsageError
from icmap.render import dot

if TYPE_CHECKING:
    from icmap.analysis.picture import Picture

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; "
    "Windows: winget install graphviz) and make sure 'dot' is on PATH. "
    "The dot, mermaid, json and html formats work without it."
)


def render(picture: Picture, image_format: str) -> bytes:
    """The picture drawn by ``dot`` as ``svg``, ``png`` or ``pdf`` bytes."""
    import graphviz

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
    return data
