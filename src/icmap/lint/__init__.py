"""``icmap check``: run the rules over an org and decide whether the check fails.

>>> from icmap import build_graph, load_text
>>> from icmap.lint.registry import all_rules
>>> from icmap.lint.policy import build_policy
>>> org = load_text("customers: {c: {}}\\nteams:\\n  a: {lead: Ann}\\n")
>>> [d.code for d in run_check(org, build_graph(org), build_policy(all_rules(), {}))]
['IC301', 'IC302']
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING

from icmap.compact import collector_paused
from icmap.diagnostics import Diagnostic
from icmap.lint.context import Context, Finding
from icmap.lint.registry import Rule, all_rules, lookup

if TYPE_CHECKING:
    from icmap.graph import OrgGraph
    from icmap.lint.policy import Policy
    from icmap.model import Org, Suppression

UNUSED_SUPPRESSION = "IC402"


def _apply_suppressions(
    org: Org, findings: list[Finding], rules: list[Rule], ran: Collection[str]
) -> tuple[list[Finding], list[Finding]]:
    """Drop findings a subject team ignores; return the rest and the unused suppressions.

    Only a suppression of a rule that ran (``ran``: the codes) can be found unused: one of a
    rule ``--ignore``, ``--select`` or ``strict`` left out may match the next time it runs.
    """
    codes_of: dict[Suppression, set[str]] = {}
    owner: dict[Suppression, str] = {}
    for team in org.teams.values():
        for entry in team.ignore:
            codes_of[entry] = {rule.code for rule in lookup(rules, entry.rule)}
            owner[entry] = team.id
    used: set[Suppression] = set()
    kept = []
    for finding in findings:
        matching = {
            entry
            for entry, codes in codes_of.items()
            if finding.code in codes and owner[entry] in finding.subjects
        }
        used |= matching
        if not matching:
            kept.append(finding)
    unused = []
    for entry, codes in codes_of.items():
        if entry in used or (codes and not codes & set(ran)):
            continue
        team_id = owner[entry]
        hint = None
        if codes:
            message = (
                f"team {team_id!r} ignores {entry.rule} ({entry.reason!r}), which matched nothing"
            )
        else:
            message = f"team {team_id!r} ignores unknown rule {entry.rule!r}"
            close = difflib.get_close_matches(
                entry.rule.lower(), [r.name for r in rules] + [r.code.lower() for r in rules], 1
            )
            if close:
                guess = close[0].upper() if close[0].startswith("ic") else close[0]
                hint = f"did you mean {guess!r}?"
        pos = entry.pos
        unused.append(
            Finding(UNUSED_SUPPRESSION, message, pos.file, pos.line, pos.col, (team_id,), hint=hint)
        )
    return kept, unused


@collector_paused
def run_check(
    org: Org, graph: OrgGraph, policy: Policy, today: date | None = None
) -> list[Diagnostic]:
    """Every finding of the enabled rules, minus per-team suppressions, sorted by position.

    ``today`` is the date end dates are judged against (default: the real date).
    """
    rules = all_rules()
    context = Context(org, graph, today)
    findings: list[Finding] = []
    for rule in rules:
        if rule.check is not None and rule.code in policy.enabled:
            findings.extend(rule.check(context, policy.options[rule.code]))

    kept, unused = _apply_suppressions(org, findings, rules, policy.enabled)
    if UNUSED_SUPPRESSION in policy.enabled:
        kept.extend(unused)
    names = {rule.code: rule.name for rule in rules}
    return sorted(
        Diagnostic(
            f.file,
            f.line,
            f.col,
            f.code,
            f.message,
            policy.severity[f.code],
            f.hint,
            names[f.code],
            f.subjects,
        )
        for f in kept
    )
