"""Start-up: what ``icmap --version`` and ``import icmap`` load, and that the fast paths agree
with the typer app (docs/performance.md#start-up). Behaviour, not timing: the timings are
``python benchmarks/startup.py``'s job.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES
from icmap.cli import app
from icmap.cli.options import Color
from icmap.cli.output import make_console, unstyled_stdout
from icmap.cli.root import COMMANDS, app_for
from icmap.diagnostics import Diagnostic
from icmap.graph import build_graph
from icmap.lint import run_check
from icmap.lint.policy import Config, build_policy
from icmap.lint.registry import all_rules
from icmap.loader import load
from icmap.render.check import text as check_text
from icmap.render.text import SafeConsole

#: Libraries ``icmap --version`` and ``import icmap`` must not load: each costs more than
#: Python's own start-up.
HEAVY = ("typer", "click", "rich", "pydantic", "networkx", "yaml", "graphviz", "lark")


def _python(
    code: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # Nothing that would make rich treat the captured stdout as a terminal.
    unset = ("FORCE_COLOR", "TTY_COMPATIBLE")
    env = {k: v for k, v in os.environ.items() if k not in unset} | (env or {})
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False, env=env
    )


def _loaded_after(statement: str, *args: str) -> tuple[str, list[str]]:
    """What ``statement`` prints, and which of HEAVY it left in ``sys.modules``."""
    code = (
        "import json, sys\n"
        f"{statement}\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    result = _python(code, *args)
    assert result.returncode == 0, result.stderr
    *printed, loaded = result.stdout.splitlines()
    return "\n".join(printed), json.loads(loaded)


def test_version_is_the_package_version_without_heavy_imports() -> None:
    printed, loaded = _loaded_after(
        "sys.argv[0] = 'icmap'\nfrom icmap.cli import main\nmain()", "--version"
    )
    assert printed == f"icmap {version('icmap')}"
    assert loaded == []


def test_version_imports_nothing_of_the_standard_library_beyond_a_few_small_modules() -> None:
    # contextlib (collections, functools) alone was a fifth of `icmap --version`.
    code = (
        "import sys\nbefore = set(sys.modules)\nsys.argv = ['icmap', '--version']\n"
        "from icmap.cli import main\nmain()\n"
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    printed, loaded = result.stdout.splitlines()
    assert printed == f"icmap {version('icmap')}"
    assert [m for m in loaded.split() if m.partition(".")[0] != "icmap"] == ["__future__", "errno"]


def test_version_fast_path_prints_what_the_typer_app_prints() -> None:
    through_typer = CliRunner().invoke(app, ["--version"])
    direct = _python(
        "import sys; sys.argv[0] = 'icmap'; from icmap.cli import main; main()", "--version"
    )
    assert through_typer.exit_code == direct.returncode == 0
    assert through_typer.stdout == direct.stdout == f"icmap {version('icmap')}\n"
    assert direct.stderr == ""


def test_version_among_other_arguments_goes_through_typer() -> None:
    # Only `icmap --version` alone is answered early; with a command it is typer's to handle.
    result = _python(
        "import sys; sys.argv[0] = 'icmap'; from icmap.cli import main; main()",
        "--debug",
        "--version",
    )
    assert result.returncode == 0
    assert result.stdout == f"icmap {version('icmap')}\n"


def test_import_icmap_loads_nothing_heavy_and_the_api_still_resolves() -> None:
    _, loaded = _loaded_after("import icmap")
    assert loaded == []
    printed, _ = _loaded_after(
        "import icmap\n"
        f"graph = icmap.build_graph(icmap.load({str(EXAMPLES / 'restaurant.yaml')!r}))\n"
        "print(icmap.build_report(graph).critical.paths[0].customer)"
    )
    assert printed == "diners"


def test_cli_app_is_importable_from_the_package() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Usage: icmap [OPTIONS] COMMAND [ARGS]..." in result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_one_command_app_answers_as_the_whole_app(command: str) -> None:
    runner = CliRunner()
    for args in ([command, "--help"], [command, "--no-such-option"]):
        alone = runner.invoke(app_for(args), args)
        whole = runner.invoke(app, args)
        assert (alone.exit_code, alone.stdout, alone.stderr) == (
            whole.exit_code,
            whole.stdout,
            whole.stderr,
        )


@pytest.mark.parametrize(
    ("args", "commands"),
    [
        (["check", "org.yaml"], ["check"]),
        (["--debug", "report"], ["report"]),
        (["import", "csv", "x.csv"], ["import"]),
        ([], sorted(COMMANDS)),
        (["--help", "check"], sorted(COMMANDS)),
        (["--version", "check"], sorted(COMMANDS)),
        (["chek", "org.yaml"], sorted(COMMANDS)),
        (["org.yaml", "check"], sorted(COMMANDS)),
    ],
)
def test_app_for_builds_only_the_named_command(args: list[str], commands: list[str]) -> None:
    built = app_for(args)
    assert sorted(info.name or "" for info in built.registered_commands) == commands


def test_misspelt_command_still_gets_a_did_you_mean() -> None:
    result = _python(
        "import sys; sys.argv[0] = 'icmap'; from icmap.cli import main; main()", "chekc"
    )
    assert result.returncode == 2
    assert "No such command 'chekc'" in result.stderr
    assert "Did you mean 'check'?" in result.stderr


def _through_rich(findings: list[Diagnostic], failed: bool) -> str:
    """What ``icmap check`` printed to a pipe before :func:`check_text.plain` existed."""
    buffer = io.StringIO()
    console = SafeConsole(file=buffer, no_color=True, color_system=None, highlight=False)
    console.print(check_text.render(findings, failed), soft_wrap=True)
    return buffer.getvalue()


def _findings(path: Path) -> list[Diagnostic]:
    policy = build_policy(all_rules(), Config({}), strict=True, fail_on="info")
    org = load(path)
    return sorted(run_check(org, build_graph(org), policy))


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_plain_check_text_is_what_rich_printed(path: Path) -> None:
    findings = _findings(path)
    assert findings, "every example has a finding under --strict --fail-on info"
    for failed in (False, True):
        assert check_text.plain(findings, failed) == _through_rich(findings, failed)
    assert (
        check_text.plain([], False)
        == _through_rich([], False)
        == ("check passed: 0 errors, 0 warnings, 0 infos\n")
    )


@settings(max_examples=200, deadline=None)
@given(
    file=st.text(max_size=12),
    message=st.text(max_size=30),
    hint=st.none() | st.text(max_size=20),
)
def test_plain_check_text_agrees_with_rich_on_any_text(
    file: str, message: str, hint: str | None
) -> None:
    # Tabs, control and bidi characters, wide and combining characters, line breaks: plain()
    # either prints what rich printed or leaves the line to rich.
    finding = Diagnostic(file, 3, 7, "IC303", message, "warning", hint, "loop")
    plain = check_text.plain([finding], False)
    assert plain is None or plain == _through_rich([finding], False)


def test_hostile_text_in_findings_still_goes_through_rich() -> None:
    finding = Diagnostic("org.yaml", 1, 1, "IC303", "a\x1b[2Jb\u202eevil\tok", "info")
    assert check_text.plain([finding], False) is None


@pytest.mark.parametrize("color", list(Color))
@pytest.mark.parametrize(
    "env",
    [{}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}, {"TTY_COMPATIBLE": "1"}, {"NO_COLOR": "1"}],
)
def test_unstyled_stdout_only_when_rich_would_add_no_style(
    color: Color, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if unstyled_stdout(color):
        assert make_console(color).color_system is None


def test_check_in_a_pipe_does_not_import_rich() -> None:
    _, with_typer = _loaded_after("import typer")
    if "rich" in with_typer:
        pytest.skip("this typer release imports rich itself (0.29 and later do not)")
    restaurant = str(EXAMPLES / "restaurant.yaml")
    printed, loaded = _loaded_after(
        "sys.argv[0] = 'icmap'\nfrom icmap.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass",
        "check",
        restaurant,
    )
    assert printed.endswith("check passed: 0 errors, 2 warnings, 2 infos")
    assert "rich" not in loaded


@pytest.mark.parametrize(
    "args",
    [
        ["report", "{restaurant}", "-f", "json"],
        ["report", "{restaurant}", "-f", "markdown"],
        ["impact", "kitchen", "--org", "{restaurant}", "-f", "json"],
        ["impact", "kitchen", "--org", "{restaurant}", "-f", "markdown"],
    ],
)
def test_json_and_markdown_do_not_import_rich(args: list[str]) -> None:
    # Only the text format lays out tables: the others are plain strings.
    _, with_typer = _loaded_after("import typer")
    if "rich" in with_typer:
        pytest.skip("this typer release imports rich itself (0.29 and later do not)")
    restaurant = str(EXAMPLES / "restaurant.yaml")
    printed, loaded = _loaded_after(
        "sys.argv[0] = 'icmap'\nfrom icmap.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass",
        *(arg.format(restaurant=restaurant) for arg in args),
    )
    assert "kitchen" in printed
    assert "rich" not in loaded


def test_pydantic_comes_only_through_typer() -> None:
    # docs/performance.md#start-up: typer 0.29 builds a pydantic adapter for every parameter
    # that is not a flag, and gives no supported way around it. icmap itself never imports
    # pydantic: if a typer release stops doing so, `check` stops loading it too, and the
    # start-up section's account of where the time goes needs measuring again.
    code = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps("
        "['pydantic' in sys.modules, 'typer._adapters' in sys.modules])))\n"
        "sys.argv[0] = 'icmap'\nfrom icmap.cli import main\nmain()"
    )
    result = _python(code, "check", str(EXAMPLES / "restaurant.yaml"), "-f", "json")
    assert result.returncode == 0, result.stderr
    pydantic, adapters = json.loads(result.stdout.splitlines()[-1])
    assert pydantic == adapters
    typer_release = tuple(int(part) for part in version("typer").split(".")[:2])
    assert pydantic == (typer_release >= (0, 29))


def test_check_on_a_stdout_that_cannot_encode_the_findings_prints_them_in_ascii() -> None:
    # Issue 28: an arrow the stream cannot take is written as "->", on the plain path too.
    result = _python(
        "import sys; sys.argv[0] = 'icmap'; from icmap.cli import main; main()",
        "check",
        str(EXAMPLES / "restaurant.yaml"),
        env={"PYTHONIOENCODING": "ascii"},
    )
    assert result.returncode == 0, result.stderr
    assert "wait-staff -> diners" in result.stdout
    assert result.stdout.endswith("check passed: 0 errors, 2 warnings, 2 infos\n")
