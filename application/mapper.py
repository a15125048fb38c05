"""Stores domain events as JSON through pydantic, with metadata and class-version upcasting.

Events stay the library's frozen dataclasses; pydantic's `TypeAdapter` turns them into JSON and back,
so nested value objects, dates, decimals, enums and UUIDs round-trip exactly. Each stored state holds
the event's fields, its `class_version` when above 1, `__meta__` (actor, correlation id, time) and
`__chain__` (the previous and own hash of the aggregate's hash chain).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import TypeAdapter

from application.audit.chain import CHAIN, HashChain, canonical_json, chain_of
from application.context import EventMetadata, recording_metadata

META = "__meta__"


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)


class MissingMetadata(RuntimeError):
    """An event was about to be stored without the acting user and correlation id."""


class PydanticMapper(Mapper):
    """Maps dataclass domain events to stored JSON and back (with upcasting and metadata).

    Each stored state is sealed into its aggregate's hash chain (`__chain__`, see
    `application.audit.chain`); decoding remembers the stored hashes so the next save chains on.
    """

    def __init__(self, *args: Any, chain: HashChain | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chain = chain or HashChain()

    def to_stored_event(self, domain_event: DomainEventProtocol) -> StoredEvent:
        """Serialise an event, stamping it with the metadata of the save in progress."""
        meta = recording_metadata.get()
        if meta is None:
            raise MissingMetadata("events must be saved through MutasiApplication with an actor")
        cls = type(domain_event)
        state = _adapter(cls).dump_python(domain_event, mode="json")
        del state["originator_id"], state["originator_version"]
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        state[META] = _adapter(EventMetadata).dump_python(meta, mode="json")
        topic = get_topic(cls)
        self.chain.seal(topic, domain_event.originator_id, domain_event.originator_version, state)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=topic,
            state=self._encode(canonical_json(state)),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol:
        """Rebuild the event (upcast to its current class version) with `.metadata` attached."""
        cls = resolve_topic(stored_event.topic)
        state = self.stored_state(stored_event)
        meta = state.pop(META, None)
        link = chain_of(state)
        if link is not None:
            self.chain.remember(stored_event.originator_id, stored_event.originator_version, link[1])
        state.pop(CHAIN, None)
        from_version, to_version = state.pop("class_version", 1), getattr(cls, "class_version", 1)
        while from_version < to_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        domain_event = _adapter(cls).validate_python(state)
        metadata = _adapter(EventMetadata).validate_python(meta) if meta else None
        object.__setattr__(domain_event, "metadata", metadata)
        return domain_event

    def stored_state(self, stored_event: StoredEvent) -> dict[str, Any]:
        """The stored state as JSON, exactly as recorded (with `__meta__` and `__chain__`)."""
        return json.loads(self._decode(stored_event.state))

    def _encode(self, data: bytes) -> bytes:
        if self.compressor:
            data = self.compressor.compress(data)
        return self.cipher.encrypt(data) if self.cipher else data

    def _decode(self, data: bytes) -> bytes:
        if self.cipher:
            data = self.cipher.decrypt(data)
        return self.compressor.decompress(data) if self.compressor else data
