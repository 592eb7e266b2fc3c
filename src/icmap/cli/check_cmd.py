"""``icmap check``: the CI check for org-design repositories."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icmap.cli.common import (
    Color,
    ColorOption,
    OrgArgument,
    OrgOption,
    format_from,
    handle_errors,
    load_org,
    print_renderable,
    print_text,
    protect,
    refuse_inputs,
    write_output,
)
from icmap.errors import EXIT_FINDINGS, LoadError, UsageError
from icmap.safe_text import for_format

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic
    from icmap.lint.policy import Policy


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


EXTENSIONS = {
    ".txt": CheckFormat.text,
    ".json": CheckFormat.json,
    ".sarif": CheckFormat.sarif,
    ".xml": CheckFormat.junit,
}


def _pairs(
    formats: list[CheckFormat], outputs: list[Path]
) -> list[tuple[CheckFormat, Path | None]]:
    """Pair each -f with the -o in the same position.

    Extra -o infer their format from the extension; extra -f go to stdout.
    """
    pairs: list[tuple[CheckFormat, Path | None]] = []
    for index in range(max(len(formats), len(outputs), 1)):
        chosen = formats[index] if index < len(formats) else None
        target = outputs[index] if index < len(outputs) else None
        if target is not None and str(target) == "-":
            target = None
        pairs.append((format_from(target, chosen, EXTENSIONS, CheckFormat.text), target))
    if sum(1 for _, target in pairs if target is None) > 1:
        raise UsageError("only one format can go to stdout: give -o FILE for the others")
    return pairs


def _render(fmt: CheckFormat, findings: list[Diagnostic], policy: Policy, failed: bool) -> str:
    if fmt is CheckFormat.json:
        from icmap.render import check_json

        return check_json.render(findings, failed)
    if fmt is CheckFormat.github:
        from icmap.render import check_github

        return check_github.render(findings)
    if fmt is CheckFormat.sarif:
        from icmap.lint.registry import all_rules
        from icmap.render import check_sarif

        return check_sarif.render(findings, all_rules())
    if fmt is CheckFormat.junit:
        from icmap.lint.policy import SEVERITIES
        from icmap.render import check_junit

        return check_junit.render(findings, {s for s in SEVERITIES if policy.fails(s)})
    from icmap.render import check_text
    from icmap.render.text import to_plain_text

    return to_plain_text(check_text.render(findings, failed))


@handle_errors
def check(
    org: OrgArgument = None,
    org_option: OrgOption = None,
    output_format: Annotated[
        list[CheckFormat] | None,
        typer.Option(
            "-f", "--format", help="text, json, github, sarif or junit; repeat with -o for several."
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the matching -f format here (.txt .json .sarif .xml).",
            show_default=False,
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="Only these rules: codes, prefixes (IC3) or names; repeatable.",
            show_default=False,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            help="Skip these rules: codes, prefixes or names; repeatable.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Also run the rules that are off by default (two-sided relations)."
        ),
    ] = False,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Lowest severity that fails the check. Default: error.",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Config file. Default: .icmap.yaml here or in a parent folder.",
            show_default=False,
        ),
    ] = None,
    color: ColorOption = Color.auto,
) -> None:
    """Check an org design: exit 0 when sound, 1 with findings, 2 when the input is unusable.

    Runs every enabled rule (docs/rules.md) and reports findings as file:line:col with a
    stable code. A YAML or schema error in an org file is a finding too (exit 1); exit 2 is
    for a wrong command line or config.

    Example: icmap check org/ -f github -f sarif -o icmap.sarif
    """
    from icmap.graph import build_graph
    from icmap.lint import run_check
    from icmap.lint.policy import build_policy, find_config, read_config
    from icmap.lint.registry import all_rules

    pairs = _pairs(output_format or [], output or [])
    if config is not None and not config.is_file():
        raise UsageError(f"{config}: no such config file")
    config_path = config or find_config(Path())
    if config_path:
        protect(config_path)
    settings = read_config(config_path) if config_path else {}
    policy = build_policy(
        all_rules(),
        settings,
        config_name=str(config_path or ".icmap.yaml"),
        select=_split(select),
        ignore=_split(ignore),
        strict=strict,
        fail_on=fail_on.value if fail_on else None,
    )
    sources: tuple[str, ...] = ()
    try:
        loaded = load_org(org, org_option)
    except LoadError as error:
        findings = list(error.diagnostics)
    else:
        sources = loaded.sources
        findings = run_check(loaded, build_graph(loaded), policy)
    failed = any(policy.fails(d.severity) for d in findings)
    # Before anything is written: no output may be an input, even the last of several.
    refuse_inputs([target for _, target in pairs if target is not None])
    for fmt, target in pairs:
        if fmt is CheckFormat.text and target is None:
            from icmap.render import check_text

            print_renderable(check_text.render(findings, failed), color)
        else:
            data = for_format(fmt.value, _render(fmt, findings, policy, failed))
            if target is None:
                print_text(data)
            else:
                write_output(target, data, sources)
        if fmt is CheckFormat.github and os.environ.get("GITHUB_STEP_SUMMARY"):
            from icmap.render import check_github, check_text

            summary = check_github.step_summary(findings, check_text.summary(findings, failed))
            with Path(os.environ["GITHUB_STEP_SUMMARY"]).open("a", encoding="utf-8") as stream:
                stream.write(for_format("markdown", summary))
    if failed:
        raise typer.Exit(EXIT_FINDINGS)


def _split(values: list[str] | None) -> list[str]:
    """``--select IC3,IC401`` and ``--select IC3 --select IC401`` mean the same."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
