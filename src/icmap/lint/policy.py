"""Which rules run, how severe each is, their options, and when the check fails.

Settings come from the rules' defaults, then ``.icmap.yaml`` (found in the current directory
or the nearest parent, up to the repository root), then the command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icmap.diagnostics import Severity
from icmap.errors import UsageError
from icmap.lint.registry import Rule, lookup

CONFIG_NAME = ".icmap.yaml"
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")
_CHECK_KEYS = ("fail-on", "strict", "select", "ignore", "rules")


@dataclass(frozen=True)
class Policy:
    enabled: frozenset[str]
    severity: dict[str, Severity]
    options: dict[str, dict[str, Any]]
    fail_on: Severity = "error"

    def fails(self, severity: Severity) -> bool:
        """Whether a finding of ``severity`` makes the check fail."""
        return SEVERITIES.index(severity) >= SEVERITIES.index(self.fail_on)


def find_config(start: Path) -> Path | None:
    """``.icmap.yaml`` in ``start`` or the nearest parent, stopping at a repository root."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def read_config(path: Path) -> dict[str, Any]:
    """The ``check:`` block of a config file (empty when there is none)."""
    import yaml

    try:
        data = yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise UsageError(f"{where}: YAML syntax: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) - {"check"}:
        raise UsageError(f"{path}: expected a mapping with one key, 'check'")
    block = data.get("check") or {}
    if not isinstance(block, dict):
        raise UsageError(f"{path}: 'check' must be a mapping")
    unknown = set(block) - set(_CHECK_KEYS)
    if unknown:
        raise UsageError(
            f"{path}: unknown key(s) under 'check': {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(_CHECK_KEYS)}"
        )
    return block


def _select(rules: list[Rule], selectors: Iterable[str], where: str) -> set[str]:
    codes: set[str] = set()
    for selector in selectors:
        found = lookup(rules, str(selector))
        if not found:
            import difflib

            names = [r.name for r in rules] + [r.code for r in rules]
            close = difflib.get_close_matches(str(selector), names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"{where}: unknown rule {selector!r}{hint}")
        codes |= {r.code for r in found}
    return codes


def _severity(value: object, where: str) -> Severity:
    if value not in SEVERITIES:
        raise UsageError(f"{where}: severity must be one of {', '.join(SEVERITIES)}, not {value!r}")
    return value


def build_policy(
    rules: list[Rule],
    config: Mapping[str, Any],
    *,
    config_name: str = CONFIG_NAME,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    strict: bool = False,
    fail_on: str | None = None,
) -> Policy:
    """Defaults, then the config's ``check:`` block, then the command line."""
    by_code = {r.code: r for r in rules}
    severity: dict[str, Severity] = {r.code: r.severity for r in rules}
    options = {r.code: dict(r.options) for r in rules}
    strict = strict or bool(config.get("strict", False))
    enabled = {r.code for r in rules if r.enabled or strict}
    for code, settings in (config.get("rules") or {}).items():
        where = f"{config_name}: check.rules.{code}"
        target = by_code[min(_select(rules, [code], where))]
        if settings in ("off", False):
            enabled.discard(target.code)
            continue
        if settings in ("on", True):
            enabled.add(target.code)
            continue
        if not isinstance(settings, dict):
            raise UsageError(f"{where}: expected on, off or a mapping of settings")
        for key, value in settings.items():
            if key == "severity":
                severity[target.code] = _severity(value, where)
            elif key == "enabled":
                (enabled.add if value else enabled.discard)(target.code)
            elif key in target.options:
                default = target.options[key]
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    raise UsageError(f"{where}.{key}: expected a number, not {value!r}")
                options[target.code][key] = type(default)(value)
            else:
                allowed = ", ".join(["severity", "enabled", *target.options])
                raise UsageError(f"{where}: unknown setting {key!r}; allowed: {allowed}")
    if config.get("select"):
        enabled = _select(rules, config["select"], f"{config_name}: check.select")
    enabled -= _select(rules, config.get("ignore") or [], f"{config_name}: check.ignore")
    if select:
        enabled = _select(rules, select, "--select")
    enabled -= _select(rules, ignore, "--ignore")
    chosen = fail_on or config.get("fail-on") or "error"
    return Policy(frozenset(enabled), severity, options, _severity(chosen, "fail-on"))
