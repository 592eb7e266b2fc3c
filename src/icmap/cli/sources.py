"""Where a command's org comes from: its files, or a source read with ``--from``.

The sources ``--from`` names are those of :mod:`icmap.sources` (its choices, its
did-you-mean and its help come from there); the org's own files are read by
:func:`icmap.loader.load`. Every file read is recorded as an input (:func:`protect`), so that
``-o`` never overwrites one.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from icmap.cli.output import protect, refuse_early
from icmap.cli.progress import activity
from icmap.diagnostics import problem_count
from icmap.errors import UsageError
from icmap.safe_text import visible
from icmap.sources import SOURCES, Source, find, in_words

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic
    from icmap.eventlog import EventLogOptions
    from icmap.graph import OrgGraph
    from icmap.model import Org


def source_named(text: str) -> Source:
    """The source ``text`` names (any case), or a usage error with a did-you-mean: the parser
    of ``--from`` and of ``icmap import FORMAT``.
    """
    if isinstance(text, Source):
        return text
    try:
        return find(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _source_name(text: str) -> str:
    return source_named(text).name


T = TypeVar("T")


def kept(build: Callable[[], T]) -> T:
    """``build()`` with the collector off, then all it made frozen: what a command keeps to
    its end (the model, its graph).

    The collector would otherwise walk all of it again and again while the analyses run, and
    the first collection after the loader switched it back on walked every object just made
    (1 s at 100,000 teams), only to find nothing to free.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return build()
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


G = TypeVar("G", bound="OrgGraph")


