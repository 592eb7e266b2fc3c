"""Importers on generated sources: every ref form, odd shapes, CSV cells, --update, --from."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, graph_shape, write
from icmap.cli import app
from icmap.importers import BackstageOptions, SourceFormat, read_source
from icmap.loader import load

TEAMS = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: Team-A}
spec: {type: team, parent: eng, profile: {displayName: Team Alpha}}
---
apiVersion: backstage.io/v1beta1
kind: Group
metadata: {name: team-b}
spec: {type: team, parent: group:default/eng}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: eng}
spec: {type: department, children: [team-a, team-b]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: ann}
spec: {memberOf: [team-b]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {memberOf: [team-a, team-b]}
"""

COMPONENTS = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web, tags: [public]}
spec:
  type: website
  owner: group:default/team-a
  dependsOn: [Component:Default/API-Server, null, '']
---
apiVersion: backstage.io/v1beta1
kind: Component
metadata: {name: api-server}
spec: {type: service, owner: user:ann, consumesApis: [billing]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: billing}
spec: {type: openapi, owner: group:TEAM-A}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: orphan}
spec: {type: service, dependsOn: [component:shared]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: shared}
spec: {type: service, owner: user:bob}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: odd}
---
- a list where an entity belongs
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: broken}
spec: [not, a, mapping]
"""


def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    write(root, "groups.yaml", TEAMS)
    write(root, "components.yaml", COMPONENTS)
    write(
        root,
        "catalog-info.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: root}
        spec:
          targets: [./groups.yaml, ./components.yaml, https://example.com/x.yaml, ./loop.yaml]
        """,
    )
    write(
        root,
        "loop.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: loop}
        spec: {target: ./catalog-info.yaml}
        """,
    )
    return root


def test_generated_catalog_every_ref_form_and_odd_shape(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    result = read_source(SourceFormat.backstage, [root / "catalog-info.yaml"])
    assert result.org is not None
    org = result.org
    relations = {(r.provider, r.receiver, r.what) for r in org.relations}
    # web (Team-A) depends on api-server (user:ann -> team-b): team-b provides it.
    # api-server (team-b) consumes billing (group:TEAM-A, any case): Team-A provides it.
    # The team's id is the group's name as written: Team-A.
    assert ("team-b", "Team-A", "api-server") in relations
    assert ("Team-A", "team-b", "billing") in relations
    assert org.teams["Team-A"].name == "Team Alpha"
    assert org.teams["Team-A"].group == org.teams["team-b"].group == "eng"
    assert "eng" not in org.teams  # holds teams, owns nothing: not a team
    problems = {(Path(d.file).name, d.line, d.col, d.code) for d in result.diagnostics}
    assert problems == {
        ("catalog-info.yaml", 5, 47, "IC602"),  # a URL target: reported, never fetched
        ("loop.yaml", 4, 16, "IC609"),  # leads back to catalog-info.yaml
        ("components.yaml", 7, 45, "IC604"),  # null in dependsOn
        ("components.yaml", 7, 51, "IC604"),  # '' in dependsOn
        ("components.yaml", 21, 18, "IC606"),  # orphan: no owner
        ("components.yaml", 27, 30, "IC607"),  # bob is in two groups
        ("components.yaml", 29, 1, "IC631"),  # apiVersion example.com/v1: not Backstage's
        ("components.yaml", 33, 1, "IC608"),  # a list where an entity belongs
        ("components.yaml", 38, 7, "IC608"),  # spec is a list
    }
    assert all(d.severity == "warning" for d in result.diagnostics)


def test_generated_catalog_round_trip_and_customer_options(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    default = read_source(SourceFormat.backstage, [root])
    assert default.org is not None
    served = {(r.provider, r.what) for r in default.org.relations if r.receiver == "customers"}
    assert served == {("Team-A", "web")}  # the one front end (a website)
    by_tag = read_source(SourceFormat.backstage, [root], BackstageOptions(tags=("PUBLIC",)))
    by_type = read_source(SourceFormat.backstage, [root], BackstageOptions(types=("service",)))
    by_ref = read_source(SourceFormat.backstage, [root], BackstageOptions(refs=("api:billing",)))
    for result, expected in (
        (by_tag, {("Team-A", "web")}),
        (by_type, {("team-b", "api-server")}),
        (by_ref, {("Team-A", "billing")}),
    ):
        assert result.org is not None
        got = {(r.provider, r.what) for r in result.org.relations if r.receiver == "customers"}
        assert got == expected
    assert "tag public" in by_tag.customers_chosen[0]
    out = tmp_path / "org"
    done = CliRunner().invoke(
        app, ["import", "backstage", str(root), "-o", str(out), "--customer", "type:service"]
    )
    assert done.exit_code == 0, done.stderr
    assert by_type.org is not None
    assert graph_shape(load(out)) == graph_shape(by_type.org)


def test_no_customer_facing_entity_is_an_error(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    done = CliRunner().invoke(
        app, ["import", "backstage", str(root), "-o", str(tmp_path / "o"), "--customer", "tag:x"]
    )
    assert done.exit_code == 2
    # The selector matches nothing: the error names it, not a file's first line.
    assert (
        "<command line>:1:1: error: no external customer: --customer tag:x matches no entity "
        "in the catalog [IC614]"
    ) in done.stderr
    bad = CliRunner().invoke(
        app, ["import", "backstage", str(root), "-o", str(tmp_path / "o"), "--customer", "color:x"]
    )
    assert bad.exit_code == 2
    assert "write kind:KIND, type:TYPE, tag:TAG, label:KEY=VALUE or ref:REF" in bad.stderr


#: The shape of the catalog Backstage's create-app writes (examples/entities.yaml with
#: examples/org.yaml): one group, a user in it, a system, a website providing an API that
#: nothing consumes. Written for this test, with other names.
STARTER_CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: demo}
spec: {owner: visitors}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: demo-site}
spec: {type: website, owner: visitors, system: demo, providesApis: [demo-api]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: demo-api}
spec: {type: grpc, owner: visitors, system: demo}
"""
STARTER_PEOPLE = """\
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: visitor}
spec: {memberOf: [visitors]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: visitors}
spec: {type: squad, children: []}
"""


def test_the_starter_catalog_faces_the_customer_through_its_website(
    tmp_path: Path,
) -> None:
    entities = write(tmp_path, "examples/entities.yaml", STARTER_CATALOG)
    people = write(tmp_path, "examples/org.yaml", STARTER_PEOPLE)
    out = tmp_path / "org"
    done = CliRunner().invoke(
        app, ["import", "backstage", str(entities), str(people), "-o", str(out)]
    )
    assert done.exit_code == 0, done.stderr
    assert "IC614" not in done.stderr
    # The website is a front end; the gRPC API it provides, which nothing in the catalog
    # consumes, is service-to-service wiring, not something outside clients call.
    assert "1 customer-facing entity, owned by 1 team (visitors)" in done.stderr
    org = load(out)
    assert [(r.provider, r.receiver, r.what) for r in org.relations] == [
        ("visitors", "customers", "demo-site"),
    ]
    # Both websites face the customer.
    consumer = (
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: demo-app}\n"
        "spec: {type: website, owner: visitors, consumesApis: [demo-api]}\n"
    )
    entities.write_text(STARTER_CATALOG + consumer, encoding="utf-8")
    result = read_source(SourceFormat.backstage, [entities, people])
    assert result.org is not None
    assert {r.what for r in result.org.relations if r.receiver == "customers"} == {
        "demo-app",
        "demo-site",
    }


