"""``icmap check``: the CI check for org-design repositories."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icmap.cli.errors import handle_errors
from icmap.cli.options import (
    ActivityColumnOption,
    CaseColumnOption,
    Choice,
    Color,
    ColorOption,
    EventsOption,
    LeadTimes,
    LeadTimesOption,
    LogCustomerOption,
    MinHandoffsOption,
    MinShareOption,
    OrgArgument,
    OrgOption,
    SurveyOption,
    TeamColumnOption,
    TeamMapOption,
    TimeColumnOption,
    TimeFormatOption,
    choice,
    path_given,
)
from icmap.cli.output import (
    print_renderable,
    print_text,
    protect,
    refuse_inputs,
    unstyled_stdout,
    write_output,
)
from icmap.cli.sources import (
    FromOption,
    load_source,
    log_options,
    with_events,
    with_surveys,
)
from icmap.cli.today import TodayOption, parse_today
from icmap.errors import EXIT_FINDINGS, LoadError, UsageError
from icmap.lint.listing import DEFAULT_PER_RULE, list_per_rule
from icmap.safe_text import for_format

if TYPE_CHECKING:
    from collections.abc import Mapping

    from icmap.diagnostics import Diagnostic, Severity
    from icmap.lint.listing import LeftOut
    from icmap.lint.policy import Policy


class CheckFormat(Choice):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


class FailOn(Choice):
    error = "error"
    warning = "warning"
    info = "info"


EXTENSIONS = {
    ".txt": CheckFormat.text,
    ".json": CheckFormat.json,
    ".sarif": CheckFormat.sarif,
    ".xml": CheckFormat.junit,
    ".junit": CheckFormat.junit,
}


#: How ``-f`` and ``-o`` pair up, in the words of ``--help`` and docs/ci.md.
PAIRING = (
    "Each -o takes its format from its extension (.txt .json .sarif .xml .junit) or from a prefix "
    "(-o sarif:out.log); a file with another extension takes the one -f no other file took. "
    "The one -f left over goes to stdout (text when none is); with no -f at all, text goes "
    "there unless a .txt file takes it."
)


def _append_step_summary(path: Path, summary: str) -> None:
    """Append to the job summary GitHub names: never into an input (the variable is only a
    path, which a workflow or a user can set to anything), and a failure is said as such."""
    refuse_inputs([path])
    try:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(for_format("markdown", summary))
    except OSError as exc:
        raise UsageError(
            f"cannot append to GITHUB_STEP_SUMMARY={path}: {exc.strerror or exc}"
        ) from exc


def _refuse_unwritable(targets: list[Path]) -> None:
    """``-o report.json -o typo/report.sarif``: said before report.json is written, not after,
    so a failed check run writes none of its files rather than some."""
    for target in targets:
        if str(target) == "-":
            continue
        folder = target.parent if str(target.parent) else Path()
        if not folder.is_dir():
            raise UsageError(f"{folder}: no such directory")
        if target.is_dir():
            raise UsageError(f"cannot write {target}: it is a folder; name a file in it")


def _named_target(target: Path, names: dict[str, CheckFormat]) -> tuple[CheckFormat | None, str]:
    """``-o sarif:out.log`` as (the format named, in any case, the path); ``(None, path)``
    without a prefix. A prefix with no file, and a folder, are refused."""
    prefix, colon, rest = str(target).partition(":")
    prefix = prefix.lower()
    if colon and prefix in names and not rest:
        raise UsageError(f"-o {target} names no file: write -o {prefix}:FILE")
    named = names[prefix] if colon and prefix in names else None
    path = rest if named else str(target)
    if path != "-" and Path(path).is_dir():
        raise UsageError(f"cannot write {path}: it is a folder; name a file in it")
    return named, path


def _pairs(
    formats: list[CheckFormat], outputs: list[Path]
) -> list[tuple[CheckFormat, Path | None]]:
    """Which format goes where (see :data:`PAIRING`); ambiguous combinations are refused.

    >>> [(f.value, str(t)) for f, t in _pairs([CheckFormat.github], [Path("icmap.sarif")])]
    [('sarif', 'icmap.sarif'), ('github', 'None')]
    """
    names = {fmt.value: fmt for fmt in CheckFormat}
    pairs: list[tuple[CheckFormat, Path | None]] = []
    unnamed: list[Path] = []
    stdout_named: list[CheckFormat] = []  # -o sarif:- names the format for stdout
    to_stdout = 0
    seen: set[str] = set()
    for target in outputs:
        named, path = _named_target(target, names)
        if path != "-" and path in seen:
            raise UsageError(f"-o {path} is given twice: name each file once")
        seen.add(path)
        if path == "-":
            to_stdout += 1
            if named:
                stdout_named.append(named)
        elif named:
            pairs.append((named, Path(path)))
        elif target.suffix.lower() in EXTENSIONS:
            pairs.append((EXTENSIONS[target.suffix.lower()], target))
        else:
            unnamed.append(target)
    if to_stdout > 1:
        raise UsageError("-o - is given more than once: only one format can go to stdout")
    taken = {fmt for fmt, _ in pairs}
    left = [fmt for fmt in dict.fromkeys([*stdout_named, *formats]) if fmt not in taken]
    if unnamed:
        if len(unnamed) > 1 or len(left) != 1 or to_stdout:
            raise UsageError(
                f"cannot tell which format goes to {unnamed[0]}: end the file in .txt, .json, "
                f".sarif or .xml (junit), or name the format: -o sarif:{unnamed[0]}"
            )
        pairs.append((left.pop(), unnamed[0]))
    if len(left) > 1:
        shown = " and ".join(f"-f {fmt.value}" for fmt in left)
        raise UsageError(
            f"only one format can go to stdout, but {shown} have no file: add -o FILE with the "
            "format's extension for all but one, e.g. "
            "'icmap check org/ -f github -o icmap.sarif' (GitHub annotations on stdout, SARIF "
            "in icmap.sarif)"
        )
    # Without -f, text goes to stdout unless a file takes it: a run that writes only a SARIF
    # file still says in its log why it failed. An -f that a file takes is honoured as asked.
    written = {fmt for fmt, _ in pairs}
    if left or to_stdout or not pairs or (not formats and CheckFormat.text not in written):
        pairs.append((left[0] if left else CheckFormat.text, None))
    return pairs


def _render(
    fmt: CheckFormat,
    findings: list[Diagnostic],
    policy: Policy,
    failed: bool,
    root: Path | None = None,
    left_out: tuple[LeftOut, ...] = (),
) -> str:
    """``findings`` as ``fmt``. :func:`check` gives github, sarif and junit the findings named
    from ``root`` (see :func:`_from_root`; default: the current folder), SARIF's %SRCROOT%."""
    if fmt is CheckFormat.json:
        from icmap.render.check import json as check_json

        return check_json.render(findings, failed, left_out)
    if fmt is CheckFormat.github:
        from icmap.render.check import github as check_github

        return check_github.render(findings, left_out)
    if fmt is CheckFormat.sarif:
        from icmap.lint.registry import all_rules
        from icmap.render.check import sarif as check_sarif

        return check_sarif.render(findings, all_rules(), root or Path.cwd(), left_out)
    if fmt is CheckFormat.junit:
        from icmap.lint.policy import SEVERITIES
        from icmap.render.check import junit as check_junit

        failing: set[str] = {s for s in SEVERITIES if policy.fails(s)}
        return check_junit.render(findings, failing, left_out)
    from icmap.render.check import text as check_text
    from icmap.render.text import to_plain_text

    return to_plain_text(check_text.render(findings, failed, left_out), soft_wrap=True)