def used_once(build: Callable[[], G], use: Callable[[G], T]) -> T:
    """``use(build())`` with the collector off, the graph freed before this returns.

    networkx keeps views of a graph that refer back to it, so a graph is freed only by the
    collector, and a frozen one (:func:`kept`) never. Those views are let go here, so that
    the graph goes as soon as it is dropped, and the few cycles left are collected (0.03 s at
    30,000 teams) before a later :func:`kept` could freeze them for good.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        graph = build()
        result = use(graph)
        for name, value in list(vars(graph).items()):
            if any(inner is graph for inner in gc.get_referents(value)):
                del vars(graph)[name]
        del graph
        gc.collect()
        return result
    finally:
        if was_enabled:
            gc.enable()


FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Read the org from another format, mapped as 'icmap import' does, with no files "
        "written: "
        + in_words([f"{source.name} ({source.description})" for source in SOURCES])
        + ". See docs/import.md.",
        show_default=False,
        metavar="FORMAT",
        parser=_source_name,
    ),
]


def log_options(
    events: list[Path] | None,
    source: str | None,
    *,
    case: str | None = None,
    time: str | None = None,
    team: str | None = None,
    activity: str | None = None,
    time_format: str | None = None,
    customer: str | None = None,
    min_handoffs: int = 1,
    min_share: float = 0.0,
) -> EventLogOptions:
    """How a command reads its ``--events`` log or ``--from events`` source: the options of
    the "Event log" panel, which without either are a usage error rather than silently
    doing nothing; ``--customer``, ``--min-handoffs`` and ``--min-share`` shape an org made
    of the log, so they are for ``--from events`` only.
    """
    from icmap.eventlog import EventLogOptions

    from_events = source is not None and find(source).events
    given = [
        name
        for name, value, default in (
            ("--case", case, None),
            ("--time", time, None),
            ("--team", team, None),
            ("--activity", activity, None),
            ("--time-format", time_format, None),
            ("--customer", customer, None),
            ("--min-handoffs", min_handoffs, 1),
            ("--min-share", min_share, 0.0),
        )
        if value != default
    ]
    if given and not events and not from_events:
        raise UsageError(
            f"{given[0]} says how to read an event log: give the log with --events LOG "
            "(or read the org from one with --from events)"
        )
    shaping = [name for name in given if name in ("--customer", "--min-handoffs", "--min-share")]
    if shaping and not from_events:
        raise UsageError(
            f"{shaping[0]} shapes an org made of an event log: use it with --from events; "
            "--events lays the log over the org as it is"
        )
    return EventLogOptions(
        case,
        time,
        team,
        activity,
        customer,
        time_format,
        min_handoffs,
        min_share,
        progress=activity_step,
    )


def activity_step(message: str) -> None:
    """A reading step shown on stderr (:mod:`icmap.cli.progress`)."""
    activity.step(message)


def load_source(
    org: Path | None,
    org_option: Path | None,
    source: str | None,
    log: EventLogOptions | None = None,
) -> tuple[Org, list[Diagnostic]]:
    """The org, and the warnings a source's reader gave when ``--from`` names one.

    Without ``--from`` it is :func:`load_org` with no warnings. A reader's errors raise
    :class:`LoadError`, with its warnings, as a broken org file does.
    """
    if source is None:
        return load_org(org, org_option), []
    from icmap.importers import source_error
    from icmap.loader.discover import find_org

    if org is not None and org_option is not None and org != org_option:
        raise UsageError(f"two sources given: {org} and --org {org_option}; pass one")
    if org is None and org_option is None:
        raise UsageError(f"--from {source} needs the source: name its file or folder")
    reader = find(source)
    given = org or org_option
    if str(given) == "-" and reader.stdin:
        path = Path("-")  # read from stdin, as icmap import reads it
    else:
        path = find_org(given, os.environ, Path())
        protect(path)
    refuse_early()
    from icmap.errors import LoadError

    unread = "nothing read"  # not "nothing imported": --from writes no org files
    try:
        if reader.events:
            from icmap.eventlog import EventLogOptions

            # A command without the "Event log" options (diff, impact) reads it as found, and
            # an error about its columns names 'icmap import events', which has them.
            events = log or EventLogOptions(progress=activity.step, column_options=False)
            result = reader.read([path], events=events)
        else:
            result = reader.read([path])
    except LoadError as error:
        raise source_error(error.diagnostics, unread) from None
    for file in result.org.sources if result.org is not None else ():
        protect(Path(file))
    if result.org is None:
        raise source_error(result.diagnostics, unread)
    gc.freeze()
    return result.org, result.diagnostics


def load_org(
    org: Path | None,
    org_option: Path | None,
    source: str | None = None,
    *,
    surveys: bool = True,
    log: EventLogOptions | None = None,
) -> Org:
    """The org named on the command line, or found by the default discovery rules.

    With ``source`` (``--from``) the path is read by that source's reader; its warnings go to
    stderr as one line (``icmap check --from`` lists them). ``surveys=False`` leaves the org's
    survey rounds unread, but still never to be overwritten.
    """
    from icmap.loader import load
    from icmap.loader.discover import find_org

    if source is not None:
        activity.step(f"reading the {source} source")
        imported, warnings = load_source(org, org_option, source, log)
        if warnings:
            count = problem_count(warnings)
            print(
                f"icmap: read {source} source with {count} warning{'s' if count != 1 else ''} "
                f"(icmap check --from {source} lists them)",
                file=sys.stderr,
            )
        return imported
    if org is not None and org_option is not None and org != org_option:
        raise UsageError(f"two orgs given: {org} and --org {org_option}; pass one")
    path = find_org(org or org_option, os.environ, Path())
    protect(path)
    refuse_early()
    activity.step(f"reading {visible(str(path))}")
    # The model lives until the command ends: keep the garbage collector from rescanning it
    # on every collection the analyses trigger (a third of graph-building time on big orgs).
    loaded = kept(
        lambda: load(path) if surveys else load(path, surveys=False, fetch=_protect_responses)
    )
    activity.step(f"analysing {len(loaded.teams):,} teams")
    return loaded


def _protect_responses(target: Path) -> None:
    from icmap.loader.surveys import survey_files

    if target.exists():
        for response in survey_files(target, str(target)):
            protect(response.path)


def with_surveys(loaded: Org, surveys: list[Path] | None) -> Org:
    """``loaded`` scored by its own survey rounds plus the ``--survey`` files, if any."""
    for survey_round in loaded.surveys:
        for file in survey_round.files or (survey_round.file,):
            protect(Path(file))
    if not surveys:
        return loaded
    from icmap.loader.surveys import ResponseFile, apply_rounds, read_rounds, survey_files

    files: list[ResponseFile] = []
    for given in surveys:
        if not given.exists():
            from icmap.loader.discover import no_such_path

            raise no_such_path(given, f"--survey {given}")
        found = survey_files(given, str(given))
        if not found:
            raise UsageError(f"--survey {given}: no response files (*.csv, *.tsv, *.txt) in it")
        for response in found:
            protect(response.path)
        files.extend(found)
    return apply_rounds(loaded, read_rounds(files, loaded, loaded.surveys))


def with_events(
    loaded: Org,
    logs: list[Path] | None,
    team_map: Path | None,
    lead_times: str = "declared",
    reading: EventLogOptions | None = None,
) -> tuple[Org, list[Diagnostic]]:
    """``loaded`` with the ``--events`` logs laid over it (:mod:`icmap.eventlog.overlay`),
    and the findings of reading them; ``loaded`` itself without ``--events``.

    ``--team-map`` and ``--lead-times measured`` need ``--events``: without it they are a
    usage error rather than silently doing nothing.
    """
    if not logs:
        if team_map is not None:
            raise UsageError(
                "--team-map maps the teams of an event log: give the log with --events"
            )
        if lead_times == "measured":
            raise UsageError(
                "--lead-times measured takes the lead times of an event log: give it with --events"
            )
        return loaded, []
    from icmap.eventlog.overlay import overlay_events
    from icmap.eventlog.read import PATTERNS
    from icmap.eventlog.teammap import read_team_map

    for log in logs:
        if not log.exists():
            from icmap.loader.discover import no_such_path

            raise no_such_path(log, f"--events {log}")
        found = [log] if log.is_file() else [f for p in PATTERNS for f in log.glob(p)]
        for file in found:
            protect(file)
    mapping = None
    if team_map is not None:
        mapping = read_team_map(team_map)
        protect(team_map)
    activity.step(f"reading the event log {visible(str(logs[0]))}")
    overlaid = overlay_events(
        loaded, logs, mapping, "measured" if lead_times == "measured" else "declared", reading
    )
    return overlaid.org, list(overlaid.diagnostics)


def say_overlay(loaded: Org, warnings: list[Diagnostic]) -> None:
    """One line on stderr for what reading the ``--events`` log found, and one for its teams
    that match none of the org's (``icmap check --events`` lists both as findings)."""
    overlay = loaded.events
    if overlay is None:
        return
    if not overlay.events:
        print(
            f"icmap: the event log {visible(overlay.files[0]) if overlay.files else ''} has no "
            "event to compare (no row, or every row left out): nothing of it is laid over the "
            "org (icmap check --events says why)",
            file=sys.stderr,
        )
    if warnings:
        count = problem_count(warnings)
        print(
            f"icmap: laid the event log over the org with {count} warning"
            f"{'s' if count != 1 else ''} (icmap check with the same --events, --team-map and "
            "--lead-times lists them)",
            file=sys.stderr,
        )
    if overlay.unmatched:
        shown = []
        for team in overlay.unmatched[:5]:
            close = " or ".join(repr(c) for c in team.close)
            shown.append(repr(team.name) + (f" (did you mean {close}?)" if close else ""))
        more = len(overlay.unmatched) - len(shown)
        count = len(overlay.unmatched)
        print(
            f"icmap: {count} team{'s' if count != 1 else ''} of the event log "
            f"match{'es' if count == 1 else ''} no team of the org, and "
            f"{'their hand-offs are' if count != 1 else 'its hand-offs are'} not compared: "
            + ", ".join(shown)
            + (f" and {more} more" if more else "")
            + "; map them with --team-map (docs/events.md#matching)",
            file=sys.stderr,
        )
    left_out = _left_out(loaded)
    if left_out:
        print(f"icmap: {left_out}; icmap check --events lists the drift", file=sys.stderr)


