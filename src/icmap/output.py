"""Writing output files atomically: a reader sees the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from icmap.errors import UsageError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _existing_mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return None


def write_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    With ``overwrite=False`` an existing file is an error and is left untouched.
    """
    if not overwrite and path.exists():
        raise UsageError(f"{path} already exists; icmap will not overwrite it")
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such directory")
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(handle, _existing_mode(path) or (0o666 & ~_umask()))
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if not overwrite:
            # link() fails if the name appeared meanwhile, unlike rename(), which would replace.
            os.link(temp_name, path)
        else:
            Path(temp_name).replace(path)
    except FileExistsError as exc:
        raise UsageError(f"{path} already exists; icmap will not overwrite it") from exc
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temp_name).unlink()
