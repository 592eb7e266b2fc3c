"""``icmap diff``: what an org change does, for pull-request review."""

from __future__ import annotations

import functools
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icmap.cli.errors import handle_errors
from icmap.cli.options import (
    Choice,
    Color,
    ColorOption,
    OutputOption,
    SurveyOption,
    choice,
    path_given,
)
from icmap.cli.output import emit, format_from, protect, refuse_early
from icmap.cli.sources import FromOption, kept, load_org, used_once, with_surveys
from icmap.errors import EXIT_FINDINGS, LoadError, UsageError, said_at_once

if TYPE_CHECKING:
    from rich.console import RenderableType

    from icmap.analysis.diff import Analysed, OrgDiff
    from icmap.diagnostics import Diagnostic
    from icmap.graph import OrgGraph
    from icmap.lint.policy import Policy
    from icmap.loader.reuse import Entries
    from icmap.model import Org


class DiffFormat(Choice):
    text = "text"
    json = "json"
    markdown = "markdown"


class FailOn(Choice):
    lost_path = "lost-path"
    new_chokepoint = "new-chokepoint"
    new_loop = "new-loop"
    new_findings = "new-findings"


EXTENSIONS = {".txt": DiffFormat.text, ".json": DiffFormat.json, ".md": DiffFormat.markdown}


def _base_or_both_errors(
    base: Callable[[], Org], head: Callable[[], Org], *, source: bool = False
) -> Org:
    """The base, read; when it cannot be, the head is read too, so that the error lists the
    head's problems as well (those a pull request's author can fix) before the command ends.
    ``source``: both are read by a ``--from`` reader, whose errors end as ``--from``'s do."""
    try:
        return base()
    except LoadError as base_failed:
        try:
            head()
        except LoadError as head_failed:
            both = base_failed.diagnostics + head_failed.diagnostics
            if source:
                from icmap.importers import source_error

                raise source_error(both, "nothing read") from None
            raise LoadError(both) from None
        raise


def _head(path: Path, entries: Entries) -> Org:
    """The head read with the base's unchanged parties taken as read, then let go of."""
    from icmap.loader import load

    try:
        return load(path, reuse=entries)
    finally:
        entries.clear()


def _read_source(path: Path, source: str) -> Org:
    """One side of the diff read by an importer (``--from``)."""
    return load_org(path, None, source)


def parse_growth(text: str) -> tuple[float, bool]:
    """``10%`` -> (10, True); ``2d`` -> (48 hours, False)."""
    from icmap.loader.reader import InvalidValueError, parse_lead_time

    if text.endswith("%"):
        try:
            share = float(text[:-1])
        except ValueError as exc:
            raise UsageError(f"--max-critical-growth: not a percentage: {text!r}") from exc
        # nan% and inf% never fail and -5% always does: none is a limit anyone means.
        if share == math.inf:
            raise UsageError(f"--max-critical-growth {text!r} is too large: no limit at all")
        if not 0 <= share < math.inf:
            raise UsageError(
                f"--max-critical-growth {text!r}: write a percentage of 0% or more (10%)"
            )
        return share, True
    try:
        return parse_lead_time(text).hours, False
    except InvalidValueError as exc:
        if exc.message.endswith("is too large"):
            raise UsageError(f"--max-critical-growth {text!r} is too large: {exc.hint}") from exc
        raise UsageError(
            f"--max-critical-growth {text!r} is neither a percentage nor a duration: write "
            "10% or a number with a unit m, h, d or w (2d)"
        ) from exc


