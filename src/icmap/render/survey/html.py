"""``icmap survey -f html``: a questionnaire to fill in a browser, one form per team.

The page needs no server and loads nothing: its button turns the filled form into the response
CSV (the columns ``icmap survey -f csv`` writes), ready to save under the round's name.

What a respondent types is theirs, and whoever collects the answers opens the file in a
spreadsheet: every cell of the saved CSV is guarded against formulas by the rule ``icmap survey
-f csv`` uses (:data:`icmap.render.survey.csv.FORMULA_START`), so both write the same cells,
and the response reader drops the guard again, in every column.
"""

from __future__ import annotations

import json
from html import escape
from itertools import groupby
from typing import TYPE_CHECKING

from icmap.render.survey.csv import FORMULA_START, HEADER, guard
from icmap.render.survey.markdown import INSTRUCTIONS

if TYPE_CHECKING:
    from icmap.analysis.surveys import Question

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }
input[type=number] { width: 4em; } input.lead, input.share { width: 6em; } textarea { width: 100%; }
@media print { button, .respondent { display: none; } }
"""

# Builds the CSV from the form; every cell guarded against formulas as csv.guard does it (a `'`
# first when it starts with FORMULA_START), then quoted as RFC 4180 (a quote doubles, cells with
# , " or a line break are quoted) so the reader gets back exactly what was typed.
_SCRIPT = """
const FORMULA = new RegExp('^' + FORMULA_START);
function g(v) { return FORMULA.test(v) ? "'" + v : v; }
function q(v) { return /[",\\r\\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; }
function download(team) {
  const header = HEADER;
  const who = document.getElementById('respondent').value;
  const lines = [header.join(',')];
  for (const row of document.querySelectorAll('tr[data-team="' + CSS.escape(team) + '"]')) {
    const d = row.dataset, f = (n) => row.querySelector('[name=' + n + ']').value.trim();
    lines.push([d.receiver, d.provider, d.what, d.lead, f('score'), f('lead_time'),
                f('complete_accurate'), f('comment'), who].map((v) => q(g(v))).join(','));
  }
  const blob = new Blob(['\\ufeff' + lines.join('\\r\\n') + '\\r\\n'], {type: 'text/csv'});
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = team + '-answers.csv';
  link.click();
}
"""


def _team(questions: list[Question]) -> list[str]:
    first = questions[0]
    team = escape(first.receiver)
    out = [
        f"<h2>What {escape(first.receiver_name)} receives</h2>",
        "<table>",
        "<tr><th>from</th><th>what</th><th>declared lead time</th><th>score (1 to 5)</th>"
        "<th>lead time you experience</th><th>complete and accurate</th><th>comment</th></tr>",
    ]
    for q in questions:
        # data-team selects the rows; the others go into the CSV, guarded against formulas.
        data = f'data-team="{escape(q.receiver)}" ' + " ".join(
            f'data-{key}="{escape(guard(value))}"'
            for key, value in (
                ("receiver", q.receiver),
                ("provider", q.provider),
                ("what", q.what),
                ("lead", q.lead_time),
            )
        )
        out.append(
            f"<tr {data}><td>{escape(q.provider_name)}</td><td>{escape(q.what)}</td>"
            f"<td>{escape(q.lead_time or '—')}</td>"
            '<td><input type="number" name="score" min="1" max="5" step="0.5"></td>'
            '<td><input class="lead" name="lead_time" placeholder="e.g. 2d"></td>'
            '<td><input class="share" name="complete_accurate" placeholder="e.g. 85%"></td>'
            '<td><textarea name="comment" rows="1"></textarea></td></tr>'
        )
    out.append("</table>")
    out.append(
        f"<button type=\"button\" onclick='download({escape(json.dumps(first.receiver))})'>"
        f"Save {team}'s answers as CSV</button>"
    )
    return out


def render(questions: list[Question], organisation: str = "") -> str:
    """A standalone page with a form for every receiving team in ``questions``."""
    title = "Internal-customer survey" + (f": {organisation}" if organisation else "")
    body: list[str] = []
    for _, group in groupby(questions, key=lambda q: q.receiver):
        body += _team(list(group))
    if not body:
        body = ["<p>No team receives anything: there is nothing to ask.</p>"]
    script = _SCRIPT.replace("FORMULA_START", json.dumps(FORMULA_START)).replace(
        "HEADER", json.dumps(list(HEADER))
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            f"<p>{escape(INSTRUCTIONS)}</p>",
            '<p class="respondent"><label>Your name (optional): '
            '<input id="respondent"></label></p>',
            *body,
            f"<script>{script}</script>",
            "</body></html>",
            "",
        ]
    )
