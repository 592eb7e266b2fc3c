"""What each colour means, the same in every command.

Colour only ever repeats what a word or symbol already says, so ``NO_COLOR`` (or a pipe) loses
nothing: a low score carries ``⚠``, a chokepoint the word, a loop ``↺ loop``, feedback
``↺ feedback``, a team cut off from the customers the words "no path". Everything else is
plain or dim, so the colours stand out where they matter.
"""

from __future__ import annotations

#: A team's id: no colour, it is most of the screen.
TEAM = "bold"
#: An external customer (always with the words "external customer" or in a customer column).
CUSTOMER = "bold green"
#: An outside supplier (always with "(outside supplier)").
SUPPLIER = "magenta"
#: A satisfaction below the low mark, always with "⚠".
LOW = "bold red"
#: A chokepoint, always with the word.
CHOKEPOINT = "yellow"
#: A hand-off closing a loop, with "↺ loop"; a loop's cycles.
LOOP = "yellow"
#: A feedback hand-off, with "↺ feedback".
FEEDBACK = "blue"
#: A team or supplier whose work reaches no customer, always with words that say so.
NO_PATH = "red"
#: A hand-off on a value stream's critical path, always with "◆ critical path".
CRITICAL = "magenta"
#: A return rate in the measured map's amber band (the red band is :data:`LOW`); always with
#: the rate in words.
SLOWING = "yellow"
#: Details: lead times, repeats, legends.
DETAIL = "dim"

#: The mark next to a low satisfaction score.
LOW_MARK = "⚠"

# The pictures' palette (DOT, SVG, PNG, PDF, the HTML page and Mermaid draw with it), as hex
# colours: Graphviz, the browser and Mermaid read the same values, so every picture agrees.

#: Each node kind's (fill, border).
NODE_COLOURS = {
    "customer": ("#d9f2d9", "#2e7d32"),
    "supplier": ("#f3e5f5", "#7b1fa2"),
    "team": ("#ffffff", "#455a64"),
}
#: A front-line team's (fill, border): blue, drawn with a thicker border.
FRONT_LINE_COLOURS = ("#e3f2fd", "#1565c0")
#: Each role's fill in an impact, focus or group picture.
ROLE_FILLS = {
    "failed": "#ef9a9a",
    "downstream": "#ffe0b2",
    "stranded": "#e0e0e0",
    "upstream": "#e3f2fd",
    "focus": "#fff59d",
}
#: The failed team's border.
FAILED_BORDER = "#c62828"
#: Team Topologies' shape key: each team type's (fill, border).
TYPE_COLOURS = {
    "stream-aligned": ("#ffedb3", "#c9a227"),
    "platform": ("#cfe2f3", "#3d78b8"),
    "enabling": ("#e6dcf5", "#7e57c2"),
    "complicated-subsystem": ("#ffd9b8", "#d9661f"),
}
#: A hand-off's line, and one in a loop of mutual service.
HANDOFF_LINE = "#78909c"
LOOP_LINE = "#ef6c00"
#: A critical path: a value stream's in its picture, a customer's lit on the HTML page.
CRITICAL_LINE = "#c2185b"
#: The lines of the interaction modes drawn in colour (x-as-a-service is a plain hand-off).
MODE_LINES = {"collaboration": "#b39ddb", "facilitating": "#7e57c2"}
#: The dependency states a picture marks (``ok`` is not marked).
STATE_LINES = {"blocking": "#c62828", "slowing": "#e0a800"}
#: A measured hand-off's line by return-rate band (below 5%, from 5%, from 20%:
#: :data:`icmap.analysis.measured.RETURN_BANDS`), and its label's text, darker where amber
#: would be hard to read on white.
RETURN_LINES = ("#78909c", "#f9a825", "#d32f2f")
RETURN_TEXT = ("#37474f", "#9a6700", "#c62828")
#: A group's cluster: (border, name).
GROUP_COLOURS = ("#b0bec5", "#607d8b")
