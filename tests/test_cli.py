"""The command line, run through typer's CliRunner on real example files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES, MINIMAL, write
from icmap import __version__, load
from icmap.cli import app

RESTAURANT = str(EXAMPLES / "restaurant.yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"icmap {__version__}\n"


def test_help_lists_commands_with_an_example(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("graph", "init", "schema"):
        assert command in result.stdout
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0
        assert "Examples:" in sub.stdout
        assert "\n    icmap " in sub.stdout


def test_graph_shows_the_tree(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", RESTAURANT])
    assert result.exit_code == 0, result.stderr
    assert "diners Diners  external customer" in result.stdout
    assert "└── wait-staff Wait staff" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes
    assert result.stderr == ""


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_graph_on_every_example(runner: CliRunner, path: Path) -> None:
    result = runner.invoke(app, ["graph", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "external customer" in result.stdout


def test_color_always_and_never(runner: CliRunner) -> None:
    coloured = runner.invoke(app, ["graph", RESTAURANT, "--color", "always"], env={"NO_COLOR": "1"})
    assert "\x1b[" in coloured.stdout
    plain = runner.invoke(app, ["graph", RESTAURANT, "--color", "never"])
    assert "\x1b[" not in plain.stdout
    auto = runner.invoke(app, ["graph", RESTAURANT], env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    # NO_COLOR wins in auto mode: bold and italic may stay, but no foreground colour (30-37).
    assert not re.search(r"\x1b\[(?:\d+;)*3[0-7](?:;\d+)*m", auto.stdout)


def test_bad_org_exits_2_with_positions_and_no_traceback(runner: CliRunner, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {diners: {}}
        teams:
          a: {provide: [], name: [x]}
          b: {provides: [{what: w, to: dinner}]}
        """,
    )
    result = runner.invoke(app, ["graph", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{path}:3:7: error: unknown key 'provide' in team 'a' [IC004]" in result.stderr
    assert "hint: did you mean 'provides'?" in result.stderr
    assert (
        f"{path}:3:26: error: name of team 'a' must be text, found a list [IC003]" in result.stderr
    )
    assert f"{path}:4:32: error: unknown id 'dinner' in 'to' [IC101]" in result.stderr
    assert "icmap: 3 errors in the org files" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02",
        "caf\xe9: 1".encode("latin-1"),
        b"- a\n",
        b"a: [",
        b"!!python/object:os.system {}",
    ],
    ids=["empty", "binary", "latin-1", "list", "syntax", "python-tag"],
)
def test_hostile_files_exit_2_cleanly(runner: CliRunner, tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "org.yaml", content)
    result = runner.invoke(app, ["graph", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:")
    assert "Traceback" not in result.stderr


def test_missing_org_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["graph", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr == f"icmap: error: {tmp_path / 'nope.yaml'}: no such file or directory\n"


def test_org_discovery(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    none = runner.invoke(app, ["graph"])
    assert none.exit_code == 2
    assert "tried --org, $ICMAP_ORG, ./org.yaml, ./org.yml, ./org/" in none.stderr
    write(tmp_path, "org/teams.yaml", MINIMAL)
    assert "diners" in runner.invoke(app, ["graph"]).stdout
    from_env = runner.invoke(app, ["graph"], env={"ICMAP_ORG": RESTAURANT})
    assert "Bistro Lumière" in from_env.stdout
    from_option = runner.invoke(app, ["graph", "--org", RESTAURANT])
    assert "Bistro Lumière" in from_option.stdout


def _org_folder(folder: Path, *, teams_folder: bool = True) -> Path:
    """docs/format.md's layout: org.yaml with the customers, and the teams in teams/ (or, with
    ``teams_folder=False``, one file per team beside org.yaml)."""
    write(folder, "org.yaml", "customers:\n  diners: {name: Diners}\n")
    where = "teams/" if teams_folder else ""
    write(
        folder,
        f"{where}kitchen.yaml",
        "teams:\n  kitchen:\n    provides: [{what: Dishes, to: waiters}]\n",
    )
    write(
        folder,
        f"{where}waiters.yaml",
        "teams:\n  waiters:\n    provides: [{what: Service, to: diners}]\n",
    )
    return folder


@pytest.mark.parametrize(
    "command_shows",
    [("check", "check passed"), ("report", "2 teams"), ("graph", "waiters")],
    ids=["check", "report", "graph"],
)
@pytest.mark.parametrize("teams_folder", [True, False], ids=["teams-folder", "team-files"])
def test_run_inside_the_recommended_org_folder_reads_the_whole_folder(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command_shows: tuple[str, str],
    teams_folder: bool,
) -> None:
    """`cd org && icmap check` reads org/ as `icmap check org/` does, not org.yaml alone."""
    command, shows = command_shows
    monkeypatch.chdir(_org_folder(tmp_path / "org", teams_folder=teams_folder))
    result = runner.invoke(app, [command])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert shows in result.stdout
    assert "unknown id" not in result.stdout + result.stderr


def test_org_yaml_beside_other_yaml_files_is_read_alone(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repository's root with org.yaml and unrelated YAML (mkdocs.yml) reads org.yaml only."""
    write(tmp_path, "org.yaml", MINIMAL)
    write(tmp_path, "mkdocs.yml", "site_name: Our org\nnav:\n  - index.md\n")
    write(tmp_path, "docs/config.yaml", "teams: not an org file\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "check passed" in result.stdout


def test_graph_output_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "tree.txt"
    result = runner.invoke(app, ["graph", RESTAURANT, "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"wrote {target}\n"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("Bistro Lumière")
    assert "\x1b[" not in text
    assert [p.name for p in tmp_path.iterdir()] == ["tree.txt"]  # no temp file left


def test_graph_output_dash_is_stdout(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", RESTAURANT, "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Bistro Lumière")


def test_graph_unknown_extension_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["graph", RESTAURANT, "-o", str(tmp_path / "tree.xyz")])
    assert result.exit_code == 2
    assert "cannot tell the format of" in result.stderr
    assert not (tmp_path / "tree.xyz").exists()


def test_format_against_extension_is_noted(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "map.svg"
    result = runner.invoke(app, ["graph", RESTAURANT, "-f", "dot", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"icmap: note: writing dot to {target} as -f asks, though its extension '.svg' names svg",
        f"wrote {target}",
    ]
    assert target.read_text(encoding="utf-8").startswith("digraph")
    # The extension agreeing with -f, or one naming no format strongly, says nothing.
    cases = (("graph", "map.dot", "dot"), ("report", "r.txt", "json"), ("report", "r.out", "json"))
    for command, name, chosen in cases:
        result = runner.invoke(app, [command, RESTAURANT, "-f", chosen, "-o", str(tmp_path / name)])
        assert result.stderr == f"wrote {tmp_path / name}\n", name


def test_an_extension_the_command_does_not_write_says_what_it_writes(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "impact.svg"
    result = runner.invoke(app, ["impact", "kitchen", "--org", RESTAURANT, "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"icmap: error: icmap impact does not write svg ({target}): it writes dot, json, "
        f"markdown, mermaid, text; for an image, write DOT and draw it: -f dot | dot -Tsvg > "
        f"{target}\n"
    )
    assert not target.exists()


def test_graph_refuses_to_overwrite_its_input(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.txt", MINIMAL)
    before = org.read_bytes()
    result = runner.invoke(app, ["graph", str(org), "-o", str(org)])
    assert result.exit_code == 2
    assert "never overwrites its input" in result.stderr
    assert org.read_bytes() == before


def test_unknown_format_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", RESTAURANT, "-f", "nope"])
    assert result.exit_code == 2
    assert "nope" in result.stderr


def test_internal_errors_ask_for_a_report(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("icmap.analysis.reach.reach", broken)
    result = runner.invoke(app, ["graph", RESTAURANT])
    assert result.exit_code == 3
    assert "internal error (RuntimeError: boom). This is a bug in icmap" in result.stderr
    assert "Traceback" not in result.stderr
    debug = runner.invoke(app, ["--debug", "graph", RESTAURANT])
    assert isinstance(debug.exception, RuntimeError)


def test_init_writes_a_starter_that_loads(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0
    assert f"wrote {tmp_path / 'org.yaml'}" in result.stderr
    org = load(tmp_path / "org.yaml")
    assert org.customers and org.teams and org.suppliers
    graph = runner.invoke(app, ["graph", str(tmp_path / "org.yaml")])
    assert graph.exit_code == 0


def test_init_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    existing = write(tmp_path, "org.yaml", "mine\n")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert existing.read_text() == "mine\n"


@pytest.mark.parametrize("other", ["org.yml", "org/teams.yaml"])
def test_init_refuses_a_folder_that_holds_an_org(
    runner: CliRunner, tmp_path: Path, other: str
) -> None:
    write(tmp_path, other, "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: c}]}\n")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "already holds an org" in result.stderr
    assert not (tmp_path / "org.yaml").exists()


def test_init_creates_the_folder_and_the_starter_passes_check(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "my-org"
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 0, result.stderr
    assert (folder / "org.yaml").is_file()
    check = runner.invoke(app, ["check", str(folder), "--fail-on", "info", "-f", "json"])
    assert check.exit_code == 0, check.stdout
    assert json.loads(check.stdout)["findings"] == []


def test_init_refuses_a_file_in_the_way(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "org-file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["init", str(blocker)])
    assert result.exit_code == 2
    assert "exists and is not a folder" in result.stderr


def _schema(runner: CliRunner) -> dict[str, object]:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema: dict[str, object] = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _yaml_files() -> list[Path]:
    starter = Path(__file__).resolve().parent.parent / "src" / "icmap" / "starter.yaml"
    return [*sorted(EXAMPLES.rglob("*.yaml")), starter]


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: p.name)
def test_every_example_validates_against_the_schema(runner: CliRunner, path: Path) -> None:
    validator = jsonschema.Draft202012Validator(_schema(runner))

    class YAML12Loader(yaml.SafeLoader):
        """Dates stay text, as in YAML 1.2 and the editors' language servers."""

    YAML12Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML12Loader)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_schema_rejects_what_the_loader_rejects(runner: CliRunner) -> None:
    validator = jsonschema.Draft202012Validator(_schema(runner))
    bad = {
        "teams": {"a": {"provide": []}},
        "customers": {"c": {"name": "C"}},
    }
    assert not validator.is_valid(bad)
    assert not validator.is_valid(
        {"teams": {"a": {"provides": [{"what": "x", "to": "c", "lead_time": "5"}]}}}
    )
    assert validator.is_valid(
        {"x-anchors": [1], "teams": {"a": {"provides": [{"what": "x", "to": ["c"]}]}}}
    )


@pytest.mark.parametrize(
    ("stream", "relation", "valid"),
    [
        ({"customer": "c", "target": "3d"}, {"streams": "s", "complete_accurate": "85%"}, True),
        ({"customer": "c"}, {"streams": ["s"], "complete_accurate": 0.85}, True),
        ({"customer": "c"}, {"process_time": "20m"}, True),
        ({"name": "no customer"}, {}, False),
        ({"customer": "c", "target": "3"}, {}, False),
        ({"customer": "c", "owner": "x"}, {}, False),
        ({"customer": "c"}, {"complete_accurate": 85}, False),
        ({"customer": "c"}, {"complete_accurate": "85"}, False),
        ({"customer": "c"}, {"streams": []}, False),
        ({"customer": "c"}, {"process_time": "soon"}, False),
    ],
)
def test_schema_knows_streams_as_the_loader_does(
    runner: CliRunner, stream: dict[str, object], relation: dict[str, object], valid: bool
) -> None:
    validator = jsonschema.Draft202012Validator(_schema(runner))
    document = {
        "streams": {"s": stream},
        "teams": {"a": {"provides": [{"what": "x", "to": "c", "lead_time": "1h", **relation}]}},
    }
    assert validator.is_valid(document) is valid


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "icmap", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout == f"icmap {__version__}\n"


def test_an_id_with_a_line_feed_keeps_each_finding_on_one_line(tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        'customers: {u: {}}\nteams:\n  "a\\nb": {lead: x, provides: [{what: w, to: u, '
        'satisfaction: 2, lead_time: 1h}]}\n  "c\\norg.yaml:1:1: error: forged": {lead: x}\n',
    )
    runner = CliRunner()
    text = runner.invoke(app, ["check", str(org)]).stdout
    findings = json.loads(runner.invoke(app, ["check", str(org), "-f", "json"]).stdout)["findings"]
    records = [line for line in text.splitlines() if line.startswith(f"{org}:")]
    assert len(records) == len(findings) == 3
    assert f"{org}:3:32: warning: a\\nb → u ('w') on the critical path" in text
    assert not any(line.startswith("org.yaml:1:1") for line in text.splitlines())
    broken = write(
        tmp_path,
        "bad.yaml",
        'customers: {u: {}}\nteams:\n  a: {provides: [{what: x, to: "u\\nv"}]}\n',
    )
    error = runner.invoke(app, ["report", str(broken)]).stderr
    assert "unknown id 'u\\nv' in 'to'" in error


def test_a_misspelt_org_path_gets_a_did_you_mean(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "resturant.yaml")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"icmap: error: {EXAMPLES / 'resturant.yaml'}: no such file or directory; "
        f"did you mean {str(EXAMPLES / 'restaurant.yaml')!r}?\n"
    )
    upper = runner.invoke(app, ["check", str(EXAMPLES / "RESTAURANT.yaml")])
    assert upper.stderr.endswith(f"did you mean {str(EXAMPLES / 'restaurant.yaml')!r}?\n")
    desk = EXAMPLES / "service-desk"
    log = runner.invoke(app, ["report", str(desk), "--events", str(desk / "tickets.cvs")])
    assert log.stderr == (
        f"icmap: error: --events {desk / 'tickets.cvs'}: no such file or directory; "
        f"did you mean {str(desk / 'tickets.csv')!r}?\n"
    )
    far = runner.invoke(app, ["graph", str(EXAMPLES / "zzz.yaml")])
    assert far.stderr == f"icmap: error: {EXAMPLES / 'zzz.yaml'}: no such file or directory\n"


def test_output_to_a_folder_is_said_before_anything_else(runner: CliRunner, tmp_path: Path) -> None:
    for command in (["report", RESTAURANT], ["graph", RESTAURANT], ["check", RESTAURANT]):
        result = runner.invoke(app, [*command, "-o", str(tmp_path)])
        assert result.exit_code == 2
        assert (
            result.stderr
            == f"icmap: error: cannot write {tmp_path}: it is a folder; name a file in it\n"
        )
    empty = runner.invoke(app, ["check", RESTAURANT, "-o", "sarif:"])
    assert empty.stderr == "icmap: error: -o sarif: names no file: write -o sarif:FILE\n"
    upper = runner.invoke(app, ["check", RESTAURANT, "-o", f"SARIF:{tmp_path / 'x.log'}"])
    assert upper.exit_code == 0, upper.stderr
    assert json.loads((tmp_path / "x.log").read_text(encoding="utf-8"))["version"] == "2.1.0"
