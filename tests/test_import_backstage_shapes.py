"""Backstage catalogs in the shapes real deployments have (issue 27).

- owner-only catalogs (Groups come from an org provider): Backstage's own ``all.yaml``;
- the create-app example catalog (a template and its skeleton beside the entities);
- a repository whose Helm chart, CI and docs config sit beside ``catalog-info.yaml``;
- a 100-service catalog in the shape of a real service catalog: which customers it gets;
- the catalog API's JSON (a file, or stdin), which must read as the YAML files do.

Backstage's examples are in ``../shared/data`` (Apache-2.0, see its README); the rest is
written here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import graph_shape, write
from icmap.cli import app
from icmap.importers import BackstageOptions, SourceFormat, read_source
from icmap.loader import load

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
EXAMPLES = SHARED / "backstage-examples" / "packages" / "catalog-model" / "examples"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir() and not os.environ.get("CI"),
    reason=f"shared test data not found at {SHARED}",
)


def _import(*args: str, input: str | None = None) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["import", *args], input=input)
    return done.exit_code, done.stderr


def _check(org: Path) -> list[tuple[str, str]]:
    """The errors and warnings ``icmap check`` gives on ``org``: (code, team file)."""
    done = CliRunner().invoke(app, ["check", str(org), "-f", "json"])
    findings = json.loads(done.stdout)["findings"]
    return sorted((f["code"], Path(f["file"]).name) for f in findings if f["severity"] != "info")


# --- owner-only: Backstage's all.yaml ---------------------------------------------------------


@needs_shared
def test_all_yaml_is_an_owner_only_catalog_and_imports(tmp_path: Path) -> None:
    out = tmp_path / "org"
    code, stderr = _import("backstage", str(EXAMPLES / "all.yaml"), "-o", str(out))
    assert code == 0, stderr
    # One note for the whole catalog, not a warning per entity.
    assert stderr.count("owner-only catalog") == 1
    assert (
        "note: owner-only catalog (no Group entities: they come from an org provider): the 6 "
        "groups named in spec.owner: 5 are teams (team-a, team-c, guest, team-b, team-d), 1 "
        "left out as idle (acme-corp)"
    ) in stderr
    # acme-corp owns only a Domain that no System is part of: left out, and said so.
    assert (
        "note: 1 team that owns nothing and takes part in no hand-off left out (acme-corp)"
        in stderr
    )
    # Users named as owners, whom the catalog puts in no group: each reported once.
    assert (
        stderr.count("user:guest owns 2 entities (component:searcher, component:shuffle-api)") == 1
    )
    assert "user:team-b owns 1 entity (system:podcast)" in stderr
    # 'owner: guest' elsewhere made the team guest: the user's warning says a team has the name.
    assert (
        "user:guest owns 2 entities (component:searcher, component:shuffle-api) and is not in "
        "the catalog (no User entity says which group the user is in): they have no team, "
        "though the team 'guest' has that name [IC607]\n  hint: write owner: group:guest if the "
        "team is meant"
    ) in stderr
    assert "IC614" not in stderr
    org = load(out)
    assert sorted(org.teams) == ["guest", "team-a", "team-b", "team-c", "team-d"]
    between = [(r.provider, r.receiver, r.what) for r in org.relations if r.receiver in org.teams]
    # team-a and team-d meet through wayback-archive (team-d's ingestion is part of it).
    assert between == [("team-d", "team-a", "wayback-archive-ingestion")]
    assert (
        "# via component:wayback-archive-ingestion subcomponentOf component:wayback-archive"
        in (out / "teams" / "team-d.yaml").read_text()
    )
    served = sorted((r.provider, r.what) for r in org.relations if r.receiver == "customers")
    assert served == [("team-a", "www-artist"), ("team-b", "queue-proxy")]
    # A team without hand-offs says what it owns, not just 'team-c: {}'.
    assert (out / "teams" / "team-c.yaml").read_text() == (
        "teams:\n"
        "  # owns: component:petstore, component:playback-sdk, system:audio-playback\n"
        "  team-c: {}\n"
    )
    # The real findings: team-c's petstore provides APIs whose files are not in the copy, and
    # playback-order (guest's) is a service that nothing in the catalog uses.
    assert _check(out) == [
        ("IC301", "guest.yaml"),
        ("IC301", "team-c.yaml"),
        ("IC302", "guest.yaml"),
        ("IC302", "team-c.yaml"),
    ]


@needs_shared
def test_all_yaml_with_the_groups_reads_users_into_their_groups() -> None:
    # With acme/ (Groups and Users) the same owners resolve: user:guest is a member of team-a.
    result = read_source(
        SourceFormat.backstage, [EXAMPLES / "all.yaml", EXAMPLES / "acme-corp.yaml"]
    )
    assert result.org is not None
    assert not any("owner-only" in note for note in result.notes)
    assert ("team-a", "team-c", "shuffle-api") in {
        (r.provider, r.receiver, r.what) for r in result.org.relations
    }


def test_owner_only_groups_next_to_defined_ones_are_reported_once_each(tmp_path: Path) -> None:
    write(
        tmp_path,
        "c.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: web}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: site}
        spec: {type: website, owner: web, dependsOn: [component:db-proxy, component:cache]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: db-proxy}
        spec: {type: service, owner: group:data_eng}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: cache}
        spec: {type: service, owner: data_eng}
        """,
    )
    result = read_source(SourceFormat.backstage, [tmp_path])
    assert result.org is not None
    assert sorted(result.org.teams) == ["data_eng", "web"]
    warned = [d for d in result.diagnostics if "data_eng" in d.message]
    assert [(d.line, d.code) for d in warned] == [(13, "IC603")]
    assert "which is not in the catalog: a team all the same" in warned[0].message
    assert result.notes == [
        "1 group named as owners but not defined in the catalog is a team all the same: data_eng"
    ]


