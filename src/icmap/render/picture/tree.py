"""The terminal view of ``icmap graph``: a provider tree per external customer.

Names go into :class:`rich.text.Text` objects, never into markup strings, so a team called
``[bold]`` prints as those characters.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.control import strip_control_codes
from rich.style import StyleType
from rich.text import Span, Text
from rich.tree import Tree

from icmap.analysis.measured import RETURN_BANDS, band
from icmap.analysis.picture import measured_text
from icmap.analysis.trees import Branch, CustomerTree
from icmap.analysis.weakest import LOW_SATISFACTION
from icmap.model import Relation
from icmap.render.picture import styles
from icmap.render.report.stream_words import percent
from icmap.render.report.words import satisfaction
from icmap.render.text import LazyTree

if TYPE_CHECKING:
    from icmap.analysis.reach import Reach
    from icmap.analysis.streams import StreamFlow
    from icmap.graph import OrgGraph

_KIND_STYLE = {"team": styles.TEAM, "supplier": styles.SUPPLIER, "customer": styles.CUSTOMER}


#: The characters rich drops from a text (Text.append and Text() drop the same).
_STRIPPED = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(0xA0) if not strip_control_codes(chr(c))) + "]"
)


class _Label:
    """A label's pieces and their styles, made into one rich Text at the end.

    Appending to a Text piece by piece (each piece cleaned, measured and given its span) was
    most of what a 100,000-team tree cost once rich's layout was out of the way; the Text made
    here has the same characters and spans.
    """

    __slots__ = ("pieces",)

    def __init__(self) -> None:
        self.pieces: list[tuple[str, StyleType | None]] = []

    def append(self, text: str, style: StyleType | None = None) -> None:
        self.pieces.append((text, style))

    def text(self) -> Text:
        whole = "".join(piece for piece, _ in self.pieces)
        # Text.append drops control codes piece by piece; org text rarely has any.
        clean = _STRIPPED.search(whole) is None
        spans: list[Span] = []
        offset = 0
        for piece, style in self.pieces:
            length = len(piece) if clean else len(strip_control_codes(piece))
            if style and piece:  # as Text.append: a span even where only control codes were
                spans.append(Span(offset, offset + length, style))
            offset += length
        return Text(whole, spans=spans)

    def plain(self) -> str:
        """The characters of :meth:`text`, without making it."""
        whole = "".join(piece for piece, _ in self.pieces)
        return whole if _STRIPPED.search(whole) is None else strip_control_codes(whole)


def _hand_offs(text: _Label, relations: tuple[Relation, ...], arrow: str) -> None:
    for index, relation in enumerate(relations):
        text.append(f" {arrow} " if index == 0 else "; ", style=styles.DETAIL)
        text.append(relation.what)
        details = []
        if relation.measured is not None:
            # What the log measured stands for the lead time (its median), with its colour.
            text.append(f" ({measured_text(relation)})", style=_MEASURED_STYLES[_band(relation)])
        elif relation.lead_time is not None:
            details.append(str(relation.lead_time))
        # Value stream mapping's numbers, where the org gives them.
        if relation.process_time is not None:
            details.append(f"work {relation.process_time}")
        if relation.complete_accurate is not None:
            details.append(f"C&A {percent(relation.complete_accurate)}")
        low = relation.satisfaction is not None and relation.satisfaction < LOW_SATISFACTION
        surveyed = relation.survey is not None and relation.survey.mean is not None
        source = f" by survey {relation.survey.round}" if surveyed and relation.survey else ""
        score = "" if relation.satisfaction is None else satisfaction(relation.satisfaction)
        if relation.satisfaction is not None and not low:
            details.append(f"satisfaction {score}{source}")
        if details or low:
            text.append(f" ({', '.join(details)}", style=styles.DETAIL)
            if low:
                text.append(", " if details else "", style=styles.DETAIL)
                text.append(
                    f"satisfaction {score}{source} {styles.LOW_MARK}",
                    style=styles.LOW,
                )
            text.append(")", style=styles.DETAIL)


#: A measured hand-off's numbers by return-rate band: dim, amber, red (as the pictures' lines).
_MEASURED_STYLES = (styles.DETAIL, styles.SLOWING, styles.LOW)


def _band(relation: Relation) -> int:
    return band(relation.measured.return_rate) if relation.measured is not None else 0


def _party(graph: OrgGraph, node: str) -> Text:
    text = _Label()
    _party_pieces(text, graph, node)
    return text.text()


def _party_pieces(text: _Label, graph: OrgGraph, node: str) -> None:
    data = graph.nodes[node]
    # The id's style is a span, not the Text's base style: the rest of the line keeps its own.
    text.append(node, style=_KIND_STYLE[data["kind"]])
    if data["name"] != node:
        text.append(f" {data['name']}", style="italic")
    if data["kind"] == "supplier":
        text.append(" (outside supplier)", style=styles.SUPPLIER)
    if data.get("group"):
        text.append(f" [{data['group']}]", style=styles.DETAIL)


_MARKS = {
    "shown": ("  (repeat)", styles.DETAIL),
    "loop": ("  ↺ loop", styles.LOOP),
    "outside": ("  (outside the group)", styles.DETAIL),
    "depth": ("  …", styles.DETAIL),
}


def _branch_label(
    graph: OrgGraph,
    branch: Branch,
    arrow: str,
    chokepoints: Collection[str] = (),
    critical: bool = False,
) -> _Label:
    label = _Label()
    if branch.repeat is None:
        _party_pieces(label, graph, branch.id)
    else:
        label.append(branch.id, style=_KIND_STYLE[graph.nodes[branch.id]["kind"]])
    _hand_offs(label, branch.handed_over, arrow)
    if branch.repeat is None and branch.id in chokepoints:
        label.append("  chokepoint", style=styles.CHOKEPOINT)
    if branch.feedback:
        label.append("  ↺ feedback", style=styles.FEEDBACK)
    if critical:
        label.append(f"  {CRITICAL_MARK} critical path", style=styles.CRITICAL)
    if branch.repeat in _MARKS and not (branch.feedback and branch.repeat in ("shown", "loop")):
        mark, style = _MARKS[branch.repeat]
        label.append(mark, style=style)
    return label


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


_LEGEND = {
    "chokepoint": "chokepoint: if it fails, others lose every path to the customer",
    "shown": "(repeat): expanded above",
    "loop": "↺ loop: serves a team on its own path",
    "feedback": "↺ feedback: a feedback hand-off (information back), not followed",
    "feedback-followed": (
        "↺ feedback: a feedback hand-off (information back), followed only to a team whose "
        "work reaches a customer no other way"
    ),
    "depth": "…: more beyond --depth",
}


def _legend(trees: list[CustomerTree], chokepoints: Collection[str] = ()) -> Text | None:
    """One line explaining each mark the trees use, or ``None`` when they use none."""
    used: set[str | None] = {"chokepoint"} if chokepoints else set()
    low = measured = False
    for tree in trees:
        for found in tree.branches.values():
            for branch in found:
                measured = measured or any(r.measured for r in branch.handed_over)
                low = low or any(
                    r.satisfaction is not None and r.satisfaction < LOW_SATISFACTION
                    for r in branch.handed_over
                )
                if branch.feedback:
                    used.add("feedback" if branch.repeat is not None else "feedback-followed")
                if not (branch.feedback and branch.repeat in ("shown", "loop")):
                    used.add(branch.repeat)  # a feedback mark stands in for these two
    if "feedback-followed" in used:
        used.discard("feedback")  # one line for the mark, true of those not followed too
    words = [text for mark, text in _LEGEND.items() if mark in used]
    words += [f"{styles.LOW_MARK}: satisfaction below {LOW_SATISFACTION:g}"] if low else []
    if measured:
        amber, red = (percent(edge) for edge in RETURN_BANDS)
        words += [
            "N× · median · p85: hand-offs the event log shows; how long cases stayed with "
            "the provider",
            f"% back: handed straight back (amber from {amber}, red from {red})",
        ]
    # One mark a line, so that a narrow terminal never splits a mark from its meaning.
    return Text("\n".join(words), style=styles.DETAIL) if words else None


def _tree(
    graph: OrgGraph,
    tree: CustomerTree,
    root_label: Text,
    chokepoints: Collection[str] = (),
    critical: Collection[tuple[str, str]] = (),
) -> LazyTree:
    """The tree under ``root_label``: to rich a Tree of coloured labels, to a file or a pipe
    only its labels' characters, made one by one as they are written (:class:`LazyTree`)."""
    # Under a receivers tree the hand-off goes from the parent to the child.
    arrow = "→" if tree.direction == "providers" else "←"

    def labels(node_id: str) -> Iterator[tuple[Branch, _Label]]:
        for branch in tree.branches.get(node_id, ()):
            on_path = (branch.id, node_id) in critical
            yield branch, _branch_label(graph, branch, arrow, chokepoints, on_path)

    def children(node_id: object) -> Iterator[tuple[str, object | None]]:
        assert isinstance(node_id, str)
        for branch, label in labels(node_id):
            yield label.plain(), branch.id if branch.repeat is None else None

    def build(depth: int) -> Tree:
        root = Tree(root_label)
        # Iterative rather than recursive: a long chain of hand-offs must not hit the stack limit.
        stack: list[tuple[Tree, str, int]] = [(root, tree.customer, 0)]
        while stack:
            node, node_id, level = stack.pop()
            if level >= depth:
                continue
            for branch, label in labels(node_id):
                child = node.add(label.text())
                if branch.repeat is None:
                    stack.append((child, branch.id, level + 1))
        return root

    return LazyTree(root_label.plain, tree.customer, children, build, _deepest(tree))


