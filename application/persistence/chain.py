"""The per-aggregate hash chain written inside each stored event's state (`__chain__`).

An event's hash is SHA-256 over, each followed by a newline: the previous event's hash (of the same
aggregate; 64 zeros before version 1), the topic, the originator id, the version, and then the
canonical JSON of the state without `__chain__` (metadata included). Any verifier can recompute it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

import orjson

CHAIN = "__chain__"
GENESIS = "0" * 64


def canonical_json(state: dict[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, no spaces, UTF-8; by definition the bytes of
    `json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.

    orjson writes the same bytes for plain JSON values other than floats (it spells some exponents
    differently: `1e-7` for `1e-07`) about ten times as fast, so it is used when the state holds
    only dicts, lists, strings, integers, booleans and nulls (as every event of ours does) and can
    encode them (not, e.g., integers beyond 64 bits); anything else is left to the definition."""
    if _plain(state):
        try:
            return orjson.dumps(state, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass  # the definition decides (and raises what it raises)
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_SCALARS = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> bool:
    """Whether `value` is made of dicts, lists, tuples and `_SCALARS` only (exact types)."""
    kind = type(value)
    if kind is dict:
        value = value.values()
    elif kind is not list and kind is not tuple:
        return kind in _SCALARS
    for item in value:
        kind = type(item)
        if kind in _SCALARS:
            continue
        if not _plain(item):
            return False
    return True


def event_hash(previous: str, topic: str, originator_id: UUID | str, version: int, state: dict[str, Any]) -> str:
    """The chained hash of an event (its state's own `__chain__`, if any, is left out)."""
    content = {key: value for key, value in state.items() if key != CHAIN}
    return _digest(previous, topic, originator_id, version, canonical_json(content))


def _digest(previous: str, topic: str, originator_id: UUID | str, version: int, content: bytes) -> str:
    head = f"{previous}\n{topic}\n{originator_id}\n{version}\n".encode()
    return hashlib.sha256(head + content).hexdigest()


def with_link(content: dict[str, Any], encoded: bytes, link: dict[str, str]) -> bytes:
    """`canonical_json` of `content` with `__chain__` = `link` added, from `encoded` (the canonical
    JSON of `content`): `__chain__` sorts before every key that starts with a lowercase letter or
    `__meta__`, so it is spliced in at the front instead of encoding the whole state a second time."""
    if not content or min(content) <= CHAIN:  # a key that would sort before it: encode it all
        return canonical_json({**content, CHAIN: link})
    return b'{"' + CHAIN.encode() + b'":' + canonical_json(link) + b"," + encoded[1:]


def chain_of(state: dict[str, Any]) -> tuple[str, str] | None:
    """The (previous, hash) pair stored in a state, or None for an unchained (legacy) event."""
    link = state.get(CHAIN)
    if not isinstance(link, dict):
        return None
    previous, digest = link.get("previous"), link.get("hash")
    return (previous, digest) if isinstance(previous, str) and isinstance(digest, str) else None


class ChainBroken(RuntimeError):
    """The previous event of an aggregate could not be found to chain a new event to it."""


class HashChain:
    """Seals events as they are encoded; remembers the last hash per aggregate (bounded LRU).

    `read_previous(originator_id, version)` is the fallback on a cache miss: one indexed read of the
    stored event at that version, returning its hash (None when it is missing).
    """

    def __init__(self, read_previous: Callable[[UUID, int], str | None] | None = None, size: int = 100_000) -> None:
        self.read_previous = read_previous
        self.size = size
        self._heads: OrderedDict[int | str, tuple[int, str]] = OrderedDict()  # by `_key`
        self._lock = threading.Lock()

    def remember(self, originator_id: UUID, version: int, digest: str) -> None:
        """Note that `originator_id` at `version` has hash `digest`."""
        key = _key(originator_id)
        with self._lock:
            self._heads[key] = (version, digest)
            self._heads.move_to_end(key)
            if len(self._heads) > self.size:
                self._heads.popitem(last=False)

    def forget(self, originator_ids: Iterable[UUID]) -> None:
        """Drop what was noted for these aggregates (their save failed; the store decides again)."""
        with self._lock:
            for originator_id in originator_ids:
                self._heads.pop(_key(originator_id), None)

    def previous(self, originator_id: UUID, version: int) -> str:
        """The hash an event at `version` chains to: the cached head, else one indexed read."""
        if version <= 1:
            return GENESIS
        with self._lock:
            head = self._heads.get(_key(originator_id))
        if head is not None and head[0] == version - 1:
            return head[1]
        stored = self.read_previous(originator_id, version - 1) if self.read_previous else None
        if stored is None:
            raise ChainBroken(f"no stored hash for {originator_id} version {version - 1}")
        return stored

    def seal(self, topic: str, originator_id: UUID, version: int, state: dict[str, Any]) -> bytes:
        """Add `__chain__` to `state` (in place), remember the new head, and return the state's
        canonical JSON (encoded once: the bytes hashed are the bytes stored, `__chain__` spliced in)."""
        previous = self.previous(originator_id, version)
        encoded = canonical_json(state)
        digest = _digest(previous, topic, originator_id, version, encoded)
        link = {"previous": previous, "hash": digest}
        stored = with_link(state, encoded, link)
        state[CHAIN] = link
        self.remember(originator_id, version, digest)
        return stored


def _key(originator_id: UUID | str) -> int | str:
    """An aggregate's key among the heads: a UUID's integer, which the cyclic garbage collector does
    not track (a UUID object is tracked, and 100,000 of them lengthened every full collection)."""
    return originator_id.int if isinstance(originator_id, UUID) else originator_id