# --- folders: a template, a Helm chart, other tools' YAML ---------------------------------------

#: The create-app example catalog's shape (examples/entities.yaml, org.yaml and a template with
#: its skeleton), written for this test with the same structure and kinds.
CREATE_APP = {
    "entities.yaml": """\
        ---
        apiVersion: backstage.io/v1alpha1
        kind: System
        metadata: {name: examples}
        spec: {owner: guests}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: example-website}
        spec:
          type: website
          lifecycle: experimental
          owner: guests
          system: examples
          providesApis: [example-grpc-api]
        ---
        apiVersion: backstage.io/v1alpha1
        kind: API
        metadata: {name: example-grpc-api}
        spec:
          type: grpc
          lifecycle: experimental
          owner: guests
          system: examples
          definition: |
            syntax = "proto3";
            service Exampler { rpc Example (Msg) returns (Msg) {}; }
        """,
    "org.yaml": """\
        ---
        apiVersion: backstage.io/v1alpha1
        kind: User
        metadata: {name: guest}
        spec: {memberOf: [guests]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: guests}
        spec: {type: squad, children: []}
        """,
    "template/template.yaml": """\
        apiVersion: scaffolder.backstage.io/v1beta3
        kind: Template
        metadata:
          name: example-nodejs-template
          title: Example Node.js Template
        spec:
          owner: user:guest
          type: service
          parameters:
            - title: Fill in some steps
              required: [name]
              properties:
                name: {title: Name, type: string}
          steps:
            - id: fetch-base
              action: fetch:template
              input:
                url: ./content
                values:
                  name: ${{ parameters.name }}
        """,
    "template/content/catalog-info.yaml": """\
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: ${{ values.name | dump }}
        spec:
          type: service
          owner: user:guest
          lifecycle: experimental
        """,
    "template/content/package.json": '{"name": "${{ values.name }}"}\n',
}


