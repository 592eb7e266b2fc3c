"""Reading an org as it was at a git revision, without touching the user's work tree.

The files come out of ``git archive`` into a temporary folder; nothing is checked out.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from icmap.errors import UsageError
from icmap.model import Org


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise UsageError("--git needs the git program, which is not installed") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return done.stdout


def load_at_revision(path: Path, revision: str) -> Org:
    """The org at ``path`` (a file or folder in a git work tree) as of ``revision``."""
    from icmap.loader import load

    resolved = path.resolve()
    folder = resolved if resolved.is_dir() else resolved.parent
    top = Path(_git(["rev-parse", "--show-toplevel"], folder).decode().strip())
    relative = resolved.relative_to(top).as_posix()
    if revision.startswith("-"):
        raise UsageError(f"not a revision: {revision!r}")
    archive = _git(["archive", "--format=tar", revision, "--", relative or "."], top)
    with tempfile.TemporaryDirectory(prefix="icmap-git-") as temp:
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
        return load(Path(temp) / relative, display_base=(Path(temp), f"{revision}:"))
