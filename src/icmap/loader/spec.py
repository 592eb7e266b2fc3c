"""The keys the org format allows at each level, with the words the docs and schema use.

The reader rejects any other key (with a did-you-mean), and ``icmap schema`` builds the JSON
Schema from these tables, so the two cannot drift apart.
"""

from __future__ import annotations

ROOT: dict[str, str] = {
    "organisation": "Display name of the organisation.",
    "customers": "The external customers, id -> details. At least one across all files.",
    "suppliers": "Outside suppliers and partners who feed teams, id -> details.",
    "teams": "The teams, id -> details.",
    "streams": "The value streams: the flows the organisation runs for its customers, "
    "id -> details (docs/format.md#value-streams).",
    "surveys": "Internal-customer survey responses: a CSV file or a folder of them, or a "
    "list, relative to this file; one file per round (docs/surveys.md).",
}
#: Top-level keys starting with this prefix are ignored: a place to keep YAML anchors.
EXTENSION_PREFIX = "x-"

STREAM: dict[str, str] = {
    "name": "Display name; defaults to the id.",
    "customer": "The external customer the stream ends at (its id).",
    "starts": "What starts it: an order placed, a return requested.",
    "description": "What this stream is.",
    "target": "The lead time the organisation promises for it, as lead_time is written (3d).",
}
#: Fields every stream must have.
REQUIRED_STREAM_KEYS = ("customer",)

CUSTOMER: dict[str, str] = {
    "name": "Display name; defaults to the id.",
    "description": "What this customer is.",
}
SUPPLIER: dict[str, str] = {
    **CUSTOMER,
    "provides": "What the supplier hands to teams.",
}
TEAM: dict[str, str] = {
    "name": "Display name; defaults to the id.",
    "group": "Department or area; pictures cluster teams by group.",
    "lead": "Who owns the team.",
    "description": "What the team does.",
    "provides": "What the team hands to its internal (or external) customers.",
    "receives": "What the team gets from other teams or suppliers.",
    "ignore": "icmap check rules this team opts out of: code or name -> reason.",
    "type": "Team Topologies team type: stream-aligned, platform, enabling or "
    "complicated-subsystem.",
}
PROVIDES: dict[str, str] = {
    "what": "The product, service or information handed over.",
    "to": "Receiver id, or a list of ids (teams or customers).",
    "lead_time": "How long the receiver waits for it: a number and a unit m, h, d or w (5.17d).",
    "satisfaction": "The receiver's survey score for it, from 1 to 5.",
    "feedback": (
        "true when it carries information back (bug reports, incident reports) rather than "
        "work the customer waits for: critical paths do not follow it."
    ),
    "mode": "Team Topologies interaction mode: x-as-a-service, collaboration or facilitating.",
    "since": "When the interaction started: a date, YYYY-MM-DD.",
    "until": "When the interaction is expected to end: a date, YYYY-MM-DD.",
    "state": "The dependency's health as the receiving team sees it: ok, slowing or blocking.",
    "streams": "The value streams this hand-off is part of: a stream id, or a list of them.",
    "process_time": (
        "The hands-on work inside the lead time, written as lead_time is (2h); the rest is waiting."
    ),
    "complete_accurate": (
        "The share of what arrives that the receiver can use as it is, without correcting, "
        "adding or asking (%C&A): 85% or 0.85."
    ),
    "measured": (
        "What an event log showed of it, as 'icmap import events' writes it: handoffs, "
        "cases, median, p85, return_rate, first, last, and alone on a hand-off to a customer "
        "(docs/events.md)."
    ),
}
#: The keys of a relation's ``measured:`` block.
MEASURED: dict[str, str] = {
    "handoffs": "How many times the log shows the hand-off.",
    "cases": "In how many cases.",
    "median": "The median time a case stayed with the provider before the receiver took it.",
    "p85": "The 85th percentile of that time.",
    "return_rate": "The share of these hand-offs the receiver handed straight back (12%).",
    "first": "The day of the first one seen, YYYY-MM-DD.",
    "last": "The day of the last one seen, YYYY-MM-DD.",
    "alone": "To a customer only: how many of these cases never left the provider.",
}
RECEIVES: dict[str, str] = {
    "what": PROVIDES["what"],
    "from": "Provider id, or a list of ids (teams or suppliers).",
    "lead_time": PROVIDES["lead_time"],
    "satisfaction": PROVIDES["satisfaction"],
    "feedback": PROVIDES["feedback"],
    "mode": PROVIDES["mode"],
    "since": PROVIDES["since"],
    "until": PROVIDES["until"],
    "state": PROVIDES["state"],
    "streams": PROVIDES["streams"],
    "process_time": PROVIDES["process_time"],
    "complete_accurate": PROVIDES["complete_accurate"],
    "measured": PROVIDES["measured"],
}

#: Fields every relation entry must have, by the list it sits in.
REQUIRED_RELATION_KEYS: dict[str, tuple[str, ...]] = {
    "provides": ("what", "to"),
    "receives": ("what", "from"),
}

LEAD_TIME_UNITS = ("m", "h", "d", "w")
#: The words each unit may also be written as, in any case (but ``M``, minutes or months?).
LEAD_TIME_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "m": ("m", "min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "d": ("d", "day", "days"),
    "w": ("w", "wk", "wks", "week", "weeks"),
}


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


#: The JSON Schema's pattern for a lead time: what :func:`~icmap.loader.reader.parse_lead_time`
#: reads, but for the checks that need a number (its size).
LEAD_TIME_PATTERN = (
    r"^[0-9]+(\.[0-9]+)?\s*(m|"
    + "|".join(
        _any_case(word)
        for words in LEAD_TIME_UNIT_WORDS.values()
        for word in sorted(words, key=len, reverse=True)
        if word != "m"
    )
    + ")$"
)
SATISFACTION_RANGE = (1.0, 5.0)
#: The JSON Schema's pattern for a %C&A written as a percentage (the loader checks its range).
COMPLETE_ACCURATE_PATTERN = r"^[0-9]+(\.[0-9]+)?\s*%$"
