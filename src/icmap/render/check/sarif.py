"""``icmap check -f sarif``: SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, GitLab).

Paths are relative to ``%SRCROOT%``, the root the caller passes (``icmap check``: the git work
tree's root), rules carry their metadata, and each result has a ``partialFingerprints`` entry
that stays the same when unrelated lines move, so code scanning can track a finding across
commits.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from icmap import __version__
from icmap.render.check.text import left_out_words
from icmap.render.json_text import dumps

if TYPE_CHECKING:
    from collections.abc import Sequence

    from icmap.diagnostics import Diagnostic
    from icmap.lint.listing import LeftOut
    from icmap.lint.registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
DOCS = "docs/rules.md"


def artifact_location(file: str) -> dict[str, str]:
    """Where a finding is, for ``file`` named relative to the root (``/`` between folders) or
    absolute (a file outside the root).

    >>> artifact_location("org/my teams/a.yaml")
    {'uri': 'org/my%20teams/a.yaml', 'uriBaseId': '%SRCROOT%'}
    >>> artifact_location("/elsewhere/org.yaml")
    {'uri': 'file:///elsewhere/org.yaml'}
    """
    path = PurePath(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    # The name's own bytes, percent-encoded: one that is not UTF-8 holds lone surrogates.
    return {"uri": quote(file.encode("utf-8", "surrogateescape")), "uriBaseId": "%SRCROOT%"}


def fingerprint(d: Diagnostic, occurrence: int = 1) -> str:
    """Stable across unrelated edits: rule, file and message, not the line number. The same
    finding written twice in one file (a member listed twice) is told apart by its
    ``occurrence`` in the file, counted from 1, so code scanning keeps both."""
    text = f"{d.code}\0{d.file}\0{d.message}"
    if occurrence > 1:
        text += f"\0{occurrence}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _folder_uri(folder: Path) -> str:
    """A folder's file URI, ending in ``/`` as a base URI must."""
    uri = folder.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _plain(doc: str) -> str:
    """A rule's text without its reStructuredText marks: ``IC304`` as IC304, ``Passes::`` as
    ``Passes:``."""
    return doc.replace("``", "").replace("::\n", ":\n")


def _markdown(doc: str) -> str:
    """A rule's text in Markdown: inline code in single backticks."""
    return doc.replace("``", "`").replace("::\n", ":\n")


def render(
    findings: list[Diagnostic], rules: list[Rule], root: Path, left_out: Sequence[LeftOut] = ()
) -> str:
    """``findings``, their files named relative to ``root`` (an absolute folder) or absolute.

    Findings left out (``--max-per-rule``) are counted in one notification of the run's
    invocation per rule, which code scanning shows with the run.
    """
    index = {rule.code: i for i, rule in enumerate(rules)}
    driver_rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": _plain(rule.doc)},
            # What code scanning shows as the alert's guidance: why it matters and the fix.
            "help": {"text": _plain(rule.doc), "markdown": _markdown(rule.doc)},
            "defaultConfiguration": {"level": _LEVEL[rule.severity], "enabled": rule.enabled},
            "properties": {"group": rule.group},
        }
        for rule in rules
    ]
    results: list[dict[str, Any]] = []
    # The order in the file, whatever order the findings come in.
    seen: Counter[tuple[str, str, str]] = Counter()
    occurrences: dict[int, int] = {}
    for d in sorted(findings, key=lambda d: (d.file, d.line, d.col)):
        seen[d.code, d.file, d.message] += 1
        occurrences[id(d)] = seen[d.code, d.file, d.message]
    for d in findings:
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _LEVEL[d.severity],
                "message": {"text": d.message + (f" ({d.hint})" if d.hint else "")},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact_location(d.file),
                            "region": {"startLine": d.line, "startColumn": d.col},
                        }
                    }
                ],
                "partialFingerprints": {"icmapFinding/v1": fingerprint(d, occurrences[id(d)])},
            }
        )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "icmap",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": driver_rules,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": _folder_uri(root)}},
        "results": results,
    }
    if left_out:
        notes = [
            {
                "level": _LEVEL[gap.severity],
                "message": {"text": left_out_words(gap)},
                # The rule the count is about; a descriptor would name a notification of the
                # tool's own, which icmap does not declare.
                "associatedRule": {"id": gap.code, "index": index[gap.code]},
            }
            for gap in left_out
        ]
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": notes}]
    return dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})
