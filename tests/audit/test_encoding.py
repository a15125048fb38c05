"""A sealed state is encoded once: the bytes stored are exactly the canonical JSON of the whole state
(`__chain__` included), which is what any verifier recomputes, and its hash is the chain's hash."""

from __future__ import annotations

import json
import string
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from application.audit.chain import CHAIN, GENESIS, HashChain, canonical_json, event_hash

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                      max_leaves=8)
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
    assert state[CHAIN]["hash"] == event_hash(state[CHAIN]["previous"], "domain.x:Thing.Done", aggregate,
                                              version, content)
