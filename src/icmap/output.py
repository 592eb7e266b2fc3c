"""Writing output files atomically: a reader sees the old file or the new one, never half.

Atomic replacement is for regular files only. A character device (``/dev/null``, a terminal),
a FIFO and ``/dev/stdout`` / ``/dev/stderr`` / ``/dev/fd/N`` are written directly, as a shell's
``>`` would: renaming a temporary file over them would replace the device node or the link
with a plain file. Any other kind of target (a directory, a socket, a block device) is refused.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
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


#: Names that stand for an open descriptor of this process, whatever they resolve to.
_DESCRIPTORS = ("/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/self/fd/")


#: What an output is: all its bytes, or its pieces in order (written as they are made).
Data = bytes | Iterable[bytes]


def _pieces(data: Data) -> Iterable[bytes]:
    return (data,) if isinstance(data, bytes) else data


def _write_directly(path: Path, data: Data) -> bool:
    """Write to a device, FIFO or descriptor name and say ``True``; ``False`` for a file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    named_descriptor = str(path) in _DESCRIPTORS[:2] or str(path).startswith(_DESCRIPTORS[2:])
    if stat.S_ISREG(mode) and not named_descriptor:
        return False
    if stat.S_ISDIR(mode):
        raise UsageError(f"cannot write {path}: it is a folder; name a file in it")
    if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISREG(mode)):
        raise UsageError(f"cannot write {path}: not a regular file, a character device or a FIFO")
    try:
        if named_descriptor:
            _write_descriptor(_descriptor_number(str(path)), data)
        else:
            with path.open("wb") as stream:
                for piece in _pieces(data):
                    stream.write(piece)
    except BrokenPipeError:
        # The reader left (`-o /dev/stdout | head`): not a failure, as for stdout itself. The
        # descriptor takes /dev/null so that nothing later written there fails either.
        if named_descriptor:
            _drop_into_devnull(_descriptor_number(str(path)))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return True


def _drop_into_devnull(fd: int) -> None:
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


def _descriptor_number(name: str) -> int:
    if name == "/dev/stdout":
        return 1
    if name == "/dev/stderr":
        return 2
    return int(name.rsplit("/", 1)[1])


def _write_descriptor(fd: int, data: Data) -> None:
    """Write to an open descriptor as it is: reopening ``/dev/stdout`` would truncate a file
    the shell opened for appending (``>>``)."""
    import errno
    import sys

    if getattr({1: sys.stdout, 2: sys.stderr}.get(fd), "missing", False):
        # Closed when icmap started (icmap.cli.streams): /dev/null holds its number.
        raise OSError(errno.EBADF, "it is closed")
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            if stream.fileno() == fd:
                stream.flush()
    for piece in _pieces(data):
        view = memoryview(piece)
        while view:
            view = view[os.write(fd, view) :]


def write_atomic(path: Path, data: Data, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    ``data`` may come in pieces, made while they are written (a tree of 400,000 lines is never
    held whole): the file appears only once the last is written, and not at all if making one
    fails.

    With ``overwrite=False`` an existing file is an error and is left untouched. A symlink to a
    regular file is followed: the file it names is replaced, the link stays.
    """
    if not overwrite and (path.exists() or path.is_symlink()):
        raise UsageError(f"{path} already exists; icmap will not overwrite it")
    if _write_directly(path, data):
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such directory")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(handle, _existing_mode(path) or (0o666 & ~_umask()))
        with os.fdopen(handle, "wb") as stream:
            for piece in _pieces(data):
                stream.write(piece)
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


def _keep_old(path: Path) -> Path | None:
    """A second name beside ``path`` for the file it names, to put back if the files written
    with it cannot all be; ``None`` when there is no file there yet."""
    import secrets
    import shutil

    if not path.is_file():
        return None
    for _ in range(100):
        kept = path.with_name(f".{path.name}.{secrets.token_hex(4)}.old")
        try:
            # A hard link keeps the very file (its owner, mode and links); a copy where links
            # are not allowed.
            os.link(path, kept)
        except FileExistsError:
            continue
        except OSError:
            try:
                shutil.copy2(path, kept)
            except OSError as exc:
                why = exc.strerror or exc
                raise UsageError(f"cannot write {path}: cannot keep the old one: {why}") from exc
        return kept
    raise UsageError(f"cannot write {path}: no free name for the old one beside it")


class StagedFiles:
    """Files written side by side that appear together or not at all (``team --all -o DIR``).

    :meth:`add` writes each to a temporary file beside where it goes; :meth:`commit` renames
    them all into place once every one is written; :meth:`discard` (on any failure, and on a
    signal, which unwinds as an exception) removes the temporary files and changes nothing.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    @property
    def paths(self) -> list[Path]:
        return [final for _, final in self._staged]

    def add(self, path: Path, data: bytes) -> None:
        if path.is_symlink():
            path = Path(os.path.realpath(path))
        if path.is_dir():
            # Found now, not when the pages are moved in: by then the others would be in place.
            raise UsageError(f"cannot write {path}: a folder has its name")
        folder = path.parent if str(path.parent) else Path()
        try:
            handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
        temp = Path(temp_name)
        self._staged.append((temp, path))
        try:
            os.fchmod(handle, _existing_mode(path) or (0o666 & ~_umask()))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc

    def commit(self) -> None:
        """Move every page in; if one cannot be (a rename refused by the system, a signal), put
        back what the others replaced and remove the new ones: all pages appear or none."""
        moved: list[tuple[Path, Path | None]] = []
        try:
            for temp, final in self._staged:
                kept = _keep_old(final)
                try:
                    temp.replace(final)
                except OSError as exc:
                    if kept is not None:
                        with contextlib.suppress(OSError):
                            kept.unlink()
                    raise UsageError(f"cannot write {final}: {exc.strerror or exc}") from exc
                moved.append((final, kept))
        except BaseException:
            for final, kept in reversed(moved):
                with contextlib.suppress(OSError):
                    if kept is not None:
                        kept.replace(final)
                    else:
                        final.unlink()
            raise
        for _, kept in moved:
            if kept is not None:
                with contextlib.suppress(OSError):
                    kept.unlink()

    def discard(self) -> None:
        for temp, _ in self._staged:
            with contextlib.suppress(OSError):
                temp.unlink()
