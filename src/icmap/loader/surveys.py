"""Survey response files: one CSV per round, read against the org they are about.

A response file has the columns ``icmap survey`` writes (receiver, provider, what, score,
lead_time, complete_accurate, comment, plus an optional respondent); cells are read as people
type them (:mod:`icmap.loader.spreadsheet`). Every problem in every file is collected and
raised at once as a :class:`~icmap.errors.LoadError` with ``file:line:col``: an unknown team or
hand-off (with a did-you-mean), a row for a hand-off the org no longer has, a score outside 1 to
5, a lead time that is not a duration, a %C&A that is not a share.

Rounds are ordered by the date their file name starts with (``2026-q3``, ``2026-09``,
``2026-09-30``, ``2026-h2``, ``2026``); when no name has a date, by name with numbers compared
as numbers (``round-2`` before ``round-10``). Mixing the two is refused: there is no telling
which came first.

:func:`apply_rounds` is the step that makes every analysis use the survey: it gives each
relation the latest round's mean score as its ``satisfaction`` and the latest round's mean %C&A
as its ``complete_accurate``, keeping the YAML values beside them.

>>> round_start("2026-q3"), round_start("2026-09-30"), round_start("baseline")
(datetime.date(2026, 7, 1), datetime.date(2026, 9, 30), None)
"""

from __future__ import annotations

import dataclasses
import re
import statistics
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import NamedTuple, TypeVar

from icmap.diagnostics import Diagnostic
from icmap.errors import LoadError
from icmap.loader import MAX_REPEATS, _without_gc_pauses
from icmap.loader.reader import InvalidValueError, did_you_mean
from icmap.loader.resolve import normalise_what
from icmap.loader.spec import SATISFACTION_RANGE
from icmap.loader.spreadsheet import (
    Cell,
    Row,
    parse_decimal,
    parse_duration,
    parse_percentage,
    read_table,
)
from icmap.model import Answer, Duration, Org, Relation, SourcePos, SurveyRound, SurveyScore
from icmap.safe_text import FORMULA_START

#: The columns of a response file, with other headers accepted for each.
COLUMNS: dict[str, tuple[str, ...]] = {
    "receiver": ("internal customer", "customer", "team", "to"),
    "provider": ("from", "supplier", "served by"),
    "what": ("hand-off", "handoff", "service"),
    "declared_lead_time": ("declared", "declared lead time", "current lead time"),
    "score": ("satisfaction", "rating"),
    "lead_time": ("experienced lead time", "experienced", "actual lead time"),
    "complete_accurate": (
        "%c&a",
        "c&a",
        "pca",
        "complete and accurate",
        "% complete and accurate",
        "percent complete and accurate",
    ),
    "comment": ("comments", "remarks", "notes"),
    "respondent": ("name", "answered by", "who"),
}
REQUIRED = ("receiver", "provider", "score")
#: Suffixes read as response files when ``surveys:`` names a folder.
SUFFIXES = (".csv", ".tsv", ".txt")

T = TypeVar("T")


def answers_in(path: Path) -> int:
    """How many rows of the file at ``path`` hold an answer (a score, lead time, %C&A or
    comment).

    ``icmap survey -o`` asks before writing over a sheet someone has filled in; a file that is
    missing, unreadable or not a response table holds none.
    """
    if not path.is_file():
        return 0
    table = read_table(path, str(path), COLUMNS)
    answered = ("score", "lead_time", "complete_accurate", "comment")
    return sum(1 for row in table.rows if any(row.get(column) for column in answered))


_QUARTER = re.compile(r"^(\d{4})-[qQ]([1-4])(?!\d)")
_HALF = re.compile(r"^(\d{4})-[hH]([12])(?!\d)")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?!\d)")
_YEAR = re.compile(r"^(\d{4})(?!\d)")
#: A spreadsheet's guard against formulas (``'=x``), as ``icmap survey`` and its HTML page's
#: Save button write it, in any column: dropped before a cell is read, so ``'+3`` is the score
#: 3 and ``'-2`` is refused as ``-2`` is.
_FORMULA_GUARD = re.compile("^'(?=" + FORMULA_START + ")")