def _left_out(loaded: Org) -> str:
    """What the org's measured numbers leave out of the log laid over it, in words ("" for
    nothing): cases that end outside what the org declares, undeclared hand-offs."""
    overlay = loaded.events
    assert overlay is not None
    declared = {(r.provider, r.receiver) for r in loaded.relations if r.measured is not None}
    ended = sum(
        pair.measured.cases
        for pair in overlay.pairs
        if pair.receiver in loaded.customers and (pair.provider, pair.receiver) in declared
    )
    undeclared = [
        pair
        for pair in overlay.pairs
        if pair.receiver not in loaded.customers and (pair.provider, pair.receiver) not in declared
    ]
    said = []
    cases = overlay.cases - ended
    if cases > 0:
        said.append(
            f"{cases:,} of the log's {overlay.cases:,} cases, which end outside the hand-offs "
            "the org declares"
        )
    if undeclared:
        handoffs = sum(pair.measured.handoffs for pair in undeclared)
        said.append(
            f"{handoffs:,} hand-off{'s' if handoffs != 1 else ''} between teams in "
            f"{len(undeclared):,} pair{'s' if len(undeclared) != 1 else ''} the org does not "
            "declare"
        )
    if not said:
        return ""
    return "not shown: " + " and ".join(said)


def load_graph(
    org: Path | None,
    org_option: Path | None,
    source: str | None,
    surveys: list[Path] | None,
    events: list[Path] | None = None,
    team_map: Path | None = None,
    lead_times: str = "declared",
    log: EventLogOptions | None = None,
) -> tuple[Org, OrgGraph]:
    """The org (with its survey rounds and the ``--survey`` files, and the ``--events`` log
    laid over it) and its graph: what ``graph``, ``report``, ``impact`` and ``team`` each
    start from.
    """
    from icmap.graph import build_graph

    loaded = with_surveys(load_org(org, org_option, source, log=log), surveys)
    loaded, warnings = with_events(loaded, events, team_map, lead_times, log)
    say_overlay(loaded, warnings)
    return loaded, kept(lambda: build_graph(loaded))


def refuse_org_as_team(names: list[str], org_option: Path | None) -> None:
    """Say so when a TEAM argument is the org's path (``icmap impact kitchen org.yaml``).

    Only a name that looks like a path (a YAML or JSON file name, or one with a slash) and
    exists counts, so a team called ``docs`` is never mistaken for a folder.
    """
    if org_option is not None:
        return
    for name in names:
        looks_like_path = name.endswith((".yaml", ".yml", ".json")) or "/" in name
        if looks_like_path and Path(name).exists():
            raise UsageError(f"{name!r} is the org, not a team: name it with --org {name}")
