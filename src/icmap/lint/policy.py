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
from icmap.errors import ConfigError, UsageError, said_at_once
from icmap.lint.registry import Rule, lookup

CONFIG_NAME = ".icmap.yaml"
#: The code and name of every problem in a config file (exit 2: the check cannot run).
CONFIG_CODE, CONFIG_RULE = "IC090", "invalid-config"
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


def config_for(org: Path | None, here: Path) -> Path | None:
    """The config an org is checked with: the one nearest the org (in the folder ORG names or
    holds the file ORG names, or a parent up to the repository root), else the one nearest
    ``here``. ``icmap check org/`` run from a repository's root finds ``org/.icmap.yaml``."""
    if org is not None and str(org) != "-":
        found = find_config(org if org.is_dir() else org.parent)
        if found is not None:
            return found
    return find_config(here)


def find_config(start: Path) -> Path | None:
    """``.icmap.yaml`` in ``start`` or the nearest parent, stopping at a repository root."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


class Config:
    """The ``check:`` block of a config file as plain data, with where each value was written.

    An empty config (no file) is ``Config({})``; :func:`build_policy` also takes a plain dict.
    """

    def __init__(
        self,
        values: Mapping[str, Any],
        name: str = CONFIG_NAME,
        positions: Mapping[tuple[str, ...], tuple[int, int]] | None = None,
    ) -> None:
        self.values = values
        self.name = name
        self.positions = dict(positions or {})
        #: Where each key itself was written (for "unknown key"), by the same paths.
        self.key_positions: dict[tuple[str, ...], tuple[int, int]] = {}
        #: Problems found while reading, reported with the rest by :func:`build_policy`.
        self.problems: list[Any] = []

    def pos(self, *keys: str) -> tuple[int, int]:
        """Line and column of the value at ``check.<keys>``, or of its nearest parent."""
        path = tuple(keys)
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, (1, 1))


def _problem(
    config: Config,
    keys: tuple[str, ...],
    message: str,
    hint: str | None = None,
    *,
    at_key: bool = False,
) -> Any:
    from icmap.diagnostics import Diagnostic

    line, col = config.key_positions.get(keys, (0, 0)) if at_key else (0, 0)
    if not line:
        line, col = config.pos(*keys)
    return Diagnostic(
        config.name, line, col, CONFIG_CODE, message, hint=hint, rule_name=CONFIG_RULE
    )


def _positions(
    node: Any,
    path: tuple[str, ...],
    found: dict[tuple[str, ...], tuple[int, int]],
    duplicates: list[tuple[tuple[str, ...], Any]],
    key_found: dict[tuple[str, ...], tuple[int, int]],
) -> None:
    import yaml

    found[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                duplicates.append(((*path, name), key))
            seen.add(name)
            key_path = (*path, name)
            key_found[key_path] = (key.start_mark.line + 1, key.start_mark.column + 1)
            _positions(value, (*path, name), found, duplicates, key_found)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, (*path, str(index)), found, duplicates, key_found)


def _shown(path: Path) -> str:
    """The config's path as the user would write it: relative to here when it is below here."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_config(path: Path) -> Config:
    """The ``check:`` block of a config file, every problem in its shape reported at once."""
    import yaml

    from icmap.diagnostics import Diagnostic

    name = _shown(path)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from exc
    except yaml.MarkedYAMLError as exc:
        from icmap.loader.yaml_hints import explain

        mark, opened = exc.problem_mark, exc.context_mark
        where = explain(
            exc.problem or "invalid YAML",
            exc.context,
            text,
            (mark.line + 1, mark.column + 1) if mark else (1, 1),
            (opened.line + 1, opened.column + 1) if opened else None,
        )
        problem = Diagnostic(
            name,
            where.line,
            where.col,
            CONFIG_CODE,
            f"YAML syntax: {exc.problem}",
            hint=where.hint,
            rule_name=CONFIG_RULE,
        )
        raise ConfigError([problem], name) from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: {exc}") from exc
    positions: dict[tuple[str, ...], tuple[int, int]] = {}
    key_positions: dict[tuple[str, ...], tuple[int, int]] = {}
    duplicates: list[tuple[tuple[str, ...], Any]] = []
    if root is not None:
        _positions(root, (), positions, duplicates, key_positions)
    config = Config({}, name, {k[1:]: v for k, v in positions.items() if k[:1] == ("check",)})
    config.positions.setdefault((), positions.get((), (1, 1)))
    config.key_positions = {k[1:]: v for k, v in key_positions.items() if k[:1] == ("check",)}
    problems = [
        Diagnostic(
            name,
            key.start_mark.line + 1,
            key.start_mark.column + 1,
            CONFIG_CODE,
            f"{'.'.join(keys)} is given twice",
            rule_name=CONFIG_RULE,
        )
        for keys, key in duplicates
    ]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(_problem(config, (), "expected a mapping with one key, 'check'"))
        raise ConfigError(problems, name)
    for key in data:
        if key != "check":
            line, col = key_positions.get((str(key),), (1, 1))
            hint = "icmap's settings go under 'check:'"
            problems.append(
                Diagnostic(
                    name,
                    line,
                    col,
                    CONFIG_CODE,
                    f"unknown key {key!r}",
                    hint=hint,
                    rule_name=CONFIG_RULE,
                )
            )
    block = data.get("check") or {}
    if not isinstance(block, dict):
        problems.append(_problem(config, (), "'check' must be a mapping"))
        block = {}
    for key in block:
        if key not in _CHECK_KEYS:
            close = _close(str(key), _CHECK_KEYS)
            problems.append(
                _problem(
                    config,
                    (str(key),),
                    f"unknown key {key!r} under 'check'"
                    + (f"; did you mean {close!r}?" if close else ""),
                    f"allowed: {', '.join(_CHECK_KEYS)}",
                    at_key=True,
                )
            )
    config.values = {k: v for k, v in block.items() if k in _CHECK_KEYS}
    config.problems = problems
    return config