def test_an_entity_depending_on_itself_is_a_warning_at_its_position(tmp_path: Path) -> None:
    write(tmp_path, "people.yaml", STARTER_PEOPLE)
    write(
        tmp_path,
        "loop.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: looper}
        spec:
          owner: visitors
          dependsOn: [component:looper]
        """,
    )
    done = CliRunner().invoke(
        app, ["import", "backstage", str(tmp_path), "-o", str(tmp_path / "o")]
    )
    assert done.exit_code == 0, done.stderr
    assert (
        "loop.yaml:6:15: warning: component:looper dependsOn component:looper: an entity's "
        "relation to itself is no hand-off; ignored [IC616]"
    ) in done.stderr
    assert "1 self-relation" in done.stderr


HANDOFFS = (
    "\ufeffsep=;\r\n"
    "Provider ; Receiver;What;Lead Time;Satisfaction;Feedback;Mode;External\r\n"
    "Kitchen;Expediters;Plated dishes;15m;4,5;;XaaS;\r\n"
    "Expediters;Wait staff;Checked orders;2m;;;;\r\n"
    "Wait staff;Kitchen;Returned plates; 1h ;;yes;;\r\n"
    "Wait staff;Diners;Table service;;;;;yes\r\n"
)


def test_csv_as_people_export_it(tmp_path: Path) -> None:
    path = tmp_path / "handoffs.csv"
    path.write_bytes(HANDOFFS.encode("utf-8"))
    result = read_source(SourceFormat.csv, [path])
    assert result.org is not None, [d.format() for d in result.diagnostics]
    org = result.org
    assert sorted(org.customers) == ["diners"]
    dishes = next(r for r in org.relations if r.what == "Plated dishes")
    assert (dishes.provider, dishes.receiver, dishes.satisfaction, dishes.mode) == (
        "kitchen",
        "expediters",
        4.5,
        "x-as-a-service",
    )
    assert dishes.lead_time is not None and dishes.lead_time.hours == 0.25
    assert next(r for r in org.relations if r.what == "Returned plates").feedback
    out = tmp_path / "org"
    done = CliRunner().invoke(app, ["import", "csv", str(path), "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    assert "imported csv: 1 file read, 4 rows read" in done.stderr
    assert graph_shape(load(out)) == graph_shape(org)


def test_csv_problems_at_their_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "h.csv",
        "provider,reciever,what\nkitchen,waiters,dishes\n",
    )
    done = CliRunner().invoke(app, ["import", "csv", str(path), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert "h.csv:1:2: error: unknown column 'reciever' [IC004]" in done.stderr
    assert "did you mean 'receiver'?" in done.stderr
    bad = write(
        tmp_path,
        "b.csv",
        "provider;receiver;what;lead_time;satisfaction;external\nkitchen;diners;dishes;5;7;yes\n",
    )
    done = CliRunner().invoke(app, ["import", "csv", str(bad), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert "b.csv:2:4: error: lead_time '5' has no unit" in done.stderr
    assert "b.csv:2:5: error: satisfaction '7' is not between 1 and 5" in done.stderr
    # An 'external' column with no yes in it: say so, not that every receiver provides.
    none = write(tmp_path, "n.csv", "provider,receiver,what,external\nA,B,x,\nB,C,y,no\n")
    done = CliRunner().invoke(app, ["import", "csv", str(none), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert "n.csv:1:1: error: no external customers: no row's 'external' cell says yes" in (
        done.stderr
    )
    # yes in one row and no in another for the same receiver: a warning at the 'no' cell.
    mixed = write(
        tmp_path, "m.csv", "provider,receiver,what,external\nA,Diners,x,yes\nB,Diners,y,no\n"
    )
    done = CliRunner().invoke(app, ["import", "csv", str(mixed), "-o", str(tmp_path / "o")])
    assert done.exit_code == 0, done.stderr
    assert "m.csv:3:4: warning: 'Diners' is not external here but is marked external in row 2" in (
        done.stderr
    )
    assert load(tmp_path / "o").customers.keys() == {"diners"}


def test_import_refuses_an_existing_org_and_update_keeps_hand_edits(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    out = tmp_path / "org"
    runner = CliRunner()
    assert runner.invoke(app, ["import", "backstage", str(root), "-o", str(out)]).exit_code == 0
    again = runner.invoke(app, ["import", "backstage", str(root), "-o", str(out)])
    assert again.exit_code == 2
    assert "already holds an earlier import: add --update" in again.stderr
    team_a, team_b = out / "teams" / "Team-A.yaml", out / "teams" / "team-b.yaml"
    text = team_a.read_text()
    assert "      - what: billing\n        to: team-b\n" in text
    team_a.write_text(text.replace("to: team-b\n", "to: team-b\n        lead_time: 3d\n"))
    team_b.write_text(team_b.read_text().replace("group: eng\n", "group: eng\n    lead: Ann\n"))
    # A team and hand-offs the catalog does not know, added by hand: they stay.
    write(
        out, "teams/design.yaml", "teams:\n  design:\n    provides: [{what: Mockups, to: Team-A}]\n"
    )
    team_a.write_text(
        team_a.read_text() + "      - {what: Design reviews, to: team-b, lead_time: 2d}\n"
    )
    assert "x-icmap-import:" in (out / "org.yaml").read_text()
    # The catalog changes: a new component of team-b that web depends on; api-server goes.
    components = root / "components.yaml"
    components.write_text(
        COMPONENTS.replace("Component:Default/API-Server", "component:search")
        + "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: search}\n"
        "spec: {type: service, owner: team-b, consumesApis: [billing]}\n"
    )
    updated = runner.invoke(app, ["import", "backstage", str(root), "-o", str(out), "--update"])
    assert updated.exit_code == 0, updated.stderr
    org = load(out)
    billing = next(r for r in org.relations if r.what == "billing")
    assert billing.lead_time is not None and billing.lead_time.hours == 72  # kept
    assert org.teams["team-b"].lead == "Ann"
    whats = {(r.provider, r.receiver, r.what) for r in org.relations}
    assert ("team-b", "Team-A", "search") in whats
    assert ("team-b", "Team-A", "api-server") not in whats
    assert "removed relation (gone from the source): team-b → Team-A: api-server" in updated.stderr
    # api-server stays in the catalog, a service nothing depends on: no front end, no hand-off.
    assert not any(r.what == "api-server" for r in org.relations)
    assert "1 relation added, 1 removed" in updated.stderr
    # billing's lead time and team-b's lead
    assert "2 hand-added fields kept" in updated.stderr
    assert "kept as written by hand: 1 team, 0 customers, 2 relations" in updated.stderr
    assert ("design", "Team-A", "Mockups") in whats
    reviews = next(r for r in org.relations if r.what == "Design reviews")
    assert reviews.lead_time is not None and reviews.lead_time.hours == 48
    # A second update changes nothing: what was kept is still hand-made, not imported.
    again = runner.invoke(app, ["import", "backstage", str(root), "-o", str(out), "--update"])
    assert again.exit_code == 0, again.stderr
    assert "0 relations added, 0 removed" in again.stderr
    assert graph_shape(load(out)) == graph_shape(org)


def test_update_keeps_the_customers_chosen_last_time(tmp_path: Path) -> None:
    shop = Path(__file__).parent.parent / "import-examples" / "backstage"
    out = tmp_path / "org"
    first = ["import", "backstage", str(shop), "-o", str(out), "--customer", "type:service"]
    assert CliRunner().invoke(app, first).exit_code == 0
    team = out / "teams" / "checkout.yaml"
    edited = team.read_text(encoding="utf-8").replace(
        "to: customers\n", "to: customers\n        lead_time: 1d\n"
    )
    assert "lead_time: 1d" in edited
    team.write_text(edited, encoding="utf-8")
    # Without --customer the update used the default rule: checkout's customer hand-off (and
    # its lead time) was removed as gone from the source.
    done = CliRunner().invoke(app, ["import", "backstage", str(shop), "-o", str(out), "--update"])
    assert done.exit_code == 0, done.stderr
    assert "as the last import chose (--customer type:service)" in done.stderr
    assert "0 removed; 1 hand-added field kept" in done.stderr
    kept = next(
        r for r in load(out).relations if (r.provider, r.receiver) == ("checkout", "customers")
    )
    assert kept.lead_time is not None and kept.lead_time.hours == 24
    # Others given: those are used, and remembered.
    again = [*first[:-1], "kind:api", "--update"]
    done = CliRunner().invoke(app, again)
    assert done.exit_code == 0, done.stderr
    assert "removed relation (gone from the source): checkout → customers" in done.stderr
    assert 'customer: ["kind:api"]' in (out / "org.yaml").read_text(encoding="utf-8")


def test_import_json_summary_has_provenance(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    done = CliRunner().invoke(
        app, ["import", "backstage", str(root), "-o", str(tmp_path / "o"), "--format", "json"]
    )
    assert done.exit_code == 0
    assert "imported backstage:" not in done.stderr  # the summary is the JSON, on stdout
    data = json.loads(done.stdout)
    hand_off = next(h for h in data["hand_offs"] if h["what"] == "billing")
    assert hand_off["provenance"][0]["why"] == "via component:api-server consumesApis api:billing"
    assert data["problems_by_kind"]["empty-entry"] == 2
    assert data["counts"]["teams"] == 2


def test_import_takes_f_json_as_every_command_and_json_still_works(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    runner = CliRunner()
    short = runner.invoke(
        app, ["import", "backstage", str(root), "-o", str(tmp_path / "a"), "-f", "JSON"]
    )
    assert short.exit_code == 0, short.stderr
    assert json.loads(short.stdout)["format"] == "backstage"
    text = runner.invoke(
        app, ["import", "backstage", str(root), "-o", str(tmp_path / "b"), "-f", "text"]
    )
    assert text.exit_code == 0, text.stderr
    assert text.stdout == ""
    assert "imported backstage:" in text.stderr
    # Scripts written for --json keep working; stderr says what to write instead.
    old = runner.invoke(
        app, ["import", "backstage", str(root), "-o", str(tmp_path / "c"), "--json"]
    )
    assert old.exit_code == 0, old.stderr
    assert json.loads(old.stdout) == json.loads(short.stdout)
    assert "--json is deprecated: use -f json" in old.stderr
    both = runner.invoke(
        app, ["import", "backstage", str(root), "-o", str(tmp_path / "d"), "--json", "-f", "text"]
    )
    assert both.exit_code == 2
    assert not (tmp_path / "d").exists()
    wrong = runner.invoke(
        app, ["import", "backstage", str(root), "-o", str(tmp_path / "e"), "-f", "yaml"]
    )
    assert wrong.exit_code == 2
    assert "'yaml' is not one of text, json" in wrong.stderr
    shown = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "100"}).stdout
    assert "-f, --format [text|json]" in shown
    assert "--json" not in shown


def test_summary_text_and_json_count_hand_offs_relations_and_dangling_refs_alike(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "catalog/c.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: shop}
        spec: {type: team}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: infra}
        spec: {type: team}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: web}
        spec: {owner: shop, dependsOn: [db, queue, component:gone, component:gone]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: admin}
        spec: {owner: shop, dependsOn: [db, component:gone, resource:lost]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: db}
        spec: {owner: infra}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: queue}
        spec: {owner: infra}
        """,
    )
    runner = CliRunner()
    text = runner.invoke(
        app, ["import", "backstage", str(tmp_path / "catalog"), "-o", str(tmp_path / "a")]
    )
    assert text.exit_code == 0, text.stderr
    # infra hands shop two things (db, queue): one hand-off, two relations; shop serves the
    # customer with web and admin.
    assert "  team-to-team hand-offs: 1 (2 relations)\n" in text.stderr
    assert "  hand-offs to external customers: 1 (2 relations)\n" in text.stderr
    # Four warnings name two missing entities.
    assert "  problems: 4 dangling-ref\n" in text.stderr
    assert (
        "  dangling refs: 2 entities not in the catalog, named 4 times: "
        "component:default/gone, resource:default/lost\n"
    ) in text.stderr
    done = runner.invoke(
        app,
        ["import", "backstage", str(tmp_path / "catalog"), "-o", str(tmp_path / "b"), "-f", "json"],
    )
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["schema_version"] == 2
    counts = data["counts"]
    assert "hand-offs derived" not in counts
    assert {k: counts[k] for k in counts if "hand-offs" in k or "relations" in k} == {
        "team-to-team hand-offs": 1,
        "team-to-team relations": 2,
        "hand-offs to external customers": 1,
        "relations to external customers": 2,
        "relations inside one team": 0,
        "relations with an unowned end": 0,
    }
    assert (counts["dangling refs"], counts["dangling ref mentions"]) == (2, 4)
    assert data["dangling_refs"] == {"component:default/gone": 3, "resource:default/lost": 1}
    assert data["problems_by_kind"] == {"dangling-ref": 4}