def test_create_app_examples_import_without_the_template_becoming_work(tmp_path: Path) -> None:
    root = tmp_path / "examples"
    for name, text in CREATE_APP.items():
        write(root, name, text)
    out = tmp_path / "org"
    code, stderr = _import("backstage", str(root), "-o", str(out))
    assert code == 0, stderr
    assert (
        "template/content/catalog-info.yaml:4:9: warning: 1 entity with a templated name "
        "(component:${{ values.name | dump }}): a template's skeleton, not the catalog's; "
        "not read [IC632]"
    ) in stderr
    org = load(out)
    assert sorted(org.teams) == ["guests"]
    # The gRPC API nothing consumes is service-to-service wiring: the website faces the customer.
    assert sorted((r.provider, r.receiver, r.what) for r in org.relations) == [
        ("guests", "customers", "example-website"),
    ]
    assert _check(out) == []


def test_a_helm_chart_and_other_tools_files_beside_the_catalog_are_skipped(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "shop"
    write(
        repo,
        "catalog-info.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: shop, labels: {tier: edge}}
        spec: {type: service, owner: team-web, dependsOn: [component:cart]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: cart}
        spec: {type: service, owner: team-cart}
        """,
    )
    write(repo, "chart/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 1.2.3\n")
    write(repo, "chart/values.yaml", "replicaCount: 2\nimage: {repository: shop}\n")
    write(
        repo,
        "chart/templates/deployment.yaml",
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "shop.fullname" . }}
        spec:
          {{- if not .Values.autoscaling.enabled }}
          replicas: {{ .Values.replicaCount }}
          {{- end }}
        """,
    )
    write(
        repo,
        "k8s/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: shop}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\n",
    )
    write(repo, "mkdocs.yml", "site_name: Shop\nnav: [{Home: index.md}]\n")
    write(repo, "docker-compose.yml", "services:\n  shop: {image: shop}\n")
    write(repo, ".github/workflows/ci.yaml", "on: push\njobs: {}\n")  # hidden: not read
    out = tmp_path / "org"
    code, stderr = _import("backstage", str(repo), "-o", str(out), "--customer", "label:tier=edge")
    assert code == 0, stderr
    lines = [line for line in stderr.splitlines() if "warning:" in line]
    # The chart's three files are one warning; the files beside the catalog one each.
    assert [line.split(": warning: ")[0].removeprefix(str(repo) + "/") for line in lines] == [
        "chart/Chart.yaml:1:1",
        "docker-compose.yml:1:1",
        "k8s/service.yaml:1:1",
        "mkdocs.yml:1:1",
    ]
    assert (
        f"chart/Chart.yaml:1:1: warning: skipped 3 files under {repo}/chart/ that are not "
        "catalog YAML (Chart.yaml, templates/deployment.yaml, values.yaml) [IC630]"
    ) in stderr
    assert "docker-compose.yml:1:1: warning: not a catalog file: no document has a" in stderr
    assert stderr.count("hint: icmap reads Backstage entities") == 1
    assert (
        "k8s/service.yaml:1:1: warning: 2 entities of apiVersion apps/v1, v1 (Deployment, "
        "Service): not Backstage's, not read [IC631]"
    ) in stderr
    assert "IC002" not in stderr
    assert "7 files read, 6 files skipped" in stderr
    assert "chosen: entities with label tier=edge serve the external customer" in stderr
    org = load(out)
    assert [(r.provider, r.receiver, r.what) for r in org.relations] == [
        ("team-cart", "team-web", "cart"),
        ("team-web", "customers", "shop"),
    ]
    assert _check(out) == []
    # The label selector is saved with the import: --update chooses the same customers.
    assert 'customer: ["label:tier=edge"]' in (out / "org.yaml").read_text()
    code, stderr = _import("backstage", str(repo), "-o", str(out), "--update")
    assert code == 0, stderr
    assert "as the last import chose (--customer label:tier=edge)" in stderr
    assert "0 relations added, 0 removed" in stderr


def test_a_named_file_that_is_not_yaml_still_stops_the_import(tmp_path: Path) -> None:
    path = write(tmp_path, "catalog-info.yaml", "kind: Component\nmetadata: {name: [x\n")
    code, stderr = _import("backstage", str(path), "-o", str(tmp_path / "o"))
    assert code == 2
    assert "IC002" in stderr


def test_entities_of_another_api_version_are_reported_once_per_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "c.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: site}
        spec: {type: website, owner: web}
        ---
        apiVersion: acme.example/v1
        kind: Component
        metadata: {name: made-up}
        spec: {type: website, owner: other}
        ---
        apiVersion: acme.example/v1
        kind: Component
        metadata: {name: made-up-too}
        spec: {type: website, owner: other}
        ---
        kind: Component
        metadata: {name: no-version}
        spec: {type: service, owner: web, dependencyOf: [component:site]}
        """,
    )
    result = read_source(SourceFormat.backstage, [tmp_path])
    assert result.org is not None
    assert [(d.line, d.code, d.message) for d in result.diagnostics] == [
        (
            6,
            "IC631",
            "2 entities of apiVersion acme.example/v1 (Component): not Backstage's, not read",
        ),
        (16, "IC631", "1 entity without apiVersion: read as Backstage's"),
    ]
    assert sorted(result.org.teams) == ["web"]


# --- a 100-service catalog in the shape of a real one ------------------------------------------

#: The backend teams: each runs a system of six services, a worker, a library, a database
#: and the internal API its first service provides.
BACKEND = (
    "checkout",
    "payments",
    "catalog",
    "search",
    "identity",
    "notifications",
    "orders",
    "fulfilment",
    "data_platform",
    "ml",
)
#: Who consumes each backend team's API.
CONSUMERS = {
    "checkout": ["storefront", "mobile-app"],
    "payments": ["checkout-svc-0"],
    "catalog": ["storefront", "mobile-app", "api-gateway", "search-svc-0"],
    "search": ["storefront", "mobile-app"],
    "identity": ["storefront", "mobile-app", "partner-portal", "api-gateway"],
    "notifications": ["orders-svc-0"],
    "orders": ["checkout-svc-0", "partner-portal", "api-gateway"],
    "fulfilment": ["orders-svc-0"],
    "data_platform": ["ml-svc-0"],
    "ml": ["search-svc-0"],
}


def _entity(kind: str, name: str, spec: dict[str, object], **metadata: object) -> dict[str, object]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": name, **metadata},
        "spec": spec,
    }


def service_catalog() -> list[dict[str, object]]:
    """About 100 components, 11 APIs, 11 resources and 10 systems; owners name groups that
    no entity defines, as in a catalog whose Groups come from GitHub or LDAP."""
    entities: list[dict[str, object]] = []
    every_service: list[str] = []

    def component(name: str, owner: str, type_: str, **spec: object) -> None:
        lifecycle = spec.pop("lifecycle", "production")
        tags = spec.pop("tags", None)
        body = {"type": type_, "lifecycle": lifecycle, "owner": f"group:default/{owner}", **spec}
        entities.append(_entity("Component", name, body, **({"tags": tags} if tags else {})))

    for team in BACKEND:
        system = f"{team}-system"
        entities.append(_entity("System", system, {"owner": team, "domain": "commerce"}))
        api = f"{team}-api"
        entities.append(
            _entity(
                "API",
                api,
                {"type": "openapi", "lifecycle": "production", "owner": team, "system": system},
            )
        )
        component(
            f"{team}-svc-0",
            team,
            "service",
            system=system,
            providesApis=[api],
            dependsOn=[f"component:{team}-svc-{i}" for i in range(1, 6)]
            + ["component:deploy-pipeline", "resource:k8s-cluster"],
        )
        for i in range(1, 6):
            component(f"{team}-svc-{i}", team, "service", system=system)
        # A worker nothing depends on: the old default made it customer-facing.
        component(f"{team}-worker", team, "service", system=system, dependsOn=[f"{team}-svc-1"])
        component(f"{team}-lib", team, "library", system=system, dependencyOf=[f"{team}-svc-0"])
        entities.append(
            _entity(
                "Resource",
                f"{team}-db",
                {"type": "database", "owner": team, "dependencyOf": [f"component:{team}-svc-1"]},
            )
        )
        every_service.append(f"{team}-svc-0")
    # The front ends (one deprecated, one for employees), the edge and its public API.
    component("storefront", "web", "website")
    component("mobile-app", "mobile", "mobile-app")
    component("partner-portal", "partners", "website")
    component("legacy-shop", "web", "website", lifecycle="deprecated")
    component("dev-portal", "devex", "website", tags=["internal"])
    component(
        "api-gateway",
        "edge",
        "service",
        providesApis=["public-api"],
        dependsOn=["component:ingress-controller", "component:waf", "component:metrics-stack"],
    )
    entities.append(
        _entity(
            "API", "public-api", {"type": "openapi", "lifecycle": "production", "owner": "edge"}
        )
    )
    # Infrastructure and tools: nothing a customer uses.
    component("nat-gateway", "sre", "infrastructure", dependencyOf=["component:ingress-controller"])
    component("ingress-controller", "sre", "infrastructure")
    component("chatops-bot", "sre", "service")
    entities.append(_entity("Resource", "k8s-cluster", {"type": "kubernetes", "owner": "sre"}))
    component("deploy-pipeline", "ci", "pipeline", dependsOn=["component:registry"])
    component("terraform-runner", "ci", "tool")
    component("registry", "container_registry", "service")
    component("registry-gc", "container_registry", "service", dependsOn=["component:registry"])
    component("secrets-vault", "security", "service", dependencyOf=["identity-svc-0"])
    component("waf", "security", "infrastructure")
    component("metrics-stack", "observability", "infrastructure")
    component("alerting", "observability", "service", dependsOn=["component:metrics-stack"])
    component(
        "service-templates",
        "devex",
        "template",
        dependencyOf=["component:checkout-svc-0", "component:orders-svc-0"],
    )
    entities.append(_entity("Domain", "commerce", {"owner": "checkout"}))
    for team, consumers in CONSUMERS.items():
        for consumer in consumers:
            found = next(e for e in entities if e["metadata"]["name"] == consumer)  # type: ignore[index]
            found["spec"].setdefault("consumesApis", []).append(f"{team}-api")  # type: ignore[index,attr-defined]
    return entities


#: Groups as an org provider writes them: the teams, departments holding them, and groups
#: that own nothing in the catalog (finance, legal...).
def org_groups(teams: list[str]) -> list[dict[str, object]]:
    idle = ["finance", "legal", "people-ops", "sales", "support", "marketing", "design"]
    groups = [_entity("Group", "engineering", {"type": "department", "children": teams})]
    groups += [_entity("Group", t, {"type": "team", "parent": "engineering"}) for t in teams]
    groups += [_entity("Group", g, {"type": "team", "children": []}) for g in idle]
    return groups


#: The customer set a person picks: the shop, the app, the partner portal, the public API.
PICKED = [
    ("edge", "public-api"),
    ("mobile", "mobile-app"),
    ("partners", "partner-portal"),
    ("web", "storefront"),
]


def _yaml(entities: list[dict[str, object]]) -> str:
    return yaml.safe_dump_all(entities, sort_keys=False)


def test_a_100_service_catalog_gets_the_customers_a_person_would_pick(tmp_path: Path) -> None:
    entities = service_catalog()
    components = [e for e in entities if e["kind"] == "Component"]
    assert 95 <= len(components) <= 105
    path = write(tmp_path, "catalog/all.yaml", _yaml(entities))
    result = read_source(SourceFormat.backstage, [path])
    assert result.org is not None, [d.format() for d in result.diagnostics]
    org = result.org
    served = sorted((r.provider, r.what) for r in org.relations if r.receiver == "customers")
    assert served == PICKED
    assert result.diagnostics == []
    assert result.counts["teams named only as owners"] == len(org.teams) == 20
    assert "container_registry" in org.teams
    # Every team reaches the customer: the workers, infrastructure, tools and the chat bot are
    # nobody's front line, yet their teams sit on a path to one.
    out = tmp_path / "org"
    code, stderr = _import("backstage", str(path), "-o", str(out))
    assert code == 0, stderr
    assert "4 customer-facing entities, owned by 4 teams (edge, mobile, partners, web)" in stderr
    findings = _check(out)
    assert not [f for f in findings if f[0] == "IC301"], findings


def test_the_same_catalog_with_its_org_provider_groups_checks_clean(tmp_path: Path) -> None:
    entities = service_catalog()
    owners = sorted({str(e["spec"]["owner"]).rsplit("/", 1)[-1] for e in entities})  # type: ignore[index]
    path = write(tmp_path, "catalog/all.yaml", _yaml(entities + org_groups(owners)))
    out = tmp_path / "org"
    code, stderr = _import("backstage", str(path), "-o", str(out))
    assert code == 0, stderr
    assert (
        "note: 7 teams that own nothing and take part in no hand-off left out (design, finance, "
        "legal, marketing, people-ops, sales, support): --keep-idle-teams keeps them"
    ) in stderr
    org = load(out)
    assert len(org.teams) == 20
    assert org.teams["checkout"].group == "engineering"
    assert sorted((r.provider, r.what) for r in org.relations if r.receiver == "customers") == (
        PICKED
    )
    assert not [f for f in _check(out) if f[0].startswith("IC3")]
    # --keep-idle-teams keeps them (each then a real finding: cut off from the customer),
    # and --update remembers it.
    kept = tmp_path / "kept"
    code, stderr = _import("backstage", str(path), "-o", str(kept), "--keep-idle-teams")
    assert code == 0, stderr
    assert len(load(kept).teams) == 27
    assert "keep-idle-teams: true" in (kept / "org.yaml").read_text()
    code, stderr = _import("backstage", str(path), "-o", str(kept), "--update")
    assert code == 0, stderr
    assert "0 teams added, 0 removed" in stderr


def test_explicit_customers_by_ref_type_tag_and_label(tmp_path: Path) -> None:
    entities = service_catalog()
    found = next(e for e in entities if e["metadata"]["name"] == "chatops-bot")  # type: ignore[index]
    found["metadata"]["labels"] = {"exposure": "Public"}  # type: ignore[index]
    path = write(tmp_path, "all.yaml", _yaml(entities))
    for options, expected in (
        (BackstageOptions(refs=("component:registry",)), [("container_registry", "registry")]),
        (BackstageOptions(types=("mobile-app",)), [("mobile", "mobile-app")]),
        (BackstageOptions(labels=("exposure=public",)), [("sre", "chatops-bot")]),
        (BackstageOptions(labels=("exposure",)), [("sre", "chatops-bot")]),
        (BackstageOptions(tags=("internal",)), [("devex", "dev-portal")]),
    ):
        result = read_source(SourceFormat.backstage, [path], options)
        assert result.org is not None
        got = sorted(
            (r.provider, r.what) for r in result.org.relations if r.receiver == "customers"
        )
        assert got == expected, options
    marked = next(e for e in entities if e["metadata"]["name"] == "registry")  # type: ignore[index]
    marked["metadata"]["tags"] = ["customer-facing"]  # type: ignore[index]
    path.write_text(_yaml(entities), encoding="utf-8")
    result = read_source(SourceFormat.backstage, [path])
    assert result.org is not None
    assert [(r.provider, r.what) for r in result.org.relations if r.receiver == "customers"] == [
        ("container_registry", "registry")
    ]
    assert "the entities the catalog marks customer-facing" in result.customers_chosen[0]


# --- the catalog API's JSON ---------------------------------------------------------------------

_INVERSE = {
    "dependsOn": "dependencyOf",
    "consumesApis": "apiConsumedBy",
    "providesApis": "apiProvidedBy",
    "subcomponentOf": "hasSubcomponent",
    "system": "hasPart",
}
_RELATION = {
    "dependsOn": "dependsOn",
    "consumesApis": "consumesApi",
    "providesApis": "providesApi",
    "subcomponentOf": "subcomponentOf",
    "system": "partOf",
}


def _ref(raw: str, kind: str, namespace: str) -> str:
    if ":" not in raw:
        raw = f"{kind}:{raw}"
    kind_, _, rest = raw.partition(":")
    if "/" not in rest:
        rest = f"{namespace}/{rest}"
    return f"{kind_}:{rest}".lower()


def as_api_json(folder: Path) -> list[dict[str, object]]:
    """The entities of the YAML files under ``folder`` as ``GET /api/catalog/entities`` gives
    them: Locations included, every namespace written, relations both ways."""
    entities = []
    for file in sorted(folder.rglob("*.yaml")):
        entities += [e for e in yaml.safe_load_all(file.read_text()) if isinstance(e, dict)]
    by_ref = {}
    for entity in entities:
        metadata = entity["metadata"]
        metadata.setdefault("namespace", "default")
        metadata["uid"] = f"uid-{len(by_ref)}"
        entity["relations"] = []
        by_ref[f"{entity['kind']}:{metadata['namespace']}/{metadata['name']}".lower()] = entity
    implied = {"dependsOn": "component", "consumesApis": "api", "providesApis": "api"}
    implied |= {"subcomponentOf": "component", "system": "system"}
    for ref, entity in by_ref.items():
        spec = entity.get("spec") or {}
        for field, relation in _RELATION.items():
            values = spec.get(field) or []
            for raw in [values] if isinstance(values, str) else values:
                target = _ref(raw, implied[field], entity["metadata"]["namespace"])
                entity["relations"].append({"type": relation, "targetRef": target})
                other = by_ref.get(target)
                if other is not None:
                    other["relations"].append({"type": _INVERSE[field], "targetRef": ref})
        if spec.get("owner"):
            owner = _ref(spec["owner"], "group", entity["metadata"]["namespace"])
            entity["relations"].append({"type": "ownedBy", "targetRef": owner})
    return list(by_ref.values())


def _same(yaml_result, json_result) -> None:  # type: ignore[no-untyped-def]
    assert yaml_result.org is not None and json_result.org is not None
    assert graph_shape(json_result.org) == graph_shape(yaml_result.org)
    skip = {"files read", "locations followed", "files skipped"}
    assert {k: v for k, v in json_result.counts.items() if k not in skip} == {
        k: v for k, v in yaml_result.counts.items() if k not in skip
    }
    assert json_result.dangling == yaml_result.dangling
    assert json_result.customers_chosen == yaml_result.customers_chosen
    whys = {k: sorted(p.text for p in v) for k, v in yaml_result.provenance.items()}
    assert {k: sorted(p.text for p in v) for k, v in json_result.provenance.items()} == whys

    def problems(result):  # type: ignore[no-untyped-def]
        return sorted((d.code, d.message) for d in result.diagnostics if d.code != "IC601")

    assert problems(json_result) == problems(yaml_result)


@needs_shared
@pytest.mark.parametrize("shape", ["list", "items"])
def test_the_catalog_api_json_reads_as_the_yaml_files_do(tmp_path: Path, shape: str) -> None:
    entities = as_api_json(EXAMPLES)
    body: object = entities if shape == "list" else {"items": entities, "totalItems": 47}
    path = tmp_path / "entities.json"
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")
    from_yaml = read_source(SourceFormat.backstage, [EXAMPLES])
    from_json = read_source(SourceFormat.backstage, [path])
    _same(from_yaml, from_json)
    # Positions are the entities' own lines in the JSON.
    ingestion = from_json.provenance[("team-d", "team-a", "wayback-archive-ingestion")][0]
    line = path.read_text().splitlines()[ingestion.pos.line - 1]
    assert '"subcomponentOf": "wayback-archive"' in line
    assert ingestion.pos.file == str(path)


def test_json_on_stdin_imports_and_round_trips_with_update(tmp_path: Path) -> None:
    entities = service_catalog()
    yaml_path = write(tmp_path, "catalog/all.yaml", _yaml(entities))
    api = as_api_json(tmp_path / "catalog")
    text = json.dumps({"items": api}, indent=2)
    _same(
        read_source(SourceFormat.backstage, [yaml_path]),
        read_source(SourceFormat.backstage, [write(tmp_path, "e.json", text)]),
    )
    out = tmp_path / "org"
    code, stderr = _import("backstage", "-", "-o", str(out), input=text)
    assert code == 0, stderr
    assert "imported backstage: 1 file read" in stderr
    assert "Imported by 'icmap import backstage -'" in (out / "org.yaml").read_text()
    assert not [f for f in _check(out) if f[0] == "IC301"]
    # A hand edit, then the catalog changes: search's team takes on a new dependency.
    team = out / "teams" / "web.yaml"
    edited = team.read_text().replace("to: customers\n", "to: customers\n        lead_time: 2d\n")
    team.write_text(edited, encoding="utf-8")
    search = next(e for e in api if e["metadata"]["name"] == "search-svc-0")  # type: ignore[index]
    search["spec"]["dependsOn"].append("component:registry")  # type: ignore[index]
    code, stderr = _import(
        "backstage", "-", "-o", str(out), "--update", input=json.dumps(api, indent=2)
    )
    assert code == 0, stderr
    assert "1 relation added, 0 removed; 1 hand-added field kept" in stderr
    org = load(out)
    storefront = next(r for r in org.relations if r.what == "storefront")
    assert storefront.lead_time is not None and storefront.lead_time.hours == 48
    assert ("container_registry", "search", "registry") in {
        (r.provider, r.receiver, r.what) for r in org.relations
    }


@pytest.mark.parametrize(
    "command",
    [["check", "-f", "json"], ["report", "-f", "json"], ["graph", "-f", "json"]],
    ids=lambda c: c[0],
)
def test_from_backstage_reads_stdin_as_import_does(tmp_path: Path, command: list[str]) -> None:
    text = json.dumps({"items": as_api_json(EXAMPLES)}, indent=2)
    path = write(tmp_path, "e.json", text)
    runner = CliRunner()
    from_file = runner.invoke(app, [*command, "--from", "backstage", str(path)])
    from_stdin = runner.invoke(app, [*command, "--from", "backstage", "-"], input=text)
    assert from_file.exit_code in (0, 1), from_file.stderr
    assert from_stdin.exit_code == from_file.exit_code, from_stdin.stderr
    assert from_stdin.stdout.replace("<stdin>", str(path)) == from_file.stdout


def test_json_that_is_no_catalog_is_skipped_or_an_error(tmp_path: Path) -> None:
    odd = write(tmp_path, "odd.json", '{"name": "not a catalog"}')
    good = write(
        tmp_path,
        "good.json",
        '[{"apiVersion": "backstage.io/v1alpha1", "kind": "Component", '
        '"metadata": {"name": "s\\ud83d\\ude00"}, "spec": {"type": "website", "owner": "web"}}]',
    )
    result = read_source(SourceFormat.backstage, [odd, good])
    assert result.org is not None
    assert [(d.code, d.line) for d in result.diagnostics] == [("IC630", 1)]
    assert [r.what for r in result.org.relations] == ["s\U0001f600"]
    broken = write(tmp_path, "broken.json", '[{"kind": "Component",\n "metadata": {]')
    code, stderr = _import("backstage", str(broken), "-o", str(tmp_path / "o"))
    assert code == 2
    assert "broken.json:2:" in stderr
