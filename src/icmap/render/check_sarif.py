"""``icmap check -f sarif``: SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, GitLab).

Paths are relative to the repository root (``%SRCROOT%``: the current directory), rules carry
their metadata, and each result has a ``partialFingerprints`` entry that stays the same when
unrelated lines move, so code scanning can track a finding across commits.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icmap import __version__
from icmap.render.json_text import dumps

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic
    from icmap.lint.registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
DOCS = "docs/rules.md"


def relative_uri(file: str, root: Path) -> str:
    """``file`` relative to ``root`` with forward slashes, when it lies beneath it."""
    path = Path(file)
    try:
        path = path.resolve().relative_to(root.resolve())
    except ValueError:
        return path.as_posix()
    return path.as_posix()


def fingerprint(d: Diagnostic, uri: str) -> str:
    """Stable across unrelated edits: rule, file and message, not the line number."""
    return hashlib.sha256(f"{d.code}\0{uri}\0{d.message}".encode()).hexdigest()[:32]


def render(findings: list[Diagnostic], rules: list[Rule], root: Path | None = None) -> str:
    base = root or Path.cwd()
    index = {rule.code: i for i, rule in enumerate(rules)}
    driver_rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc},
            "defaultConfiguration": {"level": _LEVEL[rule.severity], "enabled": rule.enabled},
            "properties": {"group": rule.group},
        }
        for rule in rules
    ]
    results: list[dict[str, Any]] = []
    for d in findings:
        uri = relative_uri(d.file, base)
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _LEVEL[d.severity],
                "message": {"text": d.message + (f" ({d.hint})" if d.hint else "")},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": d.line, "startColumn": d.col},
                        }
                    }
                ],
                "partialFingerprints": {"icmapFinding/v1": fingerprint(d, uri)},
            }
        )
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "icmap",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": driver_rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base.resolve().as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return dumps(log)
