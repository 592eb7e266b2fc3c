"""``icmap import cml``: Context Mapper team maps, parsed with a grammar (docs/import.md).

The grocer's team map (import-examples/cml) has every relationship form; the broken one
(tests/fixtures/cml) has a syntax error in three elements and two mistakes in names and roles;
Context Mapper's own insurance team map (Apache-2.0, see tests/fixtures/cml/README.md) is read
as its users write it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, graph_shape
from icmap.cli import app
from icmap.importers import read_source
from icmap.loader import load

GROCER = ROOT / "import-examples" / "cml" / "grocery-team-map.cml"
FIXTURES = ROOT / "tests" / "fixtures" / "cml"
INSURANCE = FIXTURES / "Insurance-Example_Team-Map.cml"
BROKEN = FIXTURES / "broken-team-map.cml"


def run(*args: str) -> object:
    return CliRunner().invoke(app, [*args, "--color", "never"])


def test_every_relationship_form_becomes_its_hand_offs() -> None:
    result = read_source("cml", [GROCER])
    org = result.org
    assert org is not None, result.diagnostics
    assert org.name == "GroceryTeams"
    between = {
        (r.provider, r.receiver, r.what, r.mode) for r in org.relations if r.receiver in org.teams
    }
    assert between == {
        # [U,S]->[D,C] with exposedAggregates: one relation per aggregate
        ("CatalogueTeam", "StorefrontTeam", "Products", None),
        ("CatalogueTeam", "StorefrontTeam", "Prices", None),
        # [U,OHS,PL]->[D,ACL] : PaymentApi: the name is the what; OHS is a service
        ("PaymentsTeam", "CheckoutTeam", "PaymentApi", "x-as-a-service"),
        # [D,CF]<-[U,OHS]: the arrow the other way round
        ("IdentityTeam", "CheckoutTeam", "IdentityTeam's work", "x-as-a-service"),
        ("FulfilmentTeam", "DeliveryTeam", "FulfilmentTeam's work", None),
        ("CheckoutTeam", "FulfilmentTeam", "Orders", None),
        # [OHS]Upstream-Downstream[CF] and Customer-Supplier (the customer written first)
        ("IdentityTeam", "MobileTeam", "IdentityTeam's work", "x-as-a-service"),
        ("SearchTeam", "StorefrontTeam", "SearchTeam's work", None),
        # [P]<->[P] and [SK]<->[SK]: both ways, in collaboration
        ("StorefrontTeam", "MobileTeam", "StorefrontTeam's work", "collaboration"),
        ("MobileTeam", "StorefrontTeam", "MobileTeam's work", "collaboration"),
        ("SearchTeam", "CatalogueTeam", "ProductModel", "collaboration"),
        ("CatalogueTeam", "SearchTeam", "ProductModel", "collaboration"),
        # between two contexts: the teams realizing them
        ("CheckoutTeam", "DataTeam", "OrderContext", None),
    }
    served = {(r.provider, r.what) for r in org.relations if r.receiver == "customers"}
    assert served == {
        ("DataTeam", "AnalyticsContext"),
        ("DeliveryTeam", "Work for the external customer"),
        ("MobileTeam", "Work for the external customer"),
        ("StorefrontTeam", "Work for the external customer"),
    }
    checkout = org.teams["CheckoutTeam"]
    assert checkout.description == "Turns baskets into paid orders. (Realizes OrderContext.)"
    assert checkout.group == "Ordering"
    # Positions come from the parser: the team's name, the relationship's first token.
    assert (checkout.pos.line, checkout.pos.col) == (43, 16)
    payments = next(r for r in org.relations if r.what == "PaymentApi")
    assert (payments.declarations[0].pos.line, payments.declarations[0].pos.col) == (15, 3)
    why = {k: [p.text for p in v] for k, v in result.provenance.items()}
    assert why[("PaymentsTeam", "CheckoutTeam", "PaymentApi")] == [
        "PaymentsTeam [U,OHS,PL]->[D,ACL] CheckoutTeam : PaymentApi "
        "(upstream/downstream; implementationTechnology gRPC)"
    ]
    assert why[("CheckoutTeam", "DataTeam", "OrderContext")] == [
        "AnalyticsContext [D,ACL]<-[U] OrderContext (upstream/downstream) via CheckoutTeam "
        "realizes OrderContext; DataTeam realizes AnalyticsContext"
    ]
    assert [(d.line, d.col, d.code, d.message) for d in result.diagnostics] == [
        (
            86,
            3,
            "IC673",
            "not read: 1 Aggregate, 1 Domain (icmap reads the team map: the ORGANIZATIONAL "
            "ContextMap and its bounded contexts)",
        )
    ]
    assert result.counts["bounded contexts read"] == 12
    assert result.counts["relationships read"] == 10


def test_import_writes_an_org_that_checks_clean(tmp_path: Path) -> None:
    out = tmp_path / "org"
    done = run("import", "cml", str(GROCER), "-o", str(out))
    assert done.exit_code == 0, done.stderr
    assert "imported cml: 1 file read, 12 bounded contexts read, 10 relationships read" in (
        done.stderr
    )
    assert "team-to-team hand-offs: 12 (13 relations)" in done.stderr
    assert "default: the teams upstream of no other team serve the external customer" in (
        done.stderr
    )
    assert "grocery-team-map.cml:86:3: warning: not read: 1 Aggregate, 1 Domain" in done.stderr
    assert sorted(p.name for p in (out / "teams").iterdir())[:3] == [
        "CatalogueTeam.yaml",
        "CheckoutTeam.yaml",
        "DataTeam.yaml",
    ]
    payments = (out / "teams" / "PaymentsTeam.yaml").read_text()
    assert "# PaymentsTeam [U,OHS,PL]->[D,ACL] CheckoutTeam : PaymentApi" in payments
    assert "mode: x-as-a-service" in payments
    result = read_source("cml", [GROCER])
    assert result.org is not None
    assert graph_shape(load(out)) == graph_shape(result.org)
    check = run("check", str(out))
    assert check.exit_code == 0, check.stdout
    assert "0 errors, 0 warnings" in check.stdout
    # Read directly, the source's warning is a finding at its position.
    direct = run("check", "--from", "cml", str(GROCER.parent))
    assert direct.exit_code == 0, direct.stdout
    assert "grocery-team-map.cml:86:3: warning: not read" in direct.stdout
    assert "[IC673 not-read]" in direct.stdout


def test_update_after_a_change_in_the_map_keeps_hand_made_edits(tmp_path: Path) -> None:
    source = tmp_path / "teams.cml"
    shutil.copy(GROCER, source)
    out = tmp_path / "org"
    assert run("import", "cml", str(source), "-o", str(out)).exit_code == 0
    fulfilment = out / "teams" / "FulfilmentTeam.yaml"
    edited = fulfilment.read_text().replace(
        "      - what: FulfilmentTeam's work\n",
        "      - what: FulfilmentTeam's work\n        lead_time: 2d\n        satisfaction: 4\n",
    )
    assert edited != fulfilment.read_text()
    fulfilment.write_text(
        edited.replace("  FulfilmentTeam:\n", "  FulfilmentTeam:\n    lead: Ana\n")
    )
    # The map changes: a new team downstream of Delivery, and the partnership ends.
    text = source.read_text()
    text = text.replace("  StorefrontTeam [P]<->[P] MobileTeam\n", "")
    text = text.replace(
        "contains OrderContext, AnalyticsContext",
        "contains OrderContext, AnalyticsContext, ReturnsTeam\n"
        "  DeliveryTeam [U,S]->[D,C] ReturnsTeam : Parcels",
    )
    text += (
        '\nBoundedContext ReturnsTeam { type = TEAM domainVisionStatement = "Takes it back." }\n'
    )
    source.write_text(text)
    done = run("import", "cml", str(source), "-o", str(out), "--update")
    assert done.exit_code == 0, done.stderr
    assert "removed relation (gone from the source): StorefrontTeam → MobileTeam" in done.stderr
    org = load(out)
    assert org.teams["FulfilmentTeam"].lead == "Ana"
    kept = next(r for r in org.relations if r.provider == "FulfilmentTeam")
    assert (str(kept.lead_time), kept.satisfaction) == ("2d", 4.0)
    assert org.teams["ReturnsTeam"].description == "Takes it back."
    assert any(r.provider == "DeliveryTeam" and r.what == "Parcels" for r in org.relations)
    assert run("check", str(out)).exit_code == 0


def test_syntax_errors_and_unknown_names_all_at_once(tmp_path: Path) -> None:
    out = tmp_path / "org"
    done = run("import", "cml", str(BROKEN), "-o", str(out))
    assert done.exit_code == 2
    assert not out.exists()
    assert "Traceback" not in done.stderr
    shown = [
        line.split("broken-team-map.cml:", 1)[1]
        for line in done.stderr.splitlines()
        if "broken-team-map.cml:" in line
    ]
    assert shown == [
        "7:22: warning: relationship with 'Chekout': no BoundedContext of that name; "
        "did you mean 'Checkout'? [IC671]",
        "8:14: warning: role D belongs to the downstream side, and this side is upstream: "
        "'Warehouse [D]->[U] Catalogue' is not read [IC674]",
        "11:1: error: unexpected name 'BoundedContex': expected 'BoundedContext', 'ContextMap', "
        "'Domain', 'import', 'Stakeholders', 'Subdomain', 'UseCase', 'UserStory', "
        "'ValueRegister' [IC670]",
        '15:27: error: this string (") is never closed [IC670]',
        "18:26: error: this '{' is never closed: a '}' is missing before the BoundedContext at "
        "line 25 [IC670]",
    ]
    assert "hint: did you mean 'BoundedContext'?" in done.stderr
    assert "3 errors in the source: nothing imported" in done.stderr
    check = run("check", "--from", "cml", str(BROKEN))
    assert check.exit_code == 1
    assert "[IC670 cml-syntax]" in check.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ContextMap { contains A\n  A [U,S]->[D,C]\n  B -> A\n}\n"
            "BoundedContext A { type TEAM }\nBoundedContext B { type TEAM }\n",
            "3:5: error: unexpected '->': expected a name, '{', '}', ':', '[' [IC670]",
        ),
        (
            "ContextMap { type = ORGANIZATIONAL }\n}\n",
            "2:1: error: unexpected '}': expected 'BoundedContext', 'ContextMap'",
        ),
        (
            "BoundedContext A { type = TEAM domainVisionStatement = }\n",
            "1:56: error: unexpected '}': expected a name, a string [IC670]",
        ),
        (
            "ContextMap M { type = SYSTEM_LANDSCAPE contains A }\nBoundedContext A\n",
            "1:1: error: ContextMap M is of type SYSTEM_LANDSCAPE: no team map "
            "(a ContextMap of type ORGANIZATIONAL) [IC672]",
        ),
        (
            "BoundedContext A { type = TEAM }\n",
            "1:1: error: no ContextMap here: icmap reads a team map",
        ),
        (
            "ContextMap { type ORGANIZATIONAL contains A, B\n  A [P]<->[SK] B\n}\n"
            "BoundedContext A { type TEAM }\nBoundedContext B { type TEAM }\n"
            "BoundedContext A { type TEAM }\n",
            "6:16: warning: bounded context 'A' is defined again (first at ",
        ),
        (
            "ContextMap { type ORGANIZATIONAL contains A, B\n  A [P]<->[SK] B\n}\n"
            "BoundedContext A { type TEAM }\nBoundedContext B { type TEAM }\n",
            "2:3: warning: a partnership (P) and shared kernel (SK) at once: "
            "'A [P]<->[SK] B' is not read [IC674]",
        ),
        (
            "ContextMap { type ORGANIZATIONAL contains A, B, S\n  S -> A\n}\n"
            "BoundedContext A { type TEAM }\nBoundedContext B { type TEAM }\n"
            "BoundedContext S { type SYSTEM }\n",
            "2:3: warning: 'S' is no team and no team in the map realizes it: "
            "'S -> A' is no hand-off [IC676]",
        ),
        (
            "ContextMap { type ORGANIZATIONAL contains A\n  A -> B\n}\n"
            "BoundedContext A { type TEAM }\nBoundedContext B { type TEAM }\n",
            "5:16: warning: team 'B' is not in the team map: not imported [IC675]",
        ),
        (
            'import "../elsewhere.cml"\nContextMap { type ORGANIZATIONAL contains A }\n'
            "BoundedContext A { type TEAM }\n",
            "1:8: warning: import '../elsewhere.cml' is outside the folders given: not read [IC678]",
        ),
    ],
    ids=[
        "missing-name",
        "stray-brace",
        "missing-value",
        "system-landscape",
        "no-map",
        "defined-twice",
        "mixed-roles",
        "unrealized",
        "outside-map",
        "import",
    ],
)
def test_each_mistake_at_its_position(tmp_path: Path, text: str, expected: str) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "teams.cml").write_text(text)
    done = run("import", "cml", str(folder), "-o", str(tmp_path / "org"))
    assert f"teams.cml:{expected}" in done.stderr


def test_imports_inside_the_folder_are_read(tmp_path: Path) -> None:
    (tmp_path / "map.cml").write_text(
        'import "./teams/all.cml"\nContextMap Org { type ORGANIZATIONAL contains A, B\n'
        "  A [U]->[D] B\n}\n"
    )
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "all.cml").write_text(
        "BoundedContext A { type TEAM }\nBoundedContext B { type TEAM }\n"
    )
    result = read_source("cml", [tmp_path / "map.cml"])
    assert result.diagnostics == []
    assert result.org is not None
    assert [(r.provider, r.receiver) for r in result.org.relations] == [
        ("A", "B"),
        ("B", "customers"),
    ]


def test_contexts_of_one_team_relate_inside_it_and_customers_are_chosen(tmp_path: Path) -> None:
    result = read_source("cml", [INSURANCE])
    org = result.org
    assert org is not None
    assert {(r.provider, r.receiver, r.what, r.mode) for r in org.relations} == {
        ("CustomersBackofficeTeam", "CustomersFrontofficeTeam", "CustomerManagementContext", None),
        (
            "CustomersBackofficeTeam",
            "ContractsTeam",
            "CustomerManagementContext",
            "x-as-a-service",
        ),
        ("ContractsTeam", "customers", "PolicyManagementContext, RiskManagementContext", None),
        ("CustomersFrontofficeTeam", "customers", "CustomerSelfServiceContext", None),
    }
    # The team relationship and the one between the contexts the teams realize: one relation.
    reasons = result.provenance[
        ("CustomersBackofficeTeam", "CustomersFrontofficeTeam", "CustomerManagementContext")
    ]
    assert [(p.text.split(" (")[0], p.pos.line) for p in reasons] == [
        ("CustomerSelfServiceContext [D,C]<-[U,S] CustomerManagementContext", 14),
        ("CustomersBackofficeTeam [U,S]->[D,C] CustomersFrontofficeTeam", 22),
    ]
    assert result.counts["relations inside one team"] == 2  # the partnership, both ways
    assert org.teams["ContractsTeam"].group == "PolicyManagementDomain"
    check = run("check", "--from", "cml", str(INSURANCE))
    assert check.exit_code == 0, check.stdout
    out = tmp_path / "org"
    chosen = run(
        "import",
        "cml",
        str(INSURANCE),
        "-o",
        str(out),
        "--customer",
        "ref:CustomerSelfServiceContext",
    )
    assert chosen.exit_code == 0, chosen.stderr
    assert "chosen with --customer: CustomersFrontofficeTeam serve" in chosen.stderr
    assert "x-icmap-import" in (out / "org.yaml").read_text()
    # --update chooses as the last import did.
    again = run("import", "cml", str(INSURANCE), "-o", str(out), "--update")
    assert again.exit_code == 0, again.stderr
    assert "as the last import chose (--customer ref:CustomerSelfServiceContext)" in again.stderr
    by_type = run(
        "import", "cml", str(INSURANCE), "-o", str(tmp_path / "t"), "--customer", "type:APPLICATION"
    )
    assert "chosen with --customer: CustomersFrontofficeTeam serve" in by_type.stderr
    wrong = run(
        "import", "cml", str(INSURANCE), "-o", str(tmp_path / "w"), "--customer", "ref:Contracts"
    )
    assert wrong.exit_code == 2
    assert "did you mean 'ContractsTeam'?" in wrong.stderr
    kind = run("import", "cml", str(INSURANCE), "-o", str(tmp_path / "k"), "--customer", "tag:web")
    assert kind.exit_code == 2
    assert "for cml give ref:NAME" in kind.stderr


def test_json_summary_names_each_hand_off_and_its_position(tmp_path: Path) -> None:
    out = tmp_path / "org"
    done = run("import", "cml", str(INSURANCE), "-o", str(out), "--dry-run", "-f", "json")
    assert done.exit_code == 0, done.stderr
    assert not out.exists()
    data = json.loads(done.stdout)
    contracts = next(
        h
        for h in data["hand_offs"]
        if (h["provider"], h["receiver"]) == ("CustomersBackofficeTeam", "ContractsTeam")
    )
    assert [(p["line"], p["col"]) for p in contracts["provenance"]] == [(16, 2), (24, 2)]


def test_lark_is_imported_only_when_a_cml_file_is_read() -> None:
    code = (
        "import sys\n"
        "from icmap.cli import main\n"
        "sys.argv[:] = ['icmap', 'check', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('lark' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "examples" / "restaurant.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == "False", done.stderr
    graph = run("graph", "--from", "cml", str(INSURANCE), "-f", "json")
    assert graph.exit_code == 0
    assert json.loads(graph.stdout)


def test_an_unclosed_string_is_reported_where_it_opens(tmp_path: Path) -> None:
    # The quote left open pairs with the next string's opening quote, and so on to the end of
    # the file: the error is where the quotes went wrong, and what follows is still read.
    source = tmp_path / "bad.cml"
    source.write_text(
        """\
