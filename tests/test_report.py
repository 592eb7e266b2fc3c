"""``icmap report`` in every format, on real examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES
from icmap import build_graph, load_text
from icmap.analysis.report import build_report
from icmap.cli import app
from icmap.render.report import markdown as report_markdown

PERT = str(Path(__file__).parent / "fixtures" / "pert.yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_json_report_fields(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", PERT, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 2
    assert data["front_line"] == [
        {"team": "f", "customers": ["customer"]},
        {"team": "g", "customers": ["customer"]},
    ]
    assert data["distance"]["a"] == 3 and data["distance"]["g"] == 1
    assert data["disconnected"] == []
    [path] = data["critical_paths"]
    assert path["customer"] == "customer"
    assert path["path"] == ["a", "c", "e", "g", "customer"]
    assert round(path["lead_time_hours"] / 24, 2) == 19.51
    assert round(data["slack_hours"]["b"] / 24, 2) == 3.84
    assert data["chokepoints"] == [
        {"team": "e", "dependents": ["b", "c"], "stranded": 2},
        {"team": "f", "dependents": ["d"], "stranded": 1},
        {"team": "g", "dependents": ["b", "c", "e"], "stranded": 3},
    ]
    assert data["loops"] == []
    assert data["weakest_links"][0]["customer"] == "customer"


def test_json_report_of_an_org_with_loops_and_chokepoints(runner: CliRunner) -> None:
    data = json.loads(
        runner.invoke(app, ["report", str(EXAMPLES / "restaurant.yaml"), "-f", "json"]).stdout
    )
    assert {"team": "kitchen", "dependents": ["fishmonger"], "stranded": 1} in data["chokepoints"]
    assert data["loops"] == [["expediters", "kitchen", "pastry", "wait-staff"]]
    assert data["critical_paths"][0]["missing_lead_times"] == 1
    assert data["lead_times"] == {"handoffs": 15, "missing": 1}


def test_a_long_chain_s_chokepoints_are_counted_and_their_first_dependents_listed(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Each chokepoint of a 300-team chain lists its first 20 dependents and counts them all,
    in every format; `impact` lists one chokepoint's whole blast radius."""
    lines = ["customers: {shop: {}}", "teams:"]
    lines += [f"  t{i:03d}: {{provides: [{{what: x, to: t{i + 1:03d}}}]}}" for i in range(299)]
    lines.append("  t299: {provides: [{what: x, to: shop}]}")
    org = tmp_path / "chain.yaml"
    org.write_text("\n".join(lines), encoding="utf-8")
    data = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    last = next(c for c in data["chokepoints"] if c["team"] == "t299")
    assert last["stranded"] == 299
    assert last["dependents"] == [f"t{i:03d}" for i in range(20)]
    assert len(data["chokepoints"]) == 299
    markdown = runner.invoke(app, ["report", str(org), "-f", "markdown"]).stdout
    assert "| t299 | 299 | t000, t001, " in markdown
    assert "t018, t019 … and 279 more |" in markdown
    # Markdown keeps every chokepoint, as the JSON does; the terminal shows the first 10.
    assert "| t001 | 1 | t000 |" in markdown
    chokepoints = markdown.split("## Chokepoints")[1].split("## Loops")[0]
    rows = [line for line in chokepoints.splitlines() if line.startswith("| t")]
    assert len(rows) == 300  # the header and 299 chokepoints
    text = runner.invoke(app, ["report", str(org)], env={"COLUMNS": "200"}).stdout
    assert "t299" in text and "299" in text and "t000, t001, t002, t003, t004, t005 …" in text
    # 300 distances, one per team: shown as 20 ranges of 15, not 300 rows.
    histogram = text.split("Distance to the customer (hand-offs)")[1].split("Critical path")[0]
    assert "1-15     15" in histogram and "286-300  15" in histogram
    assert len(histogram.strip().splitlines()) == 21  # the header and 20 ranges
    assert "| 1-15 | 15 |" in markdown
    check = runner.invoke(app, ["check", str(org), "-f", "json"])
    messages = [f["message"] for f in json.loads(check.stdout)["findings"]]
    assert any(
        m.startswith("if 't299' fails, 299 teams and suppliers lose every path") for m in messages
    )
    impact = runner.invoke(app, ["impact", "t299", "--org", str(org), "-f", "json"])
    assert json.loads(impact.stdout)["stranded"] == [f"t{i:03d}" for i in range(299)]


