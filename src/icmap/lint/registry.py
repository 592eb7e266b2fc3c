"""The rules of ``icmap check``: stable codes, kebab-case names, severities and options.

Codes are grouped by hundreds: ``IC0xx`` input and schema, ``IC1xx`` references (both from the
loader), ``IC2xx`` relationships, ``IC3xx`` structure, ``IC4xx`` style, ``IC5xx``
internal-customer surveys, ``IC6xx`` import (a source read with ``--from``), ``IC7xx``
declared against measured (an event log laid over the org with ``--events``). Each rule other
than the loader's lives in its own module under :mod:`icmap.lint.rules`; its docstring is its
documentation.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from icmap.diagnostics import LOADER_CODES, LOADER_MEANINGS, Severity
from icmap.lint.context import Context, Finding

Check = Callable[[Context, Mapping[str, Any]], Iterator[Finding]]

_LOADER_DOC = (
    "The org files could not be loaded as written; see docs/format.md#errors for each code. "
    "Nothing else can be checked until they load."
)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    check: Check | None = None
    #: Options written as text (``80%``, ``1d``): each option's reader, which returns the
    #: value the rule gets or raises ValueError saying what is wrong. Other options are numbers.
    readers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    @property
    def group(self) -> str:
        return {
            "0": "input",
            "1": "references",
            "2": "relationships",
            "3": "structure",
            "5": "surveys",
            "6": "import",
            "7": "event logs",
        }.get(self.code[2], "style")


def _loader_rules() -> list[Rule]:
    return [
        Rule(
            code,
            name,
            "error",
            LOADER_MEANINGS[code],
            _LOADER_DOC,
        )
        for code, name in LOADER_CODES.items()
    ]


def _import_rules() -> list[Rule]:
    """Problems an importer finds in a source read with ``--from`` (docs/import.md)."""
    from icmap.importers import IMPORT_CODES, IMPORT_ERRORS, IMPORT_MEANINGS

    return [
        Rule(
            code,
            name,
            "error" if code in IMPORT_ERRORS else "warning",
            IMPORT_MEANINGS[code],
            "Reported while a Backstage catalog, Team API files, a CSV or a CML team map are "
            "read with --from; "
            "see docs/import.md#problem-codes.",
        )
        for code, name in IMPORT_CODES.items()
    ]


def _rule_modules() -> list[Rule]:
    from icmap.lint import rules as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        doc = inspect.cleandoc(module.__doc__ or "")
        found.append(
            Rule(
                code=module.CODE,
                name=module.NAME,
                severity=module.SEVERITY,
                summary=doc.splitlines()[0],
                doc=doc,
                enabled=getattr(module, "ENABLED", True),
                options=dict(getattr(module, "OPTIONS", {})),
                check=module.check,
                readers=dict(getattr(module, "OPTION_READERS", {})),
            )
        )
    return found


def all_rules() -> list[Rule]:
    """Every rule, by code."""
    return sorted([*_loader_rules(), *_import_rules(), *_rule_modules()], key=lambda r: r.code)


def lookup(rules: list[Rule], selector: str) -> list[Rule]:
    """The rules a selector names: a code (``IC305``), a code prefix (``IC3``), or a name."""
    wanted = selector.strip()
    by_name = [r for r in rules if r.name == wanted.lower()]
    if by_name:
        return by_name
    return [r for r in rules if r.code.startswith(wanted.upper())] if wanted else []
