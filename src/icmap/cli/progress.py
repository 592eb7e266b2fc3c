"""Signs of life on stderr while a long command works: a spinner, the step, the time so far.

Only when stderr is a terminal, and only once a command has run for :data:`DELAY` seconds, so a
small org (or a pipe, or CI's log) never sees it. The display is rich's progress display,
drawn on stderr and removed when the command ends or first writes to stdout or reports an
error: what the command prints is never mixed with it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

#: Seconds a command runs before the display appears (``ICMAP_PROGRESS_DELAY`` overrides it).
DELAY = 1.0


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("ICMAP_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


def wanted(stream: Any) -> bool:
    """Whether ``stream`` is a terminal that can show a live display."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class Activity:
    """The display of one command run: :meth:`begin`, any :meth:`step`, then :meth:`end`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._step = "working"
        self._over = True
        self._started = time.monotonic()

    def begin(self, stream: Any = None) -> None:
        """Show the display on ``stream`` (stderr) after the delay, if it is a terminal."""
        stream = sys.stderr if stream is None else stream
        with self._lock:
            self._over = False
            self._step = "working"
            self._started = time.monotonic()
            if not wanted(stream):
                return
            self._timer = threading.Timer(_delay(), self._show, (stream,))
            self._timer.daemon = True
            self._timer.start()

    def step(self, description: str) -> None:
        """Name what the command is doing now."""
        with self._lock:
            self._step = description
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, description=description)

    def end(self) -> None:
        """Remove the display (or never show it); later steps show nothing."""
        with self._lock:
            self._over = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    def _show(self, stream: Any) -> None:
        from rich.console import Console
        from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn
        from rich.text import Text

        started = self._started

        class SinceTheStart(ProgressColumn):
            """The time since the command started, not since the display appeared."""

            def render(self, task: Task) -> Text:
                seconds = int(time.monotonic() - started)
                shown = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
                return Text(shown, style="progress.elapsed")

        with self._lock:
            if self._over:
                return
            console = Console(file=stream, stderr=True)
            from icmap.cli.output import MAX_WIDTH

            console.width = min(console.width, MAX_WIDTH)  # rich reads a $COLUMNS of any size
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                SinceTheStart(),
                console=console,
                transient=True,
                # stdout is never touched (it may carry bytes or 100 MB of JSON): the display
                # ends before anything is written there. A line on stderr shows above it.
                redirect_stdout=False,
                redirect_stderr=True,
            )
            self._task = self._progress.add_task(self._step, total=None)
            self._progress.start()


#: The one display of this process: commands run one at a time.
activity = Activity()
