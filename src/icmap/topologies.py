"""The Team Topologies vocabulary: team types, interaction modes and dependency states.

The words are the ones the TeamTopologies Team API template and TeamAPI-As-Code use. People
write them in many ways (``X-as-a-Service``, ``XaaS``, ``Stream Aligned Team``); :func:`normalise`
turns any of those into the one spelling icmap stores, or ``None`` for a word it does not know.
"""

from __future__ import annotations

import re

#: Team types, in the order Team Topologies presents them.
TEAM_TYPES = ("stream-aligned", "platform", "enabling", "complicated-subsystem")
#: Interaction modes.
MODES = ("x-as-a-service", "collaboration", "facilitating")
#: How the receiving team sees a dependency (the dependency tracker's three values).
STATES = ("ok", "slowing", "blocking")
#: Modes Team Topologies treats as temporary: they should say when they end.
TEMPORARY_MODES = ("collaboration", "facilitating")

_ALIASES = {
    "xaas": "x-as-a-service",
    "x-as-service": "x-as-a-service",
    "as-a-service": "x-as-a-service",
    "facilitation": "facilitating",
    "facilitate": "facilitating",
    "collaborating": "collaboration",
    "collaborate": "collaboration",
    "stream": "stream-aligned",
    "streamaligned": "stream-aligned",
    "complicated-subsystems": "complicated-subsystem",
    "complicatedsubsystem": "complicated-subsystem",
    "cst": "complicated-subsystem",
}


def normalise(text: str, allowed: tuple[str, ...]) -> str | None:
    """``text`` in icmap's spelling if it names one of ``allowed``, else ``None``.

    Case, spaces, underscores and a trailing "team" do not matter.

    >>> normalise("X-as-a-Service", MODES), normalise("XaaS", MODES)
    ('x-as-a-service', 'x-as-a-service')
    >>> normalise("Stream Aligned Team", TEAM_TYPES), normalise("Blocking", STATES)
    ('stream-aligned', 'blocking')
    >>> normalise("sometimes", STATES) is None
    True
    """
    word = re.sub(r"[\s_]+", "-", text.strip().lower())
    word = re.sub(r"-?team$", "", word).strip("-")
    word = _ALIASES.get(word, word)
    return word if word in allowed else None


def did_you_mean_word(text: str, allowed: tuple[str, ...]) -> str | None:
    """``did you mean 'platform'?`` for a misspelt word of ``allowed`` (a type, a mode, a
    state), or ``None``. A handful of words far apart: a looser match than for ids.

    >>> did_you_mean_word("platfrom", TEAM_TYPES), did_you_mean_word("colab", MODES)
    ("did you mean 'platform'?", "did you mean 'collaboration'?")
    >>> did_you_mean_word("sometimes", STATES) is None
    True
    """
    import difflib

    close = difflib.get_close_matches(text.strip().lower(), allowed, 1, 0.5)
    return f"did you mean {close[0]!r}?" if close else None