def _deepest(tree: CustomerTree) -> int:
    """How many levels below its root ``tree`` expands (iteratively: chains run deep)."""
    deepest = 0
    stack = [(tree.customer, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        for branch in tree.branches.get(node, ()):
            if branch.repeat is None:
                stack.append((branch.id, level + 1))
            else:  # shown as a leaf here
                deepest = max(deepest, level + 1)
    return deepest


def customer_tree(
    graph: OrgGraph,
    tree: CustomerTree,
    chokepoints: Collection[str] = (),
    critical: Collection[tuple[str, str]] = (),
) -> LazyTree:
    """One customer's provider tree, drawn by rich as a Tree; chokepoints are marked as such,
    and the hand-offs in ``critical`` (provider, receiver) as on a critical path."""
    root_label = _party(graph, tree.customer)
    root_label.append("  external customer", style=styles.CUSTOMER)
    return _tree(graph, tree, root_label, chokepoints, critical)


def _title(graph: OrgGraph) -> Text:
    counts = dict.fromkeys(("team", "customer", "supplier"), 0)
    for node in graph.nodes:
        counts[graph.nodes[node]["kind"]] += 1
    title = Text(graph.graph.get("name") or "Organisation", style="bold")
    title.append(
        f"  {_plural(counts['team'], 'team')}, {_plural(counts['customer'], 'external customer')}, "
        f"{_plural(counts['supplier'], 'outside supplier')}",
        style="dim",
    )
    return title


def focus_view(graph: OrgGraph, trees: list[CustomerTree], depth: int) -> RenderableType:
    """``icmap graph --focus TEAM``: what the team receives, then whom it serves."""
    parts: list[RenderableType] = [_title(graph), Text()]
    for tree in trees:
        label = _party(graph, tree.customer)
        if tree.direction == "providers":
            label.append(f"  receives from (within {_plural(depth, 'hand-off')})", style="dim")
        else:
            label.append(f"  serves (within {_plural(depth, 'hand-off')})", style="dim")
        parts += [_tree(graph, tree, label), Text()]
    legend = _legend(trees)
    return Group(*parts, *([legend] if legend else []))


def group_view(graph: OrgGraph, group: str, trees: list[CustomerTree]) -> RenderableType:
    """``icmap graph --group G``: the group's teams as provider trees, outsiders unexpanded."""
    title = _title(graph)
    parts: list[RenderableType] = [title, Text(f"Group {group}", style="bold"), Text()]
    for tree in trees:
        label = _party(graph, tree.customer)
        serves = sorted(graph.successors(tree.customer))
        if serves:
            label.append(f"  → serves {', '.join(serves)}", style="dim")
        parts += [_tree(graph, tree, label), Text()]
    legend = _legend(trees)
    return Group(*parts, *([legend] if legend else []))


def org_view(
    graph: OrgGraph,
    trees: list[CustomerTree],
    reach: Reach,
    chokepoints: Collection[str] = (),
) -> RenderableType:
    """The whole terminal view: a title, each customer's tree, then who does not reach one."""
    parts: list[RenderableType] = [_title(graph), Text()]
    for tree in trees:
        parts += [customer_tree(graph, tree, chokepoints), Text()]
    legend = _legend(trees, chokepoints)
    if legend:
        parts += [legend, Text()]
    if reach.disconnected:
        parts.append(Text("No path to any external customer:", style=styles.NO_PATH))
        for node in reach.disconnected:
            line = Text("  • ")
            line.append_text(_party(graph, node))
            parts.append(line)
    else:
        parts.append(Text("Every team's work reaches an external customer.", style="green"))
    return Group(*parts)


#: The mark of a hand-off on a value stream's critical path.
CRITICAL_MARK = "◆"


def stream_view(graph: OrgGraph, flow: StreamFlow, trees: list[CustomerTree]) -> RenderableType:
    """``icmap graph --stream ID``: the stream's numbers, then its customer's provider tree
    over the stream's own hand-offs, each step of its critical path marked."""
    from icmap.render.picture.stream_words import facts

    title = Text(flow.stream.label, style="bold")
    title.append(f"  value stream {flow.id} to {flow.customer}", style="dim")
    parts: list[RenderableType] = [title]
    if flow.stream.starts:
        parts.append(Text(f"starts: {flow.stream.starts}", style=styles.DETAIL))
    path = Text("Critical path: ")
    path.append(" → ".join(flow.path), style=styles.CRITICAL)
    parts += [Text(), path]
    for what, value in facts(flow):
        line = Text(f"{what}: ", style="bold")
        line.append(value)
        parts.append(line)
    parts.append(Text())
    critical = {*zip(flow.path, flow.path[1:], strict=False), *flow.ties}
    # The stream's customer first, then any other its hand-offs reach.
    ordered = sorted(trees, key=lambda t: (t.customer != flow.customer, t.customer))
    for tree in ordered:
        parts += [customer_tree(graph, tree, critical=critical), Text()]
    legend = _legend(trees)
    marks = Text(f"{CRITICAL_MARK} critical path: on the stream's longest chain of lead times")
    marks.stylize(styles.DETAIL)
    parts.append(marks)
    if legend:
        parts.append(legend)
    return Group(*parts)
