"""How many findings ``icmap check`` lists: the first of each rule, by position, and a count of
the rest.

An org near the loader's limits can hold a finding of one rule on every team (200,000
isolated teams make 600,000 findings, 154 MB of JSON). Nobody reads the thousandth finding
of one rule, and writing each of them costs more than the check: so every format lists the
first :data:`DEFAULT_PER_RULE` of each rule and says how many more there are, the counts and
the verdict stay those of every finding, and ``--max-per-rule 0`` lists them all.

>>> from icmap.diagnostics import Diagnostic
>>> found = [Diagnostic("org.yaml", n, 3, "IC401", "no lead", "info") for n in (4, 5, 6)]
>>> listed, left_out = list_per_rule(found, 2)
>>> [d.line for d in listed], left_out
([4, 5], (LeftOut(code='IC401', name='IC401', severity='info', count=1),))
>>> severity_counts(listed, left_out)
{'error': 0, 'warning': 0, 'info': 3}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic, Severity

#: Findings listed per rule unless ``--max-per-rule`` says otherwise (0: all).
DEFAULT_PER_RULE = 1000


@dataclass(frozen=True, slots=True)
class LeftOut:
    """``count`` findings of rule ``code`` at ``severity`` that were counted but not listed."""

    code: str
    name: str
    severity: Severity
    count: int


def list_per_rule(
    findings: Sequence[Diagnostic], most: int
) -> tuple[list[Diagnostic], tuple[LeftOut, ...]]:
    """The first ``most`` findings of each rule and severity in the order given (all when
    ``most`` is 0), and for each rule that had more, how many were left out."""
    if most <= 0:
        return list(findings), ()
    seen: Counter[tuple[str, str]] = Counter()
    listed: list[Diagnostic] = []
    first_left: dict[tuple[str, str], Diagnostic] = {}
    for finding in findings:
        key = (finding.code, finding.severity)
        seen[key] += 1
        if seen[key] <= most:
            listed.append(finding)
        elif key not in first_left:
            first_left[key] = finding
    left_out = tuple(
        LeftOut(d.code, d.name, d.severity, seen[key] - most)
        for key, d in sorted(first_left.items(), key=lambda item: item[0])
    )
    return listed, left_out


def severity_counts(listed: Sequence[Diagnostic], left_out: Sequence[LeftOut]) -> dict[str, int]:
    """Findings by severity, listed or not: what every format's summary counts."""
    counts: Counter[str] = Counter()
    for finding in listed:
        # The loader's "…and N more" line is N findings it did not list.
        counts[finding.severity] += finding.left_out or 1
    for gap in left_out:
        counts[gap.severity] += gap.count
    return {severity: counts[severity] for severity in ("error", "warning", "info")}
