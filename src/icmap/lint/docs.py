"""docs/rules.md, generated from the rules' own documentation.

Regenerate with ``python -m icmap.lint.docs > docs/rules.md``; a test fails when it is stale.
"""

from __future__ import annotations

from icmap.lint.registry import Rule, all_rules

_INTRO = """\
# The rules of `icmap check`

Every rule has a stable code and a kebab-case name; either can be used with `--select`,
`--ignore`, in `.icmap.yaml` and in a team's `ignore:`. Codes are grouped by hundreds:
`IC0xx` input and schema, `IC1xx` references, `IC2xx` relationships, `IC3xx` structure,
`IC4xx` style, `IC5xx` internal-customer surveys ([surveys.md](surveys.md)), `IC6xx` import,
`IC7xx` declared against measured: the drift between the org and an event log laid over it
with `--events` ([events.md](events.md#declared-against-measured)). This page is
generated from the rules' own documentation (`src/icmap/lint/rules/`) with
`python -m icmap.lint.docs > docs/rules.md`; a test keeps the two in step.
"""

_LOADER = """\
## Loader findings: IC0xx and IC1xx

When an org file cannot be loaded, `icmap check` reports why as findings (exit 1) instead of
stopping with a usage error, so a pull request that breaks the YAML fails like any other. They
are always on and always errors, because nothing else can be checked until the files load.
Their meanings are in [format.md](format.md#errors).
"""


_IMPORT = """## Import problems (IC6xx)

With `--from backstage|teamapi|markdown|csv|cml` the org is read from a source in another
format, and what the importer finds wrong in it (a missing Location target, a dangling ref) is a
finding like any other, at its `file:line:col`: warnings, except IC614 (no external customer),
IC670 (a CML syntax error) and IC672 (no team map), which stop the reading. `icmap check`'s
`--select` and `--ignore` and `.icmap.yaml` apply to them (`icmap import` has no `--ignore`: it
prints every problem, and only errors stop it). Their meanings are in
[import.md](import.md#problem-codes).
"""


def _row(rule: Rule) -> str:
    options = ", ".join(f"`{k}: {v}`" for k, v in rule.options.items())
    default = "yes" if rule.enabled else "no (`--strict`)"
    anchor = f"{rule.code.lower()}-{rule.name}"
    return f"| [{rule.code}](#{anchor}) | `{rule.name}` | {rule.severity} | {default} | {options} |"


def code_table(codes: dict[str, str], meanings: dict[str, str]) -> str:
    """The table of loader (docs/format.md) or import (docs/import.md) codes, as those pages
    hold it: code, name and meaning, from the same dictionaries as the findings."""
    rows = [f"| {code} | {name} | {meanings[code]} |" for code, name in codes.items()]
    return "\n".join(["| code | name | meaning |", "|---|---|---|", *rows]) + "\n"


def rules_markdown() -> str:
    rules = all_rules()
    out = [
        _INTRO,
        "| code | name | default severity | on by default | options |",
        "|---|---|---|---|---|",
    ]
    out += [_row(rule) for rule in rules]
    out += ["", _LOADER]
    loader = [r for r in rules if r.check is None and r.group != "import"]
    out += [f"### {r.code} {r.name}\n\n{r.summary}\n" for r in loader]
    out += ["", _IMPORT]
    out += [f"### {r.code} {r.name}\n\n{r.summary}\n" for r in rules if r.group == "import"]
    for rule in rules:
        if rule.check is None:
            continue
        state = "On by default." if rule.enabled else "Off by default; on with `--strict`."
        out.append(
            f"## {rule.code} {rule.name}\n\nSeverity: {rule.severity}. {state}\n\n{rule.doc}\n"
        )
    return "\n".join(out)


if __name__ == "__main__":
    print(rules_markdown(), end="")
