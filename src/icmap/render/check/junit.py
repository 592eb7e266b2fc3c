"""``icmap check -f junit``: JUnit XML for GitLab and Jenkins test reports.

GitLab keys a test case by classname and name and drops duplicates, so every case gets a name
unique within its file (the rule, the position, and a counter if even that repeats).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from typing import TYPE_CHECKING

from icmap.render.check.text import left_out_words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from icmap.diagnostics import Diagnostic
    from icmap.lint.listing import LeftOut


def render(findings: list[Diagnostic], failing: set[str], left_out: Sequence[LeftOut] = ()) -> str:
    """``failing`` holds the severities that fail the check: those findings are failures.

    Each rule's findings left out (``--max-per-rule``) are one more case, failing as they do.
    """
    suite = ET.Element("testsuite", name="icmap check")
    seen: Counter[tuple[str, str]] = Counter()
    failures = 0
    for d in findings:
        name = f"{d.code} {d.name} at {d.line}:{d.col}"
        seen[(d.file, name)] += 1
        if seen[(d.file, name)] > 1:
            name += f" #{seen[(d.file, name)]}"
        case = ET.SubElement(suite, "testcase", classname=d.file, name=name)
        if d.severity in failing:
            failures += 1
            failure = ET.SubElement(case, "failure", message=d.message, type=d.severity)
            failure.text = f"{d.file}:{d.line}:{d.col}: {d.code} {d.severity} {d.message}"
            failure.text += f"\nhint: {d.hint}" if d.hint else ""
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"{d.severity}: {d.message}" + (f"\nhint: {d.hint}" if d.hint else "")
    for gap in left_out:
        words = left_out_words(gap)
        case = ET.SubElement(suite, "testcase", classname="icmap", name=f"{gap.code} {gap.name}")
        if gap.severity in failing:
            failures += 1
            ET.SubElement(case, "failure", message=words, type=gap.severity).text = words
        else:
            ET.SubElement(case, "system-out").text = words
    if not findings and not left_out:
        ET.SubElement(suite, "testcase", classname="icmap", name="icmap check")
    suite.set("tests", str(max(1, len(findings) + len(left_out))))
    suite.set("failures", str(failures))
    root = ET.Element(
        "testsuites", name="icmap", tests=suite.get("tests", "0"), failures=str(failures)
    )
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
