"""One writer at a time for an org folder: the lock ``icmap import`` holds while it writes.

The lock is ``fcntl.flock`` on a hidden file beside the folder, ``.NAME.icmap-lock``, which
names its holder (pid and start time). The kernel releases it when the holder exits, even on a
crash or ``kill -9``; a clean exit also removes the file. A second writer does not wait: it
is refused at once (exit 2) and told who holds the folder.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from icmap.errors import UsageError

#: The lock file inside a folder whose parent icmap cannot write (then updated in place).
INSIDE = ".icmap-lock"


def lock_path(folder: Path) -> Path:
    """The lock file of ``folder``: beside it, so that replacing the folder keeps the lock;
    inside it when its parent is read-only (a folder mounted into a container), where the
    folder is updated in place and so keeps the lock too."""
    real = Path(os.path.realpath(folder))
    if real.is_dir() and not can_write_beside(real):
        return real / INSIDE
    return real.parent / f".{real.name}.icmap-lock"


def can_write_beside(folder: Path) -> bool:
    """Whether a staging copy and a lock can be made beside ``folder``."""
    return os.access(folder.parent, os.W_OK | os.X_OK)


#: How long a refused writer waits for the holder to name itself: the holder writes its pid
#: just after taking the lock, so a writer refused in between would otherwise see no name.
NAME_WAIT = 2.0


def _holder(fd: int) -> str:
    deadline = time.monotonic() + NAME_WAIT
    while True:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = os.pread(fd, 200, 0).decode("utf-8").strip()
            if text.startswith("pid ") and text.endswith(" UTC"):  # written whole
                return f" ({text})"
        if time.monotonic() >= deadline:
            return ""
        time.sleep(0.01)


@contextlib.contextmanager
def folder_lock(folder: Path, command: str = "icmap import") -> Iterator[None]:
    """Hold the lock of ``folder`` for the block; refuse with a :class:`UsageError` if another
    process holds it."""
    import fcntl

    path = lock_path(folder)
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such directory")
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise UsageError(f"cannot write {folder}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise UsageError(
                f"{folder} is being written by another '{command}'{holder}: nothing was "
                "written; run this again when that one has finished"
            ) from None
        except OSError as exc:  # a file system without locks
            os.close(fd)
            raise UsageError(f"cannot lock {path}: {exc.strerror or exc}") from exc
        # A holder that finished removed the file we opened: lock the one now at its name.
        try:
            same = os.path.samestat(os.fstat(fd), path.stat())
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, since {since}\n".encode(), 0)
        yield
    finally:
        # Removed while still held, so a waiting opener notices (above) and opens afresh.
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)
