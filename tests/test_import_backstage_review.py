"""The Backstage importer as a new user meets it (the review of issue 27): which entities the
default takes as customer-facing and says so, selectors that match nothing, the catalog's own
marks against --customer, empty or failed stdin, misspelt owners, idle teams on --update,
owner-only summaries, stray files and the catalog API's provenance."""

from __future__ import annotations

from pathlib import Path

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
