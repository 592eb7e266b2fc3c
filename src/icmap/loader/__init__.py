"""Loading org files into an :class:`~icmap.model.Org`.

>>> from icmap.loader import load
>>> org = load("examples/restaurant.yaml")  # doctest: +SKIP
>>> sorted(org.customers)  # doctest: +SKIP
['diners']

Every problem in every file is collected before :class:`~icmap.errors.LoadError` is raised,
each with its ``file:line:col``.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from icmap.diagnostics import Diagnostic
from icmap.errors import LoadError, UsageError
from icmap.loader.discover import discover
from icmap.loader.reader import FileReader, RawFile
from icmap.loader.resolve import resolve
from icmap.loader.reuse import Entries, ReuseMismatchError
from icmap.loader.source import read_text, stream_text
from icmap.model import Org

__all__ = ["load", "load_text"]

#: Node visits allowed per file beyond its own size; only alias expansion gets near it.
ALIAS_ALLOWANCE = 100_000

#: The parties to remember while reading (a first version) and to take as read (a second).
Reading = tuple[Entries | None, Entries | None]


def _read(
    text: str, display: str, entries: Reading = (None, None)
) -> tuple[RawFile, list[Diagnostic]]:
    remember, reuse = entries
    budget = len(text) + ALIAS_ALLOWANCE
    if reuse is None:
        return stream_text(text, FileReader(display, budget, remember=remember))
    reused = reuse.reused
    try:
        raw, found = stream_text(text, FileReader(display, budget, remember=remember, reuse=reuse))
        if not found:
            return raw, found
    except ReuseMismatchError:
        pass
    # Read in full whatever was not plainly the same: a file with problems tells them as
    # read from its own text, and a party that ended elsewhere than its twin is read again.
    reuse.reused = reused
    return stream_text(text, FileReader(display, budget, remember=remember))


def _read_file(
    file: Path, display: str, entries: Reading = (None, None)
) -> tuple[RawFile, list[Diagnostic]]:
    text, problem = read_text(file, display)
    if text is None:
        assert problem is not None
        return RawFile(display), [problem]
    return _read(text, display, entries)


@contextmanager
def _without_gc_pauses() -> Iterator[None]:
    """Suspend the cyclic garbage collector while a file becomes nodes and then a model.

    Loading allocates millions of small objects and frees almost none, which makes the
    collector run over and over for nothing: on a 10k-team org it took two thirds of the load
    time. Reference counting still frees everything; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(
    path: str | os.PathLike[str],
    *,
    display_base: tuple[Path, str] | None = None,
    fetch: Callable[[Path], None] | None = None,
    surveys: bool = True,
    remember: Entries | None = None,
    reuse: Entries | None = None,
) -> Org:
    """Load an org from one YAML file or a directory of them.

    Raises :class:`~icmap.errors.LoadError` listing every problem found, and
    :class:`~icmap.errors.UsageError` when ``path`` does not exist or holds no org files.
    ``display_base=(folder, prefix)`` names files under ``folder`` as ``prefix`` + their
    relative path in messages (``main:org/teams.yaml`` for a file read from a git revision).
    ``fetch`` is called with each file or folder the org's ``surveys:`` names before it is
    read, so a caller holding the org somewhere else (a git revision) can put it in place.
    ``surveys=False`` leaves the rounds unread (``fetch`` is still called with each): writing
    the next questionnaire must not depend on last round's answers being valid.

    ``remember`` notes the parties read into :class:`~icmap.loader.reuse.Entries`, and
    ``reuse`` takes those whose text is unchanged as read (positions moved) instead of reading
    them again: a second version of an org costs what changed (``icmap diff``). Files of a
    folder read by worker processes neither note nor reuse.
    """
    with _without_gc_pauses():
        return _load(Path(path), display_base, fetch, surveys, (remember, reuse))


