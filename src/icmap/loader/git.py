"""Reading an org as it was at a git revision, without touching the user's work tree.

The files come out of ``git archive`` into a temporary folder; nothing is checked out.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from icmap.errors import UsageError
from icmap.model import Org
from icmap.safe_text import visible_name

if TYPE_CHECKING:
    from icmap.loader.reuse import Entries

#: The longest revision --git takes: a branch, tag or expression (``main~3``) is far shorter, and
#: one argument of 128 KiB is more than the system passes to git at all.
MAX_REVISION_CHARS = 1_000


def _shown(revision: str, limit: int = 60) -> str:
    """The revision as messages show it: cut to ``limit`` characters, on one line.

    A line feed typed into it (``--git $'HEAD\\n'``) would start a line of its own on stderr.

    >>> _shown("main"), len(_shown("x" * 100_000)), _shown("HEAD\\n")
    ('main', 61, 'HEAD\\\\n')
    """
    cut = revision if len(revision) <= limit else revision[:limit] + "…"
    return visible_name(cut)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise UsageError("--git needs the git program, which is not installed") from exc
    except OSError as exc:  # e.g. E2BIG: arguments the system will not pass
        raise UsageError(f"cannot run git: {exc.strerror or exc}") from exc


def _why(done: subprocess.CompletedProcess[bytes]) -> str:
    """Git's own last line of complaint, for the end of icmap's message."""
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1].removeprefix("fatal: ").strip() if lines else f"exit {done.returncode}"


def _empty_org() -> Org:
    return Org(name=None, customers={}, suppliers={}, teams={}, relations=())


def _extract(archive: bytes, temp: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # Judged by path components: `a..b.yaml` is a file name, `../x` leaves the folder.
        members = [
            m
            for m in tar.getmembers()
            if (m.isfile() or m.isdir())
            and ".." not in PurePosixPath(m.name).parts
            and not PurePosixPath(m.name).is_absolute()
        ]
        # The "data" filter (Python 3.11.4+) also refuses absolute paths and links outside.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(temp, members=members, **safe)  # type: ignore[arg-type]


def _in_repository(path: Path) -> tuple[Path, str]:
    """The top of the git work tree holding ``path``, and ``path`` from there (``""``: the top)."""
    resolved = path.resolve()
    folder = resolved if resolved.is_dir() else resolved.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    top_done = _git(["rev-parse", "--show-toplevel"], folder)
    if top_done.returncode != 0:
        raise UsageError(f"--git needs a git repository, and {path} is not in one")
    top = Path(top_done.stdout.decode().strip()).resolve()
    return top, resolved.relative_to(top).as_posix() if resolved != top else ""


def revision_label(path: Path, revision: str) -> str:
    """How ``path`` at ``revision`` is named in a diff: git's ``REV:PATH``, the path from the
    top of the repository (``main:org``, also when icmap runs inside ``org/`` and ``path`` is
    ``.``), ``REV:`` for the top itself."""
    return f"{_shown(revision)}:{_in_repository(path)[1]}"


def load_at_revision(
    path: Path,
    revision: str,
    read: Callable[[Path], Org] | None = None,
    remember: Entries | None = None,
) -> Org:
    """The org at ``path`` (a file or folder in a git work tree) as of ``revision``.

    A path that does not exist at ``revision`` (a change that adds the org) is an empty org,
    so everything in the work tree counts as added. Every git failure is a
    :class:`~icmap.errors.UsageError` in one line. ``read`` reads the extracted path instead of
    the org loader (an importer, for ``--from``). ``remember`` is :func:`~icmap.loader.load`'s:
    the parties read, for reading the work tree's version at the cost of what changed.
    """
    from icmap.loader import load

    if len(revision) > MAX_REVISION_CHARS:
        raise UsageError(
            f"--git {_shown(revision)}: a revision of {len(revision):,} characters is not one "
            f"(at most {MAX_REVISION_CHARS:,})"
        )
    if revision.startswith("-"):
        raise UsageError(f"not a revision: '{_shown(revision)}'")
    top, relative = _in_repository(path)
    known = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], top)
    if known.returncode != 0:
        raise UsageError(f"--git {_shown(revision)}: no such revision in this repository")
    listed = _git(["ls-tree", "--name-only", revision, "--", relative or "."], top)
    if listed.returncode != 0:
        raise UsageError(f"cannot list {relative or '.'} at {_shown(revision)}: {_why(listed)}")
    if not listed.stdout.strip():
        import sys

        print(
            f"icmap: note: {relative or '.'} does not exist at {_shown(revision)}: "
            "everything in it counts as added",
            file=sys.stderr,
        )
        return _empty_org()
    archived = _git(["archive", "--format=tar", revision, "--", relative or "."], top)
    if archived.returncode != 0:
        raise UsageError(f"cannot read {relative or '.'} at {_shown(revision)}: {_why(archived)}")
    with tempfile.TemporaryDirectory(prefix="icmap-git-") as temp:
        _extract(archived.stdout, Path(temp))
        if read is not None:
            return read(Path(temp) / relative)
        fetch = _fetcher(top, revision, Path(temp))
        base = (Path(temp), f"{revision}:")
        return load(Path(temp) / relative, display_base=base, fetch=fetch, remember=remember)


def _fetcher(top: Path, revision: str, temp: Path) -> Callable[[Path], None]:
    """Extract a path the org's ``surveys:`` names from ``revision`` into ``temp``, if it is
    in the repository there; a path outside it or missing at the revision stays missing."""

    def fetch(target: Path) -> None:
        relative = PurePosixPath(os.path.normpath(target.relative_to(temp)))
        if relative.parts[:1] == ("..",) or target.exists():
            return
        archived = _git(["archive", "--format=tar", revision, "--", str(relative)], top)
        if archived.returncode == 0:
            _extract(archived.stdout, temp)

    return fetch