def test_a_histogram_of_25_distances_is_ranges_of_two_and_a_last_single_one(
    runner: CliRunner, tmp_path: Path
) -> None:
    lines = ["customers: {shop: {}}", "teams:"]
    lines += [f"  t{i:02d}: {{provides: [{{what: x, to: t{i + 1:02d}}}]}}" for i in range(24)]
    lines.append("  t24: {provides: [{what: x, to: shop}]}")
    org = tmp_path / "chain.yaml"
    org.write_text("\n".join(lines), encoding="utf-8")
    text = runner.invoke(app, ["report", str(org)], env={"COLUMNS": "120"}).stdout
    histogram = text.split("Distance to the customer (hand-offs)")[1].split("Critical path")[0]
    rows = [line.split()[:2] for line in histogram.strip().splitlines()[1:]]
    assert rows[0] == ["1-2", "2"] and rows[-1] == ["25", "1"] and len(rows) == 13


def test_hops_only_org_says_so(runner: CliRunner, tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "customers: {c: {}}\nteams:\n"
        "  a: {provides: [{what: x, to: b}]}\n  b: {provides: [{what: y, to: c}]}\n"
    )
    data = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    assert data["critical_path_unit"] == "hops"
    assert data["critical_paths"][0]["lead_time_hours"] is None
    assert data["slack_hops"] == {"a": 0, "b": 0}
    text = runner.invoke(app, ["report", str(org)]).stdout
    assert "no lead times in this org: hand-offs counted instead" in text


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_report_on_every_example(runner: CliRunner, path: Path, fmt: str) -> None:
    result = runner.invoke(app, ["report", str(path), "-f", fmt])
    assert result.exit_code == 0, result.stderr
    assert "Critical path" in result.stdout or "critical_paths" in result.stdout