def failures(diff: OrgDiff, fail_on: list[FailOn], growth: str | None) -> list[str]:
    """The reasons to fail, in words; empty when the change may pass."""
    reasons = []
    if FailOn.lost_path in fail_on and diff.lost_path:
        reasons.append(f"lost their path to the customer: {', '.join(diff.lost_path)}")
    if FailOn.new_chokepoint in fail_on and diff.chokepoints_new:
        reasons.append(f"new chokepoints: {', '.join(diff.chokepoints_new)}")
    if FailOn.new_loop in fail_on and diff.loops_new:
        reasons.append(f"new loops: {len(diff.loops_new)}")
    if FailOn.new_findings in fail_on and diff.findings_new:
        reasons.append(f"new check findings: {len(diff.findings_new)}")
    if growth is not None:
        from icmap.model import format_hours

        limit, relative = parse_growth(growth)
        for path in diff.critical_paths:
            grew = path.growth
            # A side without a path, or one measured in hops against one in time: no growth.
            if path.before_total is None or path.after_total is None or grew is None:
                continue
            allowed = path.before_total * limit / 100 if relative else limit
            if grew > allowed + 1e-9:
                amount = (
                    format_hours(grew, weeks=False) if path.unit == "hours" else f"{grew:g} hops"
                )
                grown = f"grew by {amount}, more than {growth}"
                reasons.append(f"critical path to {path.customer} {grown}")
    return reasons


def _render(
    chosen: DiffFormat, result: OrgDiff, base: str, head: str, reasons: list[str]
) -> str | RenderableType:
    if chosen is DiffFormat.json:
        from icmap.render.diff import json as diff_json

        return diff_json.render(result, base, head, reasons)
    if chosen is DiffFormat.markdown:
        from icmap.render.diff import markdown as diff_markdown

        return diff_markdown.render(result, base, head, reasons)
    from icmap.render.diff import text as diff_text

    return diff_text.render(result, base, head)  # the reasons go to stderr


def _conditions(given: list[str]) -> list[FailOn]:
    """``--fail-on`` values, each repeated or comma-separated (``lost-path,new-loop``), as
    ``--select`` takes rules; every one that names no condition is said at once."""
    parse = choice(FailOn)
    found: list[FailOn] = []
    wrong: list[UsageError] = []
    for part in (p.strip() for value in given for p in value.split(",")):
        if not part:
            continue
        try:
            found.append(parse(part))
        except typer.BadParameter as error:
            wrong.append(UsageError(f"--fail-on: {error.message}"))
    if wrong:
        raise said_at_once(wrong)
    return found


def _policy(config: Path | None, head: Path) -> Policy:
    """The check's policy for the findings a diff compares, as icmap check makes it for the
    head: its config (``--config``, else ``.icmap.yaml`` nearest the head org), on both sides,
    so a rule the repository turned off is no new finding."""
    from icmap.lint.policy import Config, build_policy, config_for, read_config
    from icmap.lint.registry import all_rules

    if config is not None and not config.is_file():
        why = "not a regular file" if config.exists() else "no such config file"
        raise UsageError(f"{config}: {why}")
    found = config or config_for(head, Path())
    if found:
        protect(found)
    return build_policy(all_rules(), read_config(found) if found else Config({}))