def round_start(name: str) -> date | None:
    """The date a round's name starts with (a quarter or half starts on its first day)."""
    parts: tuple[int, int, int] | None = None
    if match := _DAY.match(name):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _QUARTER.match(name):
        parts = (int(match[1]), 3 * int(match[2]) - 2, 1)
    elif match := _HALF.match(name):
        parts = (int(match[1]), 6 * int(match[2]) - 5, 1)
    elif match := _MONTH.match(name):
        parts = (int(match[1]), int(match[2]), 1)
    elif match := _YEAR.match(name):
        parts = (int(match[1]), 1, 1)
    try:
        return date(*parts) if parts else None
    except ValueError:  # 2026-13: not a month, so no date
        return None


def _natural(name: str) -> tuple[tuple[int, int | str], ...]:
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", name)
        if part
    )


class ResponseFile(NamedTuple):
    """A response file to read: its path, its name in messages, and the round it belongs to
    (default: its own name) from which file or folder (default: itself)."""

    path: Path
    display: str
    round: str = ""
    source: str = ""


#: Workbooks: answers kept in one would go unread, so one without a response file of the same
#: name beside it is read, and refused as not CSV, rather than skipped without a word.
WORKBOOKS = (".xlsx", ".xls", ".ods")


def _csv_files(folder: Path) -> list[Path]:
    files = [child for child in folder.iterdir() if child.is_file()]
    found = [child for child in files if child.suffix.lower() in SUFFIXES]
    saved = {child.stem for child in found}
    found += [
        child
        for child in files
        if child.suffix.lower() in WORKBOOKS
        and child.stem not in saved
        and not child.name.startswith("~$")  # the lock file of a workbook open in Excel
    ]
    return sorted(found)


def survey_files(target: Path, display: str) -> list[ResponseFile]:
    """The response files ``target`` names, each with its round.

    A file is a round. A folder whose name starts with a date (``2026-q3/``) is one round made
    of every response file in it (one per team, say). Any other folder holds rounds: its
    files, and its dated subfolders as folder rounds (an ``archive/`` beside them is not one).
    """
    if not target.is_dir():
        return [ResponseFile(target, display)]
    base = display.rstrip("/")
    if round_start(target.name) is not None:
        return [
            ResponseFile(child, f"{base}/{child.name}", target.name, base)
            for child in _csv_files(target)
        ]
    found = [ResponseFile(child, f"{base}/{child.name}") for child in _csv_files(target)]
    subfolders = (c for c in target.iterdir() if c.is_dir() and round_start(c.name) is not None)
    for sub in sorted(subfolders):
        shown = f"{base}/{sub.name}"
        found += [
            ResponseFile(child, f"{shown}/{child.name}", sub.name, shown)
            for child in _csv_files(sub)
        ]
    return found


def _unguarded(row: Row) -> Row:
    """``row`` with the spreadsheet's formula guard dropped from every cell (most have none)."""
    if not any(cell.text.startswith("'") for cell in row.cells.values()):
        return row
    cells = {
        name: dataclasses.replace(cell, text=_FORMULA_GUARD.sub("", cell.text).strip())
        for name, cell in row.cells.items()
    }
    return dataclasses.replace(row, cells=cells)


