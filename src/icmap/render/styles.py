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
#: Details: lead times, repeats, legends.
DETAIL = "dim"

#: The mark next to a low satisfaction score.
LOW_MARK = "⚠"