def _close(word: str, choices: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(choices), n=1)
    return found[0] if found else None


def _did_you_mean_rule(rules: list[Rule], selector: str) -> str:
    """``; did you mean 'big-chokepoint'?`` for a selector that names no rule, or nothing.

    A code typed with a letter for a digit (``IC3O3``, ``ic3l0``) is read as meant first:
    the closest by spelling alone would be another code (``IC633``).
    """
    codes = {r.code for r in rules}
    if selector[:2].upper() == "IC":
        digits = selector[2:].upper().translate(str.maketrans("OILSZ", "01152"))
        if f"IC{digits}" in codes:
            return f"; did you mean 'IC{digits}'?"
    close = _close(selector, [r.name for r in rules] + sorted(codes))
    return f"; did you mean {close!r}?" if close else ""


def _select(rules: list[Rule], selectors: Iterable[str], where: str) -> set[str]:
    """Codes a command-line selector names; an unknown one is a usage error."""
    codes: set[str] = set()
    unknown = []
    for selector in selectors:
        found = lookup(rules, str(selector))
        if not found:
            hint = _did_you_mean_rule(rules, str(selector))
            unknown.append(UsageError(f"{where}: unknown rule {selector!r}{hint}"))
        codes |= {r.code for r in found}
    if unknown:
        raise said_at_once(unknown)
    return codes


def _config_select(rules: list[Rule], config: Config, key: str, problems: list[Any]) -> set[str]:
    """Codes named by ``check.select`` or ``check.ignore``; problems collected, not raised."""
    values = config.values.get(key) or []
    if isinstance(values, str):
        values = [part.strip() for part in values.split(",") if part.strip()]
    if not isinstance(values, list):
        problems.append(_problem(config, (key,), f"check.{key} must be a list of rules"))
        return set()
    codes: set[str] = set()
    for index, selector in enumerate(values):
        found = lookup(rules, str(selector))
        if not found:
            message = f"check.{key}: unknown rule {selector!r}"
            hint = _did_you_mean_rule(rules, str(selector))
            problems.append(_problem(config, (key, str(index)), message + hint))
        codes |= {r.code for r in found}
    return codes


def _severity(value: object, where: str) -> Severity:
    if value not in SEVERITIES:
        raise UsageError(f"{where}: severity must be one of {', '.join(SEVERITIES)}, not {value!r}")
    return value


def _rule_settings(
    rules: list[Rule],
    config: Config,
    policy: tuple[set[str], dict[str, Severity], dict[str, dict[str, Any]]],
    problems: list[Any],
) -> None:
    """Apply ``check.rules``: each rule on, off, or a mapping of severity and options."""
    enabled, severity, options = policy
    by_code = {r.code: r for r in rules}
    block = config.values.get("rules") or {}
    if not isinstance(block, dict):
        problems.append(_problem(config, ("rules",), "check.rules must be a mapping"))
        return
    configured: dict[str, str] = {}
    for code, settings in block.items():
        keys = ("rules", str(code))
        found = lookup(rules, str(code))
        if not found:
            message = f"check.rules: unknown rule {code!r}" + _did_you_mean_rule(rules, str(code))
            problems.append(_problem(config, keys, message, at_key=True))
            continue
        target = by_code[min(r.code for r in found)]
        if target.code in configured:
            message = (
                f"check.rules: {code!r} and {configured[target.code]!r} are the same rule "
                f"({target.code} {target.name}): configure it once"
            )
            problems.append(_problem(config, keys, message, at_key=True))
            continue
        configured[target.code] = str(code)
        if settings in ("off", False):
            enabled.discard(target.code)
            continue
        if settings in ("on", True):
            enabled.add(target.code)
            continue
        if not isinstance(settings, dict):
            problems.append(
                _problem(config, keys, f"check.rules.{code}: expected on, off or a mapping")
            )
            continue
        _one_rule(target, keys, settings, config, (enabled, severity, options), problems=problems)