class _RoundReader:
    """Reads response files against one org, collecting every problem."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.diagnostics: list[Diagnostic] = []
        self.by_pair: dict[tuple[str, str], list[Relation]] = {}
        for relation in org.relations:
            self.by_pair.setdefault((relation.provider, relation.receiver), []).append(relation)
        self.parties = sorted({*org.teams, *org.customers, *org.suppliers})
        self.hints: dict[str, str | None] = {}

    def problem(
        self, file: str, cell: Cell | SourcePos, code: str, msg: str, hint: str | None = None
    ) -> None:
        self.diagnostics.append(Diagnostic(file, cell.line, cell.col, code, msg, hint=hint))

    def read(self, path: Path, display: str) -> list[Answer]:
        """The answers in one file (every problem recorded)."""
        table = read_table(path, display, COLUMNS, REQUIRED)
        self.diagnostics.extend(table.diagnostics)
        unread = any(d.code in ("IC001", "IC002") for d in table.diagnostics)
        if unread or not all(column in table.columns for column in REQUIRED):
            return []
        answers = (self.row(display, row, table.columns) for row in table.rows)
        return [answer for answer in answers if answer is not None]

    def once_each(self, answers: list[Answer]) -> list[Answer]:
        """The answers of a round, a respondent's second answer to one hand-off refused."""
        seen: dict[tuple[str, str, str, str], SourcePos] = {}
        kept = []
        for answer in answers:
            # Names as people type them: 'Leo' in one team's sheet is 'leo' in another's.
            who = " ".join(answer.respondent.split()).casefold()
            key = (answer.provider, answer.receiver, answer.what, who)
            first = seen.get(key)
            if answer.respondent and first is not None:
                where = f"line {first.line}" if first.file == answer.pos.file else str(first)
                self.problem(
                    answer.pos.file,
                    answer.pos,
                    "IC105",
                    f"{answer.respondent!r} answers for {answer.provider} → "
                    f"{answer.receiver} ({answer.what!r}) twice (first on {where})",
                    "keep one answer per respondent and hand-off",
                )
                continue
            seen.setdefault(key, answer.pos)
            kept.append(answer)
        return kept

    def _id(self, file: str, cell: Cell | None, column: str, row: Row, col: int) -> str | None:
        if cell is None:
            where = SourcePos(file, row.line, col)
            self.problem(file, where, "IC005", f"the {column} cell is blank")
            return None
        text = cell.text
        if self.org.party(text) is None:
            self.problem(file, cell, "IC101", f"unknown {column} {text!r}", self._hint(text))
            return None
        return text

    def _hint(self, text: str) -> str | None:
        """A did-you-mean, computed once per misspelling and only for problems that are shown:
        a file of 40,000 rows naming a team the org renamed would otherwise compare each row
        with every id."""
        if text not in self.hints:
            shown = len(self.hints) < MAX_REPEATS
            self.hints[text] = did_you_mean(text, self.parties) if shown else None
        return self.hints[text]

    def row(self, file: str, row: Row, columns: dict[str, int]) -> Answer | None:
        row = _unguarded(row)
        receiver = self._id(file, row.get("receiver"), "receiver", row, columns["receiver"])
        provider = self._id(file, row.get("provider"), "provider", row, columns["provider"])
        score_ok, score = self._score(file, row.get("score"))
        time_ok, lead_time = self._parsed(file, row.get("lead_time"), parse_duration)
        share_ok, share = self._parsed(file, row.get("complete_accurate"), parse_percentage)
        if receiver is None or provider is None:
            return None
        relation = self._relation(file, row, provider, receiver, columns)
        if relation is None or not score_ok or not time_ok or not share_ok:
            return None
        comment, respondent = (row.get(c) for c in ("comment", "respondent"))
        return Answer(
            relation.provider,
            relation.receiver,
            relation.what,
            SourcePos(file, row.line, columns["score"]),
            score,
            lead_time,
            comment.text if comment else "",
            respondent.text if respondent else "",
            SourcePos(file, row.line, columns["lead_time"]) if lead_time is not None else None,
            share,
            SourcePos(file, row.line, columns["complete_accurate"]) if share is not None else None,
        )

    def _relation(
        self, file: str, row: Row, provider: str, receiver: str, columns: dict[str, int]
    ) -> Relation | None:
        candidates = self.by_pair.get((provider, receiver), [])
        at = row.get("receiver") or Cell("", row.line, columns["receiver"])
        if not candidates:
            self.problem(
                file,
                at,
                "IC101",
                f"the org has no hand-off from {provider} to {receiver}",
                "was it removed from the org since this round? Delete the row, or put the "
                "hand-off back",
            )
            return None
        what = row.get("what")
        if what is None:
            if len(candidates) == 1:
                return candidates[0]
            whats = ", ".join(repr(r.what) for r in candidates)
            where = Cell("", row.line, columns.get("what", at.col))
            self.problem(
                file, where, "IC005", f"{provider} hands {receiver} {whats}: say which", None
            )
            return None
        wanted = normalise_what(what.text)
        for relation in candidates:
            if normalise_what(relation.what) == wanted:
                return relation
        hint = did_you_mean(what.text, [r.what for r in candidates]) or (
            "the org has " + ", ".join(repr(r.what) for r in candidates)
        )
        self.problem(
            file,
            what,
            "IC101",
            f"{provider} hands {receiver} no {what.text!r}",
            hint + " (was it renamed or removed since this round?)",
        )
        return None

    def _score(self, file: str, cell: Cell | None) -> tuple[bool, float | None]:
        """Whether the cell is fine, and its score (``None`` when blank)."""
        if cell is None:
            return True, None
        low, high = SATISFACTION_RANGE
        try:
            value = parse_decimal(cell.text)
        except InvalidValueError as exc:
            self.problem(file, cell, "IC007", f"score: {exc.message}", exc.hint)
            return False, None
        if not low <= value <= high:
            self.problem(file, cell, "IC007", f"score {cell.text} is outside {low:g} to {high:g}")
            return False, None
        return True, value

    def _parsed(
        self, file: str, cell: Cell | None, parse: Callable[[str], T]
    ) -> tuple[bool, T | None]:
        """Whether a lead time or %C&A cell is fine, and its value (``None`` when blank)."""
        if cell is None:
            return True, None
        try:
            return True, parse(cell.text)
        except InvalidValueError as exc:
            self.problem(file, cell, "IC007", exc.message, exc.hint)
            return False, None


