"""The head of a benchmark ``icmap diff``: an org from ``generate.py`` changed as a pull request
would change it. Deterministic.

    python benchmarks/generate.py 100000 -o /tmp/org-100k.yaml
    python benchmarks/diff_pair.py /tmp/org-100k.yaml -o /tmp/org-100k-new.yaml
    icmap diff /tmp/org-100k.yaml /tmp/org-100k-new.yaml -f json -o /tmp/diff.json

One team in 2,000 is removed (and every hand-off to it), one lead time in 200 becomes ``9d``,
one team in 1,000 drops its last hand-off and as many gain one to a team two layers nearer the
customer (never a loop), and one team in 2,000 is added beside an existing one, handing on what
it does. At 100,000 teams that is 0.3 % of the file's lines: most teams read as before, at other
lines.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any


def changed(doc: dict[str, Any], seed: int = 29) -> dict[str, Any]:
    """``doc`` (as ``generate.py`` writes it) with the changes above, made in place."""
    rng = random.Random(seed)
    teams: dict[str, dict[str, Any]] = doc["teams"]
    ids = list(teams)
    removed = set(rng.sample(ids, len(ids) // 2000))
    for body in [*teams.values(), *doc["suppliers"].values()]:
        body["provides"] = [r for r in body.get("provides", []) if r["to"] not in removed]
    timed = 0
    for team in ids:
        for relation in teams[team].get("provides", []):
            if "lead_time" in relation:
                timed += 1
                if timed % 200 == 0:
                    relation["lead_time"] = "9d"
    kept = [t for t in ids if t not in removed]
    for team in rng.sample(kept, len(ids) // 1000):
        if teams[team]["provides"]:
            teams[team]["provides"].pop()

    def nearer(team: str) -> str | None:
        # A receiver of one of the team's receivers: two layers nearer the customer.
        outs = [r["to"] for r in teams[team].get("provides", []) if r["to"] in teams]
        if not outs:
            return None
        onward = [r["to"] for r in teams[rng.choice(outs)].get("provides", [])]
        return rng.choice(onward) if onward else None

    for team in rng.sample(kept, len(ids) // 1000):
        target = nearer(team)
        if target is not None:
            extra = {"what": f"extra for {team}", "to": target, "lead_time": "2d"}
            teams[team]["provides"].append(extra)
    beside = {t: n for n, t in enumerate(rng.sample(kept, len(ids) // 2000))}
    result: dict[str, dict[str, Any]] = {}
    for team in ids:
        if team in removed:
            continue
        result[team] = teams[team]
        if team in beside:
            n = beside[team]
            result[f"n{n:05d}"] = {
                "name": f"New team {n}",
                "group": teams[team]["group"],
                "lead": "Lead new",
                "provides": [
                    {"what": f"new output {k}", "to": r["to"], "lead_time": "1d"}
                    for k, r in enumerate(teams[team]["provides"][:3])
                ],
            }
    doc["teams"] = result
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path, help="an org file written by generate.py")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    doc = json.loads(args.base.read_text(encoding="utf-8"))
    text = json.dumps(changed(doc, args.seed), indent=1)
    args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