@handle_errors
def diff(
    orgs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Two orgs, before and after (each a file or folder); with --git, one org "
            "(default: ./org.yaml, ./org.yml or ./org/), compared with itself at REV.",
            show_default=False,
            metavar="ORG",
            parser=path_given,
        ),
    ] = None,
    git: Annotated[
        str | None,
        typer.Option(
            "--git",
            help="Compare the working tree's org with the same path at this git revision.",
            show_default=False,
            metavar="REV",
        ),
    ] = None,
    output_format: Annotated[
        DiffFormat | None,
        typer.Option(
            "-f",
            "--format",
            help="text, json or markdown (a pull-request comment).",
            metavar="FORMAT",
            parser=choice(DiffFormat),
        ),
    ] = None,
    output: OutputOption = None,
    from_: FromOption = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when the change does this: lost-path, new-chokepoint, new-loop or "
            "new-findings; repeatable or comma-separated.",
            show_default=False,
            metavar="WHAT",
        ),
    ] = None,
    survey: SurveyOption = None,
    max_critical_growth: Annotated[
        str | None,
        typer.Option(
            "--max-critical-growth",
            help="Exit 1 when a critical path grows by more (10% or 2d).",
            show_default=False,
            metavar="LIMIT",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="The check's config file, for the findings compared: as icmap check finds it "
            "(.icmap.yaml beside the org or in a parent folder, else here or in a parent).",
            show_default=False,
            metavar="FILE",
            parser=path_given,
        ),
    ] = None,
    color: ColorOption = Color.auto,
) -> None:
    """Show what an org change does: teams, hand-offs, paths to the customer, critical paths.

    Compare two orgs (icmap diff old/ new/), or the working tree against a git revision
    (icmap diff --git main org/), read with git archive, never checked out. Survey rounds
    added or changed show as score changes; --survey adds rounds to the head only. Each
    value stream's lead time, flow efficiency, rolled %C&A and hand-offs show before → after.
    Exit 0, or 1 when a --fail-on condition is met.

    Examples:

    \b
      icmap diff examples/software-company.yaml org.yaml
      icmap diff --git HEAD org/ -f markdown -o comment.md
    """
    from icmap.analysis.diff import analyse_side, compare
    from icmap.graph import build_graph
    from icmap.lint import run_check
    from icmap.lint.policy import build_policy
    from icmap.lint.registry import all_rules
    from icmap.loader import load
    from icmap.loader.discover import find_org
    from icmap.loader.reuse import Entries

    # Both checked before anything is read.
    chosen, conditions = (
        format_from(output, output_format, EXTENSIONS, DiffFormat.text, "icmap diff"),
        _conditions(fail_on or []),
    )
    policy = build_policy(all_rules(), {})  # until the head's config is found

    def findings(org: Org, graph: OrgGraph) -> list[Diagnostic]:
        return run_check(org, graph, policy)

    def base_side(org: Org) -> Analysed:
        # The base's graph serves only what the diff takes of it: it goes before the head is
        # read, with the compact views made for it (a third of what one org holds).
        return used_once(
            lambda: build_graph(org), lambda graph: analyse_side(org, graph, findings, cycles=True)
        )

    given = orgs or []
    reader = None if from_ is None else functools.partial(_read_source, source=from_)
    # The head is read at the cost of what changed: each party written as in the base is
    # taken as read there, its positions moved (icmap.loader.reuse).
    entries = Entries()
    if git is not None:
        if len(given) > 1:
            raise UsageError(f"with --git give one org (or none), not {len(given)}")
        from icmap.loader.git import load_at_revision, revision_label

        path = find_org(given[0] if given else None, os.environ, Path())
        protect(path)
        policy = _policy(config, path)
        refuse_early()
        before = _base_or_both_errors(
            lambda: kept(lambda: load_at_revision(path, git, reader, entries)),
            lambda: reader(path) if reader else load(path),
            source=reader is not None,
        )
        taken = base_side(before)
        after = with_surveys(kept(lambda: reader(path) if reader else _head(path, entries)), survey)
        base_name, head_name = revision_label(path, git), f"{path} (working tree)"
    else:
        if len(given) != 2:
            raise UsageError(
                f"give two orgs to compare, before and after (got {len(given)}), or --git REV"
            )
        base, head = given
        if str(base) == str(head) == "-":
            raise UsageError("stdin can be read once: give one of the two orgs as a file")
        protect(base)
        protect(head)
        policy = _policy(config, head)
        refuse_early()
        before = _base_or_both_errors(
            lambda: kept(lambda: reader(base) if reader else load(base, remember=entries)),
            lambda: reader(head) if reader else load(head),
            source=reader is not None,
        )
        taken = base_side(before)
        after = with_surveys(kept(lambda: reader(head) if reader else _head(head, entries)), survey)
        base_name, head_name = str(base), str(head)
    # Both models and the head's graph live until the command ends: kept() spares them the
    # collector's rescans, as load_org does for one org.
    graph = kept(lambda: build_graph(after))
    result = compare(before, after, taken, analyse_side(after, graph, findings), graph)
    reasons = failures(result, conditions, max_critical_growth)
    rendered = _render(chosen, result, base_name, head_name, reasons)
    emit(rendered, output, after.sources, color, chosen.value)
    for reason in reasons:
        print(f"icmap: diff fails: {reason}", file=sys.stderr)
    if reasons:
        raise typer.Exit(EXIT_FINDINGS)
