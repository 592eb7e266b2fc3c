"""The account ``icmap import`` gives: what it read, chose, derived and warned about.

Text for stderr, and a stable JSON object (``-f json``) that also lists every hand-off with its
provenance. Nothing here computes; the importer's :class:`~icmap.importers.ImportResult` and the
``--update`` merge report hold the numbers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from icmap.importers import some

if TYPE_CHECKING:
    from icmap.importers import ImportResult
    from icmap.importers.writer import MergeReport
    from icmap.model import Org

#: 2: ``counts`` names hand-offs (pairs of teams) and relations (things handed over) apart;
#: ``dangling_refs``; ``update`` names relations and customers, and ``dry_run``.
SCHEMA_VERSION = 2
_SINGULAR = {
    "files read": "file read",
    "files skipped": "file skipped",
    "locations followed": "location followed",
    "entities read": "entity read",
    "rows read": "row read",
    "Team APIs read": "Team API read",
    "team pages read": "team page read",
    "bounded contexts read": "bounded context read",
    "relationships read": "relationship read",
}


def _plural(count: int, word: str) -> str:
    if count != 1 and word.endswith("y"):
        return f"{count:,} {word[:-1]}ies"
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def render_text(result: ImportResult, org: Org, merged: MergeReport | None) -> str:
    """The summary as lines of plain text."""
    counts = result.counts
    read = ", ".join(
        f"{value:,} {name if value != 1 else _SINGULAR[name]}"
        for name, value in counts.items()
        if name in _SINGULAR and (value or name != "files skipped")
    )
    lines = [f"imported {result.format}: {read}"]
    # What the source gives: with --update, what was kept by hand is counted below.
    lines.append(f"  teams: {counts.get('teams', 0):,}")
    lines.extend(f"    note: {note}" for note in result.notes)
    for hand_offs, relations in (
        ("team-to-team hand-offs", "team-to-team relations"),
        ("hand-offs to external customers", "relations to external customers"),
    ):
        lines.append(
            f"  {hand_offs}: {counts.get(hand_offs, 0):,} "
            f"({_plural(counts.get(relations, 0), 'relation')})"
        )
    if result.both_sides:
        lines.append(_both_sides(result.both_sides))
        lines.extend(f"    {pair}" for pair in result.both_sides[:10])
        if len(result.both_sides) > 10:
            lines.append(f"    and {len(result.both_sides) - 10:,} more (-f json lists them)")
    lines.append(
        f"  relations inside one team: {counts.get('relations inside one team', 0):,} "
        "(counted, not hand-offs)"
    )
    if counts.get("teams without hand-offs"):
        lines.append(
            f"  teams without hand-offs: {counts['teams without hand-offs']:,} "
            "(icmap check reports each: its work reaches no customer)"
            + (
                f": {some(result.teams_without_hand_offs)}"
                if result.teams_without_hand_offs
                else ""
            )
        )
    if counts.get("planned interactions (not imported)"):
        lines.append(
            f"  planned interactions: {counts['planned interactions (not imported)']:,} "
            "(teams the pages expect to interact with soon: not hand-offs yet)"
        )
    dropped = counts.get("pairs left out by --min-handoffs/--min-share")
    if dropped:
        lines.append(
            f"  pairs of teams left out: {dropped:,} (fewer hand-offs than --min-handoffs, or "
            "a smaller share of its provider's hand-offs than --min-share)"
        )
    if counts.get("relations with an unowned end"):
        lines.append(
            f"  relations with an unowned end: {counts['relations with an unowned end']:,} "
            "(no team to hand off to or from)"
        )
    lines.append("  external customers:")
    lines.extend(f"    {sentence}" for sentence in result.customers_chosen)
    if org.streams:
        named = ", ".join(f"{s.id} (to {s.customer})" for s in org.streams.values())
        lines.append(
            f"  value streams: {named}: each ends at the external customer its hand-offs reach; "
            "add a target to org.yaml by hand (--update keeps it)"
        )
    kinds = result.by_kind()
    if kinds:
        said = ", ".join(f"{count:,} {name}" for name, count in kinds.items())
        lines.append(f"  problems: {said}")
    else:
        lines.append("  problems: none")
    if result.dangling:
        mentions = counts.get("dangling ref mentions", 0)
        lines.append(
            f"  dangling refs: {_plural(len(result.dangling), 'entity')} not in the catalog, "
            f"named {_plural(mentions, 'time')}: {some(list(result.dangling))}"
        )
    if merged is not None:
        lines.extend(_update_lines(merged, [t for t in result.idle_teams if t not in org.teams]))
    return "\n".join(lines) + "\n"


def _both_sides(pairs: list[str]) -> str:
    """How many pairs of teams were read from both pages, by how each was decided."""
    kinds = {
        "by the purposes' wording": sum("(the purposes say" in pair for pair in pairs),
        "by the team types": sum("(the team types)" in pair for pair in pairs),
        "collaboration": sum("(collaboration" in pair for pair in pairs),
        "unclear (IC651)": sum("(unclear" in pair for pair in pairs),
    }
    said = ", ".join(f"{count:,} {kind}" for kind, count in kinds.items() if count)
    return (
        f"  pairs read from both sides: {len(pairs):,} (both teams' pages name the other; one "
        f"hand-off each, two for a collaboration read both ways): {said}"
    )


def _update_lines(merged: MergeReport, idle: Sequence[str] = ()) -> list[str]:
    """What --update changes in the org: every removal named, one a line."""
    lines = [
        f"  update: {_plural(len(merged.added_teams), 'team')} added, "
        f"{len(merged.removed_teams):,} removed; "
        f"{_plural(len(merged.added_customers), 'customer')} added, "
        f"{len(merged.removed_customers):,} removed; "
        f"{_plural(len(merged.added), 'relation')} added, {len(merged.removed):,} removed"
        + (f", {len(merged.renamed):,} renamed" if merged.renamed else "")
        + f"; {_plural(merged.kept_fields, 'hand-added field')} kept"
    ]
    if merged.kept_teams or merged.kept_customers or merged.kept_hand_offs:
        lines.append(
            f"    kept as written by hand: {_plural(len(merged.kept_teams), 'team')}, "
            f"{_plural(len(merged.kept_customers), 'customer')}, "
            f"{_plural(len(merged.kept_hand_offs), 'relation')}"
        )
    lines.extend(
        f"    removed team (left out as idle: it owns nothing and takes part in no hand-off; "
        f"--keep-idle-teams keeps it): {t}"
        if t in idle
        else f"    removed team (gone from the source): {t}"
        for t in merged.removed_teams
    )
    lines.extend(
        f"    removed customer (gone from the source): {c}" for c in merged.removed_customers
    )
    lines.extend(f"    removed relation ({why}): {r}" for r, why in merged.removed)
    lines.extend(
        f"    renamed relation (its what changed in the source; hand-added fields kept): "
        f"{now} (was: {was})"
        for now, was in merged.renamed
    )
    lines.extend(
        f"    removed file (not part of the rewritten org): {f}" for f in merged.removed_files
    )
    return lines


def render_json(
    result: ImportResult, org: Org, merged: MergeReport | None, *, dry_run: bool = False
) -> str:
    """The summary and every relation with its provenance, as one JSON object.

    ``dry_run``: nothing was written (``--dry-run``); the rest says what would have been.
    """
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "format": result.format,
        "dry_run": dry_run,
        "counts": dict(result.counts),
        "external_customers": {
            "ids": sorted(org.customers),
            "why": list(result.customers_chosen),
        },
        "notes": list(result.notes),
        "problems_by_kind": result.by_kind(),
        "dangling_refs": dict(result.dangling),
        "problems": [
            {
                "file": d.file,
                "line": d.line,
                "col": d.col,
                "severity": d.severity,
                "code": d.code,
                "name": d.name,
                "message": d.message,
                "hint": d.hint,
            }
            for d in result.diagnostics
        ],
        "hand_offs": [
            {
                "provider": r.provider,
                "receiver": r.receiver,
                "what": r.what,
                "provenance": [
                    {"why": p.text, "file": p.pos.file, "line": p.pos.line, "col": p.pos.col}
                    for p in result.provenance.get((r.provider, r.receiver, r.what), [])
                ],
            }
            for r in org.relations
        ],
    }
    if result.teams_without_hand_offs:
        data["teams_without_hand_offs"] = list(result.teams_without_hand_offs)
    if result.both_sides:
        data["pairs_read_from_both_sides"] = list(result.both_sides)
    if org.streams:
        data["streams"] = [
            {"id": s.id, "name": s.label, "customer": s.customer} for s in org.streams.values()
        ]
    if merged is not None:
        data["update"] = {
            "added_teams": merged.added_teams,
            "removed_teams": merged.removed_teams,
            "added_customers": merged.added_customers,
            "removed_customers": merged.removed_customers,
            "added_relations": merged.added,
            "removed_relations": [{"relation": r, "why": why} for r, why in merged.removed],
            "renamed_relations": [{"relation": now, "was": was} for now, was in merged.renamed],
            "removed_files": merged.removed_files,
            "kept_fields": merged.kept_fields,
            "kept_hand_made_teams": merged.kept_teams,
            "kept_hand_made_customers": merged.kept_customers,
            "kept_hand_made_relations": merged.kept_hand_offs,
        }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
