"""Markdown meant for pull-request comments pings no one and links no issue (issue 28, item
11): a mention or reference in a name is shown in a code span, where GitHub neither notifies
nor links, and reads the same."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap.cli import app
from icmap.render.report.markdown import code, escape

ORG = """\
organisation: "@acme"
customers:
  "#123": {name: "Customer #123"}
teams:
  "@acme/platform":
    name: "@acme/platform"
    description: "see org/repo#12 and GH-12, ask @bob"
    provides:
      - {what: "fix org/repo#12 and GH-12", to: "#123", satisfaction: 2}
"""
HEAD = (
    ORG.replace("satisfaction: 2", "satisfaction: 4")
    + '  "GH-12":\n    name: "GH-12 org/repo#12"\n'
    + '    provides: [{what: "ask @bob", to: "@acme/platform"}]\n'
)
#: A mention or reference GitHub would act on: not in a code span, nothing word-like before.
LIVE = re.compile(r"(?<![`A-Za-z0-9_/.-])(?:@[A-Za-z0-9]|[A-Za-z0-9_/.-]*#[0-9]|GH-[0-9])")
NAMES = ("@acme/platform", "#123", "org/repo#12", "GH-12", "@bob")


def live_mentions(markdown: str) -> list[str]:
    """What GitHub would turn into a mention or a link: code spans are dropped first."""
    outside = re.sub(r"(`+)(.+?)\1", "", markdown)
    return LIVE.findall(outside)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("@acme/platform", "`@acme/platform`"),
        ("#123", "`#123`"),
        ("org/repo#12", "`org/repo#12`"),
        ("GH-12", "`GH-12`"),
        ("gh-12 and user#4", "`gh-12` and `user#4`"),
        # Character references for @ and # are shown as typed, never decoded into a mention.
        ("&#64;bob &commat;bob a & b", "&`#64`;bob \\&commat;bob a & b"),
        ("mail a@b.c, C#, wait-staff", "mail a@b.c, C#, wait-staff"),
    ],
)
def test_escape_puts_mentions_and_references_in_code(text: str, shown: str) -> None:
    assert escape(text) == shown
    assert not live_mentions(escape(text))


def test_code_spans_hold_backticks() -> None:
    assert code("@a`b") == "``@a`b``" and code("`x") == "`` `x ``"


@pytest.mark.parametrize(
    "command",
    [
        ["report", "{base}", "-f", "markdown"],
        ["team", "@acme/platform", "--org", "{base}", "-f", "markdown"],
        ["team", "--all", "--org", "{base}", "-f", "markdown", "-o", "{pages}"],
        ["impact", "@acme/platform", "--org", "{base}", "-f", "markdown"],
        ["diff", "{base}", "{head}", "-f", "markdown"],
        ["survey", "{head}", "-f", "markdown"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_markdown_output_pings_and_links_nothing(tmp_path: Path, command: list[str]) -> None:
    base = write(tmp_path, "base.yaml", ORG)
    head = write(tmp_path, "head.yaml", HEAD)
    pages = tmp_path / "pages"
    args = [part.format(base=base, head=head, pages=pages) for part in command]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    out = result.stdout
    if pages.exists():
        out = "".join(page.read_text(encoding="utf-8") for page in sorted(pages.glob("*.md")))
    assert not live_mentions(out), out
    # Still readable: the names are there as written, in code spans.
    assert any(f"`{name}`" in out for name in NAMES), out


def test_the_check_step_summary_pings_and_links_nothing(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", ORG)
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    result = CliRunner().invoke(app, ["check", str(base), "--strict", "-f", "github"], env=env)
    assert result.exit_code in (0, 1), result.output
    text = summary.read_text(encoding="utf-8")
    assert "`@acme/platform`" in text and "`#123`" in text
    assert not live_mentions(text), text
