"""Team Topologies in the pictures: team types as shapes, modes as lines, states as colours,
and a legend on every picture that uses them; pictures without them unchanged."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES, write
from icmap.cli import app

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")

ORG = """
customers: {users: {name: Users}}
teams:
  app: {name: App, type: stream-aligned, provides: [{what: App, to: users}]}
  infra: {name: Infra, type: platform, provides: [{what: Hosting, to: app, mode: XaaS, state: blocking}]}
  coach: {name: Coach, type: enabling, provides: [{what: Coaching, to: app, mode: facilitating}]}
  maths:
    name: Maths
    type: complicated-subsystem
    provides: [{what: Models, to: app, mode: collaboration, until: 2027-01-01, state: slowing}]
"""
PLAIN = [p for p in EXAMPLE_PATHS if p.name != "team-topologies.yaml"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _out(runner: CliRunner, org: Path, *args: str) -> str:
    done = runner.invoke(app, ["graph", str(org), *args])
    assert done.exit_code == 0, done.stderr
    return done.stdout


@needs_dot
def test_dot_draws_types_modes_states_and_a_legend(runner: CliRunner, tmp_path: Path) -> None:
    source = _out(runner, write(tmp_path, "org.yaml", ORG), "-f", "dot")
    laid = json.loads(
        subprocess.run(
            ["dot", "-Tjson"], input=source.encode(), capture_output=True, check=True
        ).stdout
    )
    objects = {o["label"]: o for o in laid["objects"] if "label" in o}
    assert objects["Maths\\n(maths)"]["shape"] == "octagon"
    assert objects["Infra\\n(infra)"]["fillcolor"] == "#cfe2f3"
    assert objects["App\\n(app)"]["fillcolor"] == "#ffedb3"
    assert float(objects["Coach\\n(coach)"]["height"]) > float(objects["Coach\\n(coach)"]["width"])
    [legend] = [o for o in laid["objects"] if o.get("name") == "legend"]
    assert legend["shape"] == "plain"
    table = source.split("\tlegend [label=<", 1)[1].split("> ", 1)[0]
    for word in ("stream-aligned (wide)", "platform", "enabling", "complicated-subsystem"):
        assert word in table
    for word in ("facilitating (dotted)", "collaboration (thick band)"):
        assert word in table
    assert "BLOCKING dependency" in table and "SLOWING dependency" in table
    assert 'BGCOLOR="#ffedb3" COLOR="#c9a227"' in table  # stream-aligned's own colours
    assert '<FONT COLOR="#c62828">────▶</FONT>' in table
    # Each hand-off is two halves with its label between them, a node: the receiver's half
    # (``icmap-eN-to``, with the arrowhead) is styled as the whole line.
    halves = {e["id"]: e for e in laid["edges"]}
    labels = {o["label"]: o for o in laid["objects"] if "handoff-label" in o.get("class", "")}
    edges = {text: halves[o["id"].replace("-label", "-to")] for text, o in labels.items()}
    assert labels["Hosting · BLOCKING"]["fontcolor"] == "#c62828"
    assert edges["Hosting · BLOCKING"]["color"] == "#c62828"
    assert edges["Coaching"]["style"] == "dotted"
    assert float(edges["Models · SLOWING"]["penwidth"]) >= 5
    assert "style" not in edges["App"] and "penwidth" not in edges["App"]


def test_mermaid_draws_them_and_a_legend(runner: CliRunner, tmp_path: Path) -> None:
    text = _out(runner, write(tmp_path, "org.yaml", ORG), "-f", "mermaid")
    assert re.search(r'^  n\d+\{\{"Maths<br/>\(maths\)"\}\}$', text, re.M)
    assert re.search(r'^  n\d+ ==>\|"Models · SLOWING"\| n\d+$', text, re.M)
    assert re.search(r'^  n\d+ -\.->\|"Coaching"\| n\d+$', text, re.M)
    assert '  subgraph g0["Legend"]' in text
    for words in ("collaboration: thick band", "BLOCKING dependency: red", "platform"):
        assert f'["{words}"]' in text
    assert "stroke:#c62828" in text and "classDef complicatedsubsystem" in text


def test_html_legend_and_classes(runner: CliRunner, tmp_path: Path) -> None:
    page = _out(runner, write(tmp_path, "org.yaml", ORG), "-f", "html")
    assert 'id="legend"' in page
    for word in ("stream-aligned", "collaboration", "facilitating", "BLOCKING", "SLOWING"):
        assert word in page.split('id="legend"')[1].split("</div>")[0]
    assert "type-complicated-subsystem" in page and "mode-collaboration" in page
    assert "state-blocking" in page


def test_json_carries_type_mode_and_state(runner: CliRunner, tmp_path: Path) -> None:
    data = json.loads(_out(runner, write(tmp_path, "org.yaml", ORG), "-f", "json"))
    types = {n["id"]: n.get("type") for n in data["nodes"]}
    assert types == {
        "users": None,
        "app": "stream-aligned",
        "infra": "platform",
        "coach": "enabling",
        "maths": "complicated-subsystem",
    }
    models = next(link for link in data["links"] if link["source"] == "maths")
    assert models["relations"][0]["mode"] == "collaboration"
    assert models["relations"][0]["until"] == "2027-01-01"
    assert models["relations"][0]["state"] == "slowing"


@pytest.mark.parametrize("org", PLAIN, ids=lambda p: p.name)
def test_pictures_without_the_words_have_no_legend(runner: CliRunner, org: Path) -> None:
    text = _out(runner, org, "-f", "mermaid")
    assert "Legend" not in text and "legend" not in text
    for fmt in ("dot", "mermaid", "html"):
        # DOT and HTML always have a legend (node kinds, line styles), but no Team Topologies.
        text = _out(runner, org, "-f", fmt)
        assert "BLOCKING" not in text and "type-" not in text, fmt
        assert "collaboration" not in text and "stream-aligned" not in text, fmt
    data = json.loads(_out(runner, org, "-f", "json"))
    assert not any("type" in n for n in data["nodes"])
    assert not any("mode" in r for link in data["links"] for r in link["relations"])


def test_the_bundled_example_has_a_legend_in_every_format(runner: CliRunner) -> None:
    org = EXAMPLES / "team-topologies.yaml"
    assert 'id="icmap-legend"' in _out(runner, org, "-f", "dot")
    assert '["Legend"]' in _out(runner, org, "-f", "mermaid")
    assert 'id="legend"' in _out(runner, org, "-f", "html")


HOSTILE_TYPED = """
customers: {users: {name: "end"}}
teams:
  a:
    name: "<script>alert(1)</script> {x} | %% \\\\"
    type: complicated-subsystem
    provides: [{what: "q \\" <b>", to: b, mode: collaboration, state: blocking}]
  b:
    name: "Tom & Jerry's <b>bold</b> two words"
    type: enabling
    provides: [{what: W, to: users, mode: facilitating, state: slowing}]
"""


def test_hostile_names_on_typed_teams_stay_inert(runner: CliRunner, tmp_path: Path) -> None:
    from test_pictures import HAVE_MERMAID, MERMAID_DIR, _check_html, _check_mermaid, page_data

    org = write(tmp_path, "org.yaml", HOSTILE_TYPED)
    mermaid = _out(runner, org, "-f", "mermaid")
    _check_mermaid(mermaid)
    assert "#lt;script#gt;" in mermaid and "%%" not in mermaid
    page = _out(runner, org, "-f", "html")
    parser = _check_html(page)
    assert "<script>alert" not in page and "<b>bold" not in page
    assert any("Tom & Jerry's" in n["label"] for n in page_data(page)["nodes"])
    assert parser.scripts == 3
    if shutil.which("dot"):
        source = _out(runner, org, "-f", "dot")
        subprocess.run(["dot", "-Tjson"], input=source.encode(), capture_output=True, check=True)
    if HAVE_MERMAID:
        path = tmp_path / "typed.mmd"
        path.write_text(mermaid, encoding="utf-8")
        done = subprocess.run(
            ["node", str(MERMAID_DIR / "parse.mjs"), str(path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0 and "ok " in done.stdout, done.stdout + done.stderr
