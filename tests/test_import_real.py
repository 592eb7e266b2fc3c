"""The importers on real third-party data: the Backstage example catalog and TeamAPI-As-Code.

The data lives in ``../shared/data`` beside the repository (see its README): the Backstage
project's example catalog (Apache-2.0) and teamtopologies/TeamAPI-As-Code (CC BY-SA 4.0). The
expected hand-offs below were derived by hand from those files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import graph_shape
from icmap.cli import app
from icmap.importers import SourceFormat, read_source
from icmap.loader import load

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BACKSTAGE = SHARED / "backstage-examples" / "packages" / "catalog-model" / "examples"
TEAMAPI = SHARED / "teamapi" / "TeamAPI-As-Code" / "examples"

if not SHARED.is_dir():
    if os.environ.get("CI"):
        raise RuntimeError(f"the shared test data is missing in CI: {SHARED}")
    pytest.skip(f"shared test data not found at {SHARED}", allow_module_level=True)


def test_backstage_examples_cross_team_hand_offs() -> None:
    result = read_source(SourceFormat.backstage, [BACKSTAGE])
    assert result.org is not None
    org = result.org
    between = {(r.provider, r.receiver, r.what) for r in org.relations if r.receiver in org.teams}
    # team-d's ingestion component is a subcomponent of team-a's wayback-archive; team-a's
    # shuffle-api (owned by user:guest, a member of team-a only) is part of team-c's
    # audio-playback system.
    assert between == {
        ("team-d", "team-a", "wayback-archive-ingestion"),
        ("team-a", "team-c", "shuffle-api"),
    }
    why = {k: [p.text for p in v] for k, v in result.provenance.items()}
    assert why[("team-d", "team-a", "wayback-archive-ingestion")] == [
        "via component:wayback-archive-ingestion subcomponentOf component:wayback-archive"
    ]
    assert why[("team-a", "team-c", "shuffle-api")] == [
        "via component:shuffle-api system system:audio-playback"
    ]
    # team-e owns nothing and hands nothing off: left out (--keep-idle-teams keeps it).
    assert sorted(org.teams) == ["team-a", "team-b", "team-c", "team-d"]
    assert result.counts["idle teams left out"] == 1
    assert org.teams["team-c"].group == "Box Office"
    assert org.teams["team-a"].group == "Backstage"
    assert org.name == "ACME Corp"
    served = {(r.provider, r.what) for r in org.relations if r.receiver == "customers"}
    # The two websites: the catalog's front ends (its one API, wayback-archive, is consumed).
    assert served == {("team-a", "www-artist"), ("team-b", "queue-proxy")}
    assert result.counts["relations inside one team"] == 11
    assert result.counts["team-to-team hand-offs"] == 2
    assert result.counts["hand-offs to external customers"] == 2  # team-a, team-b
    assert result.counts["relations to external customers"] == 2
    # Five IC603 warnings: four name APIs not in the catalog, once each; 'owner: guest'
    # names group:default/guest, which is not there either (read as the user guest).
    # user:team-b is in the dangling refs too (reported as IC607): one entity per warning.
    assert result.dangling == {
        "api:default/hello-world": 1,
        "api:default/petstore": 1,
        "api:default/streetlights": 1,
        "api:default/wayback-search": 1,
        "group:default/guest": 1,
        "user:default/team-b": 1,
    }


def test_backstage_examples_every_expected_warning() -> None:
    result = read_source(SourceFormat.backstage, [BACKSTAGE])
    found = sorted(
        (Path(d.file).relative_to(BACKSTAGE).as_posix(), d.line, d.col, d.code)
        for d in result.diagnostics
    )
    missing = [("all-ai-resources.yaml", line, 7, "IC601") for line in (8, 9, 10)] + [
        ("all-apis.yaml", line, 7, "IC601") for line in (*range(8, 17), 18)
    ]
    missing += [("all-environments.yaml", line, 7, "IC601") for line in (8, 9)]
    dangling = [
        # petstore provides three APIs whose files were not copied
        ("components/petstore-component.yaml", line, 7, "IC603")
        for line in (16, 17, 18)
    ] + [
        # owner: guest reads as group:default/guest; the one user named guest is used
        ("components/playback-order-component.yaml", 12, 10, "IC603"),
        ("components/wayback-search-component.yaml", 11, 7, "IC603"),
        # owner: user:team-b names no user (team-b is a group): once for that user
        ("systems/podcast-system.yaml", 7, 10, "IC607"),
    ]
    assert found == sorted(missing + dangling)
    assert all(d.severity == "warning" for d in result.diagnostics)
    assert result.by_kind() == {"missing-target": 15, "dangling-ref": 5, "ambiguous-owner": 1}


def test_backstage_examples_round_trip(tmp_path: Path) -> None:
    result = read_source(SourceFormat.backstage, [BACKSTAGE])
    assert result.org is not None
    done = CliRunner().invoke(
        app, ["import", "backstage", str(BACKSTAGE), "-o", str(tmp_path / "org")]
    )
    assert done.exit_code == 0, done.stderr
    assert graph_shape(load(tmp_path / "org")) == graph_shape(result.org)
    team_d = (tmp_path / "org" / "teams" / "team-d.yaml").read_text()
    assert (
        "# via component:wayback-archive-ingestion subcomponentOf component:wayback-archive"
        in team_d
    )
    assert "teams: 4" in done.stderr
    assert (
        "note: 1 team that owns nothing and takes part in no hand-off left out (team-e): "
        "--keep-idle-teams keeps it"
    ) in done.stderr
    assert "relations inside one team: 11" in done.stderr
    assert "15 missing-target, 5 dangling-ref, 1 ambiguous-owner" in done.stderr
    assert "  dangling refs: 6 entities not in the catalog, named 6 times: " in done.stderr
    assert "default: the front ends (Components of spec.type website" in done.stderr


def test_backstage_examples_read_directly() -> None:
    runner = CliRunner()
    check = runner.invoke(app, ["check", "--from", "backstage", str(BACKSTAGE), "--color", "never"])
    # team-c reaches no customer (IC301): the APIs petstore provides, which nothing consumes,
    # are among the files not copied.
    assert check.exit_code == 1
    assert "team-c" in check.stdout
    assert (
        "all-apis.yaml:8:7: warning: Location target './apis/backstage-mcp-server-api.yaml'"
        in check.stdout
    )
    assert "[IC603 dangling-ref]" in check.stdout
    impact = runner.invoke(
        app, ["impact", "team-d", "--from", "backstage", "--org", str(BACKSTAGE), "-f", "json"]
    )
    assert impact.exit_code == 0, impact.stderr
    assert "21 warnings" in impact.stderr
    data = json.loads(impact.stdout)
    assert json.dumps(data).count("team-c") >= 1


def test_teamapi_example_modes_and_states(tmp_path: Path) -> None:
    result = read_source(SourceFormat.teamapi, [TEAMAPI / "team-interactions.yml"])
    assert result.org is not None
    org = result.org
    got = {
        (r.provider, r.receiver): (r.mode, r.state, str(r.since), str(r.until))
        for r in org.relations
        if r.receiver in org.teams
    }
    assert got == {
        ("example-platform-team", "example-stream-a"): (
            "x-as-a-service",
            "ok",
            "2022-01-01",
            "2022-04-01",
        ),
        ("automation-test-enabling-team", "example-stream-a"): (
            "facilitating",
            None,
            "None",
            "None",
        ),
        ("example-stream-b", "example-stream-a"): (None, "blocking", "None", "None"),
    }
    assert org.teams["example-stream-a"].type == "stream-aligned"
    platform = (
        "example-platform-team",
        "example-stream-a",
        next(r.what for r in org.relations if r.provider == "example-platform-team"),
    )
    assert [(p.text, p.pos.line) for p in result.provenance[platform]] == [
        ("dependency on 'Example Platform Team' (type OK)", 48),
        ("interaction with 'Example Platform Team' (mode X-as-a-service)", 32),
    ]
    # team-name and teamName both name the other team; the three named teams have no file,
    # each reported where the file first names it (the platform team: its interaction at line
    # 32, not its dependency at line 48, which is read first). Each $ref URL is reported, not
    # fetched.
    assert [(d.line, d.code) for d in result.diagnostics] == [
        (12, "IC602"),
        (22, "IC602"),
        (25, "IC602"),
        (32, "IC612"),
        (38, "IC602"),
        (39, "IC612"),
        (42, "IC602"),
        (44, "IC612"),
        (46, "IC602"),
        (50, "IC602"),
    ]
    url = next(d for d in result.diagnostics if d.code == "IC602")
    assert url.name == "url-not-fetched"
    # Only a $ref naming a team asks for that team's file; the team's own work (a repository,
    # a ways-of-working page) is not a team.
    hints = {d.line: d.hint or "" for d in result.diagnostics if d.code == "IC602"}
    assert all("other team's Team API file" in hints[line] for line in (12, 38, 42, 46, 50))
    assert all("the team's own work, not to a team" in hints[line] for line in (22, 25))
    assert "https://github.com/example.com/example-platform-team/teamapi.yml" in url.message
    out = tmp_path / "org"
    done = CliRunner().invoke(
        app, ["import", "teamapi", str(TEAMAPI / "team-interactions.yml"), "-o", str(out)]
    )
    assert done.exit_code == 0, done.stderr
    assert graph_shape(load(out)) == graph_shape(org)
    assert "receives:" in (out / "teams" / "example-stream-a.yaml").read_text()


def test_teamapi_annotated_template_is_a_clear_error(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["import", "teamapi", str(TEAMAPI), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert "details.yml:3:3: error: not a Team API file: YAML syntax" in done.stderr
    assert "annotated template" in done.stderr
    assert "nothing imported" in done.stderr
    assert not (tmp_path / "o").exists()


def test_import_doc_commands_on_the_shared_data(tmp_path: Path) -> None:
    """docs/import.md's commands on ../shared run as printed, from a clone's root."""
    from test_documented_path import ROOT, _import_doc_commands

    commands = _import_doc_commands(shared=True)
    assert len(commands) == 3
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "shared").symlink_to(SHARED.parent, target_is_directory=True)
    for name in ("examples", "import-examples"):
        (repo / name).symlink_to(ROOT / name, target_is_directory=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in commands:
        if ".svg" in command and not shutil.which("dot") and not os.environ.get("CI"):
            continue
        done = subprocess.run(
            command, shell=True, cwd=repo, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        if command.startswith("icmap report"):
            assert "  team-d → team-a → customers\n" in done.stdout
            assert "4 teams, 1 external customer" in done.stdout


def test_check_from_backstage_in_every_ci_format(tmp_path: Path) -> None:
    from test_documented_path import _valid_sarif

    runner = CliRunner()
    sarif = tmp_path / "icmap.sarif"
    done = runner.invoke(
        app, ["check", "--from", "backstage", str(BACKSTAGE), "-f", "github", "-o", str(sarif)]
    )
    assert done.exit_code == 1, done.stderr
    assert "::warning file=" in done.stdout and "IC601" in done.stdout
    results = _valid_sarif(sarif)["runs"][0]["results"]  # type: ignore[index]
    assert sum(1 for r in results if r["ruleId"] == "IC601") == 15
    quiet = runner.invoke(
        app,
        ["check", "--from", "backstage", str(BACKSTAGE), "--select", "IC6", "--ignore", "IC601"],
    )
    assert quiet.exit_code == 0
    assert "0 errors, 6 warnings" in quiet.stdout
    strict = runner.invoke(
        app,
        ["check", "--from", "backstage", str(BACKSTAGE), "--select", "IC6", "--fail-on", "warning"],
    )
    assert strict.exit_code == 1
