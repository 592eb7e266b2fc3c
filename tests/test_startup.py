"""Start-up: what ``icmap --version`` and ``import icmap`` load, and that the fast paths agree
with the typer app (docs/performance.md#start-up). Behaviour, not timing: the timings are
``python benchmarks/startup.py``'s job.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from icmap.cli import app
from icmap.cli.root import COMMANDS, app_for

#: Libraries ``icmap --version`` and ``import icmap`` must not load: each costs more than
#: Python's own start-up.
HEAVY = ("typer", "click", "rich", "pydantic", "networkx", "yaml", "graphviz")


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
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
