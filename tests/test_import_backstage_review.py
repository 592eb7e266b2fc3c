"""The Backstage importer as a new user meets it (the review of issue 27): which entities the
default takes as customer-facing and says so, selectors that match nothing, the catalog's own
marks against --customer, empty or failed stdin, misspelt owners, idle teams on --update,
owner-only summaries, stray files and the catalog API's provenance."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import write
from icmap.cli import app
from icmap.importers import BackstageOptions, SourceFormat, read_source


def _entity(kind: str, name: str, spec: dict[str, object], **metadata: object) -> dict[str, object]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": name, **metadata},
        "spec": spec,
    }


def _yaml(entities: list[dict[str, object]]) -> str:
    return yaml.safe_dump_all(entities, sort_keys=False)


def _import(*args: str, input: str | None = None) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["import", *args], input=input)
    return done.exit_code, done.stderr


def _served(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    assert result.org is not None, [d.format() for d in result.diagnostics]
    return sorted((r.provider, r.what) for r in result.org.relations if r.receiver == "customers")


def shop() -> list[dict[str, object]]:
    """A shop: a website, a public OpenAPI, and the platform's and data team's internal APIs
    (gRPC, AsyncAPI) that the catalog happens not to declare consumers of."""
    return [
        _entity("Component", "storefront", {"type": "website", "owner": "web"}),
        _entity(
            "Component",
            "shop-api",
            {"type": "service", "owner": "edge", "providesApis": ["public-api"]},
        ),
        _entity("API", "public-api", {"type": "openapi", "owner": "edge"}),
        _entity("API", "metrics-api", {"type": "grpc", "owner": "platform"}),
        _entity("API", "events-api", {"type": "asyncapi", "owner": "data"}),
        _entity("API", "search-graph", {"type": "graphql", "owner": "search"}),
        _entity(
            "Component",
            "dev-portal",
            {"type": "website", "owner": "devex"},
            labels={"icmap.io/customer-facing": "false"},
        ),
        _entity(
            "Component",
            "old-shop",
            {"type": "website", "owner": "web", "lifecycle": "deprecated"},
        ),
        _entity("Component", "admin", {"type": "website", "owner": "ops"}, tags=["internal"]),
    ]


# --- 1. the default's APIs, and the entities named in the summary ----------------------------


def test_the_default_takes_http_apis_only_and_the_summary_names_each_entity(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "catalog.yaml", _yaml(shop()))
    result = read_source(SourceFormat.backstage, [path])
    # gRPC and AsyncAPI APIs nothing declares a consumer of are internal wiring, not a product.
    assert _served(result) == [
        ("edge", "public-api"),
        ("search", "search-graph"),
        ("web", "storefront"),
    ]
    code, stderr = _import("backstage", str(path), "-o", str(tmp_path / "org"), "--dry-run")
    assert code == 0, stderr
    assert "customer-facing, a front end (spec.type website): component:storefront (web)" in stderr
    assert (
        "customer-facing, an API nothing in the catalog consumes (spec.type openapi): "
        "api:public-api (edge)"
    ) in stderr
    assert "metrics-api" not in stderr


# --- 2. selectors that match nothing --------------------------------------------------------


def test_a_selector_that_matches_nothing_is_reported_with_a_did_you_mean(tmp_path: Path) -> None:
    entities = shop()
    entities[0]["metadata"]["tags"] = ["customer-facing"]  # type: ignore[index]
    entities[2]["metadata"]["labels"] = {"exposure": "public"}  # type: ignore[index]
    path = write(tmp_path, "catalog.yaml", _yaml(entities))
    options = BackstageOptions(
        tags=("custmer-facing", "website"), labels=("exposur=public",), refs=("storefrnt",)
    )
    result = read_source(SourceFormat.backstage, [path], BackstageOptions(types=("website",)))
    assert not [d for d in result.diagnostics if d.code == "IC633"]
    result = read_source(
        SourceFormat.backstage,
        [path],
        BackstageOptions(
            types=("website",), tags=options.tags, labels=options.labels, refs=options.refs
        ),
    )
    said = sorted(d.message for d in result.diagnostics if d.code == "IC633")
    assert said == [
        "--customer label:exposur=public matches no entity; did you mean label:exposure=public?",
        "--customer ref:storefrnt matches no entity; did you mean ref:storefront?",
        "--customer tag:custmer-facing matches no entity; did you mean tag:customer-facing?",
        "--customer tag:website matches no entity; did you mean type:website?",
    ]
    assert {d.file for d in result.diagnostics if d.code == "IC633"} == {"<command line>"}
    assert _served(result) == [("web", "storefront")]


def test_when_every_selector_misses_the_error_names_them(tmp_path: Path) -> None:
    path = write(tmp_path, "catalog.yaml", _yaml(shop()))
    code, stderr = _import(
        "backstage",
        str(path),
        "-o",
        str(tmp_path / "org"),
        "--customer",
        "tag:custmer-facing",
        "--customer",
        "ref:nosuch",
    )
    assert code == 2
    assert (
        "<command line>:1:1: error: no external customer: --customer tag:custmer-facing and "
        "--customer ref:nosuch match no entity in the catalog [IC614]"
    ) in stderr
    assert "catalog.yaml:1:1: error" not in stderr


def test_a_label_selector_without_a_key_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "catalog.yaml", _yaml(shop()))
    for selector in ("label:", "label:=x", "label: =x"):
        code, stderr = _import(
            "backstage", str(path), "-o", str(tmp_path / "org"), "--customer", selector
        )
        assert code == 2, selector
        assert "label:KEY=VALUE" in stderr, selector


# --- 3. the catalog's own marks against --customer ------------------------------------------


def test_the_catalogs_own_marks_win_over_broad_selectors_but_not_over_ref(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "catalog.yaml", _yaml(shop()))
    result = read_source(SourceFormat.backstage, [path], BackstageOptions(types=("website",)))
    # dev-portal ("false"), old-shop (deprecated) and admin (internal) are websites too.
    assert _served(result) == [("web", "storefront")]
    assert (
        "left out although --customer matches them, as the catalog marks them as serving "
        "people inside (choose one with --customer ref:…): component:dev-portal (label "
        "icmap.io/customer-facing: false), component:old-shop (lifecycle deprecated), "
        "component:admin (tagged internal)"
    ) in result.customers_chosen
    # ref: names one entity: the person overrides the catalog's mark.
    result = read_source(
        SourceFormat.backstage,
        [path],
        BackstageOptions(types=("website",), refs=("dev-portal",)),
    )
    assert _served(result) == [("devex", "dev-portal"), ("web", "storefront")]
    # A selector naming the mark asks for it.
    result = read_source(SourceFormat.backstage, [path], BackstageOptions(tags=("internal",)))
    assert _served(result) == [("ops", "admin")]


# --- 4. empty or failed input from the catalog API ------------------------------------------


def test_empty_stdin_says_so_and_is_no_file_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, stderr = _import("backstage", "-", "-o", str(tmp_path / "org"), input="")
    assert code == 2
    assert "<stdin>:1:1: error: stdin is empty: no catalog to read" in stderr
    assert "no teams" not in stderr
    # Beside a file, the empty stdin still stops the import: '-' was asked for.
    path = write(tmp_path, "catalog.json", '[{"apiVersion": "backstage.io/v1alpha1"}]')
    code, stderr = _import("backstage", "-", str(path), "-o", str(tmp_path / "org"), input="\n")
    assert code == 2
    assert "stdin is empty" in stderr
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    result = read_source(SourceFormat.backstage, [Path("-")])
    assert result.counts["files read"] == 0


def test_an_error_the_catalog_api_answered_is_quoted(tmp_path: Path) -> None:
    body = (
        '{"error": {"name": "AuthenticationError", "message": "Missing credentials"}, '
        '"request": {"method": "GET", "url": "/api/catalog/entities"}, '
        '"response": {"statusCode": 401}}'
    )
    code, stderr = _import("backstage", "-", "-o", str(tmp_path / "org"), input=body)
    assert code == 2
    assert (
        "<stdin>:1:1: error: the catalog API answered with an error (HTTP 401): "
        "AuthenticationError: Missing credentials [IC001]"
    ) in stderr
    path = write(tmp_path, "catalog.json", '{"error": {"name": "NotFoundError"}}')
    result = read_source(SourceFormat.backstage, [path])
    assert result.org is None
    assert [d.message for d in result.errors] == [
        "the catalog API answered with an error: NotFoundError"
    ]


# --- 5. a misspelt owner group ----------------------------------------------------------------


def test_a_misspelt_owner_group_gets_a_did_you_mean(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "catalog.yaml",
        _yaml(
            [
                _entity("Group", "Team-A", {"type": "team", "children": []}),
                _entity("Component", "web", {"type": "website", "owner": "group:tema-a"}),
                _entity("Component", "other", {"type": "website", "owner": "group:zz-top"}),
            ]
        ),
    )
    result = read_source(SourceFormat.backstage, [path])
    found = {d.message.split(" names ")[1].split(",")[0]: d.hint for d in result.diagnostics}
    assert found["group:tema-a"] == "did you mean 'group:Team-A'?"
    assert found["group:zz-top"] == "define the group, or read the catalog's Group entities too"


# --- 6. idle teams on --update ----------------------------------------------------------------

IDLE = [
    _entity("Group", "web", {"type": "team", "children": []}),
    _entity("Group", "design", {"type": "team", "children": []}),
    _entity("Group", "legal", {"type": "team", "children": []}),
    _entity("Component", "shop", {"type": "website", "owner": "web"}),
]


def test_idle_teams_on_update_are_named_for_what_happened(tmp_path: Path) -> None:
    path = write(tmp_path, "catalog.yaml", _yaml(IDLE))
    org = tmp_path / "org"
    code, stderr = _import("backstage", str(path), "-o", str(org), "--keep-idle-teams")
    assert code == 0, stderr
    # The recorded choice is used again, and the note says whose choice it was.
    code, stderr = _import("backstage", str(path), "-o", str(org), "--update")
    assert code == 0, stderr
    assert (
        "note: 2 teams that own nothing and take part in no hand-off kept, as the last import "
        "chose (--keep-idle-teams; --drop-idle-teams leaves them out): design, legal"
    ) in stderr
    # Dropping them: they are still in the source, only left out as idle.
    code, stderr = _import(
        "backstage", str(path), "-o", str(org), "--update", "--drop-idle-teams", "--dry-run"
    )
    assert code == 0, stderr
    assert "gone from the source): design" not in stderr
    assert (
        "removed team (left out as idle: it owns nothing and takes part in no hand-off; "
        "--keep-idle-teams keeps it): design"
    ) in stderr


def test_an_idle_team_written_by_hand_is_not_called_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "catalog.yaml", _yaml(IDLE))
    org = tmp_path / "org"
    code, stderr = _import("backstage", str(path), "-o", str(org))
    assert code == 0, stderr
    write(org, "teams/design.yaml", "teams:\n  design:\n    name: Design\n")
    code, stderr = _import("backstage", str(path), "-o", str(org), "--update")
    assert code == 0, stderr
    assert (
        "note: 1 team that owns nothing and takes part in no hand-off left out (legal): "
        "--keep-idle-teams keeps it; design kept as written by hand"
    ) in stderr


# --- 8. stray files grouped by folder ---------------------------------------------------------


def test_files_of_many_helm_charts_are_one_warning_with_the_hint_once(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, "catalog-info.yaml", _yaml(shop()))
    write(repo, "mkdocs.yml", "site_name: Shop\n")
    for chart in ("payments", "search", "orders", "cart", "web", "auth", "jobs", "mail"):
        write(repo, f"charts/{chart}/Chart.yaml", f"apiVersion: v2\nname: {chart}\n")
        write(repo, f"charts/{chart}/values.yaml", "replicaCount: 2\n")
        write(
            repo,
            f"charts/{chart}/templates/deployment.yaml",
            "metadata:\n  name: {{ .Release.Name }}\nspec:\n  {{- if .Values.x }}\n",
        )
    result = read_source(SourceFormat.backstage, [repo])
    skipped = [d for d in result.diagnostics if d.code == "IC630"]
    assert [d.message for d in skipped] == [
        f"skipped 24 files under {repo}/charts/ that are not catalog YAML "
        "(auth/Chart.yaml, auth/templates/deployment.yaml, auth/values.yaml and 21 more)",
        "not a catalog file: no document has a Backstage apiVersion and a kind; skipped",
    ]
    assert [d.hint is not None for d in skipped] == [True, False]
    assert result.counts["files skipped"] == 25


# --- 9. where the catalog API read an entity from ---------------------------------------------


def test_provenance_names_the_file_the_catalog_read_an_entity_from(tmp_path: Path) -> None:
    location = "url:https://git.example/shop/blob/main/catalog-info.yaml"
    entities = [
        _entity(
            "Component",
            "web",
            {"type": "website", "owner": "group:web", "dependsOn": ["component:cart"]},
            annotations={"backstage.io/managed-by-location": location},
        ),
        _entity(
            "Component",
            "cart",
            {"type": "service", "owner": "group:cart"},
            annotations={"backstage.io/managed-by-origin-location": "file:/repo/cart.yaml"},
        ),
    ]
    code, stderr = _import(
        "backstage", "-", "-o", str(tmp_path / "org"), input=json.dumps(entities, indent=2)
    )
    assert code == 0, stderr
    web = (tmp_path / "org" / "teams" / "web.yaml").read_text()
    assert f"# via component:web: a front end (spec.type website); from {location} (<stdin>:" in web
    cart = (tmp_path / "org" / "teams" / "cart.yaml").read_text()
    assert f"# via component:web dependsOn component:cart; from {location} (<stdin>:" in cart