#: The formats CI systems read, whose paths start at the repository root.
_FROM_ROOT = (CheckFormat.github, CheckFormat.sarif, CheckFormat.junit)


def _ci_root() -> Path:
    """Where CI paths start: the root of the git work tree around the current folder, or the
    current folder outside one."""
    from icmap.loader.discover import work_tree_root

    here = Path.cwd()
    return work_tree_root(here) or here


def _imported_severity(found: Diagnostic, chosen: Mapping[str, Severity]) -> Severity:
    """The severity of what an importer found, as the policy sets it. The loader's codes are
    errors by default because the loader refuses an org for them; an importer that reads on
    past one (a duplicate key, a tag: the first key is read, the tag ignored) says warning, and
    check says the same as import. A config can lower such a code (``info``) or turn it off;
    it cannot raise it to an error, which is its default and so looks the same here."""
    from icmap.diagnostics import LOADER_CODES

    severity = chosen.get(found.code, found.severity)
    if found.code in LOADER_CODES and severity == "error":
        return found.severity
    return severity


def _from_root(findings: list[Diagnostic], root: Path) -> list[Diagnostic]:
    """``findings`` with each file named relative to ``root`` (an absolute folder holding the
    current one), with forward slashes, as GitHub, code scanning and test reports expect.

    The loader names files as the command line did: relative to the current folder, or
    absolute. A file outside ``root`` gets its absolute path; a name that is not a path
    (``<catalog>``) stays as it is.
    """
    here = Path.cwd()
    top = str(root).rstrip(os.sep) + os.sep
    real_top = os.path.realpath(root).rstrip(os.sep) + os.sep
    named: dict[str, str] = {}

    def name(file: str) -> str:
        if not file or (file.startswith("<") and file.endswith(">")):
            return file
        full = os.path.normpath(here / file)
        real = full if full.startswith(top) else os.path.realpath(full)
        for path, start in ((full, top), (real, real_top)):
            if path.startswith(start):
                return path[len(start) :].replace(os.sep, "/")
        return full

    located = []
    for d in findings:
        if d.file not in named:
            named[d.file] = name(d.file)
        located.append(d if named[d.file] == d.file else replace(d, file=named[d.file]))
    return located


