"""The few exception types icmap raises, each knowing the exit code it maps to.

Findings about an org (a dangling reference, a loop) are data, not exceptions: see
:mod:`icmap.diagnostics`. An exception here means icmap cannot do what was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class IcmapError(Exception):
    """Base class: something the user can fix. ``str()`` is the message shown to them."""

    exit_code = EXIT_USAGE

    @property
    def messages(self) -> tuple[str, ...]:
        """Each problem, said on a line of its own (one but for :class:`CombinedUsageError`)."""
        return (str(self),)


class UsageError(IcmapError):
    """The command line asks for something impossible (a missing org, an unknown format)."""


class CombinedUsageError(UsageError):
    """Several things wrong on the command line, each said on its own line."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.said = tuple(messages)
        super().__init__("\n".join(self.said))

    @property
    def messages(self) -> tuple[str, ...]:
        return self.said


def said_at_once(errors: Sequence[UsageError]) -> UsageError:
    """One error for all of ``errors`` (two unknown teams, two unknown rules): each is said.

    >>> said_at_once([UsageError("a"), UsageError("b")]).messages
    ('a', 'b')
    """
    return errors[0] if len(errors) == 1 else CombinedUsageError([str(e) for e in errors])


class LoadError(IcmapError):
    """The org files could not be turned into a model; ``diagnostics`` says every reason."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        # An alias used in several places repeats its problems at one position: say each once.
        self.diagnostics = tuple(sorted(set(diagnostics)))
        from icmap.diagnostics import errors_in

        super().__init__(errors_in(self.diagnostics, "the org files"))


class ConfigError(LoadError):
    """``.icmap.yaml`` (or ``--config``) is wrong; ``diagnostics`` lists every problem."""

    def __init__(self, diagnostics: Sequence[Diagnostic], name: str) -> None:
        super().__init__(diagnostics)
        from icmap.diagnostics import problem_count

        errors = problem_count(self.diagnostics)
        self.args = (f"{errors} error{'s' if errors != 1 else ''} in {name}",)


class OutputError(IcmapError):
    """Writing the output failed (a full disk, a vanished terminal): the environment's fault."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C (temporary files go), exit 128 + signal.

    A BaseException, as KeyboardInterrupt is, so no ``except Exception`` swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum
