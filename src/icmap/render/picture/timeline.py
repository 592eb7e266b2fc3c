"""The value stream map's timeline of one stream (``icmap graph --stream ID --timeline``).

Laid out here, not by Graphviz: the ladder is a fixed grid, so a layout of a few lines that
sizes each column from its words is exact where a graph layout would only approximate it.
Along the stream's critical path, left to right:

- a box per team (or supplier) on the path, in path order, and the customer's at the end;
  between two boxes the hand-off's arrow with what is handed over above it;
- under them the ladder: under each box the **lower rung**, the hands-on work (process time)
  that makes the hand-off leaving it; between two boxes the **upper rung**, the time the work
  then waits before the next team has it (its lead time less its process time);
- under each hand-off its %C&A; the step that holds the stream back most (the longest lead
  time) and the hand-off with the lowest %C&A in bold red;
- at the end a box of totals: lead time (and target), process time, flow efficiency,
  rolled %C&A, lead time with rework.

Text is sized with Helvetica's advance widths (a little more for bold and for wide
characters), which SVG viewers without Helvetica replace with a font of about the same width;
every column is as wide as its widest text plus a margin, so no two texts overlap
(:func:`layout` is tested for it). Names reach the SVG only as escaped text.

``render`` writes SVG itself and PNG through Graphviz (``neato -n2``, positions pinned, the
same shapes), which icmap already uses for pictures: no new dependency.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from rich.table import Table
from rich.text import Text as RichText

from icmap.render.picture import styles
from icmap.render.picture.stream_words import efficiency, lead, rolled, target
from icmap.render.report.stream_words import percent

if TYPE_CHECKING:
    from rich.console import RenderableType

    from icmap.analysis.stream_picture import Timeline
    from icmap.analysis.streams import StreamFlow, StreamStep

# Helvetica's advance widths (per 1000 units of the font size), from space (32) to tilde (126).
_HELVETICA = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278]
_HELVETICA += [556] * 10 + [278, 278, 584, 584, 584, 556]
_HELVETICA += [1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722]
_HELVETICA += [778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469]
_HELVETICA += [556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556]
_HELVETICA += [556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]

FONT = "Helvetica, Arial, sans-serif"
#: Font sizes: the title, box names, hand-offs and ladder values, the headers and notes.
TITLE, NAME, SMALL = 16.0, 12.0, 11.0
#: Room around text inside a column or box, and between rows.
PAD = 10.0
LINE = 15.0
#: The colours: a box's fill and border by kind, the ladder, the constraint's red.
LADDER = "#37474f"
WARN = styles.FAILED_BORDER
MUTED = "#607d8b"


def measure(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` at ``size`` in Helvetica; wide (CJK, emoji) characters count
    as 1 em, other characters outside ASCII as an average letter.

    >>> measure("Hi", 10)
    9.44
    """
    total = 0
    for char in text:
        code = ord(char)
        if 32 <= code < 127:
            total += _HELVETICA[code - 32]
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            total += 1000
        else:
            total += 600
    width = total * size / 1000
    return round(width * 1.08 if bold else width, 2)


Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True)
class Label:
    """A line of text: its anchor point is ``x`` (by ``anchor``) and its baseline ``y``."""

    x: float
    y: float
    text: str
    size: float = SMALL
    anchor: Anchor = "middle"
    bold: bool = False
    colour: str = LADDER
    #: What it says, for tests and styling: name, handoff, waiting, work, ca, total, header…
    role: str = ""

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom): from the font's ascent to its descent."""
        width = measure(self.text, self.size, self.bold)
        left = {"start": self.x, "middle": self.x - width / 2, "end": self.x - width}[self.anchor]
        return (left, self.y - 0.8 * self.size, left + width, self.y + 0.25 * self.size)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str
    #: The path node it stands for ("" for the totals box).
    node: str = ""
    stroke_width: float = 1.5

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    colour: str = LADDER
    width: float = 2.0
    arrow: bool = False
    role: str = ""


@dataclass
class Layout:
    width: float
    height: float
    title: str
    boxes: list[Box] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


def _wrap(text: str, limit: int = 24) -> list[str]:
    """Words on lines of at most ``limit`` characters (a longer word on a line of its own)."""
    lines: list[str] = []
    for part in text.replace("\r", "\n").split("\n"):
        line = ""
        for word in part.split():
            if line and len(line) + 1 + len(word) > limit:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return [line for line in lines if line] or [""]


def _work(flow: StreamFlow, step: StreamStep) -> str:
    return "?" if step.process_time is None else lead(flow, step.process_time)


def _waiting(flow: StreamFlow, step: StreamStep) -> str:
    if step.waiting is not None:
        return lead(flow, step.waiting)
    if step.lead_time is not None:
        return f"{lead(flow, step.lead_time)} lead time"
    return "?"


def _ca(step: StreamStep) -> str:
    return "?" if step.complete_accurate is None else percent(step.complete_accurate)


def totals(flow: StreamFlow) -> list[tuple[str, str]]:
    """The totals at the ladder's end, as (what, value)."""
    found = [("Lead time", lead(flow, flow.lead_time))]
    promised = target(flow)
    if promised is not None:
        found.append(("Target", promised))
    if flow.process_time is not None:
        found.append(("Process time", lead(flow, flow.process_time)))
    # How many steps the numbers rest on, said only when some give none.
    timed = flow.process_known == len(flow.steps)
    found.append(
        ("Flow efficiency", efficiency(flow).split(" (")[0] if timed else efficiency(flow))
    )
    rated = flow.ca_known == flow.handoffs
    found.append(("Rolled %C&A", rolled(flow).split(" (")[0] if rated else rolled(flow)))
    if flow.lead_time_with_rework is not None:
        found.append(("Lead time with rework", lead(flow, flow.lead_time_with_rework)))
    return found


def _fill(kind: str) -> tuple[str, str]:
    return styles.NODE_COLOURS.get(kind, styles.NODE_COLOURS["team"])


def layout(timeline: Timeline, widen: float = 1.0) -> Layout:  # noqa: PLR0915 - one grid
    """Where everything goes, in SVG units (px), origin top left; the grid is read top to
    bottom. ``widen`` sizes the columns for text drawn wider than Helvetica (Graphviz's)."""

    def text_width(text: str, size: float, bold: bool = False) -> float:
        return measure(text, size, bold) * widen

    def _lines_width(lines: list[str], size: float, bold: bool = False) -> float:
        return max((text_width(line, size, bold) for line in lines), default=0.0)

    flow = timeline.flow
    steps = flow.steps
    names = [_wrap(name) for name in timeline.names]
    handed = [_wrap(", ".join(s.what), 28) for s in steps]
    arrows = [
        [*lines, f"lead {lead(flow, s.lead_time)}" if s.lead_time is not None else "no lead time"]
        for lines, s in zip(handed, steps, strict=True)
    ]
    waits = [_waiting(flow, s) for s in steps]
    works = [_work(flow, s) for s in steps]
    shares = [_ca(s) for s in steps]
    ends = totals(flow)
    headers = ["waiting", "work", "%C&A"]

    header_width = _lines_width(headers, SMALL, bold=True) + 2 * PAD
    # A box column: its name, and the work under it; a gap column: the hand-off's words over
    # its arrow, the waiting over its upper rung and its %C&A.
    box_widths = [max(_lines_width(lines, NAME, bold=True) + 2 * PAD, 90.0) for lines in names]
    for i, work in enumerate(works):
        box_widths[i] = max(box_widths[i], text_width(work, SMALL) + 2 * PAD)
    gap_widths = [
        max(
            _lines_width(arrows[i], SMALL) + 2 * PAD,
            text_width(waits[i], SMALL) + 2 * PAD,
            text_width(shares[i], SMALL, bold=True) + 2 * PAD,
            70.0,
        )
        for i in range(len(steps))
    ]
    totals_width = (
        _lines_width([what for what, _ in ends], SMALL, bold=True)
        + _lines_width([value for _, value in ends], SMALL)
        + 4 * PAD
    )
    # The totals go under the customer, at the ladder's end: its column holds them.
    box_widths[-1] = max(box_widths[-1], totals_width)

    x = PAD + header_width
    box_x: list[float] = []
    for i, width in enumerate(box_widths):
        box_x.append(x)
        x += width + (gap_widths[i] if i < len(gap_widths) else 0.0)
    totals_x = box_x[-1]
    width = x + PAD

    title_y = PAD + TITLE
    subtitle = _subtitle(flow)
    top = title_y + LINE + (LINE if subtitle else 0.0) + PAD
    box_height = max(len(lines) for lines in names) * LINE + 2 * PAD
    arrow_lines = max((len(lines) for lines in arrows), default=1)
    # The arrow runs through the boxes' middle; the hand-off's words sit above it.
    middle = top + max(box_height / 2, arrow_lines * LINE + PAD)
    box_top = middle - box_height / 2
    box_bottom = box_top + box_height
    upper = box_bottom + 2 * PAD + LINE  # the waiting's words above the upper rung
    lower = upper + 3 * LINE
    work_y = lower + LINE + 2  # the work's words under the lower rung
    ca_y = work_y + LINE + PAD

    found = Layout(0.0, 0.0, timeline.title)
    found.labels.append(
        Label(PAD, title_y, timeline.title, TITLE, "start", bold=True, role="title")
    )
    if subtitle:
        found.labels.append(Label(PAD, title_y + LINE + 2, subtitle, SMALL, "start", colour=MUTED))

    constraint = flow.constraint
    quality = flow.quality_constraint
    for i, (node, kind, lines) in enumerate(zip(flow.path, timeline.kinds, names, strict=True)):
        fill, stroke = _fill(kind)
        found.boxes.append(
            Box(box_x[i], box_top, box_widths[i], box_height, fill, stroke, node, 1.5)
        )
        centre = box_x[i] + box_widths[i] / 2
        first = middle - (len(lines) - 1) * LINE / 2 + 0.35 * NAME
        for j, line in enumerate(lines):
            found.labels.append(
                Label(
                    centre, first + j * LINE, line, NAME, bold=True, colour="#263238", role="name"
                )
            )

    ladder: list[tuple[float, float]] = []
    slowest = (constraint.provider, constraint.receiver) if constraint else None
    lowest = (quality.provider, quality.receiver) if quality else None
    for i, step in enumerate(steps):
        # Steps are compared by their hand-off: the analysis makes the constraints anew.
        slow = (step.provider, step.receiver) == slowest
        poor = (step.provider, step.receiver) == lowest
        left = box_x[i] + box_widths[i]
        right = box_x[i + 1]
        centre = (left + right) / 2
        found.lines.append(
            Line(((left, middle), (right, middle)), styles.CRITICAL_LINE, 2.0, True, "handoff")
        )
        for j, line in enumerate(arrows[i]):
            is_lead = j == len(arrows[i]) - 1
            found.labels.append(
                Label(
                    centre,
                    middle - PAD / 2 - (len(arrows[i]) - 1 - j) * LINE,
                    line,
                    bold=is_lead and slow,
                    colour=(WARN if slow else MUTED) if is_lead else "#263238",
                    role="handoff",
                )
            )
        found.labels.append(Label(centre, upper - 6, waits[i], colour=LADDER, role="waiting"))
        found.labels.append(
            Label(centre, ca_y, shares[i], bold=True, colour=WARN if poor else LADDER, role="ca")
        )
        box_left = box_x[i]
        found.labels.append(Label(box_left + box_widths[i] / 2, work_y, works[i], role="work"))
        ladder += [(box_left, lower), (left, lower), (left, upper), (right, upper)]
        ladder.append((right, lower) if i + 1 < len(steps) else (right, upper))
    if ladder:
        found.lines.append(Line(tuple(_dedupe(ladder)), LADDER, 2.0, False, "ladder"))

    for header, y in zip(headers, (upper - 6, work_y, ca_y), strict=True):
        found.labels.append(
            Label(PAD, y, header, SMALL, "start", bold=True, colour=MUTED, role="header")
        )

    totals_top = box_bottom + 2 * PAD
    totals_height = len(ends) * LINE + 2 * PAD
    totals_width = box_widths[-1]
    found.boxes.append(
        Box(totals_x, totals_top, totals_width, totals_height, "#fafafa", "#90a4ae", "", 1.0)
    )
    value_x = totals_x + 2 * PAD + _lines_width([w for w, _ in ends], SMALL, bold=True)
    for j, (what, value) in enumerate(ends):
        y = totals_top + PAD + 0.8 * SMALL + j * LINE
        found.labels.append(Label(totals_x + PAD, y, what, bold=True, anchor="start", role="total"))
        missed = what == "Target" and (flow.target_gap or 0) > 0
        found.labels.append(
            Label(
                value_x,
                y,
                value,
                anchor="start",
                bold=missed,
                colour=WARN if missed else LADDER,
                role="total",
            )
        )

    note_y = max(ca_y, totals_top + totals_height) + LINE + PAD
    note = _note(flow, lowest is not None and lowest in {(s.provider, s.receiver) for s in steps})
    found.labels.append(Label(PAD, note_y, note, SMALL, "start", colour=MUTED, role="note"))
    found.width = max(
        width, PAD + text_width(note, SMALL) + PAD, *(lab.box[2] + PAD for lab in found.labels)
    )
    found.height = note_y + 0.25 * SMALL + PAD
    return found


def _note(flow: StreamFlow, lowest_shown: bool) -> str:
    """The line under the picture: how to read the ladder, and what is in red, saying so when
    the stream's lowest %C&A is off the path drawn."""
    note = (
        "Along the critical path. Upper rung: waiting (lead time less work); lower rung: work "
        "(process time). In red: the longest lead time"
    )
    quality = flow.quality_constraint
    if quality is None:
        return note + "."
    if lowest_shown:
        return note + ", the lowest %C&A."
    return (
        f"{note}; the stream's lowest %C&A, {quality.provider} → {quality.receiver}, is off "
        "this path."
    )


def _subtitle(flow: StreamFlow) -> str:
    parts = []
    if flow.stream.starts:
        parts.append(f"starts: {flow.stream.starts}")
    parts.append(f"{len(flow.steps)} hand-offs on the critical path, {flow.handoffs} in the stream")
    return "; ".join(parts)


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept: list[tuple[float, float]] = []
    for point in points:
        if not kept or kept[-1] != point:
            kept.append(point)
    return kept


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def svg(drawn: Layout) -> str:
    """The layout as a standalone SVG (fonts by name, no scripts, every text escaped)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(drawn.width)}" '
        f'height="{_n(drawn.height)}" viewBox="0 0 {_n(drawn.width)} {_n(drawn.height)}" '
        f'font-family="{FONT}" class="icmap-timeline">',
        f"<title>{html.escape(drawn.title)}</title>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{styles.CRITICAL_LINE}"/></marker></defs>',
    ]
    for box in drawn.boxes:
        node = f' data-node="{html.escape(box.node)}"' if box.node else ' class="totals"'
        out.append(
            f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
            f'height="{_n(box.height)}" rx="6" fill="{box.fill}" stroke="{box.stroke}" '
            f'stroke-width="{_n(box.stroke_width)}"{node}/>'
        )
    for line in drawn.lines:
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in line.points)
        head = ' marker-end="url(#head)"' if line.arrow else ""
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{line.colour}" '
            f'stroke-width="{_n(line.width)}" class="{line.role}"{head}/>'
        )
    for label in drawn.labels:
        weight = ' font-weight="bold"' if label.bold else ""
        out.append(
            f'<text x="{_n(label.x)}" y="{_n(label.y)}" font-size="{_n(label.size)}" '
            f'text-anchor="{label.anchor}" fill="{label.colour}"{weight} '
            f'class="{label.role}">{html.escape(label.text)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


#: Graphviz 2.43 draws text about a sixth wider than Helvetica's widths (docs/pictures.md):
#: the PNG's columns are measured that much wider.
PNG_WIDEN = 1.2


def render(timeline: Timeline, image_format: str) -> str | bytes:
    """The timeline as ``svg`` text or ``png`` bytes."""
    if image_format == "svg":
        return svg(layout(timeline))
    from icmap.render.picture.timeline_png import png

    return png(layout(timeline, PNG_WIDEN), PNG_WIDEN)


def text_view(timeline: Timeline) -> RenderableType:
    """The terminal's timeline: a row per step of the critical path, then the totals."""
    from rich.console import Group

    flow = timeline.flow
    table = Table(title=timeline.title, title_justify="left", title_style="bold")
    for column in ("step", "from → to", "handed over", "lead time", "work", "waiting", "%C&A"):
        right = column in ("lead time", "work", "waiting", "%C&A")
        table.add_column(column, justify="right" if right else "left")
    names = dict(zip(flow.path, timeline.names, strict=True))
    for i, step in enumerate(flow.steps, start=1):
        table.add_row(
            str(i),
            RichText(f"{names[step.provider]} → {names[step.receiver]}"),
            RichText(", ".join(step.what)),
            "?" if step.lead_time is None else lead(flow, step.lead_time),
            _work(flow, step),
            _waiting(flow, step),
            _ca(step),
        )
    lines = [RichText.assemble((f"{what}: ", "bold"), value) for what, value in totals(flow)]
    return Group(table, *lines)