def _print_findings(
    findings: list[Diagnostic], failed: bool, color: Color, left_out: tuple[LeftOut, ...]
) -> None:
    """The text format on stdout: through rich only when it may add colour (or must escape)."""
    from icmap.render.check import text as check_text

    text = check_text.plain(findings, failed, left_out) if unstyled_stdout(color) else None
    if text is None:
        print_renderable(check_text.render(findings, failed, left_out), color, soft_wrap=True)
    else:
        print_text(text)


@handle_errors
def check(  # noqa: PLR0915 - a command with the event log's options too
    org: OrgArgument = None,
    org_option: OrgOption = None,
    from_: FromOption = None,
    output_format: Annotated[
        list[CheckFormat] | None,
        typer.Option(
            "-f",
            "--format",
            help="text, json, github, sarif or junit; repeatable. " + PAIRING,
            metavar="FORMAT",
            parser=choice(CheckFormat),
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "-o",
            "--output",
            help="Write a format to FILE, chosen by its extension (.txt .json .sarif .xml "
            ".junit) or as FORMAT:FILE; repeatable. '-' is stdout.",
            show_default=False,
            metavar="FILE",
            parser=path_given,
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="Only these rules: codes, prefixes (IC3) or names; repeatable.",
            show_default=False,
            metavar="RULES",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            help="Skip these rules: codes, prefixes or names; repeatable.",
            show_default=False,
            metavar="RULES",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Also run the rules that are off by default (IC201 one-sided relations, IC202 "
            "lead-time disagreements). It does not change which severities fail: see --fail-on.",
        ),
    ] = False,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Lowest severity that fails the check (exit 1): error (the default: only "
            "errors fail), warning (warnings and errors) or info (any finding).",
            show_default=False,
            metavar="LEVEL",
            parser=choice(FailOn),
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Config file. Default: .icmap.yaml in the org's folder or a parent, else here "
            "or in a parent folder.",
            show_default=False,
            metavar="FILE",
            parser=path_given,
        ),
    ] = None,
    max_per_rule: Annotated[
        int,
        typer.Option(
            "--max-per-rule",
            help="List at most N findings of each rule (the first by position) and count the "
            "rest; 0 lists every finding. The verdict and the counts include them all.",
            metavar="N",
            min=0,
        ),
    ] = DEFAULT_PER_RULE,
    today: TodayOption = None,
    survey: SurveyOption = None,
    events: EventsOption = None,
    team_map: TeamMapOption = None,
    lead_times: LeadTimesOption = LeadTimes.declared,
    case: CaseColumnOption = None,
    time: TimeColumnOption = None,
    team: TeamColumnOption = None,
    activity: ActivityColumnOption = None,
    time_format: TimeFormatOption = None,
    customer: LogCustomerOption = None,
    min_handoffs: MinHandoffsOption = 1,
    min_share: MinShareOption = 0.0,
    color: ColorOption = Color.auto,
) -> None:
    """Check an org design: exit 0 when sound, 1 with findings, 2 when the usage is wrong.

    Runs every enabled rule (docs/rules.md) and reports findings as file:line:col with a
    stable code. A YAML or schema error in an org file is a finding too (exit 1); exit 2 is
    for a wrong command line or config.

    With --events LOG an event log is laid over the org, and the IC7xx rules find the drift
    between the two: hand-offs the log shows that the org never declares, declared ones it
    never shows, lead times it shows to be slower, work bouncing back and forth
    (docs/events.md#declared-against-measured).

    Examples (the second prints GitHub annotations and writes SARIF and JUnit XML files):

    \b
      icmap check org/ --fail-on warning
      icmap check org/ -f github -o icmap.sarif -o icmap.xml
      icmap check examples/service-desk --events examples/service-desk/tickets.csv \\
        --team-map examples/service-desk/team-map.csv
    """
    from icmap.graph import build_graph
    from icmap.lint import run_check
    from icmap.lint.policy import Config, build_policy, config_for, read_config
    from icmap.lint.registry import all_rules

    pairs = _pairs(output_format or [], output or [])
    as_of = parse_today(today)
    if config is not None and not config.is_file():
        why = "not a regular file" if config.exists() else "no such config file"
        raise UsageError(f"{config}: {why}")
    config_path = config or config_for(org or org_option, Path())
    if config_path:
        protect(config_path)
    settings = read_config(config_path) if config_path else Config({})
    policy = build_policy(
        all_rules(),
        settings,
        select=_split(select),
        ignore=_split(ignore),
        strict=strict,
        fail_on=fail_on.value if fail_on else None,
    )
    log = log_options(
        events,
        from_,
        case=case,
        time=time,
        team=team,
        activity=activity,
        time_format=time_format,
        customer=customer,
        min_handoffs=min_handoffs,
        min_share=min_share,
    )
    sources: tuple[str, ...] = ()
    try:
        loaded, imported = load_source(org, org_option, from_, log)
        loaded = with_surveys(loaded, survey)
        loaded, measured = with_events(loaded, events, team_map, lead_times.value, log)
        imported = [*imported, *measured]
    except LoadError as error:
        findings = list(error.diagnostics)
    else:
        sources = loaded.sources
        # What an importer found wrong in the source (a dangling ref) is a finding like any.
        kept = [
            replace(d, severity=_imported_severity(d, policy.severity))
            for d in imported
            if d.code in policy.enabled
        ]
        findings = sorted([*kept, *run_check(loaded, build_graph(loaded), policy, as_of)])
    failed = any(policy.fails(d.severity) for d in findings)
    findings, left_out = list_per_rule(findings, max_per_rule)
    # Before anything is written: no output may be an input, even the last of several.
    refuse_inputs([target for _, target in pairs if target is not None])
    _refuse_unwritable([target for _, target in pairs if target is not None])
    # GitHub, code scanning and test reports resolve paths from the repository's root, not
    # from the folder icmap ran in (a workflow step with working-directory: org).
    ci = any(fmt in _FROM_ROOT for fmt, _ in pairs)
    root = _ci_root() if ci else Path.cwd()
    from_root = _from_root(findings, root) if ci else findings
    for fmt, target in pairs:
        shown = from_root if fmt in _FROM_ROOT else findings
        if fmt is CheckFormat.text and target is None:
            _print_findings(findings, failed, color, left_out)
        else:
            data = for_format(fmt.value, _render(fmt, shown, policy, failed, root, left_out))
            if target is None:
                print_text(data, fmt.value)
            else:
                write_output(target, data, sources)
        if fmt is CheckFormat.github and os.environ.get("GITHUB_STEP_SUMMARY"):
            from icmap.render.check import github as check_github
            from icmap.render.check import text as check_text

            verdict = check_text.summary(findings, failed, left_out)
            summary = check_github.step_summary(shown, verdict, left_out)
            _append_step_summary(Path(os.environ["GITHUB_STEP_SUMMARY"]), summary)
    if failed:
        raise typer.Exit(EXIT_FINDINGS)


def _split(values: list[str] | None) -> list[str]:
    """``--select IC3,IC401`` and ``--select IC3 --select IC401`` mean the same."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
