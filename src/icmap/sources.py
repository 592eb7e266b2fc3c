"""Every source an org can be read from besides its own YAML files: the one list of them.

A *source* turns files in another format into the same :class:`~icmap.model.Org` the YAML
loader gives (with source positions), plus its diagnostics, as an
:class:`~icmap.importers.ImportResult`. ``--from NAME`` (every command that reads an org: its
parser, did-you-mean and help), ``icmap import NAME`` (its FORMAT argument, help and dispatch)
and the table in docs/import.md are all made from :data:`SOURCES`; nothing else lists them.
Without ``--from``, the org's own files are read by :func:`icmap.loader.load`.

Adding a source is one module and one line. The module, say ``icmap/importers/eventlog.py``
(the readers live in :mod:`icmap.importers`, with what they share),
has a reader that takes the files and folders named on the command line::

    def read_event_logs(paths: Sequence[Path]) -> ImportResult:
        builder = OrgBuilder()  # icmap.importers.build: teams, hand-offs, diagnostics
        ...
        return ImportResult("eventlog", org, sorted(builder.diagnostics), ...)

and the line goes into :data:`SOURCES`::

    Source("eventlog", ("*.jsonl",), "event logs of hand-offs", "event log files",
           "icmap.importers.eventlog:read_event_logs", "#event-logs"),

The reader is named, not imported: its module is imported only when that source is read, so
start-up does not grow with the sources (this module imports nothing but the standard library,
and is outside :mod:`icmap.importers` so that ``--from``'s help costs no importer code).
``python -m icmap.sources`` prints the table docs/import.md carries; a test keeps the two in
step.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pathlib import Path

    from icmap.eventlog import EventLogOptions
    from icmap.importers import BackstageOptions, ImportResult


class Source(NamedTuple):
    """One source format: what it is called, what it reads, and the function that reads it.

    (A named tuple: defining it takes a tenth of a frozen dataclass's time, at every start.)
    """

    #: The word after ``--from`` and ``icmap import``.
    name: str
    #: The files it reads in a folder it is given.
    patterns: tuple[str, ...]
    #: One line saying what to give it, for ``--from``'s help and docs/import.md.
    description: str
    #: What its files are called, for the SOURCE argument's help of ``icmap import``.
    files: str
    #: ``module:function`` of its reader: ``function(paths) -> ImportResult``, or
    #: ``function(paths, options)`` when it takes ``--customer`` selectors.
    reader: str
    #: Its section in docs/import.md, with the mapping to the org format.
    doc: str
    #: Whether ``icmap import --update`` can refresh an earlier import of it.
    update: bool = True
    #: Whether ``--customer`` selectors (:class:`~icmap.importers.BackstageOptions`) choose
    #: its customer-facing entries.
    customers: bool = False
    #: Whether it reads event logs, with :class:`~icmap.eventlog.EventLogOptions`.
    events: bool = False
    #: Whether it leaves out teams that take part in no hand-off, so that
    #: ``--keep-idle-teams`` can keep them.
    idle_teams: bool = False
    #: Whether ``-`` reads it from stdin (the catalog API's JSON: ``curl … | icmap …``).
    stdin: bool = False

    def read(
        self,
        paths: Sequence[Path],
        options: BackstageOptions | None = None,
        events: EventLogOptions | None = None,
    ) -> ImportResult:
        """Read ``paths`` into an :class:`~icmap.importers.ImportResult`; nothing is written."""
        from icmap.loader import _without_gc_pauses

        module, _, function = self.reader.partition(":")
        reader = getattr(importlib.import_module(module), function)
        # An import allocates millions of small objects and frees almost none: the collector
        # would rescan them again and again (a million CSV rows: most of the time).
        with _without_gc_pauses():
            if self.events:
                from icmap.eventlog import EventLogOptions

                result: ImportResult = reader(paths, events or EventLogOptions())
            elif self.customers:
                from icmap.importers import BackstageOptions

                result = reader(paths, options or BackstageOptions())
            else:
                result = reader(paths)
        if not self.events:  # the event-log reader counts what it leaves out itself (IC621)
            from icmap.loader import MAX_REPEATS, cap_repeats

            counted = Counter((d.file, d.code) for d in result.diagnostics)
            if counted and max(counted.values()) > MAX_REPEATS:
                result.diagnostics = sorted(cap_repeats(result.diagnostics))
        return result


#: Every source, in the order help and docs list them.
SOURCES: tuple[Source, ...] = (
    Source(
        "backstage",
        ("*.yaml", "*.yml"),
        "catalog files or folder, or the catalog API's JSON",
        "catalog-info.yaml files, the catalog API's JSON (- for stdin)",
        "icmap.importers.backstage:read_catalog",
        "#backstage",
        customers=True,
        idle_teams=True,
        stdin=True,
    ),
    Source(
        "teamapi",
        ("*.yaml", "*.yml"),
        "Team API files",
        "Team API files",
        "icmap.importers.teamapi:read_team_apis",
        "#team-api-teamapi-as-code",
    ),
    Source(
        "markdown",
        ("*.md", "*.markdown"),
        "Team Topologies team pages in Markdown",
        "Markdown team pages",
        "icmap.importers.markdown:read_team_pages",
        "#markdown-team-topologies-teams",
    ),
    Source(
        "csv",
        ("*.csv", "*.tsv", "*.txt"),
        "a spreadsheet of hand-offs",
        "CSV",
        "icmap.importers.handoff_table:read_handoff_tables",
        "#spreadsheets-csv",
    ),
    Source(
        "cml",
        ("*.cml",),
        "Context Mapper team maps",
        "CML files",
        "icmap.importers.cml:read_team_maps",
        "#context-mapper-cml",
        customers=True,
    ),
    Source(
        "events",
        ("*.csv", "*.csv.gz", "*.tsv", "*.jsonl", "*.ndjson", "*.parquet", "*.xes", "*.xes.gz"),
        "event logs of cases passing between teams",
        "event logs",
        "icmap.importers.events:read_event_logs",
        "#event-logs",
        events=True,
    ),
)


def names() -> list[str]:
    return [source.name for source in SOURCES]


def in_words(words: Sequence[str]) -> str:
    """``a, b or c``.

    >>> in_words(["backstage", "teamapi", "csv"]), in_words(["csv"])
    ('backstage, teamapi or csv', 'csv')
    """
    return " or ".join(filter(None, (", ".join(words[:-1]), *words[-1:])))


def find(name: str) -> Source:
    """The source called ``name`` (any case).

    Raises :class:`ValueError` saying which names there are, with a did-you-mean.
    """
    wanted = str(name).strip().lower()
    for source in SOURCES:
        if source.name == wanted:
            return source
    import difflib

    close = difflib.get_close_matches(wanted, names(), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"{name!r} is not one of {', '.join(names())}{hint}")


def sources_markdown() -> str:
    """The table of sources in docs/import.md."""
    lines = [
        "| FORMAT | reads | in a folder | `--update` |",
        "|---|---|---|---|",
    ]
    for source in SOURCES:
        patterns = ", ".join(f"`{pattern}`" for pattern in source.patterns)
        update = "yes" if source.update else "no"
        link = f"[{source.description}]({source.doc})"
        lines.append(f"| `{source.name}` | {link} | {patterns} | {update} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(sources_markdown(), end="")
