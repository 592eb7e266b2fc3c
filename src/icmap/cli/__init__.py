"""The ``icmap`` command line: parse arguments, call the library, pick a renderer.

The typer app is built by :mod:`icmap.cli.root`; ``from icmap.cli import app`` still finds it,
built on first use, so that ``icmap --version`` answers without typer, click, rich or pydantic,
and ``icmap COMMAND`` builds only that command.
"""

from __future__ import annotations

import sys

# Not typing.TYPE_CHECKING: importing typing would be a third of `icmap --version`'s time.
# mypy treats any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import typer


def main() -> None:
    """Entry point of the ``icmap`` console script."""
    from icmap.cli.streams import setup_streams

    setup_streams()
    try:
        _run(sys.argv[1:])
        sys.stdout.flush()  # a full disk shows here, not in Python's own flush at exit
    except OSError as error:
        # Only what is written outside a command gets here (--version, --help): every command
        # maps its own failures (icmap.cli.errors.handle_errors), the same way.
        import errno

        from icmap.cli.errors import debug_enabled
        from icmap.cli.output import reader_gone

        if debug_enabled() and error.filename is not None:
            raise  # a command's own failure, re-raised by --debug: its traceback, not stdout's

        if error.errno == errno.EPIPE:
            reader_gone()
            sys.exit(0)
        print(f"icmap: error: cannot write to stdout: {error.strerror or error}", file=sys.stderr)
        sys.exit(2)


def _run(args: list[str]) -> None:
    if args == ["--version"]:
        # The same line as the root --version option prints, before typer (and with it click,
        # pydantic's adapters and rich) is imported: they cost ten times Python's own start-up.
        from icmap import __version__

        print(f"icmap {__version__}")
        return
    from icmap.cli.root import app_for
    from icmap.errors import Terminated

    _stop_on_signals()
    try:
        app_for(args)()
    except Terminated as stop:  # arrived outside a command (handle_errors maps the rest)
        sys.exit(stop.exit_code)


def _stop_on_signals() -> None:
    """SIGTERM and SIGHUP unwind the program as Ctrl-C does, so that a half-written ``-o``
    file, an import's staging folder and its lock are cleaned up; a signal ignored when icmap
    started (``nohup``) stays ignored."""
    import signal

    from icmap.errors import Terminated

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)  # Windows has no SIGHUP
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, stop)


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        from icmap.cli.root import full_app

        return full_app()
    raise AttributeError(f"module 'icmap.cli' has no attribute {name!r}")