def _one_rule(
    target: Rule,
    keys: tuple[str, ...],
    settings: Mapping[str, Any],
    config: Config,
    policy: tuple[set[str], dict[str, Severity], dict[str, dict[str, Any]]],
    *,
    problems: list[Any],
) -> None:
    """Apply one rule's mapping of settings: severity, enabled, and its options."""
    enabled, severity, options = policy
    allowed = ["severity", "enabled", *target.options]
    for key, value in settings.items():
        where = (*keys, str(key))
        label = f"check.rules.{target.code}"
        if key == "severity" and value not in SEVERITIES:
            problems.append(
                _problem(
                    config,
                    where,
                    f"{label}.severity must be one of {', '.join(SEVERITIES)}, not {value!r}",
                )
            )
        elif key == "severity":
            severity[target.code] = value
        elif key == "enabled":
            (enabled.add if value else enabled.discard)(target.code)
        elif key not in target.options:
            close = _close(str(key), allowed)
            problems.append(
                _problem(
                    config,
                    where,
                    f"{label}: unknown setting {key!r}"
                    + (f"; did you mean {close!r}?" if close else ""),
                    f"allowed: {', '.join(allowed)}",
                    at_key=True,
                )
            )
        elif key in target.readers:
            try:
                options[target.code][key] = target.readers[key](value)
            except ValueError as exc:
                hint = getattr(exc, "hint", None)
                problems.append(_problem(config, where, f"{label}.{key}: {exc}", hint))
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(
                _problem(config, where, f"{label}.{key}: expected a number, not {value!r}")
            )
        elif value < 0:
            # Every numeric setting is a count, a score or a limit: none means anything below 0.
            problems.append(
                _problem(config, where, f"{label}.{key}: expected 0 or more, not {value!r}")
            )
        elif isinstance(target.options[key], int) and not float(value).is_integer():
            # A count (teams, hand-offs, answers): 1.9 would be read as 1 without a word.
            problems.append(
                _problem(config, where, f"{label}.{key}: expected a whole number, not {value!r}")
            )
        else:
            options[target.code][key] = type(target.options[key])(value)


def build_policy(
    rules: list[Rule],
    config: Config | Mapping[str, Any],
    *,
    config_name: str = CONFIG_NAME,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    strict: bool = False,
    fail_on: str | None = None,
) -> Policy:
    """Defaults, then the config's ``check:`` block, then the command line.

    Every problem in the config is collected and raised at once as a
    :class:`~icmap.errors.ConfigError` with positions; command-line mistakes are usage errors.
    """
    if not isinstance(config, Config):
        config = Config(config, config_name)
    problems: list[Any] = list(config.problems)
    severity: dict[str, Severity] = {r.code: r.severity for r in rules}
    options = {r.code: dict(r.options) for r in rules}
    strict_setting = config.values.get("strict", False)
    if not isinstance(strict_setting, bool):
        problems.append(_problem(config, ("strict",), "check.strict must be true or false"))
        strict_setting = False
    strict = strict or strict_setting
    enabled = {r.code for r in rules if r.enabled or strict}
    _rule_settings(rules, config, (enabled, severity, options), problems)
    if config.values.get("select"):
        enabled = _config_select(rules, config, "select", problems)
    enabled -= _config_select(rules, config, "ignore", problems)
    configured = config.values.get("fail-on")
    if configured is not None and configured not in SEVERITIES:
        close = _close(str(configured), SEVERITIES)
        problems.append(
            _problem(
                config,
                ("fail-on",),
                f"check.fail-on must be one of {', '.join(SEVERITIES)}, not {configured!r}"
                + (f"; did you mean {close!r}?" if close else ""),
            )
        )
        configured = None
    if problems:
        raise ConfigError(problems, config.name)
    if select:
        enabled = _select(rules, select, "--select")
    enabled -= _select(rules, ignore, "--ignore")
    chosen = fail_on or configured or "error"
    return Policy(frozenset(enabled), severity, options, _severity(chosen, "--fail-on"))