def read_rounds(
    files: Iterable[ResponseFile | tuple[Path, str]],
    org: Org,
    known: tuple[SurveyRound, ...] = (),
) -> tuple[SurveyRound, ...]:
    """``known`` rounds and every round in ``files`` (see :func:`survey_files`; a plain
    ``(path, display)`` is a round of its own), oldest first.

    Raises :class:`~icmap.errors.LoadError` with every problem in every file.
    """
    with _without_gc_pauses():
        return _read_rounds([ResponseFile(*item) for item in files], org, known)


def _read_rounds(
    files: list[ResponseFile], org: Org, known: tuple[SurveyRound, ...]
) -> tuple[SurveyRound, ...]:
    reader = _RoundReader(org)
    rounds: list[SurveyRound] = list(known)
    seen_paths = {Path(f).resolve() for r in known for f in (r.files or (r.file,))}
    names = {r.name: r.file for r in known}
    groups: dict[str, tuple[str, list[Answer], list[str]]] = {}
    for item in files:
        resolved = item.path.resolve()
        if resolved in seen_paths:
            continue  # named by both the org's surveys: and --survey
        seen_paths.add(resolved)
        name = item.round or Path(item.display).stem
        source = item.source or item.display
        if name in names or (name in groups and groups[name][0] != source):
            first = names.get(name) or groups[name][0]
            reader.problem(
                item.display,
                SourcePos(item.display, 1, 1),
                "IC102",
                f"round {name!r} is also {first}",
                "give each round's file (or folder) its own name",
            )
            continue
        group = groups.setdefault(name, (source, [], []))
        group[1].extend(reader.read(item.path, item.display))
        group[2].append(item.display)
    for name, (source, answers, shown) in groups.items():
        kept = tuple(reader.once_each(answers))
        rounds.append(SurveyRound(name, source, kept, round_start(name), tuple(shown)))
    dated = [r for r in rounds if r.starts is not None]
    if dated and len(dated) < len(rounds):
        undated = next(r for r in rounds if r.starts is None)
        reader.problem(
            undated.file,
            SourcePos(undated.file, 1, 1),
            "IC007",
            f"round {undated.name!r} has no date in its name, but {dated[0].name!r} does: "
            "there is no telling which came first",
            "start every round's file name with its date (2026-q3.csv, 2026-09-30.csv)",
        )
    if reader.diagnostics:
        from icmap.diagnostics import errors_in
        from icmap.loader import cap_repeats

        error = LoadError(cap_repeats(reader.diagnostics))
        error.args = (errors_in(error.diagnostics, "the survey responses"),)
        raise error
    return tuple(sorted(rounds, key=lambda r: (r.starts or date.min, _natural(r.name))))


