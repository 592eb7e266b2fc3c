"""``icmap import markdown``: Team Topologies teams in Markdown (the visualizer's front matter,
the Team API template's tables) read into an org, with positions, and kept up to date."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from conftest import graph_shape, write
from icmap.cli import app
from icmap.importers import read_source
from icmap.loader import load

EXAMPLE = Path(__file__).resolve().parents[1] / "import-examples" / "markdown"


def run(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.stdout, done.stderr


def test_the_example_reads_both_shapes(tmp_path: Path) -> None:
    result = read_source("markdown", [EXAMPLE])
    assert result.org is not None, result.diagnostics
    assert result.diagnostics == []
    org = result.org
    assert {t.id: (t.name, t.type, t.group) for t in org.teams.values()} == {
        "checkout": ("Checkout", "stream-aligned", "Online orders"),
        "payments-platform": ("Payments Platform", "platform", "Commerce platform"),
        "search": ("Search", "stream-aligned", "Online orders"),
        "test-coaching": ("Test Coaching", "enabling", None),
    }
    got = {
        (r.provider, r.receiver): (r.what, r.mode, str(r.lead_time or ""), str(r.until), r.streams)
        for r in org.relations
    }
    assert got == {
        # the front matter's dependency and interaction: one relation, the platform's 5 days
        ("payments-platform", "checkout"): ("Card payments", "x-as-a-service", "5d", "None", ()),
        # the platform's own table row
        ("payments-platform", "search"): (
            "Saved cards for one-click buying",
            "x-as-a-service",
            "5d",
            "None",
            (),
        ),
        # a Team API page: facilitating, the page's Date plus 8 weeks
        ("test-coaching", "checkout"): (
            "Contract tests for the payment API",
            "facilitating",
            "",
            "2027-01-11",
            (),
        ),
        ("checkout", "customers"): (
            "Work for the external customer",
            None,
            "2d",
            "None",
            ("online-orders",),
        ),
        ("search", "customers"): (
            "Work for the external customer",
            None,
            "1d",
            "None",
            ("online-orders",),
        ),
    }
    assert org.streams["online-orders"].customer == "customers"
    assert org.streams["online-orders"].name == "Online orders"
    assert result.counts["planned interactions (not imported)"] == 1
    card = next(r for r in org.relations if r.what == "Card payments")
    assert [(o.why, o.pos.line, o.pos.col) for o in card.origins] == [
        ("dependency on 'payments-platform'", 11, 3),
        ("interaction with 'payments-platform' (mode x-as-a-service)", 13, 12),
    ]
    row = next(r for r in org.relations if r.provider == "test-coaching")
    assert (Path(row.origins[0].pos.file).name, row.origins[0].pos.line) == ("test-coaching.md", 12)


def test_import_check_and_read_directly(tmp_path: Path) -> None:
    out = tmp_path / "org"
    code, _, err = run("import", "markdown", str(EXAMPLE), "-o", str(out))
    assert code == 0, err
    assert "imported markdown: 4 files read, 4 team pages read\n" in err
    assert "  planned interactions: 1 (teams the pages expect to interact with soon" in err
    assert "  value streams: online-orders (to customers)" in err
    assert sorted(p.name for p in (out / "teams").iterdir()) == [
        "checkout.yaml",
        "payments-platform.yaml",
        "search.yaml",
        "test-coaching.yaml",
    ]
    result = read_source("markdown", [EXAMPLE])
    assert result.org is not None
    assert graph_shape(load(out)) == graph_shape(result.org)
    code, out_text, _ = run("check", str(out))
    assert code == 0, out_text
    code, out_text, err = run("check", "--from", "markdown", str(EXAMPLE))
    assert code == 0, out_text + err
    code, out_text, _ = run("graph", "-f", "json", "--from", "markdown", str(EXAMPLE))
    assert code == 0
    assert "test-coaching" in out_text


def test_update_after_a_change_in_the_files_keeps_hand_made_edits(tmp_path: Path) -> None:
    source = tmp_path / "teams"
    shutil.copytree(EXAMPLE, source)
    out = tmp_path / "org"
    code, _, err = run("import", "markdown", str(source), "-o", str(out))
    assert code == 0, err
    # By hand: a lead for Search, a satisfaction on the card payments, a team of its own.
    search = out / "teams" / "search.yaml"
    search.write_text(
        search.read_text(encoding="utf-8").replace("  search:\n", "  search:\n    lead: Ana\n"),
        encoding="utf-8",
    )
    checkout = out / "teams" / "checkout.yaml"
    text = checkout.read_text(encoding="utf-8")
    assert "        from: payments-platform\n" in text
    checkout.write_text(
        text.replace(
            "        from: payments-platform\n",
            "        from: payments-platform\n        satisfaction: 4\n",
        ),
        encoding="utf-8",
    )
    write(
        out,
        "teams/design.yaml",
        "teams:\n  design:\n    provides: [{what: Mock-ups, to: search}]\n",
    )
    # In the files: Search now depends on Checkout's basket API; Test Coaching's page is gone.
    page = source / "search.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "flow_metrics:",
            "interactions:\n- team: Checkout\n  interaction_mode: collaboration\n"
            "  purpose: Uses the basket API\nflow_metrics:",
        ),
        encoding="utf-8",
    )
    (source / "test-coaching.md").unlink()
    code, _, err = run("import", "markdown", str(source), "-o", str(out), "--update")
    assert code == 0, err
    assert "removed team (gone from the source): test-coaching" in err
    org = load(out)
    assert org.teams["search"].lead == "Ana"
    card = next(r for r in org.relations if r.what == "Card payments")
    assert card.satisfaction == 4
    basket = next(r for r in org.relations if r.what == "Uses the basket API")
    assert (basket.provider, basket.receiver, basket.mode) == (
        "checkout",
        "search",
        "collaboration",
    )
    assert any(r.provider == "design" for r in org.relations)
    assert "test-coaching" not in org.teams
    code, out_text, _ = run("check", str(out))
    assert code == 0, out_text


def test_problems_are_reported_where_they_stand(tmp_path: Path) -> None:
    folder = tmp_path / "teams"
    write(folder, "README.md", "# Our teams\n\nOne file a team.\n")
    checkout = write(
        folder,
        "checkout.md",
        """\
        ---
        team_id: checkout
        name: Checkout
        team_type: stream aligned
        flow_metrics: {lead_time_days: soon}
        interactions:
        - team_id: Ledger Team
          interaction_mode: sometimes
        dependencies:
        - Ledger Team
        - {}
        ---

        # Checkout
        """,
    )
    other = write(
        folder,
        "checkout-again.md",
        "---\nteam_id: checkout\nname: Checkout again\nteam_type: wizards\n---\n",
    )
    out = tmp_path / "org"
    code, _, err = run("import", "markdown", str(folder), "-o", str(out))
    assert code == 0, err
    readme = folder / "README.md"
    for line in (
        f"{readme}:1:1: warning: not a team page: no front matter with team_id or name",
        f"{checkout}:5:32: warning: lead_time_days 'soon' is not a number of days",
        f"{checkout}:7:12: warning: team 'Ledger Team' is named here but no file here defines "
        "it: added as a team [IC612]",
        f"{checkout}:8:21: warning: interaction mode 'sometimes' is not one of x-as-a-service, "
        "collaboration, facilitating [IC613]",
        f"{checkout}:11:3: warning: a dependency that names no team (a mapping): skipped [IC604]",
        # checkout-again.md is read first: its name sorts first.
        f"{checkout}:2:10: warning: team 'Checkout' makes the id 'checkout', as 'Checkout again' "
        f"at {other}:2:10 does: read as the same team [IC611]",
        f"{other}:4:12: warning: team type 'wizards' is not one of stream-aligned, platform, "
        "enabling, complicated-subsystem [IC613]",
    ):
        assert line in err, line
    org = load(out)
    assert org.teams["checkout"].type == "stream-aligned"
    # Checkout depends on the ledger team, which has no file: it provides.
    assert {(r.provider, r.receiver) for r in org.relations if r.receiver == "checkout"} == {
        ("ledger-team", "checkout")
    }


def test_front_matter_that_is_not_yaml_stops_the_import(tmp_path: Path) -> None:
    bad = write(tmp_path, "a.md", "---\nteam_id: a\ninteractions: [\n---\n# A\n")
    unclosed = write(tmp_path, "b.md", "---\nteam_id: b\n")
    out = tmp_path / "org"
    code, _, err = run("import", "markdown", str(bad), str(unclosed), "-o", str(out))
    assert code == 2
    assert f"{bad}:" in err and "YAML syntax" in err
    assert f"{unclosed}:1:1: error: front matter opened with --- is never closed" in err
    assert "nothing imported" in err
    assert not out.exists()


def test_which_side_provides(tmp_path: Path) -> None:
    write(
        tmp_path,
        "portal.md",
        """\
        ---
        team_id: portal
        team_type: stream-aligned
        interactions:
        - {team_id: drivers, interaction_mode: x-as-a-service, purpose: Provides the portal}
        ---
        """,
    )
    write(tmp_path, "drivers.md", "---\nteam_id: drivers\nteam_type: stream-aligned\n---\n")
    write(
        tmp_path,
        "coaching.md",
        """\
        ---
        team_id: coaching
        team_type: enabling
        interactions:
        - {team_id: platform, interaction_mode: facilitating}
        ---
        """,
    )
    write(
        tmp_path,
        "platform.md",
        """\
        ---
        team_id: platform
        team_type: platform
        dependencies: [drivers]
        interactions:
        - {team_id: drivers, interaction_mode: collaboration}
        ---
        """,
    )
    # The drivers' page names the platform too, with another mode: one relation, reported.
    write(
        tmp_path,
        "drivers-api.md",
        """\
        # Team API

        - Team name and focus: Drivers - the driver app

        ## Teams we currently interact with

        | Team | Interaction mode | Purpose | Duration |
        |---|---|---|---|
        | Platform | X-as-a-Service | | Ongoing |
        """,
    )
    result = read_source("markdown", [tmp_path])
    assert result.org is not None
    pairs = {(r.provider, r.receiver): r.mode for r in result.org.relations}
    assert pairs == {
        ("portal", "drivers"): "x-as-a-service",  # the purpose says so
        ("coaching", "platform"): "facilitating",  # the enabling team facilitates
        # A platform names a stream-aligned team: it provides; the drivers' page, read first,
        # names the platform too: one relation, with the mode read first.
        ("platform", "drivers"): "x-as-a-service",
        ("drivers", "customers"): None,
        ("portal", "customers"): None,
    }
    conflict = [d for d in result.diagnostics if d.code == "IC610"]
    assert [(Path(d.file).name, d.line) for d in conflict] == [("platform.md", 6)]
    assert "kept the first" in conflict[0].message


def _api_page(name: str, kind: str, *rows: str) -> str:
    """A Team API page of ``name``, with ``rows`` (team | mode | purpose) it interacts with."""
    table = "".join(f"| {row} | Ongoing |\n" for row in rows)
    return (
        f"# Team API\n\n- Team name and focus: {name}\n- Team type: {kind}\n\n"
        "## Teams we currently interact with\n\n"
        "| Team Name | Interaction Mode | Purpose | Duration |\n|---|---|---|---|\n" + table
    )


def test_teams_that_name_each_other_are_read_from_both_pages(tmp_path: Path) -> None:
    # As the Team Topologies visualizer's platform teams write it: each names the other, as a
    # service, and only 'our' and 'their' say which way the work goes.
    write(
        tmp_path,
        "ci.md",
        _api_page(
            "CI",
            "platform",
            "Cloud | X-as-a-Service | Pipelines deploy to their AWS infrastructure",
            "Metrics | X-as-a-Service | Send pipeline metrics to Prometheus",
        ),
    )
    write(
        tmp_path,
        "cloud.md",
        _api_page(
            "Cloud", "platform", "CI | X-as-a-Service | Pipelines deploy to our AWS infrastructure"
        ),
    )
    metrics = write(
        tmp_path,
        "metrics.md",
        _api_page("Metrics", "platform", "CI | X-as-a-Service | Monitor build pipelines"),
    )
    write(
        tmp_path,
        "drivers.md",
        _api_page(
            "Drivers",
            "stream-aligned",
            "Dispatch | Collaboration | Driver-dispatcher messages",
            "CI | X-as-a-Service | Build pipelines",
        ),
    )
    write(
        tmp_path,
        "dispatch.md",
        _api_page("Dispatch", "stream-aligned", "Drivers | Collaboration | Driver messages"),
    )
    result = read_source("markdown", [tmp_path])
    assert result.org is not None, result.diagnostics
    between = {
        (r.provider, r.receiver): r.mode
        for r in result.org.relations
        if r.receiver in result.org.teams
    }
    assert between == {
        ("cloud", "ci"): "x-as-a-service",  # both pages: 'their' and 'our' infrastructure
        ("metrics", "ci"): "x-as-a-service",  # unclear: the first page's reading, reported
        ("ci", "drivers"): "x-as-a-service",  # one page only: the platform provides
        ("drivers", "dispatch"): "collaboration",  # a collaboration: both ways
        ("dispatch", "drivers"): "collaboration",
    }
    unclear = [d for d in result.diagnostics if d.code == "IC651"]
    assert [(Path(d.file).name, d.line, d.name) for d in unclear] == [
        ("ci.md", 11, "unclear-direction")
    ]
    assert unclear[0].message == (
        "'CI' and 'Metrics' each name the other and neither page says which provides: read "
        "as 'Metrics' providing to 'CI', as this page says"
    )
    assert result.counts["pairs read from both sides"] == 3
    code, _, err = run("import", "markdown", str(tmp_path), "-o", str(tmp_path / "org"))
    assert code == 0, err
    assert (
        "  pairs read from both sides: 3 (both teams' pages name the other; one hand-off each, "
        "two for a collaboration read both ways): 1 by the purposes' wording, 1 collaboration, "
        "1 unclear (IC651)\n"
        "    Cloud -> CI (the purposes say: 'our ...', 'their ...')\n"
        "    Metrics -> CI (unclear: the first page's reading, reported (IC651))\n"
        "    Dispatch <-> Drivers (collaboration: both ways)\n"
    ) in err
    # Said outright on one page, the pair is no longer unclear: that page decides.
    metrics.write_text(
        _api_page("Metrics", "platform", "CI | X-as-a-Service | Uses the pipelines"),
        encoding="utf-8",
    )
    result = read_source("markdown", [tmp_path])
    assert result.org is not None
    assert not [d for d in result.diagnostics if d.code == "IC651"]
    pairs = {(r.provider, r.receiver) for r in result.org.relations}
    assert {("ci", "metrics"), ("cloud", "ci")} <= pairs
    assert ("metrics", "ci") not in pairs


def test_an_enabling_teams_row_makes_it_the_provider(tmp_path: Path) -> None:
    write(
        tmp_path,
        "coaching.md",
        _api_page(
            "Agile Coaching: helps teams improve flow",
            "enabling",
            "Payments Platform | Collaboration | WIP limits",
            "Orders | Facilitating | Flow metrics",
        ),
    )
    write(tmp_path, "payments.md", "---\nname: Payments Platform\nteam_type: platform\n---\n")
    write(tmp_path, "orders.md", "---\nname: Orders\nteam_type: stream-aligned\n---\n")
    result = read_source("markdown", [tmp_path])
    assert result.org is not None, result.diagnostics
    got = {(r.provider, r.receiver, r.what, r.mode) for r in result.org.relations}
    assert ("agile-coaching", "payments-platform", "WIP limits", "collaboration") in got
    assert ("agile-coaching", "orders", "Flow metrics", "facilitating") in got
    assert not any(r.provider == "payments-platform" for r in result.org.relations)


def test_modes_durations_focus_and_idle_teams_are_read_or_reported(tmp_path: Path) -> None:
    page = write(
        tmp_path,
        "coaching.md",
        "Date: 2026-03-01\n\n"
        + _api_page(
            "Agile Coaching: helps teams improve flow",
            "enabling",
            "Orders | colaboration | Flow metrics",
            "Payments | Facilitating | WIP limits",
            "Search | Facilitating | Pairing",
        ).replace("Ongoing |\n", "tomorrow |\n", 1),
    )
    undated = write(
        tmp_path,
        "orders.md",
        _api_page(
            "Orders - the shop's orders", "stream-aligned", "Payments | | Card payments"
        ).replace("Ongoing", "6 weeks"),
    )
    write(tmp_path, "payments.md", "---\nname: Payments\nteam_type: platform\n---\n")
    write(tmp_path, "search.md", "---\nname: Search\nteam_type: stream-aligned\n---\n")
    write(tmp_path, "archive.md", "---\nname: Archive\nteam_type: platform\n---\n")
    code, _, err = run("import", "markdown", str(tmp_path), "-o", str(tmp_path / "org"))
    assert code == 0, err
    for line in (
        f"{page}:12:12: warning: interaction mode 'colaboration' is not one of x-as-a-service, "
        "collaboration, facilitating; did you mean 'collaboration'? [IC613]",
        f"{page}:12:42: warning: Duration 'tomorrow' is not a date (YYYY-MM-DD), a length "
        "(8 weeks) or Ongoing: no end date read [IC613]",
        f"{undated}:10:32: warning: Duration '6 weeks' counts from the page's Date, and no Date "
        "was read on this page: no end date read [IC613]",
        "  teams without hand-offs: 1 (icmap check reports each: its work reaches no "
        "customer): archive\n",
    ):
        assert line in err, line
    org = load(tmp_path / "org")
    # The Team API page's focus is the team's description.
    assert org.teams["agile-coaching"].description == "helps teams improve flow"
    assert org.teams["orders"].description == "the shop's orders"
    assert org.teams["payments"].description is None


def test_misspelt_front_matter_keys_get_a_did_you_mean(tmp_path: Path) -> None:
    write(
        tmp_path,
        "checkout.md",
        "---\nteam_id: checkout\nname: Checkout\nteam_typ: stream-aligned\n"
        "metadata:\n  flow_metric: {lead_time_days: 2}\n  size: 7\n"
        "flow_metrics: {lead_tme_days: 5}\n"
        "interactions:\n  - {team_id: payments, interaction_mod: x-as-a-service}\n"
        "owner: someone\n---\n# Checkout\n",
    )
    write(tmp_path, "payments.md", "---\nteam_id: payments\nteam_type: platform\n---\n")
    code, _, err = run("import", "markdown", str(tmp_path), "-o", str(tmp_path / "out"))
    assert code == 0
    found = [line for line in err.splitlines() if "[IC613]" in line or "hint:" in line]
    assert found == [
        f"{tmp_path / 'checkout.md'}:4:1: warning: unknown key 'team_typ': not read [IC613]",
        "  hint: did you mean 'team_type'?",
        f"{tmp_path / 'checkout.md'}:6:3: warning: unknown key 'flow_metric': not read [IC613]",
        "  hint: did you mean 'flow_metrics'?",
        f"{tmp_path / 'checkout.md'}:8:16: warning: unknown key 'lead_tme_days': not read [IC613]",
        "  hint: did you mean 'lead_time_days'?",
        f"{tmp_path / 'checkout.md'}:10:25: warning: unknown key 'interaction_mod': not read "
        "[IC613]",
        "  hint: did you mean 'interaction_mode'?",
    ]
