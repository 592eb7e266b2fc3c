"""Finding the org files: one file, or every ``*.yaml``/``*.yml`` beneath a directory."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from icmap.errors import UsageError

ORG_SUFFIXES = (".yaml", ".yml")
#: Tried in this order in the current directory when no org is named.
DEFAULT_ORG_PATHS = ("org.yaml", "org.yml", "org")
ORG_ENV_VAR = "ICMAP_ORG"
#: Beside org.yaml, this folder makes the current folder an org folder (docs/format.md).
TEAMS_FOLDER = "teams"
#: A top-level key of the org format at the start of a line: a YAML file beside org.yaml with
#: one is part of the org, one without (mkdocs.yml, docker-compose.yml) is not a sign.
_ORG_KEY = re.compile(
    rb"^[\"']?(?:organisation|customers|suppliers|teams|surveys)[\"']?[ \t]*:", re.M
)
#: How much of a file beside org.yaml is read to look for such a key.
_SNIFF_BYTES = 64 * 1024


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _inside(real: str, top: str) -> bool:
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def discover(root: Path) -> tuple[list[Path], list[Path]]:
    """The org files under ``root`` in sorted order, and the links that lead out of ``root``.

    Hidden files and folders are skipped. Symlinks are followed only while they stay inside
    ``root`` (each folder once, so a symlink loop cannot make this hang); a link to a file or
    folder outside it is returned in the second list and never read, so a link such as
    ``org/creds.yaml -> ~/.git-credentials`` cannot leak the file it points at.
    """
    if not root.is_dir():
        return [root], []
    top = os.path.realpath(root)
    # Each file with its path's parts below root, the order files are read in.
    found: list[tuple[tuple[str, ...], Path]] = []
    outside: list[tuple[tuple[str, ...], Path]] = []
    visited: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in visited:
            dirs[:] = []
            continue
        visited.add(real)
        parts = Path(folder).relative_to(root).parts
        kept = []
        for name in sorted(d for d in dirs if not _hidden(d)):
            if _inside(os.path.realpath(Path(folder, name)), top):
                kept.append(name)
            else:
                outside.append(((*parts, name), Path(folder, name)))
        dirs[:] = kept
        for name in files:
            if _hidden(name) or not name.lower().endswith(ORG_SUFFIXES):
                continue
            path = Path(folder, name)
            # The folder is inside root, so only a link can lead out: one lstat, not a realpath.
            leads_out = path.is_symlink() and not _inside(os.path.realpath(path), top)
            (outside if leads_out else found).append(((*parts, name), path))
    found.sort(key=lambda item: item[0])
    outside.sort(key=lambda item: item[0])
    return [path for _, path in found], [path for _, path in outside]


def org_files(root: Path) -> list[Path]:
    """The org files under ``root`` (see :func:`discover`), without the links leading out."""
    return discover(root)[0]


def work_tree_root(start: Path) -> Path | None:
    """The root of the git work tree holding ``start`` (an absolute folder), or None outside one.

    The nearest folder, ``start`` or a parent, with a ``.git`` folder, or a ``.git`` file that
    points at one (``gitdir: …``, as in a linked worktree or a submodule). Found by looking,
    not by running git, so it costs a few stats and works where git is not installed.
    """
    for folder in (start, *start.parents):
        marker = folder / ".git"
        if marker.is_dir():
            return folder
        if marker.is_file():
            try:
                with marker.open("rb") as stream:
                    if stream.read(7) == b"gitdir:":
                        return folder
            except OSError:
                pass
    return None


def is_org_folder(folder: Path, org_file: str) -> bool:
    """Whether ``folder``, holding ``org_file`` (org.yaml), is an org folder to read as a whole:
    it also holds a ``teams/`` folder, or another YAML file with a top-level org key.

    Only the folder's own entries are looked at, and only regular files (no links) are read,
    each no further than its first 64 KiB.
    """
    if (folder / TEAMS_FOLDER).is_dir():
        return True
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    for entry in sorted(entries, key=lambda e: e.name):
        name = entry.name
        if _hidden(name) or name == org_file or not name.lower().endswith(ORG_SUFFIXES):
            continue
        try:
            if entry.is_symlink() or not entry.is_file():
                continue
            with Path(entry.path).open("rb") as stream:
                head = stream.read(_SNIFF_BYTES)
        except OSError:
            continue
        if _ORG_KEY.search(head.removeprefix(b"\xef\xbb\xbf")):
            return True
    return False


#: Entries of a folder looked through for a did-you-mean when a path given is not there.
MAX_GUESS_ENTRIES = 10_000


def no_such_path(path: Path, said: str | None = None) -> UsageError:
    """The error for an org path that does not exist, with the closest name beside it when
    one is close (``examples/resturant.yaml``: did you mean ``examples/restaurant.yaml``?)."""
    import difflib
    import itertools

    message = f"{said or path}: no such file or directory"
    folder = path.parent
    try:
        names = [p.name for p in itertools.islice(folder.iterdir(), MAX_GUESS_ENTRIES)]
    except OSError:
        return UsageError(message)
    # Case does not count: ORG.yaml finds org.yaml.
    folded = {name.casefold(): name for name in names}
    close = difflib.get_close_matches(path.name.casefold(), list(folded), n=1, cutoff=0.75)
    if close:
        name = folded[close[0]]
        message += f"; did you mean {str(folder / name) if str(folder) != '.' else name!r}?"
    return UsageError(message)


def find_org(explicit: Path | None, env: Mapping[str, str], cwd: Path) -> Path:
    """The org path a command should read: its argument, ``$ICMAP_ORG``, or ./org.yaml etc.

    ``cwd`` is where the defaults are looked for; pass ``Path()`` to get relative paths back.
    When ``cwd`` is itself an org folder (org.yaml and teams/, see :func:`is_org_folder`) it is
    read as a whole, as ``icmap check org/`` reads it from one level up.
    """
    if explicit is not None:
        if not explicit.exists():
            raise no_such_path(explicit)
        return explicit
    from_env = env.get(ORG_ENV_VAR)
    if from_env:
        path = Path(from_env)
        if not path.exists():
            raise no_such_path(path, f"{ORG_ENV_VAR}={from_env}")
        return path
    for name in DEFAULT_ORG_PATHS:
        if (cwd / name).exists():
            return cwd if name != "org" and is_org_folder(cwd, name) else cwd / name
    tried = ", ".join(f"./{n}" + ("/" if n == "org" else "") for n in DEFAULT_ORG_PATHS)
    raise UsageError(
        f"no org given and none found: tried --org, ${ORG_ENV_VAR}, {tried}. "
        "Name the org file or folder after the command, or create one with 'icmap init'."
    )
