"""``icmap survey -f csv``: the questionnaire as a table to fill in a spreadsheet.

Written as Excel and Google Sheets open it cleanly: UTF-8 with a byte-order mark (without it
Excel reads accented names as Latin-1), Windows line ends, commas, and cells quoted where
needed. A cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return first) is written with the apostrophe spreadsheets use to keep text as text; the
response reader drops it. The HTML questionnaire's Save button applies the same rule
(:data:`FORMULA_START`) in the browser, so both write the same cells.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

from icmap.safe_text import FORMULA_START

if TYPE_CHECKING:
    from icmap.analysis.surveys import Question

#: The header row; ``icmap`` reads answers back by these names (docs/surveys.md).
HEADER = (
    "receiver",
    "provider",
    "what",
    "declared_lead_time",
    "score",
    "lead_time",
    "complete_accurate",
    "comment",
    "respondent",
)
__all__ = ["FORMULA_START", "HEADER", "guard", "render"]
_FORMULA = re.compile("^" + FORMULA_START)


def guard(text: str) -> str:
    """``text`` as a cell a spreadsheet keeps as text; idempotent.

    >>> guard("=HYPERLINK(1)"), guard("+1d"), guard("'=x"), guard("Dishes")
    ("'=HYPERLINK(1)", "'+1d", "'=x", 'Dishes')
    """
    return "'" + text if _FORMULA.match(text) else text


def render(questions: list[Question], *, bom: bool = True, delimiter: str = ",") -> str:
    """The questionnaire; ``bom`` starts it with the byte-order mark Excel needs.

    ``delimiter`` ``;`` is for Excel where the comma is the decimal mark (most of Europe): it
    opens a comma-separated file as one column.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for q in questions:
        cells = [guard(q.receiver), guard(q.provider), guard(q.what), guard(q.lead_time)]
        writer.writerow(cells + [""] * (len(HEADER) - len(cells)))
    return ("\ufeff" if bom else "") + buffer.getvalue()
