"""A deterministic generator of realistic synthetic orgs, for benchmarks.

    python benchmarks/generate.py 10000 -o /tmp/org-10k.yaml          # one file
    python benchmarks/generate.py 10000 -o /tmp/org-10k --per-team    # a file per team
    python benchmarks/generate.py 30000 -o /tmp/org-30k.yaml --customers-per 2000  # 15 customers

Teams sit in groups of about 25 and in layers by distance from the customers: each team provides
to 3-5 teams one layer closer to a customer (or to a customer from the front layer), with lead
times and satisfaction scores; about one team in 50 also hands something back, making loops; one
in 100 is fed by an outside supplier. The same seed always gives the same org.

There are 4 customers at every size unless ``--customers-per N`` asks for one customer segment
per N teams (issue 29: orgs whose customers grow with them, 51 at 100k with N = 2000).
``--chain`` writes the deepest, narrowest org instead: one chain of teams to one customer.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

UNITS = ("m", "h", "d", "w")


def org_document(
    teams: int,
    seed: int = 7,
    customers: int = 4,
    *,
    feedback: bool = True,
    customers_per: int | None = None,
) -> dict[str, object]:
    """The org as plain data (JSON is YAML, so it can be written either way).

    About 2% of teams also hand a team farther from the customers some feedback, marked
    ``feedback: true`` unless ``feedback`` is false (as icmap before feedback marks read it).
    With ``customers_per``, there is one customer per that many teams (at least one) instead
    of ``customers``.
    """
    if customers_per is not None:
        customers = max(1, teams // customers_per)
    rng = random.Random(seed)
    ids = [f"t{i:06d}" for i in range(teams)]
    layers = max(3, min(12, teams // 200 + 3))
    layer_of = {team: rng.randrange(layers) for team in ids}
    by_layer: dict[int, list[str]] = {}
    for team in ids:
        by_layer.setdefault(layer_of[team], []).append(team)
    customer_ids = [f"customer-{i}" for i in range(customers)]
    doc_teams: dict[str, object] = {}
    for index, team in enumerate(ids):
        layer = layer_of[team]
        targets = customer_ids if layer == 0 else by_layer.get(layer - 1) or customer_ids
        provides = []
        for receiver in rng.sample(targets, min(len(targets), rng.randint(3, 5))):
            relation: dict[str, object] = {
                "what": f"output {rng.randint(1, 40)} of {team}",
                "to": receiver,
            }
            if rng.random() < 0.9:
                relation["lead_time"] = f"{rng.randint(1, 48)}{rng.choice(UNITS[:3])}"
            if rng.random() < 0.7:
                relation["satisfaction"] = round(rng.uniform(1.5, 5.0), 1)
            provides.append(relation)
        if rng.random() < 0.02 and layer + 1 in by_layer:
            provides.append(
                {
                    "what": f"feedback from {team}",
                    "to": rng.choice(by_layer[layer + 1]),
                    "lead_time": "1w",
                    **({"feedback": True} if feedback else {}),
                }
            )
        doc_teams[team] = {
            "name": f"Team {index}",
            "group": f"Group {index // 25}",
            "lead": f"Lead {index}",
            "provides": provides,
        }
    suppliers = {
        f"supplier-{i}": {
            "provides": [{"what": "materials", "to": rng.choice(ids), "lead_time": "3d"}]
        }
        for i in range(max(1, teams // 100))
    }
    return {
        "organisation": f"Synthetic org of {teams} teams",
        "customers": {c: {"name": c.title()} for c in customer_ids},
        "suppliers": suppliers,
        "teams": doc_teams,
    }


def chain_document(teams: int, seed: int = 7) -> dict[str, object]:
    """The deepest, narrowest org: ``teams`` teams in one chain to one customer.

    Each team provides to the next (the last to the customer), with a lead time and most with
    a satisfaction score; every team strands all those before it (issue 29: analyses linear
    whatever the org's shape).
    """
    rng = random.Random(seed)
    ids = [f"t{i:06d}" for i in range(teams)]
    doc_teams: dict[str, object] = {}
    for index, team in enumerate(ids):
        relation: dict[str, object] = {
            "what": f"step {index}",
            "to": ids[index + 1] if index + 1 < teams else "customer-0",
            "lead_time": f"{rng.randint(1, 48)}{rng.choice(UNITS[:3])}",
        }
        if rng.random() < 0.7:
            relation["satisfaction"] = round(rng.uniform(1.5, 5.0), 1)
        doc_teams[team] = {
            "name": f"Team {index}",
            "group": f"Group {index // 25}",
            "provides": [relation],
        }
    return {
        "organisation": f"A chain of {teams} teams",
        "customers": {"customer-0": {"name": "Customer-0"}},
        "suppliers": {},
        "teams": doc_teams,
    }


def add_streams(doc: dict[str, object], streams: int, seed: int = 7, share: float = 0.1) -> None:
    """Declare ``streams`` value streams on ``doc`` and name them on their hand-offs.

    Stream k ends at customer k (round robin) and grows backwards from it: a delivery hand-off
    joins when its receiver is already in the stream, with even odds, until the stream holds
    ``share`` of the hand-offs; so every hand-off of a stream leads on to its customer. The
    stream's hand-offs get a process time and a %C&A.
    """
    rng = random.Random(seed * 7919 + streams)
    teams: dict[str, dict[str, list[dict[str, object]]]] = doc["teams"]  # type: ignore[assignment]
    customers = list(doc["customers"])  # type: ignore[call-overload]
    into: dict[str, list[tuple[str, dict[str, object]]]] = {}
    total = 0
    for team, body in teams.items():
        for relation in body["provides"]:
            total += 1
            if not relation.get("feedback"):
                into.setdefault(str(relation["to"]), []).append((team, relation))
    declared: dict[str, object] = {}
    for k in range(streams):
        stream = f"stream-{k}"
        customer = customers[k % len(customers)]
        declared[stream] = {"name": f"Stream {k}", "customer": customer, "target": "3w"}
        reached, frontier, size = {customer}, [customer], 0
        while frontier and size < share * total:
            receiver = frontier.pop()
            for provider, relation in into.get(receiver, []):
                if rng.random() >= 0.5 or size >= share * total:
                    continue
                relation.setdefault("streams", []).append(stream)  # type: ignore[attr-defined]
                size += 1
                if "lead_time" not in relation:
                    relation["lead_time"] = "1h"  # a process time needs a lead time around it
                relation.setdefault("process_time", "1m")
                relation.setdefault("complete_accurate", f"{rng.randint(70, 100)}%")
                if provider not in reached:
                    reached.add(provider)
                    frontier.append(provider)
    doc["streams"] = declared


def write(doc: dict[str, object], target: Path, per_team: bool) -> None:
    """One JSON-flavoured YAML file, or a folder with org.yaml plus teams/<id>.yaml."""
    if not per_team:
        target.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        return
    (target / "teams").mkdir(parents=True, exist_ok=True)
    head = {k: v for k, v in doc.items() if k != "teams"}
    (target / "org.yaml").write_text(json.dumps(head, indent=1), encoding="utf-8")
    for team, body in doc["teams"].items():  # type: ignore[attr-defined]
        text = json.dumps({"teams": {team: body}}, indent=1)
        (target / "teams" / f"{team}.yaml").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("teams", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-team", action="store_true", help="one file per team in a folder")
    parser.add_argument(
        "--unmarked", action="store_true", help="leave the feedback hand-offs unmarked"
    )
    parser.add_argument(
        "--customers-per",
        type=int,
        metavar="N",
        help="one customer per N teams (default: 4 customers whatever the size)",
    )
    parser.add_argument(
        "--streams",
        type=int,
        default=0,
        help="value streams to declare (each about 10%% of the hand-offs)",
    )
    parser.add_argument(
        "--chain", action="store_true", help="one chain of teams to one customer instead"
    )
    args = parser.parse_args()
    if args.chain:
        doc = chain_document(args.teams, args.seed)
    else:
        doc = org_document(
            args.teams, args.seed, feedback=not args.unmarked, customers_per=args.customers_per
        )
    if args.streams:
        add_streams(doc, args.streams, args.seed)
    write(doc, args.output, args.per_team)


if __name__ == "__main__":
    main()


def backstage_catalog(components: int, folder: Path, seed: int = 7) -> Path:
    """Write a Backstage catalog of ``components`` components; return its root Location file.

    One team (Group) per 20 components under departments of 10 teams, one API per 5 components,
    one System per 50; each component depends on up to 3 earlier ones and consumes up to 2 APIs,
    mostly near its own team as in real catalogs. Components are spread over files of 500,
    multi-document, found through a Location with a glob target. The same seed gives the same
    catalog.
    """
    rng = random.Random(seed)
    teams = max(1, components // 20)
    apis = max(1, components // 5)
    systems = max(1, components // 50)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entities").mkdir(exist_ok=True)
    docs = []
    for dept in range((teams + 9) // 10):
        docs.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: dept-{dept}}}\n"
            f"spec: {{type: department, profile: {{displayName: Department {dept}}}}}\n"
        )
    for team in range(teams):
        docs.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: team-{team}}}\n"
            f"spec: {{type: team, parent: dept-{team // 10}}}\n"
        )
    (folder / "entities" / "groups.yaml").write_text("---\n".join(docs), encoding="utf-8")

    def near(index: int, spread: int, limit: int) -> int:
        return max(0, min(limit - 1, index + rng.randint(-spread, spread)))

    docs = []
    for api in range(apis):
        docs.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {{name: api-{api}}}\n"
            f"spec: {{type: openapi, lifecycle: production, owner: team-{api * 5 // 20}, "
            f"definition: 'openapi: 3.0.0'}}\n"
        )
    for system in range(systems):
        docs.append(
            "apiVersion: backstage.io/v1alpha1\nkind: System\n"
            f"metadata: {{name: system-{system}}}\n"
            f"spec: {{owner: group:default/team-{system * 50 // 20}}}\n"
        )
    (folder / "entities" / "apis.yaml").write_text("---\n".join(docs), encoding="utf-8")
    for start in range(0, components, 500):
        docs = []
        for index in range(start, min(components, start + 500)):
            depends = sorted({near(index, 60, index) for _ in range(rng.randint(0, 3))} - {index})
            consumes = sorted({near(index // 5, 8, apis) for _ in range(rng.randint(0, 2))})
            lines = [
                "apiVersion: backstage.io/v1beta1",
                "kind: Component",
                f"metadata: {{name: component-{index}, tags: [generated]}}",
                "spec:",
                "  type: service",
                "  lifecycle: production",
                f"  owner: team-{index // 20}",
                f"  system: system-{index // 50}",
            ]
            if index % 5 == 0:
                lines.append(f"  providesApis: [api-{index // 5}]")
            if depends and index:
                lines.append(
                    f"  dependsOn: [{', '.join(f'component:component-{d}' for d in depends)}]"
                )
            if consumes:
                lines.append(f"  consumesApis: [{', '.join(f'api-{c}' for c in consumes)}]")
            docs.append("\n".join(lines) + "\n")
        name = f"components-{start // 500:03d}.yaml"
        (folder / "entities" / name).write_text("---\n".join(docs), encoding="utf-8")
    root = folder / "catalog-info.yaml"
    root.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: generated}\n"
        "spec: {targets: ['./entities/*.yaml']}\n",
        encoding="utf-8",
    )
    return root
