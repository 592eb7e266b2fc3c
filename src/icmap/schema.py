"""A JSON Schema of the org format, for editors' YAML support (``icmap schema``).

Built from the same key tables the loader enforces (:mod:`icmap.loader.spec`). The schema
describes one file; rules that span files (ids unique, references resolve, at least one
customer) are the loader's to check.
"""

from __future__ import annotations

from typing import Any

from icmap.loader import spec
from icmap.topologies import MODES, STATES, TEAM_TYPES

SCHEMA_ID = "urn:icmap:schema:org:1"


def _relation(fields: dict[str, str], target: str, target_words: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "what": {"type": "string", "minLength": 1, "description": fields["what"]},
        target: {
            "description": fields[target],
            "oneOf": [
                {"$ref": "#/$defs/id"},
                {"type": "array", "items": {"$ref": "#/$defs/id"}, "minItems": 1},
            ],
        },
        "lead_time": {"$ref": "#/$defs/lead_time"},
        "satisfaction": {"$ref": "#/$defs/satisfaction"},
        "feedback": {"type": "boolean", "description": fields["feedback"]},
        "mode": {"type": "string", "description": fields["mode"], "examples": list(MODES)},
        "since": {"type": "string", "format": "date", "description": fields["since"]},
        "until": {"type": "string", "format": "date", "description": fields["until"]},
        "state": {"type": "string", "description": fields["state"], "examples": list(STATES)},
        "streams": {
            "description": fields["streams"],
            "oneOf": [
                {"$ref": "#/$defs/id"},
                {"type": "array", "items": {"$ref": "#/$defs/id"}, "minItems": 1},
            ],
        },
        "process_time": {
            "type": "string",
            "pattern": spec.LEAD_TIME_PATTERN,
            "description": fields["process_time"],
        },
        "complete_accurate": {
            "description": fields["complete_accurate"],
            "oneOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                {"type": "string", "pattern": spec.COMPLETE_ACCURATE_PATTERN},
            ],
        },
        "measured": _measured(fields["measured"]),
    }
    return {
        "type": "object",
        "description": f"One thing handed over; '{target}' names {target_words}.",
        "properties": properties,
        "required": ["what", target],
        "additionalProperties": False,
    }


def _measured(description: str) -> dict[str, Any]:
    """A relation's ``measured:`` block, as ``icmap import events`` writes it."""
    words = spec.MEASURED
    count: dict[str, Any] = {"type": "integer", "minimum": 0}
    duration: dict[str, Any] = {"type": "string", "pattern": spec.LEAD_TIME_PATTERN}
    day: dict[str, Any] = {"type": "string", "format": "date"}
    share: dict[str, Any] = {
        "oneOf": [
            {"type": "number", "minimum": 0, "maximum": 1},
            {"type": "string", "pattern": spec.COMPLETE_ACCURATE_PATTERN},
        ]
    }
    shapes: dict[str, dict[str, Any]] = {
        "handoffs": count,
        "cases": count,
        "median": duration,
        "p85": duration,
        "return_rate": share,
        "first": day,
        "last": day,
        "alone": count,
    }
    return {
        "type": "object",
        "description": description,
        "properties": {key: {**shapes[key], "description": words[key]} for key in words},
        "required": ["handoffs", "cases"],
        "additionalProperties": False,
    }


def _party(fields: dict[str, str], kind: str) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for key, description in fields.items():
        if key == "provides":
            properties[key] = {
                "type": "array",
                "description": description,
                "items": {"$ref": "#/$defs/provides"},
            }
        elif key == "ignore":
            properties[key] = {
                "type": "object",
                "description": description,
                "additionalProperties": {"type": "string", "minLength": 1},
            }
        elif key == "receives":
            properties[key] = {
                "type": "array",
                "description": description,
                "items": {"$ref": "#/$defs/receives"},
            }
        elif key == "type":
            properties[key] = {
                "type": "string",
                "description": description,
                "examples": list(TEAM_TYPES),
            }
        else:
            properties[key] = {"type": "string", "description": description}
    return {
        "type": ["object", "null"],
        "description": f"A {kind}. Null means every field at its default.",
        "properties": properties,
        "additionalProperties": False,
    }


def _section(kind: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "propertyNames": {"$ref": "#/$defs/id"},
        "additionalProperties": {"$ref": f"#/$defs/{kind}"},
    }


def org_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one org file."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "icmap org file",
        "description": "Teams, what each provides to whom and receives from whom, and the "
        "external customers they serve. Keys starting with 'x-' are ignored.",
        "type": "object",
        "properties": {
            "organisation": {"type": "string", "description": spec.ROOT["organisation"]},
            "customers": _section("customer", spec.ROOT["customers"]),
            "suppliers": _section("supplier", spec.ROOT["suppliers"]),
            "teams": _section("team", spec.ROOT["teams"]),
            "streams": {
                "type": "object",
                "description": spec.ROOT["streams"],
                "propertyNames": {"$ref": "#/$defs/id"},
                "additionalProperties": {"$ref": "#/$defs/stream"},
            },
            "surveys": {
                "description": spec.ROOT["surveys"],
                "oneOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
                ],
            },
        },
        "patternProperties": {f"^{spec.EXTENSION_PREFIX}": {}},
        "additionalProperties": False,
        "$defs": {
            "id": {"type": "string", "minLength": 1},
            "lead_time": {
                "type": "string",
                "pattern": spec.LEAD_TIME_PATTERN,
                "description": spec.PROVIDES["lead_time"],
            },
            "satisfaction": {
                "type": "number",
                "minimum": spec.SATISFACTION_RANGE[0],
                "maximum": spec.SATISFACTION_RANGE[1],
                "description": spec.PROVIDES["satisfaction"],
            },
            "provides": _relation(spec.PROVIDES, "to", "teams or external customers"),
            "receives": _relation(spec.RECEIVES, "from", "teams or outside suppliers"),
            "stream": {
                "type": "object",
                "description": "A value stream: a flow the organisation runs for one customer.",
                "properties": {
                    key: (
                        {"$ref": "#/$defs/id", "description": text}
                        if key == "customer"
                        else {
                            "type": "string",
                            "pattern": spec.LEAD_TIME_PATTERN,
                            "description": text,
                        }
                        if key == "target"
                        else {"type": "string", "description": text}
                    )
                    for key, text in spec.STREAM.items()
                },
                "required": list(spec.REQUIRED_STREAM_KEYS),
                "additionalProperties": False,
            },
            "customer": _party(spec.CUSTOMER, "external customer"),
            "supplier": _party(spec.SUPPLIER, "outside supplier"),
            "team": _party(spec.TEAM, "team"),
        },
    }