def test_text_report_reads_well(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", PERT])
    assert "Critical path to each customer" in result.stdout
    assert "customer: 19.51d\n  a → c → e → g → customer\n" in result.stdout
    assert "Most slack" in result.stdout


def test_report_output_files_by_extension(runner: CliRunner, tmp_path: Path) -> None:
    for name, probe in (
        ("r.json", '"schema_version": 2'),
        ("r.md", "## Critical paths"),
        ("r.txt", "Front line"),
    ):
        result = runner.invoke(app, ["report", PERT, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.stderr
        assert probe in (tmp_path / name).read_text(encoding="utf-8")
    bad = runner.invoke(app, ["report", PERT, "-o", str(tmp_path / "r.pdf")])
    assert bad.exit_code == 2
    assert "icmap report does not write pdf" in bad.stderr
    assert "it writes html, json, markdown, text" in bad.stderr
    odd = runner.invoke(app, ["report", PERT, "-o", str(tmp_path / "r.xyz")])
    assert "known extensions are .htm, .html, .json, .markdown, .md, .txt" in odd.stderr


def test_markdown_escapes_names() -> None:
    graph = build_graph(
        load_text(
            'organisation: "A|B <script>"\ncustomers: {c: {}}\n'
            'teams:\n  "x|y": {provides: [{what: "*bold* [link](u)", to: c, satisfaction: 2}]}\n'
        )
    )
    text = report_markdown.render(build_report(graph))
    assert "# A\\|B \\<script\\>: internal-customer report" in text
    assert "| x\\|y | c |" in text
    assert "\\*bold\\* \\[link\\](u)" in text
    assert "<script>" not in text


def test_terminal_report_treats_names_as_text(runner: CliRunner, tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text('customers: {c: {}}\nteams:\n  "[red]x": {provides: [{what: w, to: c}]}\n')
    result = runner.invoke(app, ["report", str(org), "--color", "always"])
    assert result.exit_code == 0
    assert "[red]x" in result.stdout


def test_no_chokepoint_is_said_without_claiming_other_ways(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Each team has exactly one way to the customer: none is a chokepoint because no team's
    # failure cuts another off, not because every team has another way.
    org = tmp_path / "org.yaml"
    org.write_text(
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: c}]}\n"
        "  b: {provides: [{what: y, to: c}]}\n",
        encoding="utf-8",
    )
    said = "no team's failure cuts another off from every customer"
    for options in ([], ["-f", "markdown"], ["-o", str(tmp_path / "r.html")]):
        done = runner.invoke(app, ["report", str(org), *options])
        text = done.stdout if options[:1] != ["-o"] else (tmp_path / "r.html").read_text()
        assert said in " ".join(text.replace("&#x27;", "'").split()), options
        assert "another way" not in text and "more than one way" not in text


def test_a_customer_nobody_reaches_has_no_chain_in_json_and_on_the_page(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text("customers: {c: {name: C}}\nteams: {t: {name: T}}\n", encoding="utf-8")
    data = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    [path] = data["critical_paths"]
    assert (path["path"], path["lead_time_hours"], path["hops"]) == ([], None, None)
    for command in (["report", str(org)], ["graph", str(org)]):
        page = tmp_path / "page.html"
        done = runner.invoke(app, [*command, "-o", str(page)])
        assert done.exit_code == 0, done.stderr
        html = page.read_text(encoding="utf-8")
        assert "<li>c: no delivery chain</li>" in html
        assert "<h2>No path to any external customer</h2><ul><li>t</li></ul>" in html


def test_slack_of_a_team_in_a_loop_is_said_to_be_at_least(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "customers: {cust: {}}\nteams:\n"
        "  a: {provides: [{what: Spec, to: c, lead_time: 5d}]}\n"
        "  e: {provides: [{what: Build, to: c, lead_time: 1d}, {what: Req, to: f, lead_time: 1d}]}\n"
        "  f: {provides: [{what: Info, to: e, lead_time: 1h}]}\n"
        "  c: {provides: [{what: Product, to: cust, lead_time: 1d}]}\n",
        encoding="utf-8",
    )
    text = runner.invoke(app, ["report", str(org)]).stdout
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "e at least 3.96d" in lines
    assert "f at least 2.96d" in lines
    assert (
        "| e | at least 3.96d |"
        in runner.invoke(app, ["report", str(org), "-f", "markdown"]).stdout
    )
    data = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    assert data["slack_lower_bound"] == ["e", "f"]


CLINIC = """\
customers: {patients: {}}
teams:
  reception: {provides: [{what: Booked visits, to: triage, lead_time: 10m}]}
  triage: {provides: [{what: Triaged patients, to: doctor, lead_time: 30m}]}
  doctor:
    provides:
      - {what: Re-triage requests, to: triage, lead_time: 5m}
      - {what: Samples, to: lab}
      - {what: Prescriptions, to: pharmacy, lead_time: 1h}
      - {what: Diagnosis, to: patients, lead_time: 15m}
  lab: {provides: [{what: Results, to: doctor, lead_time: 4h}]}
  pharmacy: {provides: [{what: Medicines, to: patients, lead_time: 20m}]}
"""


def test_a_looped_team_on_no_critical_path_is_not_called_critical(tmp_path: Path) -> None:
    # Triage is in doctor's loop: its slack is known only to be at least 0 (really 3h20m), and
    # it is on no critical path (lab -> doctor -> pharmacy -> patients): not "no slack: critical".
    org = tmp_path / "clinic.yaml"
    org.write_text(CLINIC, encoding="utf-8")
    runner = CliRunner()
    text = " ".join(runner.invoke(app, ["report", str(org)]).stdout.split())
    assert (
        "3 teams or suppliers have no slack: critical. Slack not known for 1 team in a loop and "
        "on no critical path (triage): inside a loop icmap finds only a lower bound, here 0."
    ) in text
    markdown = " ".join(runner.invoke(app, ["report", str(org), "-f", "markdown"]).stdout.split())
    assert "Slack not known for 1 team in a loop and on no critical path (triage)" in markdown
    data = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    assert data["critical_paths"][0]["path"] == ["lab", "doctor", "pharmacy", "patients"]
    assert "triage" in data["slack_lower_bound"]
    assert data["slack_unknown"] == ["triage"]


TIED_IN_A_LOOP = """\
customers: {c: {name: Cust}}
streams: {s1: {name: Flow, customer: c}}
teams:
  p: {provides: [{what: P stuff, to: q, lead_time: 10h, streams: [s1]}]}
  q: {provides: [{what: Q stuff, to: c, lead_time: 5h, streams: [s1]}]}
  x: {provides: [{what: X work, to: y, lead_time: 7h, streams: [s1]}]}
  y:
    provides:
      - {what: Y back, to: x, lead_time: 1h, streams: [s1]}
      - {what: Y out, to: c, lead_time: 8h, streams: [s1]}
"""


def test_a_looped_team_on_a_tying_chain_of_a_stream_has_no_slack(tmp_path: Path) -> None:
    # x is in the loop x <-> y and on x -> y -> c, as long as the path shown (p -> q -> c):
    # tied, so critical, not "slack not known".
    org = tmp_path / "org.yaml"
    org.write_text(TIED_IN_A_LOOP, encoding="utf-8")
    runner = CliRunner()
    page = " ".join(runner.invoke(app, ["team", "x", "--org", str(org)]).stdout.split())
    assert "On the critical path to c (tied): no slack." in page
    assert (
        "Flow (s1) → c: off its critical path as shown, but no slack: a chain through it is as "
        "long" in page
    )
    data = json.loads(runner.invoke(app, ["team", "x", "--org", str(org), "-f", "json"]).stdout)
    assert data["streams"][0]["tied"] is True
    report = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    assert report["slack_unknown"] == []
    assert report["streams"][0]["slack_lower_bound"] == ["x", "y"]