def test_graph_json_from_a_source_keeps_provenance(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    done = CliRunner().invoke(app, ["graph", "-f", "json", "--from", "backstage", str(root)])
    assert done.exit_code == 0, done.stderr
    relations = [r for link in json.loads(done.stdout)["links"] for r in link["relations"]]
    billing = next(r for r in relations if r["what"] == "billing")
    why = billing["provenance"][0]
    assert why["why"] == "via component:api-server consumesApis api:billing"
    assert (Path(why["file"]).name, why["line"] > 0, why["col"] > 0) == (
        "components.yaml",
        True,
        True,
    )
    # The org the import writes has it in comments only: the loader does not make it up.
    out = tmp_path / "o"
    assert (
        CliRunner().invoke(app, ["import", "backstage", str(root), "-o", str(out)]).exit_code == 0
    )
    written = CliRunner().invoke(app, ["graph", "-f", "json", str(out)])
    assert written.exit_code == 0
    assert all(
        "provenance" not in r
        for link in json.loads(written.stdout)["links"]
        for r in link["relations"]
    )


@pytest.mark.parametrize("command", ["report", "graph"])
def test_from_reads_without_writing(tmp_path: Path, command: str) -> None:
    root = catalog(tmp_path)
    before = sorted(p.name for p in root.iterdir())
    done = CliRunner().invoke(app, [command, "--from", "backstage", str(root)])
    assert done.exit_code == 0, done.stderr
    assert "Team-A" in done.stdout
    assert sorted(p.name for p in root.iterdir()) == before
    wrong = CliRunner().invoke(app, [command, "--from", "backstag", str(root)])
    assert wrong.exit_code == 2
    assert "did you mean 'backstage'?" in wrong.stderr


def test_teamapi_generated_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        """\
        info: {name: Checkout, type: Stream Aligned, focus: Sell things}
        dependencies:
          - {teamName: Payments Platform, type: Slowing, description: Card payments}
          - [not a mapping]
          - {description: nobody}
        interactions:
          - {team-name: payments platform, mode: XaaS, startDate: 2026-02-01,
             expectedDuration: 2, expectedDurationUnit: Weeks}
          - {teamName: Checkout, mode: collaboration}
          - {teamName: Data, mode: sometimes, startDate: 31/31/2026}
        """,
    )
    write(tmp_path, "b.yaml", "info: {name: Payments  Platform, type: platform}\n")
    write(tmp_path, "c.yaml", "info: {name: payments-platform}\n")
    out = tmp_path.with_name(f"{tmp_path.name}-org")  # outside the folder it reads
    done = CliRunner().invoke(
        app, ["import", "teamapi", str(tmp_path), "-o", str(out), "-f", "json"]
    )
    assert json.loads(done.stdout)["counts"]["Team APIs read"] == 2
    result = read_source(SourceFormat.teamapi, [tmp_path])
    assert result.org is not None
    pay = next(r for r in result.org.relations if r.provider == "payments-platform")
    assert (pay.what, pay.state, pay.mode, str(pay.since), str(pay.until)) == (
        "Card payments",
        "slowing",
        "x-as-a-service",
        "2026-02-01",
        "2026-02-15",
    )
    codes = sorted((Path(d.file).name, d.line, d.code) for d in result.diagnostics)
    assert codes == [
        ("a.yaml", 4, "IC608"),  # a list where a dependency belongs
        ("a.yaml", 5, "IC604"),  # no teamName
        ("a.yaml", 9, "IC613"),  # an interaction with itself
        ("a.yaml", 10, "IC612"),  # Data has no file
        ("a.yaml", 10, "IC613"),  # mode 'sometimes'
        ("a.yaml", 10, "IC613"),  # 31/31/2026
        ("c.yaml", 1, "IC611"),  # the same id as b.yaml's team
    ]


