"""Stores domain events as JSON through pydantic, with metadata and class-version upcasting.

Events stay the library's frozen dataclasses; pydantic's `TypeAdapter` turns them into JSON and back,
so nested value objects, dates, decimals, enums and UUIDs round-trip exactly. Each stored state holds
the event's fields, its `class_version` when above 1, and `__meta__` (actor, correlation id, time).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import TypeAdapter

from application.context import EventMetadata, recording_metadata

META = "__meta__"


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)


def canonical_json(state: dict[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class MissingMetadata(RuntimeError):
    """An event was about to be stored without the acting user and correlation id."""


class PydanticMapper(Mapper):
    """Maps dataclass domain events to stored JSON and back (with upcasting and metadata)."""

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
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(cls),
            state=self._encode(canonical_json(state)),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol:
        """Rebuild the event (upcast to its current class version) with `.metadata` attached."""
        cls = resolve_topic(stored_event.topic)
        state = json.loads(self._decode(stored_event.state))
        meta = state.pop(META, None)
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

    def _encode(self, data: bytes) -> bytes:
        if self.compressor:
            data = self.compressor.compress(data)
        return self.cipher.encrypt(data) if self.cipher else data

    def _decode(self, data: bytes) -> bytes:
        if self.cipher:
            data = self.cipher.decrypt(data)
        return self.compressor.decompress(data) if self.compressor else data
