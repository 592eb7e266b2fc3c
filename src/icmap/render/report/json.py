"""``icmap report -f json``: one stable JSON object (documented in docs/analyses.md)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from icmap.render.json_text import dumps

if TYPE_CHECKING:
    from icmap.analysis.cadence import MixedCadence
    from icmap.analysis.measured import FlowPair, LeftOut, MeasuredFlow
    from icmap.analysis.report import Report
    from icmap.analysis.streams import StreamFlow, StreamStep
    from icmap.analysis.surveys import RoundScore
    from icmap.graph import OrgGraph
    from icmap.model import EventOverlay

SCHEMA_VERSION = 2


def events_data(overlay: EventOverlay, graph: OrgGraph) -> dict[str, Any]:
    """The event log laid over the org (``--events``): what it covers, which lead times the
    paths use, its unmatched teams, and every hand-off it measured between the org's parties,
    with the declared relations on the same pair (none: the org never declares it)."""
    from icmap.graph import relations

    handoffs = []
    for pair in overlay.pairs:
        m = pair.measured
        declared = (
            relations(graph, pair.provider, pair.receiver)
            if graph.has_edge(pair.provider, pair.receiver)
            else []
        )
        lead_times = [r.declared_lead_time.hours for r in declared if r.declared_lead_time]
        handoffs.append(
            {
                "provider": pair.provider,
                "receiver": pair.receiver,
                "declared": [r.what for r in declared],
                "declared_lead_time_hours": max(lead_times) if lead_times else None,
                "handoffs": m.handoffs,
                "cases": m.cases,
                "median_hours": m.median.hours if m.median else None,
                "p85_hours": m.p85.hours if m.p85 else None,
                "return_rate": m.return_rate,
                "first": m.first.isoformat() if m.first else None,
                "last": m.last.isoformat() if m.last else None,
                "file": m.seen.file if m.seen else None,
                "line": m.seen.line if m.seen else None,
            }
        )
    return {
        "files": list(overlay.files),
        "first": overlay.first.isoformat() if overlay.first else None,
        "last": overlay.last.isoformat() if overlay.last else None,
        "events": overlay.events,
        "cases": overlay.cases,
        "lead_times": overlay.lead_times,
        "measured_lead_times": overlay.replaced,
        "parties": list(overlay.parties),
        "unmatched_teams": [
            {
                "name": t.name,
                "file": t.pos.file,
                "line": t.pos.line,
                "did_you_mean": list(t.close),
            }
            for t in overlay.unmatched
        ],
        "handoffs": handoffs,
    }


def report_data(report: Report, graph: OrgGraph) -> dict[str, Any]:
    """The report as plain JSON-ready data, ids sorted everywhere."""
    hours = report.critical.unit == "hours"
    members = sorted(n for n in graph.nodes if graph.nodes[n]["kind"] != "customer")
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "organisation": report.organisation or None,
        "counts": report.counts,
        "front_line": [{"team": f.team, "customers": list(f.customers)} for f in report.front_line],
        "distance": {n: report.reach.hops.get(n) for n in members},
        "nearest_customer": {n: report.reach.nearest.get(n) for n in members},
        "disconnected": list(report.reach.disconnected),
        "critical_path_unit": report.critical.unit,
        "lead_times": {
            "handoffs": report.critical.handoffs,
            "missing": report.critical.missing_lead_times,
        },
        "critical_paths": [
            {
                "customer": p.customer,
                # A customer no team's delivered work reaches has no chain: not a chain of one.
                "path": list(p.path) if len(p.path) > 1 else [],
                "lead_time_hours": p.total if hours and len(p.path) > 1 else None,
                "hops": len(p.path) - 1 if len(p.path) > 1 else None,
                "missing_lead_times": p.missing_lead_times,
                "exact": p.exact,
                "tied_handoffs": [{"provider": u, "receiver": v} for u, v in p.ties],
            }
            for p in report.critical.paths
        ],
        "slack_hours" if hours else "slack_hops": report.critical.slack,
        # Teams in a loop of delivery hand-offs: their slack above is a lower bound.
        "slack_lower_bound": sorted(report.critical.looped),
        # Of those, the ones on no critical path whose bound is 0: not known to be critical.
        "slack_unknown": report.critical.slack_unknown(),
        "approximated_loops": report.critical.approximated_loops,
        "feedback_only": list(report.feedback_only),
        "chokepoints": [
            {"team": c.team, "dependents": list(c.dependents), "stranded": c.stranded}
            for c in report.chokepoints
        ],
        "loops": [list(loop.teams) for loop in report.loops],
        "loop_cycles": [
            {
                "teams": list(loop.teams),
                "cycles": [{"teams": list(c.teams), "feedback": c.feedback} for c in loop.cycles],
                "more_cycles": loop.more_cycles,
                "unsearched_teams": loop.unsearched,
            }
            for loop in report.loops
        ],
        "critical_path_loops": [
            {
                "customer": x.customer,
                "cycle": list(x.cycle),
                "loop": list(x.loop),
                "feedback_candidates": [
                    {
                        "provider": c.provider,
                        "receiver": c.receiver,
                        "what": [r.what for r in c.relations],
                        "provider_hops": c.provider_hops,
                        "receiver_hops": c.receiver_hops,
                        "named_like_feedback": c.named_like_feedback,
                    }
                    for c in x.candidates
                ],
            }
            for x in report.crossings
        ],
        "weakest_links": [asdict(w) for w in report.weakest],
        "streams": [stream_data(flow) for flow in report.streams],
        "mixed_cadences": [_mixed(mix) for mix in report.mixed_cadences],
    }
    if report.surveys is not None:
        data["surveys"] = _surveys(report)
    if report.events is not None:
        data["events"] = events_data(report.events, graph)
    if report.measured is not None:
        data["measured"] = measured_data(report.measured)
    tt = report.topologies
    if tt is not None:
        data["today"] = tt.today.isoformat()
        data["team_types"] = {kind or "none": list(teams) for kind, teams in tt.team_types.items()}
        data["interaction_modes"] = {
            mode or "none": [
                {"provider": r.provider, "receiver": r.receiver, "what": r.what} for r in rs
            ]
            for mode, rs in tt.modes.items()
        }
        data["dependency_states"] = [
            {
                "provider": d.provider,
                "receiver": d.receiver,
                "what": d.what,
                "state": d.state,
                "on_critical_path": bool(d.critical_to),
                "critical_to": list(d.critical_to),
                "tied_to": list(d.tied_to),
            }
            for d in tt.dependencies
        ]
        data["past_end"] = [
            {
                "provider": p.provider,
                "receiver": p.receiver,
                "what": p.what,
                "mode": p.mode,
                "until": p.until.isoformat(),
                "days_past": p.days,
            }
            for p in tt.past_end
        ]
    return data


def step_data(step: StreamStep | None) -> dict[str, Any] | None:
    """One hand-off of a stream: times in hours (null where no relation on it gives one)."""
    if step is None:
        return None
    return {
        "provider": step.provider,
        "receiver": step.receiver,
        "what": list(step.what),
        "lead_time_hours": step.lead_time,
        "process_time_hours": step.process_time,
        "waiting_hours": step.waiting,
        "complete_accurate": step.complete_accurate,
    }


def stream_data(flow: StreamFlow) -> dict[str, Any]:
    """One value stream's numbers, as the critical paths give theirs: hours as numbers, null in
    hops mode (``unit``), and ``hops`` beside them."""
    hours = flow.unit == "hours"
    target = flow.stream.target
    return {
        "stream": flow.id,
        "name": flow.stream.label,
        "customer": flow.customer,
        "starts": flow.stream.starts,
        "description": flow.stream.description,
        "unit": flow.unit,
        "path": list(flow.path),
        "steps": [step_data(step) for step in flow.steps],
        "lead_time_hours": flow.lead_time if hours else None,
        "hops": len(flow.path) - 1,
        "missing_lead_times": flow.missing_lead_times,
        "exact": flow.exact,
        "tied_handoffs": [{"provider": u, "receiver": v} for u, v in flow.ties],
        "slack_hours" if hours else "slack_hops": dict(sorted(flow.slack.items())),
        "slack_lower_bound": sorted(flow.looped),
        "handoffs": flow.handoffs,
        "teams": list(flow.teams),
        "process_time_hours": flow.process_time,
        "process_known": flow.process_known,
        "flow_efficiency": flow.flow_efficiency,
        "rolled_complete_accurate": flow.rolled_ca,
        "complete_accurate_known": flow.ca_known,
        "costliest": [step_data(step) for step in flow.costliest],
        "lead_time_with_rework_hours": flow.lead_time_with_rework,
        "constraint": step_data(flow.constraint),
        "quality_constraint": step_data(flow.quality_constraint),
        "target_hours": target.hours if target is not None else None,
        "target_gap_hours": flow.target_gap,
        "target_met": flow.target_met,
    }


def _pair(pair: FlowPair) -> dict[str, Any]:
    return {
        "provider": pair.provider,
        "receiver": pair.receiver,
        "what": pair.what,
        "handoffs": pair.handoffs,
        "cases": pair.cases,
        "median_hours": pair.median_hours,
        "p85_hours": pair.p85_hours,
        "return_rate": pair.return_rate,
    }


def measured_data(flow: MeasuredFlow) -> dict[str, Any]:
    """The measured section (present only when relations carry measured numbers)."""
    return {
        "cases": flow.cases,
        "handoffs": flow.handoffs,
        "pairs": flow.pairs,
        "first": flow.first.isoformat() if flow.first else None,
        "last": flow.last.isoformat() if flow.last else None,
        "min_handoffs": flow.min_handoffs,
        "busiest": [_pair(p) for p in flow.busiest],
        "slowest": [_pair(p) for p in flow.slowest],
        "ping_pong": [
            {**_pair(p.pair), "back": None if p.back is None else _pair(p.back)}
            for p in flow.ping_pong
        ],
        "ping_pong_too_few": flow.ping_pong_too_few,
        "endings": [
            {
                "team": e.team,
                "customer": e.customer,
                "cases": e.cases,
                "share": e.share,
                "alone": e.alone,
                "median_hours": e.median_hours,
                "p85_hours": e.p85_hours,
            }
            for e in flow.endings
        ],
        "alone": flow.alone,
        "alone_share": flow.alone_share,
        "unmeasured_relations": flow.unmeasured,
        **({} if flow.left_out is None else {"left_out": _left_out(flow.left_out)}),
    }


def _left_out(left: LeftOut) -> dict[str, int]:
    return {
        "log_cases": left.log_cases,
        "cases": left.cases,
        "undeclared_handoffs": left.undeclared_handoffs,
        "undeclared_pairs": left.undeclared_pairs,
        "unmatched_log_teams": left.unmatched_teams,
    }


def _mixed(mix: MixedCadence) -> dict[str, Any]:
    return {
        "customer": mix.customer,
        "slowest": {
            "provider": mix.slowest.provider,
            "receiver": mix.slowest.receiver,
            "lead_time_hours": mix.slowest.hours,
        },
        "fastest": {
            "provider": mix.fastest.provider,
            "receiver": mix.fastest.receiver,
            "lead_time_hours": mix.fastest.hours,
        },
        "ratio": round(mix.ratio, 1),
    }


def _surveys(report: Report) -> dict[str, Any]:
    trends = report.surveys
    assert trends is not None

    def rounds(entries: tuple[RoundScore, ...]) -> list[dict[str, Any]]:
        # Built by hand: dataclasses.asdict deep-copies, a third of the command at 10k teams.
        return [
            {"round": e.round, "mean": e.mean, "answers": e.answers, "change": e.change}
            for e in entries
        ]

    return {
        "rounds": list(trends.rounds),
        "handoffs": [
            {
                "provider": t.provider,
                "receiver": t.receiver,
                "what": t.what,
                "rounds": rounds(t.rounds),
                "yaml_satisfaction": t.declared,
                "declared_lead_time_hours": t.declared_lead_time,
                "experienced_lead_time_hours": t.experienced_lead_time,
                "lead_time_answers": t.lead_time_answers,
                "lead_time_round": t.lead_time_round or None,
                "lead_time_gap_hours": t.lead_time_gap,
            }
            for t in trends.relations
        ],
        "teams": [{"team": t.team, "rounds": rounds(t.rounds)} for t in trends.teams],
        "bounds": [
            {"customer": b.customer, "rounds": dict(zip(trends.rounds, b.bounds, strict=True))}
            for b in trends.bounds
        ],
    }


def render(report: Report, graph: OrgGraph) -> str:
    """The JSON text, indented, with a final newline."""
    return dumps(report_data(report, graph))