def test_teamapi_a_second_interaction_with_a_team_does_not_mix_in(tmp_path: Path) -> None:
    # Two interactions with one team make one relation: taking the mode of one and the start of
    # the other gave an until before the since, which the written org then failed to load.
    write(
        tmp_path,
        "a.yaml",
        """\
        info: {name: Checkout, type: stream-aligned}
        interactions:
          - {teamName: Platform, mode: X-as-a-service, startDate: 13/01/2022,
             expectedDuration: 3, expectedDurationUnit: weeks}
          - {teamName: platform, mode: collaboration, startDate: 2022-03-01}
          - {teamName: Platform, mode: sometimes, startDate: unknown}
        dependencies:
          - {teamName: Platform, type: Slowing}
          - {teamName: Platform, type: Blockng}
        """,
    )
    write(tmp_path, "b.yaml", "info: {name: Platform, type: platform}\n")
    out = tmp_path / "org"
    done = CliRunner().invoke(app, ["import", "teamapi", str(tmp_path), "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    rel = next(r for r in load(out).relations if r.provider == "platform")
    assert (rel.mode, str(rel.since), str(rel.until), rel.state) == (
        "x-as-a-service",
        "2022-01-13",
        "2022-02-03",
        "slowing",
    )
    assert "a.yaml:5:5: warning: a second interaction with 'Platform' gives a different" in (
        done.stderr
    )
    assert CliRunner().invoke(app, ["check", str(out)]).exit_code == 0


def test_teamapi_keeps_the_first_interaction_whole_when_its_mode_is_misspelt(
    tmp_path: Path,
) -> None:
    # The relation took the second interaction's mode and the first one's dates, while IC610
    # said it "kept the first interaction's".
    write(
        tmp_path,
        "a.yaml",
        """\
        info: {name: Checkout, type: stream-aligned}
        interactions:
          - {teamName: Platform, mode: X-as-a-servce, startDate: 2022-01-13,
             expectedDuration: 3, expectedDurationUnit: weeks}
          - {teamName: Platform, mode: collaboration, startDate: 2022-03-01}
        """,
    )
    write(tmp_path, "b.yaml", "info: {name: Platform, type: platform}\n")
    out = tmp_path / "org"
    done = CliRunner().invoke(app, ["import", "teamapi", str(tmp_path), "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    rel = next(r for r in load(out).relations if r.provider == "platform")
    assert (rel.mode, str(rel.since), str(rel.until)) == (None, "2022-01-13", "2022-02-03")
    assert (
        "a.yaml:5:5: warning: a second interaction with 'Platform' gives mode collaboration and "
        "a different start and duration: kept the first interaction whole (its mode "
        "'X-as-a-servce' is not one icmap reads: no mode) [IC610]"
    ) in done.stderr


def test_teamapi_a_platform_teams_dependency_is_provided_to_it(tmp_path: Path) -> None:
    # A dependency names the team that provides, whatever the types: a platform team's own
    # dependency was turned around as if it were an interaction, so Shop's 'order events'
    # came out as Payments providing to Shop.
    write(
        tmp_path,
        "shop.yaml",
        """\
        teamapi: 0.1.0
        info: {name: Shop, type: stream-aligned}
        dependencies: [{teamName: Payments, description: card payments}]
        """,
    )
    write(
        tmp_path,
        "payments.yaml",
        """\
        info: {name: Payments, type: platform}
        dependencies: [{teamName: Shop, description: order events we bill from}]
        interactions: [{teamName: Search, mode: X-as-a-service, purpose: search index}]
        """,
    )
    write(tmp_path, "search.yaml", "info: {name: Search, type: stream-aligned}\n")
    out = tmp_path.with_name(f"{tmp_path.name}-org")
    done = CliRunner().invoke(app, ["import", "teamapi", str(tmp_path), "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    got = {(r.provider, r.receiver, r.what) for r in load(out).relations}
    assert ("shop", "payments", "order events we bill from") in got
    assert ("payments", "shop", "card payments") in got
    # An interaction still takes its direction from the types: the platform provides.
    assert ("payments", "search", "search index") in got
    assert not any(r[2] == "order events we bill from" and r[0] == "payments" for r in got)


def test_teamapi_a_file_that_is_not_yaml_is_one_error(tmp_path: Path) -> None:
    template = write(
        tmp_path, "details.yml", "info:\n  name: The team's name. Required\n  x: y: z\n"
    )
    done = CliRunner().invoke(app, ["import", "teamapi", str(template), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert "details.yml:3:7: error: not a Team API file" in done.stderr
    assert "IC614" not in done.stderr
    assert "icmap: 1 error in the source: nothing imported" in done.stderr
    # --from writes nothing, so it does not say that nothing was imported.
    for command in (["report"], ["check"], ["graph", "-f", "json"]):
        read = CliRunner().invoke(app, [*command, "--from", "teamapi", str(template)])
        # check reports an org it cannot read as its finding (exit 1, docs/ci.md)
        assert read.exit_code == (1 if command == ["check"] else 2)
        assert "details.yml:3:7: error: not a Team API file" in read.output
        if command != ["check"]:
            assert read.stderr.rstrip().endswith("icmap: 1 error in the source: nothing read")
        assert "imported" not in read.output
    empty = write(tmp_path, "none.yaml", "teamapi: 0.1.0\n")
    done = CliRunner().invoke(app, ["import", "teamapi", str(empty), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert "none.yaml:1:1: error: a Team API without info.name: not read" in done.stderr


def test_diff_from_backstage_two_catalogs_and_a_git_revision(tmp_path: Path) -> None:
    import shutil
    import subprocess

    before = catalog(tmp_path)
    after = tmp_path / "after"
    shutil.copytree(before, after)
    components = after / "components.yaml"
    components.write_text(
        components.read_text()
        + "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: search}\n"
        "spec: {type: website, owner: team-b, consumesApis: [billing]}\n"
    )
    runner = CliRunner()
    done = runner.invoke(
        app, ["diff", "--from", "backstage", str(before), str(after), "-f", "json"]
    )
    assert done.exit_code == 0, done.stderr
    assert '"search"' in done.stdout
    repo = tmp_path / "repo"
    shutil.copytree(before, repo / "catalog")
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "c"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=repo,
            check=True,
        )
    shutil.copy(components, repo / "catalog" / "components.yaml")
    done = runner.invoke(
        app,
        ["diff", "--from", "backstage", "--git", "HEAD", str(repo / "catalog"), "-f", "json"],
    )
    assert done.exit_code == 0, done.stderr
    assert '"search"' in done.stdout


def test_a_glob_target_matching_its_own_location_file_is_no_cycle(tmp_path: Path) -> None:
    # The usual monorepo layout: the root catalog-info.yaml finds every catalog-info.yaml below
    # it, itself included. That is no cycle: 'check --fail-on warning' must not fail on it.
    write(
        tmp_path,
        "catalog-info.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: root}
        spec: {targets: ["./**/catalog-info.yaml"]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: web}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: data}
        """,
    )
    for name, owner, needs in (("shop", "web", "[component:db]"), ("db", "data", "[]")):
        write(
            tmp_path,
            f"services/{name}/catalog-info.yaml",
            f"""\
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata: {{name: {name}}}
            spec: {{type: service, owner: {owner}, dependsOn: {needs}}}
            """,
        )
    done = CliRunner().invoke(
        app,
        [
            "check",
            "--from",
            "backstage",
            str(tmp_path / "catalog-info.yaml"),
            "--fail-on",
            "warning",
        ],
    )
    assert done.exit_code == 0, done.stdout
    assert "IC609" not in done.stdout
    result = read_source(SourceFormat.backstage, [tmp_path / "catalog-info.yaml"])
    assert result.org is not None
    assert [(r.provider, r.receiver) for r in result.org.relations] == [
        ("data", "web"),
        ("web", "customers"),
    ]


def test_an_unreadable_catalog_file_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, "groups.yaml", b"kind: Group\nmetadata: {name: t\xfc}\n")
    done = CliRunner().invoke(app, ["import", "backstage", str(path), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert "groups.yaml:2:19: error: not UTF-8 text" in done.stderr
    assert "IC614" not in done.stderr
    assert "icmap: 1 error in the source: nothing imported" in done.stderr


def test_ids_are_the_names_as_written_and_namespaces_keep_them_apart(tmp_path: Path) -> None:
    # ops/web and ops-web were one id once ('ops-web', then 'ops-web-3' for one of them);
    # as Backstage writes them they differ, and container_registry keeps its underscore.
    docs = [
        "kind: Group\nmetadata: {name: ops-web-2}",
        "kind: Group\nmetadata: {name: web, namespace: ops}",
        "kind: Group\nmetadata: {name: ops-web}",
        "kind: Group\nmetadata: {name: container_registry}",
        "kind: Component\nmetadata: {name: site}\nspec: {type: website, owner: ops-web-2}",
        "kind: Component\nmetadata: {name: api}\n"
        "spec: {type: service, owner: ops-web, dependencyOf: [component:site]}",
        "kind: Component\nmetadata: {name: registry}\n"
        "spec: {type: service, owner: container_registry, dependencyOf: [component:api]}",
        "kind: Resource\nmetadata: {name: vms, namespace: ops}\n"
        "spec: {type: infrastructure, owner: web, dependencyOf: [component:default/registry]}",
    ]
    docs = ["apiVersion: backstage.io/v1alpha1\n" + doc for doc in docs]
    path = write(tmp_path, "g.yaml", "\n---\n".join(docs) + "\n")
    done = CliRunner().invoke(app, ["import", "backstage", str(path), "-o", str(tmp_path / "o")])
    assert done.exit_code == 0, done.stderr
    assert "problems: none" in done.stderr
    org = load(tmp_path / "o")
    assert sorted(org.teams) == ["container_registry", "ops-web", "ops-web-2", "ops/web"]
    assert sorted((r.provider, r.receiver, r.what) for r in org.relations) == [
        ("container_registry", "ops-web", "registry"),
        ("ops-web", "ops-web-2", "api"),
        ("ops-web-2", "customers", "site"),
        ("ops/web", "container_registry", "vms"),
    ]
    # A team file's name is made safe; the id inside it is the id.
    assert "  ops/web:\n" in (tmp_path / "o" / "teams" / "ops_web.yaml").read_text()


def test_location_targets_stay_inside_the_folders_given(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    write(tmp_path, "secret.yaml", "kind: Group\nmetadata: {name: secret}\n")
    write(
        root,
        "more.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: more}
        spec: {targets: [../secret.yaml, ./entities/]}
        """,
    )
    (root / "entities").mkdir()
    result = read_source(SourceFormat.backstage, [root])
    found = [(Path(d.file).name, d.line, d.code, d.message) for d in result.diagnostics]
    assert (
        "more.yaml",
        4,
        "IC615",
        "Location target '../secret.yaml' leads outside the folders given: not read",
    ) in found
    assert (
        "more.yaml",
        4,
        "IC601",
        "Location target './entities/' is a folder, not a file",
    ) in found
    assert result.org is not None and "secret" not in result.org.teams


def test_the_summary_in_the_docs_is_what_import_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(__file__).resolve().parents[1]
    doc = (root / "docs" / "import.md").read_text(encoding="utf-8")
    shown = doc[doc.index("imported backstage:") : doc.index("wrote my-org/")]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "import-examples").symlink_to(root / "import-examples")
    done = CliRunner().invoke(
        app, ["import", "backstage", "import-examples/backstage", "-o", "my-org"]
    )
    assert done.exit_code == 0
    assert shown in done.stderr


def test_namespaces_and_exported_relations(tmp_path: Path) -> None:
    write(
        tmp_path,
        "c.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: platform, namespace: ops}
        spec: {type: team}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: platform}
        spec: {type: team}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Resource
        metadata: {name: db, namespace: ops}
        spec: {type: database, owner: platform}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: app}
        spec: {type: website, owner: group:platform}
        relations:
          - {type: dependsOn, targetRef: resource:ops/db}
          - {type: ownedBy, targetRef: group:default/platform}
        """,
    )
    result = read_source(SourceFormat.backstage, [tmp_path])
    assert result.org is not None
    # Outside the default namespace a team's id is namespace/name, as Backstage refs write it.
    assert sorted(result.org.teams) == ["ops/platform", "platform"]
    # owner 'platform' of ops/db means ops/platform: refs default to the entity's namespace.
    relations = {(r.provider, r.receiver, r.what) for r in result.org.relations}
    assert ("ops/platform", "platform", "db") in relations
    assert [p.text for p in result.provenance[("ops/platform", "platform", "db")]] == [
        "via component:app dependsOn resource:ops/db"
    ]


@pytest.mark.parametrize("fmt", ["backstage", "teamapi", "csv"])
def test_an_empty_folder_says_so_once(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "empty").mkdir()
    done = CliRunner().invoke(app, ["report", "--from", fmt, str(tmp_path / "empty")])
    assert done.exit_code == 2
    assert done.stderr.count("error:") == 1
    assert "files in this folder [IC001]" in done.stderr
    assert done.stderr.rstrip().endswith(": nothing read")


def test_same_catalog_in_another_order_gives_the_same_org(tmp_path: Path) -> None:
    first = catalog(tmp_path / "a")
    second = catalog(tmp_path / "b")
    for name in ("groups.yaml", "components.yaml"):
        docs = (second / name).read_text().split("---\n")
        (second / name).write_text("---\n".join(reversed(docs)))
    one = read_source(SourceFormat.backstage, [first])
    other = read_source(SourceFormat.backstage, [second])
    assert one.org is not None and other.org is not None
    assert graph_shape(one.org) == graph_shape(other.org)
    runner = CliRunner()
    for out in ("x", "y"):
        done = runner.invoke(app, ["import", "backstage", str(first), "-o", str(tmp_path / out)])
        assert done.exit_code == 0
    files = sorted(p.relative_to(tmp_path / "x") for p in (tmp_path / "x").rglob("*.yaml"))
    for name in files:
        assert (tmp_path / "x" / name).read_text() == (tmp_path / "y" / name).read_text()


def test_teamapi_names_a_missing_team_where_it_is_first_mentioned_and_reports_ref_urls(
    tmp_path: Path,
) -> None:
    # The interaction comes first in the file; the dependency, read first, comes later.
    source = write(
        tmp_path,
        "checkout.yaml",
        """\
        info: {name: Checkout, type: stream-aligned}
        interactions:
          - teamName: Payments Platform
            mode: X-as-a-service
            $ref: https://teams.example.com/payments/teamapi.yaml
        dependencies:
          - {teamName: Payments Platform, type: OK, $ref: ./payments.yaml}
        """,
    )
    done = CliRunner().invoke(app, ["import", "teamapi", str(source), "-o", str(tmp_path / "o")])
    assert done.exit_code == 0, done.stderr
    assert (
        f"{source}:3:15: warning: team 'Payments Platform' is named here but no Team API file "
        "here defines it: added as a team [IC612]"
    ) in done.stderr
    assert (
        f"{source}:5:11: warning: $ref 'https://teams.example.com/payments/teamapi.yaml' is a "
        "URL: not fetched (icmap reads local files only) [IC602]"
    ) in done.stderr
    assert done.stderr.count("[IC602]") == 1  # a relative $ref is no URL
    assert done.stderr.count("[IC612]") == 1


MEMBERSHIPS = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: [], members: [jane, ghost]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: jane}
spec: {memberOf: [team-a, platfrom]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web}
spec: {type: website, owner: user:jane, dependsOn: [component:db]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: db}
spec: {type: service, owner: platform}
"""


def test_memberships_naming_no_entity_are_dangling_refs(tmp_path: Path) -> None:
    source = write(tmp_path, "catalog.yaml", MEMBERSHIPS)
    result = read_source(SourceFormat.backstage, [source])
    dangling = [(d.line, d.col, d.message, d.hint) for d in result.diagnostics if d.code == "IC603"]
    assert dangling == [
        (
            4,
            50,
            "members of group:team-a names user:default/ghost, which is not in the catalog",
            None,
        ),
        (
            14,
            27,
            "memberOf of user:jane names group:default/platfrom, which is not in the catalog",
            "did you mean 'group:platform'?",
        ),
    ]
    assert result.dangling == {"group:default/platfrom": 1, "user:default/ghost": 1}
    # jane is in the one group that exists: web is still team-a's.
    assert result.org is not None
    assert ("platform", "team-a", "db") in {
        (r.provider, r.receiver, r.what) for r in result.org.relations
    }


def test_members_of_a_catalog_without_users_are_not_each_a_warning(tmp_path: Path) -> None:
    groups_only = MEMBERSHIPS.replace(
        "kind: User\nmetadata: {name: jane}\nspec: {memberOf: [team-a, platfrom]}",
        "kind: Group\nmetadata: {name: jane}\nspec: {type: team, children: []}",
    )
    source = write(tmp_path, "catalog.yaml", groups_only)
    result = read_source(SourceFormat.backstage, [source])
    assert not [d for d in result.diagnostics if d.message.startswith("members of")]
    assert "user:default/ghost" not in result.dangling


def _entity(kind: str, name: str, spec: str) -> str:
    return f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata: {{name: {name}}}\nspec: {spec}\n"


def _catalog(folder: Path, entities: Sequence[str]) -> Path:
    """One catalog file of ``entities`` in ``folder``."""
    return write(folder, "catalog.yaml", "---\n".join(entities))


def _read_entities(tmp_path: Path, entities: Sequence[str]) -> tuple[object, ...]:
    """What a catalog of ``entities`` imports to, whatever the file and positions."""
    source = _catalog(tmp_path, entities)
    result = read_source(SourceFormat.backstage, [source])
    assert result.org is not None
    return (
        sorted((r.provider, r.receiver, r.what) for r in result.org.relations),
        sorted(result.org.teams),
        sorted((d.code, d.message) for d in result.diagnostics),
        result.dangling,
    )


@pytest.mark.parametrize(
    ("entities", "relations", "dangling"),
    [
        # alice is in team-a and in ghost, a group only an owner names: in two groups.
        (
            [
                _entity("Group", "team-a", "{type: team, children: []}"),
                _entity("User", "alice", "{memberOf: [team-a, ghost]}"),
                _entity("Component", "web", "{type: website, owner: user:alice}"),
                _entity("Component", "web2", "{type: website, owner: ghost}"),
            ],
            [("ghost", "customers", "web2")],
            {"group:default/ghost": 2},  # named by the owner and by the membership
        ),
        # 'owner: guest' names the user guest, unless an owner names group:guest anywhere.
        (
            [
                _entity("Group", "team-a", "{type: team, children: [], members: [guest]}"),
                _entity("User", "guest", "{memberOf: [team-a]}"),
                _entity(
                    "Component", "x", "{type: website, owner: guest, dependsOn: [component:y]}"
                ),
                _entity("Component", "y", "{type: service, owner: group:guest}"),
            ],
            [("guest", "customers", "x")],
            {"group:default/guest": 1},
        ),
    ],
    ids=["a user in a group only owners name", "a bare owner name beside group:NAME"],
)
def test_a_catalog_imports_the_same_in_any_order(
    tmp_path: Path,
    entities: list[str],
    relations: list[tuple[str, str, str]],
    dangling: dict[str, int],
) -> None:
    read = [
        _read_entities(tmp_path / str(n), order)
        for n, order in enumerate(itertools.permutations(entities))
    ]
    assert all(found == read[0] for found in read[1:])
    assert read[0][0] == relations
    assert read[0][3] == dangling


def test_memberships_in_the_mapping_form_count(tmp_path: Path) -> None:
    read = _read_entities(
        tmp_path,
        [
            _entity(
                "Group", "team-a", "{type: team, children: [], members: [{kind: User, name: bob}]}"
            ),
            _entity("Group", "team-b", "{type: team, children: []}"),
            _entity("User", "alice", "{memberOf: [{kind: Group, name: team-b}]}"),
            _entity("User", "bob", "{}"),
            _entity(
                "Component", "web", "{type: website, owner: user:alice, dependsOn: [component:db]}"
            ),
            _entity("Component", "db", "{type: service, owner: user:bob}"),
        ],
    )
    assert read[0] == [("team-a", "team-b", "db"), ("team-b", "customers", "web")]
    assert read[2] == []


def test_a_membership_of_the_wrong_kind_says_so(tmp_path: Path) -> None:
    read = _read_entities(
        tmp_path,
        [
            _entity("Group", "team-a", "{type: team, children: [], members: [component:web]}"),
            _entity("User", "alice", "{memberOf: [team-a, api:nope]}"),
            _entity("Component", "web", "{type: website, owner: user:alice}"),
        ],
    )
    assert read[2] == [
        ("IC603", "memberOf of user:alice names api:default/nope, not a group"),
        ("IC603", "members of group:team-a names component:default/web, not a user"),
    ]


def test_a_group_in_another_namespace_is_the_did_you_mean(tmp_path: Path) -> None:
    source = _catalog(
        tmp_path,
        [
            _entity("Group", "team-a", "{type: team, children: []}"),
            "apiVersion: backstage.io/v1alpha1\nkind: Group\n"
            "metadata: {name: team-b, namespace: ops}\nspec: {type: team, children: []}\n",
            _entity("User", "alice", "{memberOf: [team-b]}"),
            _entity("Component", "web", "{type: website, owner: team-a}"),
        ],
    )
    result = read_source(SourceFormat.backstage, [source])
    [found] = [d for d in result.diagnostics if d.code == "IC603"]
    assert found.message == (
        "memberOf of user:alice names group:default/team-b, which is not in the catalog"
    )
    assert found.hint == "did you mean 'group:ops/team-b'?"


def test_a_misspelt_component_or_a_ref_of_the_wrong_kind_gets_a_did_you_mean(
    tmp_path: Path,
) -> None:
    source = _catalog(
        tmp_path,
        [
            _entity("Group", "shop-team", "{type: team, children: []}"),
            _entity("Group", "pay-team", "{type: team, children: []}"),
            _entity("Component", "cart", "{type: service, owner: shop-team}"),
            _entity(
                "Component",
                "payments",
                "{type: service, owner: pay-team, dependsOn: [component:crat, resource:cart, "
                "component:crat]}",
            ),
        ],
    )
    result = read_source(SourceFormat.backstage, [source])
    found = [
        (d.message.split(" names ")[1], d.hint) for d in result.diagnostics if d.code == "IC603"
    ]
    assert found == [
        ("component:default/crat, which is not in the catalog", "did you mean 'component:cart'?"),
        ("resource:default/cart, which is not in the catalog", "did you mean 'component:cart'?"),
        ("component:default/crat, which is not in the catalog", "did you mean 'component:cart'?"),
    ]


def test_a_relation_to_a_group_or_user_is_said_and_no_hand_off(tmp_path: Path) -> None:
    source = _catalog(
        tmp_path,
        [
            _entity("Group", "shop-team", "{type: team, children: []}"),
            _entity("Group", "pay-team", "{type: team, children: []}"),
            _entity("User", "bob", "{memberOf: [shop-team]}"),
            _entity("Component", "cart", "{type: service, owner: shop-team}"),
            _entity(
                "Component",
                "payments",
                "{type: service, owner: pay-team, dependsOn: [group:shop-team, user:bob]}",
            ),
        ],
    )
    result = read_source(SourceFormat.backstage, [source])
    assert result.org is not None
    assert not any(
        {r.provider, r.receiver} == {"shop-team", "pay-team"} for r in result.org.relations
    )
    found = [d.message for d in result.diagnostics if d.code == "IC603"]
    assert found == [
        "dependsOn of component:payments names group:shop-team, a group, not a component, API, "
        "resource, system or domain: no hand-off",
        "dependsOn of component:payments names user:bob, a user, not a component, API, "
        "resource, system or domain: no hand-off",
    ]


def test_a_group_listed_by_two_parents_sits_under_one_whatever_the_order(
    tmp_path: Path,
) -> None:
    entities = [
        _entity("Group", "dept-b", "{type: department, children: [team-x]}"),
        _entity("Group", "dept-a", "{type: department, children: [team-x, team-y]}"),
        _entity("Group", "team-x", "{type: team, children: []}"),
        _entity("Group", "team-y", "{type: team, parent: dept-b, children: []}"),
        _entity("Component", "web", "{type: website, owner: team-x}"),
        _entity("Component", "api", "{type: service, owner: team-y}"),
    ]
    seen = []
    for order in (entities, entities[::-1]):
        result = read_source(SourceFormat.backstage, [_catalog(tmp_path, order)])
        assert result.org is not None
        groups = {team: result.org.teams[team].group for team in ("team-x", "team-y")}
        warned = sorted(d.message for d in result.diagnostics if d.code == "IC618")
        seen.append((groups, warned))
    assert seen[0] == seen[1]
    assert seen[0] == (
        {"team-x": "dept-a", "team-y": "dept-b"},
        [
            "group:dept-a lists group:team-y among its children, but its parent is "
            "group:dept-b: grouped under group:dept-b only",
            "group:dept-b lists group:team-x among its children, but so does group:dept-a: "
            "grouped under group:dept-a only",
        ],
    )


def test_did_you_means_stop_where_guessing_would_cost_too_much(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from icmap.importers import backstage

    entities = [
        _entity("Group", "team", "{type: team, children: []}"),
        _entity("Component", "cart", "{type: service, owner: team}"),
        _entity("Component", "shop", "{type: service, owner: team}"),
        _entity("Component", "web", "{type: service, owner: team, dependsOn: [crat, shpo]}"),
    ]

    def hints() -> list[str | None]:
        result = read_source(SourceFormat.backstage, [_catalog(tmp_path, entities)])
        return [d.hint for d in result.diagnostics if d.code == "IC603"]

    assert hints() == ["did you mean 'component:cart'?", "did you mean 'component:shop'?"]
    monkeypatch.setattr(backstage, "MAX_GUESSES", 1)
    assert hints() == ["did you mean 'component:cart'?", None]
    monkeypatch.setattr(backstage, "MAX_GUESS_AMONG", 2)  # three components
    assert hints() == [None, None]


def test_a_user_the_catalog_lacks_counts_for_the_group_listing_it(tmp_path: Path) -> None:
    groups = [
        _entity("Group", "team-a", "{type: team, children: [], members: [alice]}"),
        _entity("Group", "team-b", "{type: team, children: []}"),
        _entity(
            "Component", "web", "{type: website, owner: user:alice, dependsOn: [component:svc]}"
        ),
        _entity("Component", "svc", "{type: service, owner: team-b}"),
    ]
    read = _read_entities(tmp_path / "one", groups)
    assert read[0] == [("team-a", "customers", "web"), ("team-b", "team-a", "svc")]
    assert read[2] == []
    groups[1] = _entity("Group", "team-b", "{type: team, children: [], members: [alice]}")
    source = _catalog(tmp_path / "two", groups)
    result = read_source(SourceFormat.backstage, [source])
    assert [d.message for d in result.diagnostics if d.code == "IC607"] == [
        "user:alice owns 1 entity (component:web) and is not in the catalog, and several groups "
        "list it as a member (group:team-a, group:team-b): no team chosen: it has no team"
    ]


def test_no_teams_says_why_when_the_owners_are_users(tmp_path: Path) -> None:
    source = _catalog(
        tmp_path,
        [
            _entity("User", "bob", "{memberOf: [team-b]}"),
            _entity("Component", "web", "{type: website, owner: user:bob}"),
        ],
    )
    done = CliRunner().invoke(app, ["import", "backstage", str(source), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    stderr = done.stderr
    assert (
        "error: no teams: the catalog has no Group entities, and each owner named is a user in "
        "no group it defines (IC607) [IC614]"
    ) in stderr


def test_the_catalog_apis_membership_relations_count(tmp_path: Path) -> None:
    def entity(
        kind: str, name: str, spec: dict[str, object], *relations: tuple[str, str]
    ) -> dict[str, object]:
        return {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": kind,
            "metadata": {"name": name, "namespace": "default"},
            "spec": spec,
            "relations": [{"type": t, "targetRef": ref} for t, ref in relations],
        }

    exported = [
        entity("Group", "team-a", {"type": "team"}, ("hasMember", "user:default/bob")),
        entity("Group", "team-b", {"type": "team"}),
        entity("User", "alice", {}, ("memberOf", "group:default/team-b")),
        entity("User", "bob", {}),
        entity("Component", "web", {"type": "website", "owner": "user:alice"}),
        entity(
            "Component",
            "db",
            {"type": "service", "owner": "user:bob"},
            ("dependencyOf", "component:default/web"),
        ),
    ]
    source = tmp_path / "catalog.json"
    source.write_text(json.dumps(exported), encoding="utf-8")
    result = read_source(SourceFormat.backstage, [source])
    assert result.org is not None
    assert sorted((r.provider, r.receiver, r.what) for r in result.org.relations) == [
        ("team-a", "team-b", "db"),
        ("team-b", "customers", "web"),
    ]


def test_a_group_no_file_defines_is_spelt_as_most_owners_spell_it(tmp_path: Path) -> None:
    shop = _entity(
        "Component", "shop", "{type: website, owner: group:web, dependsOn: [component:a]}"
    )
    a = _entity("Component", "a", "{type: service, owner: group:Platform}")
    b = _entity(
        "Component", "b", "{type: service, owner: group:platform, dependencyOf: [component:shop]}"
    )
    c = _entity(
        "Component", "c", "{type: service, owner: platform, dependencyOf: [component:shop]}"
    )
    # Each entity in a file of its own, the files named in every order.
    seen = set()
    for n, order in enumerate(itertools.permutations([shop, a, b, c])):
        folder = tmp_path / str(n)
        for index, entity in enumerate(order):
            write(folder, f"{index}.yaml", entity)
        result = read_source(SourceFormat.backstage, [folder])
        assert result.org is not None
        seen.add(tuple(sorted(result.org.teams)))
    assert seen == {("platform", "web")}  # two owners write 'platform', one 'Platform'


def test_an_empty_document_is_skipped_without_a_word(tmp_path: Path) -> None:
    web = _entity("Component", "web", "{type: website, owner: team-a}")
    source = write(tmp_path, "catalog.yaml", f"---\n---\n{web}---\nnull\n---\n")
    result = read_source(SourceFormat.backstage, [source])
    assert result.org is not None
    assert result.diagnostics == []


def test_a_ref_with_no_name_is_an_empty_entry_not_a_missing_entity(tmp_path: Path) -> None:
    source = _catalog(
        tmp_path,
        [
            _entity("Group", "team-a", "{type: team, children: []}"),
            _entity("User", "ann", '{memberOf: [team-a, "group:"]}'),
            _entity(
                "Component", "web", '{type: website, owner: team-a, dependsOn: ["component:"]}'
            ),
        ],
    )
    result = read_source(SourceFormat.backstage, [source])
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("IC604", "memberOf of user:ann holds 'group:', a ref with no name"),
        ("IC604", "dependsOn of component:web holds 'component:', a ref with no name"),
    ]
    assert result.dangling == {}


def test_an_org_written_inside_its_source_folder_is_not_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "teams"
    source.mkdir()
    for found in (ROOT / "import-examples" / "teamapi").glob("*.yaml"):
        (source / found.name).write_bytes(found.read_bytes())
    monkeypatch.chdir(source)
    runner = CliRunner()
    first = runner.invoke(app, ["import", "teamapi", ".", "-o", "org"])
    assert first.exit_code == 0, first.stderr
    again = runner.invoke(app, ["import", "teamapi", ".", "-o", "org", "--update"])
    assert again.exit_code == 0, again.stderr  # it read org/org.yaml as a Team API: exit 2
    assert "0 teams added, 0 removed" in again.stdout + again.stderr
    check = runner.invoke(app, ["check", "--from", "teamapi", ".", "-f", "json"])
    assert check.exit_code == 0, check.stdout
    assert not any("org/" in f["file"] for f in json.loads(check.stdout)["findings"])


def test_update_from_another_format_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "org"
    table = ROOT / "import-examples" / "handoffs.csv"
    assert runner.invoke(app, ["import", "csv", str(table), "-o", str(out)]).exit_code == 0
    before = sorted(p.name for p in (out / "teams").iterdir())
    other = ROOT / "import-examples" / "teamapi"
    result = runner.invoke(app, ["import", "teamapi", str(other), "-o", str(out), "--update"])
    assert result.exit_code == 2
    assert f"{out} was imported from csv, not teamapi" in result.stderr
    assert sorted(p.name for p in (out / "teams").iterdir()) == before


def test_a_receiver_named_almost_as_a_team_is_warned(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "sp.csv",
        "provider,receiver,what,lead_time\nFishmonger,Kitchn,Fish,1d\nKitchen,Waiters,Dishes,15m\n"
        "Waiters,Diners,Service,5m\n",
    )
    result = read_source(SourceFormat.csv, [table])
    found = [
        (d.line, d.col, d.code, d.message, d.hint) for d in result.diagnostics if d.code == "IC619"
    ]
    assert found == [
        (
            2,
            2,
            "IC619",
            "'Kitchn' provides nothing in the table, so it is read as an external customer, but "
            "it is named almost as the team 'Kitchen'",
            "did you mean 'Kitchen'? (or mark the customers in an 'external' column)",
        )
    ]
    assert result.org is not None and sorted(result.org.customers) == ["diners", "kitchn"]


def test_team_api_misspelt_keys_and_values_get_a_did_you_mean(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        "teamapi: 0.1.0\ninfo:\n  name: Alpha\n  tpye: platform\n"
        "dependecies:\n  - teamName: Beta\n"
        "interactions:\n  - {teamName: Beta, mode: X-as-a-Servce}\n"
        "x-our-own: kept quiet\n",
    )
    write(tmp_path, "b.yaml", "teamapi: 0.1.0\ninfo: {name: Beta, type: stream-aligned}\n")
    result = read_source(SourceFormat.teamapi, [tmp_path])
    found = [(d.line, d.col, d.message, d.hint) for d in result.diagnostics if d.code == "IC613"]
    assert found == [
        (4, 3, "unknown key 'tpye': not read", "did you mean 'type'?"),
        (5, 1, "unknown key 'dependecies': not read", "did you mean 'dependencies'?"),
        (
            8,
            28,
            "interaction mode 'X-as-a-Servce' is not one of x-as-a-service, collaboration, "
            "facilitating",
            "did you mean 'x-as-a-service'?",
        ),
    ]


def test_a_name_typed_with_a_combining_accent_is_the_same_team(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "n.csv",
        "provider,receiver,what\nK\u00fcche,Kellner,A\nKu\u0308che,Kellner,B\nKellner,G\u00e4ste,C\n",
    )
    result = read_source(SourceFormat.csv, [table])
    assert result.org is not None
    assert sorted(result.org.teams) == ["kellner", "k\u00fcche"]


def test_misspelt_types_and_teams_get_a_did_you_mean_in_every_importer(tmp_path: Path) -> None:
    table = write(
        tmp_path / "csv", "t.csv", "provider,receiver,what,type\nOps,Users,Help,platfrom\n"
    )
    [csv_type] = read_source(SourceFormat.csv, [table]).diagnostics
    assert csv_type.hint == "did you mean 'platform'?"
    write(
        tmp_path / "md",
        "a.md",
        "---\nteam_id: alpha\nname: Alpha\nteam_type: platfrom\ndependencies: [betta]\n---\n",
    )
    write(
        tmp_path / "md", "b.md", "---\nteam_id: beta\nname: Beta\nteam_type: stream-aligned\n---\n"
    )
    found = read_source(SourceFormat.markdown, [tmp_path / "md"]).diagnostics
    hints = {d.code: d.hint for d in found if d.code in ("IC612", "IC613")}
    assert hints == {"IC612": "did you mean 'beta'?", "IC613": "did you mean 'platform'?"}
    write(
        tmp_path / "ta",
        "a.yaml",
        "teamapi: 0.1.0\ninfo: {name: Alpha}\ndependencies: [{teamName: Chekout team}]\n",
    )
    write(tmp_path / "ta", "b.yaml", "teamapi: 0.1.0\ninfo: {name: Checkout team}\n")
    [named] = [
        d
        for d in read_source(SourceFormat.teamapi, [tmp_path / "ta"]).diagnostics
        if d.code == "IC612"
    ]
    assert named.hint == "did you mean 'Checkout team'?"


DUPLICATED = {
    "backstage": (
        "c.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: a}\nspec: {type: team}\n"
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\n"
        "spec:\n  owner: a\n  owner: b\n  type: website\n",
        "12:3: warning: duplicate key 'owner' (first at line 11): the first is read [IC006",
    ),
    "teamapi": (
        "t.yaml",
        "info:\n  name: Shop\n  type: stream-aligned\n  name: Shop2\n",
        "4:3: warning: duplicate key 'name' (first at line 2): the first is read [IC006",
    ),
    "markdown": (
        "a.md",
        "---\nname: Alpha\nteam_type: stream-aligned\nname: Beta\n---\n# Alpha\n",
        "4:1: warning: duplicate key 'name' (first at line 2): the first is read [IC006",
    ),
}


@pytest.mark.parametrize("fmt", sorted(DUPLICATED))
def test_a_duplicate_key_in_a_yaml_source_is_a_warning_and_the_first_is_read(
    tmp_path: Path, fmt: str
) -> None:
    # The composer kept the first of two keys without a word; the org loader refuses them.
    name, text, expected = DUPLICATED[fmt]
    source = write(tmp_path / "src", name, text)
    out = tmp_path / "org"
    done = CliRunner().invoke(app, ["import", fmt, str(source.parent), "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    assert f"{source}:{expected}]" in done.stderr
    org = load(out)
    if fmt == "backstage":
        assert {r.provider for r in org.relations} == {"a"}  # spec.owner a, the first
    else:
        assert {t.name for t in org.teams.values()} == {"Shop" if fmt == "teamapi" else "Alpha"}
    checked = CliRunner().invoke(app, ["check", "--from", fmt, str(source.parent)])
    assert checked.exit_code == 0, checked.output
    assert f"{source}:{expected} duplicate-key]" in checked.stdout


def test_csv_a_file_a_folder_search_finds_that_is_no_table_is_skipped_with_one_warning(
    tmp_path: Path,
) -> None:
    # notes.txt beside the table stopped the import with three IC005 errors, one a column.
    folder = tmp_path / "csv"
    write(folder, "a.csv", "provider,receiver,what\nKitchen,Diners,Dishes\n")
    notes = write(folder, "notes.txt", "Exported from the planning sheet on Monday.\n")
    out = tmp_path / "o"
    done = CliRunner().invoke(app, ["import", "csv", str(folder), "-o", str(out), "-f", "json"])
    assert done.exit_code == 0, done.stderr
    assert (
        f"{notes}:1:1: warning: not a hand-off table, skipped: no 'provider', 'receiver' or "
        "'what' column (the header has 'Exported from the planning sheet on Monday.') [IC624]"
    ) in done.stderr
    assert done.stderr.count(str(notes)) == 1
    assert json.loads(done.stdout)["counts"]["files read"] == 1
    assert {r.what for r in load(out).relations} == {"Dishes"}
    # Named on the command line it is the user's table: one error for its header.
    named = CliRunner().invoke(app, ["import", "csv", str(notes), "-o", str(tmp_path / "o2")])
    assert named.exit_code == 2
    assert named.stderr.count("error:") == 1
    assert (
        f"{notes}:1:1: error: no 'provider', 'receiver' or 'what' column (the header has "
        "'Exported from the planning sheet on Monday.') [IC005]"
    ) in named.stderr


def test_teamapi_a_yaml_file_that_is_no_team_api_is_skipped_in_a_folder(tmp_path: Path) -> None:
    # A docker-compose.yml beside the Team APIs was "a Team API without info.name", an error
    # that stopped the import.
    folder = tmp_path / "teams"
    write(folder, "shop.yaml", "info: {name: Shop, type: stream-aligned}\n")
    compose = write(folder, "docker-compose.yml", "services:\n  web: {image: nginx}\n")
    out = tmp_path / "o"
    done = CliRunner().invoke(app, ["import", "teamapi", str(folder), "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    assert (
        f"{compose}:1:1: warning: not a Team API file, skipped: no 'teamApi' or 'info' key [IC624]"
    ) in done.stderr
    assert done.stderr.count(str(compose)) == 1
    assert set(load(out).teams) == {"shop"}
    # A Team API without its name is still an error, in a folder or named.
    half = write(folder, "half.yaml", "teamapi: 0.1.0\n")
    again = CliRunner().invoke(app, ["import", "teamapi", str(folder), "-o", str(tmp_path / "x")])
    assert again.exit_code == 2
    assert f"{half}:1:1: error: a Team API without info.name: not read [IC608]" in again.stderr
    named = CliRunner().invoke(app, ["import", "teamapi", str(compose), "-o", str(tmp_path / "y")])
    assert named.exit_code == 2
    assert "error: a Team API without info.name: not read [IC608]" in named.stderr


def test_backstage_a_catalog_file_with_a_yaml_error_in_a_folder_is_an_error(
    tmp_path: Path,
) -> None:
    # It was "not a catalog file … skipped", a warning: its component silently missing.
    folder = tmp_path / "cat"
    write(
        folder,
        "good.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\n"
        "spec: {type: team}\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\n"
        "metadata: {name: web}\nspec: {type: website, owner: team-a}\n",
    )
    broken = write(
        folder,
        "broken.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: api\n"
        "spec: {type: service, owner: team-a}\n",
    )
    helm = write(
        folder, "helm.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: {{ x }}\n"
    )
    done = CliRunner().invoke(app, ["import", "backstage", str(folder), "-o", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert (
        f"{broken}:3:11: error: a catalog file (its apiVersion: backstage.io/… and kind: lines "
        "say so) with a YAML error, not read: YAML syntax:"
    ) in done.stderr
    assert f"{helm}:3:" in done.stderr and "not a catalog file: YAML syntax" in done.stderr
    assert "icmap: 1 error in the source: nothing imported" in done.stderr
    checked = CliRunner().invoke(app, ["check", "--from", "backstage", str(folder)])
    assert checked.exit_code == 1
    assert f"{broken}:3:11: error: a catalog file" in checked.stdout


def test_csv_a_row_in_another_file_is_named_with_its_file(tmp_path: Path) -> None:
    # two.csv:2 "repeats the row at line 2", line 2 being one.csv's; IC618 likewise.
    folder = tmp_path / "csv2"
    one = write(
        folder, "one.csv", "provider,receiver,what,type\nKitchen,Diners,Dishes,stream-aligned\n"
    )
    two = write(
        folder,
        "two.csv",
        "provider,receiver,what,type\nKitchen,Diners,Dishes,\nKitchen,Diners,Plates,platform\n"
        "Kitchen,Diners,Plates,\n",
    )
    done = CliRunner().invoke(app, ["import", "csv", str(folder), "-o", str(tmp_path / "o")])
    assert done.exit_code == 0, done.stderr
    assert f"{two}:2:3: warning: this hand-off repeats the row at {one}:2 [IC610]" in done.stderr
    assert (
        f"{two}:3:4: warning: type 'platform' for 'Kitchen': the row at {one}:2 says "
        "'stream-aligned'; kept the first [IC618]"
    ) in done.stderr
    # In one file the line is enough.
    assert f"{two}:4:3: warning: this hand-off repeats the row at line 3 [IC610]" in done.stderr