def _median(durations: list[Duration]) -> Duration:
    hours = statistics.median(d.hours for d in durations)
    return Duration(hours)


def apply_rounds(org: Org, rounds: tuple[SurveyRound, ...]) -> Org:
    """``org`` with ``surveys`` set and each surveyed relation scored by its latest answers.

    A relation's ``satisfaction`` becomes the mean score of the latest round that scored it
    (``survey`` says which, from how many answers, and keeps the YAML value); its experienced
    lead time is the median of the latest round that reported one; its ``complete_accurate``
    becomes the mean %C&A of the latest round that reported one (the YAML value kept too).
    Applying again (more rounds) starts from the YAML values, so the result depends only on the
    rounds given.
    """
    with _without_gc_pauses():
        return _apply_rounds(org, rounds)


def _apply_rounds(org: Org, rounds: tuple[SurveyRound, ...]) -> Org:
    scores: dict[tuple[str, str, str], tuple[str, list[float], SourcePos]] = {}
    times: dict[tuple[str, str, str], tuple[str, list[Duration], SourcePos]] = {}
    shares: dict[tuple[str, str, str], tuple[str, list[float], SourcePos]] = {}
    for survey_round in rounds:  # oldest first: a later round replaces an earlier one
        round_scores: dict[tuple[str, str, str], tuple[str, list[float], SourcePos]] = {}
        round_times: dict[tuple[str, str, str], tuple[str, list[Duration], SourcePos]] = {}
        round_shares: dict[tuple[str, str, str], tuple[str, list[float], SourcePos]] = {}
        for answer in survey_round.answers:
            key = (answer.provider, answer.receiver, answer.what)
            if answer.score is not None:
                round_scores.setdefault(key, (survey_round.name, [], answer.pos))[1].append(
                    answer.score
                )
            if answer.lead_time is not None:
                first = answer.lead_time_pos or answer.pos
                round_times.setdefault(key, (survey_round.name, [], first))[1].append(
                    answer.lead_time
                )
            if answer.complete_accurate is not None:
                first = answer.complete_accurate_pos or answer.pos
                round_shares.setdefault(key, (survey_round.name, [], first))[1].append(
                    answer.complete_accurate
                )
        scores.update(round_scores)
        times.update(round_times)
        shares.update(round_shares)
    relations = []
    for relation in org.relations:
        survey = relation.survey
        declared = survey.declared if survey else relation.satisfaction
        declared_share = survey.declared_complete_accurate if survey else relation.complete_accurate
        key = (relation.provider, relation.receiver, relation.what)
        if key not in scores and key not in times and key not in shares:
            relations.append(
                dataclasses.replace(
                    relation,
                    satisfaction=declared,
                    complete_accurate=declared_share,
                    survey=None,
                )
                if survey
                else relation
            )
            continue
        name, values, pos = scores.get(key, ("", [], relation.pos))
        time_round, experienced, time_pos = times.get(key, ("", [], pos))
        share_round, reported, share_pos = shares.get(key, ("", [], pos))
        mean = round(statistics.fmean(values), 2) if values else None
        share = round(statistics.fmean(reported), 4) if reported else None
        if not values and not experienced:
            pos = share_pos  # only a %C&A was reported: findings about the survey point at it
        score = SurveyScore(
            name or time_round or share_round,
            mean,
            len(values),
            declared,
            pos,
            _median(experienced) if experienced else None,
            len(experienced),
            time_round,
            time_pos if experienced else None,
            share,
            len(reported),
            share_round,
            share_pos if reported else None,
            declared_share,
        )
        relations.append(
            dataclasses.replace(
                relation,
                satisfaction=mean if mean is not None else declared,
                complete_accurate=share if share is not None else declared_share,
                survey=score,
            )
        )
    return dataclasses.replace(org, relations=tuple(relations), surveys=rounds)
