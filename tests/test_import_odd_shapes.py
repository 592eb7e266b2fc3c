"""Importers never crash on odd shapes: every field of every kind replaced by odd values.

Real catalogs hold what their tools let through. Whatever a field holds, the import ends in an
org (whose written files load into the same graph) or in errors with positions, never in an
exception.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import graph_shape
from icmap.importers import SourceFormat, read_source
from icmap.importers.writer import render_org
from icmap.loader import load

ODD = [
    None,
    "",
    [],
    {},
    [None],
    [[]],
    [{}],
    [{"kind": "group", "name": "team-a"}],
    5,
    True,
    "a: b",
    "team-a",
    "group:team-a",
    ["group:default/team-a", None, 7],
    "https://example.com/x.yaml",
    "./catalog.yaml",
    "./*.yaml",
    "../../../../etc/passwd",
    "!!python/object:os.system",
    "\x07bell",
]

BASE = [
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {"name": "team-a"},
        "spec": {"type": "team", "parent": "org", "children": [], "members": ["ann"]},
    },
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {"name": "team-b"},
        "spec": {"type": "team", "parent": "org"},
    },
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {"name": "org"},
        "spec": {"type": "organization", "children": ["team-a", "team-b"]},
    },
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "User",
        "metadata": {"name": "ann"},
        "spec": {"memberOf": ["team-a"]},
    },
    {
        "apiVersion": "backstage.io/v1beta1",
        "kind": "Component",
        "metadata": {"name": "web", "tags": ["public"], "title": "Web"},
        "spec": {
            "type": "website",
            "owner": "team-a",
            "system": "shop",
            "dependsOn": ["component:api"],
            "consumesApis": ["orders"],
        },
    },
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "api"},
        "spec": {
            "type": "service",
            "owner": "user:ann",
            "providesApis": ["orders"],
            "subcomponentOf": "web",
            "dependencyOf": ["component:web"],
        },
    },
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "API",
        "metadata": {"name": "orders"},
        "spec": {
            "type": "openapi",
            "owner": "team-b",
            "apiConsumedBy": ["component:web"],
            "apiProvidedBy": ["api"],
        },
    },
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "System",
        "metadata": {"name": "shop"},
        "spec": {"owner": "team-b", "domain": "retail"},
    },
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Domain",
        "metadata": {"name": "retail"},
        "spec": {"owner": "team-b"},
    },
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": "loc"},
        "spec": {"type": "file", "targets": ["./catalog.yaml"]},
    },
]


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    return found


CASES = [
    (index, path)
    for index, doc in enumerate(BASE)
    for path in _paths(doc)
    if path[0] != "apiVersion"
]


def _set(doc: dict[str, object], path: tuple[object, ...], value: object) -> None:
    node: object = doc
    for key in path[:-1]:
        assert isinstance(node, dict)
        node = node[key]
    assert isinstance(node, dict)
    node[path[-1]] = value


def _dump(docs: list[object]) -> str:
    text = yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False)
    return text.replace("'!!python/object:os.system'", "!!python/object:os.system")


@pytest.mark.parametrize(("index", "path"), CASES, ids=str)
def test_backstage_any_field_any_shape(
    tmp_path: Path, index: int, path: tuple[object, ...]
) -> None:
    import copy

    for value in ODD:
        docs = copy.deepcopy(BASE)
        _set(docs[index], path, value)
        (tmp_path / "catalog.yaml").write_text(_dump(docs), encoding="utf-8")
        result = read_source(SourceFormat.backstage, [tmp_path])
        assert all(d.line >= 1 and d.col >= 1 for d in result.diagnostics)
        if result.org is None:
            assert result.errors, value
            continue
        written = render_org(result.org, result.provenance, "odd")
        out = tmp_path / f"out-{ODD.index(value)}"
        for name, text in written.files.items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_text(text, encoding="utf-8")
        assert graph_shape(load(out)) == graph_shape(result.org), value


@pytest.mark.parametrize(
    "text",
    [
        "- just\n- a list\n",
        "info: [a, b]\n",
        "info: {name: [x]}\n",
        "info: {name: A}\ndependencies: {teamName: B}\ninteractions: 5\n",
        "info: {name: A, type: stream-aligned}\ndependencies: [{teamName: {x: 1}}, null, 7]\n",
        "info: {name: A, type: stream-aligned}\ninteractions: [{teamName: B, startDate: 2026-02-30,"
        " expectedDuration: lots, expectedDurationUnit: eons}]\n",
        "info: {name: A, type: stream-aligned}\ninteractions: [{teamName: B, startDate: 2026-01-01,"
        " expectedDuration: 1e308, expectedDurationUnit: years}]\n",
        "info: {name: '\\x07', type: stream-aligned}\n",
        "---\n---\n",
        "",
    ],
)
def test_teamapi_any_shape(tmp_path: Path, text: str) -> None:
    (tmp_path / "team.yaml").write_text(text, encoding="utf-8")
    result = read_source(SourceFormat.teamapi, [tmp_path])
    if result.org is None:
        assert result.errors
        return
    written = render_org(result.org, result.provenance, "odd")
    for name, body in written.files.items():
        (tmp_path / "out" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "out" / name).write_text(body, encoding="utf-8")
    assert graph_shape(load(tmp_path / "out")) == graph_shape(result.org)