def _load(
    root: Path,
    display_base: tuple[Path, str] | None,
    fetch: Callable[[Path], None] | None,
    surveys: bool = True,
    entries: Reading = (None, None),
) -> Org:
    if not root.exists():
        from icmap.loader.discover import no_such_path

        raise no_such_path(root)
    files, outside = discover(root)
    if not files and not outside:
        raise UsageError(f"{root}: no *.yaml or *.yml files in this directory")
    raw_files: list[RawFile] = []
    folders: dict[str, Path] = {}
    diagnostics: list[Diagnostic] = [
        Diagnostic(
            _display(link, display_base),
            1,
            1,
            "IC001",
            "not read: a symbolic link to a place outside the org folder",
            hint="icmap follows links only inside the org folder; copy the file in instead",
        )
        for link in outside
    ]
    displays = [_display(file, display_base) for file in files]
    for file, (raw, found) in zip(files, _read_files(files, displays, entries), strict=True):
        raw_files.append(raw)
        folders[raw.display] = file.parent
        diagnostics.extend(found)
    org = _finish(raw_files, diagnostics)
    if not surveys:
        for raw in raw_files:
            for entry, _pos in raw.surveys:
                if fetch is not None:
                    fetch(folders[raw.display] / entry)
        return org
    return _with_surveys(org, raw_files, folders, display_base, fetch)


#: Folders of at least this many files are read by one process per core (see _read_files).
PARALLEL_FILES = 1_000
#: Files handed to a worker process at a time.
_CHUNK = 250


def _read_files(
    files: list[Path], displays: list[str], entries: Reading = (None, None)
) -> Iterator[tuple[RawFile, list[Diagnostic]]]:
    """Each file read, in order: in parallel when there are many files and several cores.

    Reading is nearly all Python work per file, so processes (not threads) pay once a folder
    has thousands of files; below :data:`PARALLEL_FILES` starting them costs more than it saves
    (docs/performance.md). Workers are forked, so they start with icmap already imported.
    Only cores left idle are used: the results cross back pickled, which costs more CPU than
    reading in one process (a third more at 30,000 files), so with no idle core the parallel
    read would take longer and cost more.
    """
    cores = _idle_cores()
    if len(files) < PARALLEL_FILES or cores < 2:
        for file, display in zip(files, displays, strict=True):
            yield _read_file(file, display, entries)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_all_start_methods, get_context

    if "fork" not in get_all_start_methods():
        yield from map(_read_file, files, displays)
        return
    done = 0
    try:
        with ProcessPoolExecutor(cores, mp_context=get_context("fork")) as pool:
            for result in pool.map(_read_file, files, displays, chunksize=_CHUNK):
                yield result
                done += 1
    except BrokenProcessPool:
        # A worker was killed (by the kernel for memory, most often): read the rest here.
        yield from map(_read_file, files[done:], displays[done:])


