"""Write tickets.csv: a quarter of the service desk's ticket history, with drift planted.

The log is what a ticket tool's assignment-group history gives (one row per event: ticket,
timestamp, assignment_group, activity) for the org declared in org.yaml beside it. It is
made deterministically (seeded), so running this again gives the same file, and the file is
committed: the tests and the README need no generation step.

Most of it follows the declared org, with lead times inside the declared ones. Planted on
purpose, for ``icmap check --events`` to find (docs/events.md#declared-against-measured):

- an **undeclared hand-off**: Network Ops sends a third of its tickets straight on to
  Application Support, which the org never declares (IC701);
- a **declared hand-off never used**: apps → network "Firewall change requests" is declared,
  and the log shows both teams at work but never that hand-off (IC702);
- a **slow hand-off**: Access Management is declared to grant access in 4 hours; the log's
  median is over a day (IC703);
- a **ping-pong pair**: Application Support sends three tickets in ten back to the Service
  Desk for more information, and most go straight back to it (IC704);
- a **name the org does not know**: the log calls Field Services "Field Service" (IC705,
  with a did-you-mean); team-map.csv maps the two other names that differ, "Network Ops" and
  "IAM".

Usage: ``python examples/service-desk/generate_log.py [--out FILE] [--tickets N]``.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 30
START = datetime(2026, 1, 5, 8, 0)
DAYS = 82

DESK, APPS, NETWORK, IAM, FIELD, DEV = (
    "Service Desk",
    "Application Support",
    "Network Ops",
    "IAM",
    "Field Service",
    "Development",
)
END = "end"

#: Median hours a ticket stays with a team before it goes to the next (or is resolved).
MEDIAN_HOURS = {
    (DESK, END): 1.0,
    (DESK, APPS): 1.5,
    (DESK, NETWORK): 1.5,
    (DESK, IAM): 1.5,
    (DESK, FIELD): 1.5,
    (APPS, END): 12.0,
    (APPS, DEV): 10.0,
    (APPS, DESK): 2.0,
    (NETWORK, END): 10.0,
    (NETWORK, APPS): 6.0,  # planted: undeclared
    (IAM, END): 30.0,  # planted: declared 4h
    (FIELD, END): 24.0,
    (DEV, END): 60.0,
}
#: The spread of stays around their median (a log-normal's sigma): the 85th percentile is
#: about 1.7 times the median.
SIGMA = 0.5


def route(rng: random.Random) -> list[str]:
    """The teams one ticket passes through, in order."""
    roll = rng.random()
    if roll < 0.30:
        return [DESK]
    if roll < 0.58:
        teams = [DESK, APPS]
        if rng.random() < 0.30:  # planted: sent back for more information
            teams.append(DESK)
            if rng.random() < 0.30:
                return teams  # the desk answers it after all
            teams.append(APPS)
        if rng.random() < 0.12:
            teams.append(DEV)
        return teams
    if roll < 0.73:
        teams = [DESK, NETWORK]
        if rng.random() < 0.35:  # planted: straight on to apps, never declared
            teams.append(APPS)
        return teams
    if roll < 0.88:
        return [DESK, IAM]
    return [DESK, FIELD]


def stay_hours(rng: random.Random, team: str, following: str) -> float:
    median = MEDIAN_HOURS[team, following]
    return median * math.exp(rng.gauss(0.0, SIGMA))


def events(tickets: int, seed: int = SEED) -> list[tuple[str, str, str, str]]:
    """``(ticket, timestamp, assignment_group, activity)`` rows, tickets in the order opened."""
    rng = random.Random(seed)
    opened = sorted(
        START + timedelta(minutes=rng.randrange(DAYS * 24 * 60)) for _ in range(tickets)
    )
    rows = []
    for number, start in enumerate(opened, start=1):
        ticket, when = f"INC{number:05d}", start
        teams = route(rng)
        for place, team in enumerate(teams):
            following = teams[place + 1] if place + 1 < len(teams) else END
            hours = stay_hours(rng, team, following)
            activity = "Opened" if place == 0 else "Assigned"
            rows.append((ticket, when, team, activity))
            if hours > 2 and rng.random() < 0.5:
                note = when + timedelta(hours=hours * rng.uniform(0.2, 0.8))
                rows.append((ticket, note, team, "Work note"))
            when += timedelta(hours=hours)
            if following == END:
                rows.append((ticket, when, team, "Resolved"))
    return [
        (ticket, when.replace(second=0, microsecond=0).isoformat(sep=" "), team, activity)
        for ticket, when, team, activity in rows
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "tickets.csv")
    parser.add_argument("--tickets", type=int, default=900)
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["ticket", "timestamp", "assignment_group", "activity"])
        writer.writerows(events(args.tickets))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
