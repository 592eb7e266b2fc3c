"""Property tests: whatever the text, loading gives an Org or a LoadError, never anything else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from icmap import build_graph, load_text
from icmap.errors import LoadError

_IDS = st.sampled_from(["a", "b", "c", "shop", "no", "123", "x y"])
_SCALARS = st.one_of(_IDS, st.text(max_size=8), st.integers(), st.none(), st.booleans())


def _yaml_value(depth: int = 0) -> st.SearchStrategy[str]:
    scalar = _SCALARS.map(
        lambda v: "null" if v is None else repr(v) if isinstance(v, str) else str(v)
    )
    if depth > 2:
        return scalar
    child = st.deferred(lambda: _yaml_value(depth + 1))
    return st.one_of(
        scalar,
        st.lists(child, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(
            st.sampled_from(["what", "to", "from", "lead_time", "teams", "provides", "name", "a"]),
            child,
            max_size=3,
        ).map(lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"),
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_escapes_as_another_exception(text: str) -> None:
    try:
        load_text(text)
    except LoadError as error:
        assert error.diagnostics
        assert all(d.line >= 1 and d.col >= 1 for d in error.diagnostics)


@settings(max_examples=200, deadline=None)
@given(
    customers=_yaml_value(),
    teams=_yaml_value(),
    lead=st.sampled_from(["1d", "5", "-1h", "2.5w", "x", "1e9m"]),
)
def test_structured_but_wrong_documents_are_diagnosed(
    customers: str, teams: str, lead: str
) -> None:
    text = (
        f"customers: {customers}\n"
        f"teams: {teams}\n"
        f"x-extra: {{t: {{provides: [{{what: w, to: a, lead_time: {lead}}}]}}}}\n"
    )
    try:
        org = load_text(text)
    except LoadError as error:
        assert error.diagnostics
    else:
        graph = build_graph(org)
        assert set(graph.nodes) == set(org.teams) | set(org.customers) | set(org.suppliers)