ContextMap Teams {
  type = ORGANIZATIONAL
  contains AccountsTeam, MobileTeam
  AccountsTeam -> MobileTeam
}

BoundedContext AccountsTeam {
  type = TEAM
  domainVisionStatement = "unterminated
}

BoundedContext MobileTeam {
  type = TEAM
  responsibilities = "x"
  implementationTechnology = "Swift"
}

BoundedContex LaterTeam { type = TEAM }
""",
        encoding="utf-8",
    )
    done = run("import", "cml", str(source), "-o", str(tmp_path / "org"))
    assert done.exit_code == 2
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert errors == [
        f'{source}:9:27: error: this string (") is never closed [IC670]',
        f"{source}:18:1: error: unexpected name 'BoundedContex': expected 'BoundedContext', "
        "'ContextMap', 'Domain', 'import', 'Stakeholders', 'Subdomain', 'UseCase', 'UserStory', "
        "'ValueRegister' [IC670]",
    ]


def test_selectors_and_options_cml_does_not_take(tmp_path: Path) -> None:
    out = str(tmp_path / "org")
    done = run("import", "cml", str(GROCER), "-o", out, "--customer", "label:x=y")
    assert done.exit_code == 2
    assert "--customer label:x=y: label: is not a cml selector" in done.stderr
    assert "no team matches" not in done.stderr
    for option in ("--keep-idle-teams", "--drop-idle-teams"):
        done = run("import", "cml", str(GROCER), "-o", out, option)
        assert done.exit_code == 2
        assert (
            f"{option} is not for cml: use it with 'import backstage' (cml writes every team it "
            "reads)"
        ) in done.stderr
    done = run("import", "csv", str(GROCER), "-o", out, "--customer", "ref:x")
    assert done.exit_code == 2
    assert (
        "--customer is not for csv: use it with 'import backstage', 'import cml' or 'import events'"
        in (done.stderr)
    )
    assert not (tmp_path / "org").exists()


def test_two_team_maps_are_merged_with_a_note(tmp_path: Path) -> None:
    source = tmp_path / "maps.cml"
    source.write_text(
        """\
ContextMap M {
 type = ORGANIZATIONAL
 contains A, B
 B -> A
}
BoundedContext A { type = TEAM }
BoundedContext B { type = TEAM }
ContextMap M2 {
 type = ORGANIZATIONAL
 contains A, C
 A -> C
}
BoundedContext C { type = TEAM }
""",
        encoding="utf-8",
    )
    result = read_source("cml", [source])
    assert result.org is not None, result.diagnostics
    assert result.notes == [
        f"2 ORGANIZATIONAL ContextMaps read as one team map: M ({source}:1:1), M2 ({source}:8:1); "
        "their teams and relationships are merged, and the org is named after the first"
    ]
    assert {(r.provider, r.receiver) for r in result.org.relations} >= {("B", "A"), ("A", "C")}
    done = run("import", "cml", str(source), "-o", str(tmp_path / "org"), "--dry-run")
    assert done.exit_code == 0
    assert "    note: 2 ORGANIZATIONAL ContextMaps read as one team map" in done.stderr