def _idle_cores() -> int:
    """The cores this process may use that nothing else is using: its own, and each one the
    one-minute load average leaves idle (it counts this process too)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every platform: use every core, as before
        return cores
    return max(1, min(cores, int(cores - load + 1)))


def _display(file: Path, display_base: tuple[Path, str] | None) -> str:
    if display_base is None:
        return str(file)
    return display_base[1] + file.relative_to(display_base[0]).as_posix()


def load_text(text: str, name: str = "<string>") -> Org:
    """Load an org from YAML text, as :func:`load` does a file; ``name`` appears in messages."""
    with _without_gc_pauses():
        raw, diagnostics = _read(text, name)
        return _with_surveys(_finish([raw], diagnostics), [raw], {raw.display: Path()})


def _with_surveys(
    org: Org,
    raw_files: list[RawFile],
    folders: dict[str, Path],
    display_base: tuple[Path, str] | None = None,
    fetch: Callable[[Path], None] | None = None,
) -> Org:
    """``org`` scored by the survey rounds its ``surveys:`` keys name (relative to each file)."""
    if not any(raw.surveys for raw in raw_files):
        return org
    from icmap.loader.surveys import ResponseFile, apply_rounds, read_rounds, survey_files

    files: list[ResponseFile] = []
    missing: list[Diagnostic] = []
    for raw in raw_files:
        for entry, pos in raw.surveys:
            target = folders[raw.display] / entry
            if fetch is not None:
                fetch(target)
            shown = _survey_display(raw.display, entry, target, display_base)
            if not target.exists():
                message = f"surveys: {entry!r} does not exist (looked for {shown})"
                hint = "survey files are named relative to the org file that lists them"
                missing.append(Diagnostic(pos.file, pos.line, pos.col, "IC001", message, hint=hint))
                continue
            files.extend(survey_files(target, shown))
    if missing:
        raise LoadError(missing)
    return apply_rounds(org, read_rounds(files, org))


def _survey_display(
    org_display: str, entry: str, target: Path, display_base: tuple[Path, str] | None
) -> str:
    """A survey file's name in messages: beside its org file's, as the org file shows it."""
    if display_base is not None:
        with contextlib.suppress(ValueError):
            relative = os.path.normpath(target.relative_to(display_base[0]))
            return display_base[1] + Path(relative).as_posix()
    folder = org_display.rsplit("/", 1)[0] + "/" if "/" in org_display else ""
    # ``org/../surveys`` reads as ``surveys``; a trailing ``/`` is kept off.
    return Path(os.path.normpath(folder + entry)).as_posix()


#: Codes after which a file's content is unknown: cross-file checks would only add noise.
_UNPARSED = frozenset({"IC001", "IC002", "IC009"})
#: What the files that were read say of themselves whatever the unread ones hold: an id
#: defined twice, a reference to the wrong kind, a team providing to itself, a relation written
#: twice or two of its sides disagreeing. An unknown id or stream may be defined in an unread
#: file, and a stream's hand-offs may sit there: those wait until every file reads.
_TRUE_WITHOUT_THE_REST = frozenset({"IC102", "IC103", "IC104", "IC105", "IC106"})


def _finish(raw_files: list[RawFile], diagnostics: list[Diagnostic]) -> Org:
    unread = {d.file for d in diagnostics if d.code in _UNPARSED}
    if unread:
        read = [raw for raw in raw_files if raw.display not in unread]
        _, problems = resolve(read, require_parties=False)
        diagnostics.extend(d for d in problems if d.code in _TRUE_WITHOUT_THE_REST)
        raise LoadError(cap_repeats(diagnostics))
    org, problems = resolve(raw_files, require_parties=not diagnostics)
    diagnostics.extend(problems)
    if diagnostics or org is None:
        raise LoadError(cap_repeats(diagnostics))
    return org


#: Diagnostics of one code shown per file; the rest are counted in one last diagnostic.
MAX_REPEATS = 100


def cap_repeats(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """At most :data:`MAX_REPEATS` diagnostics of each code in each file, then a count.

    >>> from icmap.diagnostics import Diagnostic
    >>> many = [Diagnostic("o.yaml", n, 1, "IC101", "unknown id") for n in range(1, 106)]
    >>> capped = cap_repeats(many)
    >>> len(capped), capped[-1].message
    (101, '…and 5 more IC101 (dangling-reference) problems in this file')
    """
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for diagnostic in sorted(set(diagnostics)):
        groups.setdefault((diagnostic.file, diagnostic.code), []).append(diagnostic)
    kept: list[Diagnostic] = []
    for group in groups.values():
        kept.extend(group[:MAX_REPEATS])
        if len(group) > MAX_REPEATS:
            first = group[MAX_REPEATS]
            more = len(group) - MAX_REPEATS
            message = f"…and {more:,} more {first.code} ({first.name}) problems in this file"
            kept.append(
                Diagnostic(
                    first.file,
                    first.line,
                    first.col,
                    first.code,
                    message,
                    first.severity,
                    rule_name=first.rule_name,
                    left_out=more,
                )
            )
    return kept
