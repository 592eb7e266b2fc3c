"""Finding the org files: one file, or every ``*.yaml``/``*.yml`` beneath a directory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from icmap.errors import UsageError

ORG_SUFFIXES = (".yaml", ".yml")
#: Tried in this order in the current directory when no org is named.
DEFAULT_ORG_PATHS = ("org.yaml", "org.yml", "org")
ORG_ENV_VAR = "ICMAP_ORG"


def _hidden(name: str) -> bool:
    return name.startswith(".")


def org_files(root: Path) -> list[Path]:
    """The org files under ``root`` in sorted order, skipping hidden files and folders.

    Symlinked folders are followed once each, so a symlink loop cannot make this hang.
    """
    if not root.is_dir():
        return [root]
    found: list[Path] = []
    visited: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in visited:
            dirs[:] = []
            continue
        visited.add(real)
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        found.extend(
            Path(folder, name)
            for name in files
            if not _hidden(name) and name.lower().endswith(ORG_SUFFIXES)
        )
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def find_org(explicit: Path | None, env: Mapping[str, str], cwd: Path) -> Path:
    """The org path a command should read: its argument, ``$ICMAP_ORG``, or ./org.yaml etc.

    ``cwd`` is where the defaults are looked for; pass ``Path()`` to get relative paths back.
    """
    if explicit is not None:
        if not explicit.exists():
            raise UsageError(f"{explicit}: no such file or directory")
        return explicit
    from_env = env.get(ORG_ENV_VAR)
    if from_env:
        path = Path(from_env)
        if not path.exists():
            raise UsageError(f"{ORG_ENV_VAR}={from_env}: no such file or directory")
        return path
    for name in DEFAULT_ORG_PATHS:
        if (cwd / name).exists():
            return cwd / name
    tried = ", ".join(f"./{n}" + ("/" if n == "org" else "") for n in DEFAULT_ORG_PATHS)
    raise UsageError(
        f"no org given and none found: tried --org, ${ORG_ENV_VAR}, {tried}. "
        "Name the org file or folder after the command, or create one with 'icmap init'."
    )
