"""A sealed state is encoded once: the bytes stored are exactly the canonical JSON of the whole state
(`__chain__` included), which is what any verifier recomputes, and its hash is the chain's hash."""

from __future__ import annotations

import json
import string
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from application.persistence.chain import CHAIN, GENESIS, HashChain, canonical_json, event_hash

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3), max_leaves=8
)
field_names = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12).filter(lambda k: k != CHAIN)
any_keys = st.text(max_size=12).filter(lambda k: k != CHAIN)


@given(st.dictionaries(field_names | any_keys, values, max_size=6), st.integers(min_value=1, max_value=3))
def test_the_stored_bytes_are_the_canonical_json_of_the_sealed_state(state: dict, version: int) -> None:
    chain, aggregate = HashChain(lambda *_: GENESIS), uuid4()
    state = {**state, "__meta__": {"actor": "siti", "recorded_at": "2026-11-22T10:00:00+00:00"}}
    content = dict(state)
    stored = chain.seal("domain.x:Thing.Done", aggregate, version, state)
    assert stored == canonical_json(state)  # what a verifier re-encodes, byte for byte
    assert json.loads(stored)[CHAIN] == state[CHAIN]
    assert state[CHAIN]["hash"] == event_hash(
        state[CHAIN]["previous"], "domain.x:Thing.Done", aggregate, version, content
    )


def _definition(state: dict) -> bytes:
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


wide_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 2, max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8"))
)
wide_values = st.recursive(
    wide_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=8), wide_values, max_size=6))
def test_canonical_json_is_always_the_bytes_of_its_definition(state: dict) -> None:
    """The fast encoder is used where it agrees with the stdlib definition, and only there: floats
    (spelled differently by orjson), integers beyond 64 bits, any key and any text."""
    assert canonical_json(state) == _definition(state)


def test_canonical_json_of_floats_and_huge_integers_follows_the_definition() -> None:
    for value in (1e-07, 1e-05, 1e16, 1.5e300, -0.0, 2**64, -(2**70), [1e-7, {"x": 1e22}]):
        assert canonical_json({"v": value}) == _definition({"v": value})
