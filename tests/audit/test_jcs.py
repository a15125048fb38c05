"""The canonical JSON the chain hashes and the log signs is RFC 8785 (JCS) on every state an event can
have (keys are identifiers, values JSON without floats), checked against the `rfc8785` library."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from application.persistence.chain import canonical_json

SAFE = 2**53 - 1
keys = st.text(st.characters(max_codepoint=0xD7FF, exclude_categories=("Cs",)), max_size=12)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-SAFE, SAFE)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
)
states = st.dictionaries(
    keys,
    st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=20
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(states)
def test_canonical_json_is_jcs(state) -> None:
    assert canonical_json(state) == rfc8785.dumps(state)


def test_escapes_and_unicode_as_jcs_spells_them() -> None:
    state = {"b": '\u2028\x7f\x1f"\\/\b\f\n\r\t', "a": "😀 Šá", "__meta__": {"z": None, "A": [True, -0]}}
    assert canonical_json(state) == rfc8785.dumps(state)
