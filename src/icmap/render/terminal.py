"""The terminal view of ``icmap graph``: a provider tree per external customer.

Names go into :class:`rich.text.Text` objects, never into markup strings, so a team called
``[bold]`` prints as those characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from rich.tree import Tree

from icmap.analysis.trees import Branch, CustomerTree
from icmap.model import Relation

if TYPE_CHECKING:
    from icmap.analysis.reach import Reach
    from icmap.graph import OrgGraph

_KIND_STYLE = {"team": "bold cyan", "supplier": "bold magenta", "customer": "bold green"}


def _handed_over(relations: tuple[Relation, ...]) -> Text:
    text = Text()
    for index, relation in enumerate(relations):
        text.append(" → " if index == 0 else "; ", style="dim")
        text.append(relation.what)
        details = []
        if relation.lead_time is not None:
            details.append(str(relation.lead_time))
        if relation.satisfaction is not None:
            details.append(f"satisfaction {relation.satisfaction:.1f}")
        if details:
            text.append(f" ({', '.join(details)})", style="dim")
    return text


def _party(graph: OrgGraph, node: str) -> Text:
    data = graph.nodes[node]
    text = Text(node, style=_KIND_STYLE[data["kind"]])
    if data["name"] != node:
        text.append(f" {data['name']}", style="italic")
    if data["kind"] == "supplier":
        text.append(" (outside supplier)", style="magenta")
    if data.get("group"):
        text.append(f" [{data['group']}]", style="dim")
    return text


def _branch_label(graph: OrgGraph, branch: Branch) -> Text:
    if branch.repeat is None:
        label = _party(graph, branch.id)
    else:
        label = Text(branch.id, style=_KIND_STYLE[graph.nodes[branch.id]["kind"]])
    label.append_text(_handed_over(branch.handed_over))
    if branch.repeat == "loop":
        label.append("  ↺ loop", style="yellow")
    elif branch.repeat == "shown":
        label.append("  (repeat)", style="dim")
    return label


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


LEGEND = (
    "(repeat): expanded once, where it is closest to the customer. "
    "↺ loop: serves a team on its own path to the customer."
)


def customer_tree(graph: OrgGraph, tree: CustomerTree) -> Tree:
    """One customer's provider tree as a rich Tree."""
    root_label = _party(graph, tree.customer)
    root_label.append("  external customer", style="green")
    root = Tree(root_label)
    # Iterative rather than recursive: a long chain of hand-offs must not hit the stack limit.
    stack: list[tuple[Tree, str]] = [(root, tree.customer)]
    while stack:
        node, node_id = stack.pop()
        for branch in tree.branches.get(node_id, ()):
            child = node.add(_branch_label(graph, branch))
            if branch.repeat is None:
                stack.append((child, branch.id))
    return root


def org_view(graph: OrgGraph, trees: list[CustomerTree], reach: Reach) -> RenderableType:
    """The whole terminal view: a title, each customer's tree, then who does not reach one."""
    counts = dict.fromkeys(("team", "customer", "supplier"), 0)
    for node in graph.nodes:
        counts[graph.nodes[node]["kind"]] += 1
    title = Text(graph.graph.get("name") or "Organisation", style="bold")
    title.append(
        f"  {_plural(counts['team'], 'team')}, {_plural(counts['customer'], 'external customer')}, "
        f"{_plural(counts['supplier'], 'outside supplier')}",
        style="dim",
    )
    parts: list[RenderableType] = [title, Text()]
    for tree in trees:
        parts += [customer_tree(graph, tree), Text()]
    if any(b.repeat for tree in trees for found in tree.branches.values() for b in found):
        parts += [Text(LEGEND, style="dim"), Text()]
    if reach.disconnected:
        parts.append(Text("No path to any external customer:", style="bold yellow"))
        for node in reach.disconnected:
            line = Text("  • ")
            line.append_text(_party(graph, node))
            parts.append(line)
    else:
        parts.append(Text("Every team's work reaches an external customer.", style="green"))
    return Group(*parts)
