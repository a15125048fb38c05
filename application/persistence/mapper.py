"""Stores domain events as JSON through pydantic, with metadata and class-version upcasting.

Events stay the library's frozen dataclasses; pydantic's `TypeAdapter` turns them into JSON and back,
so nested value objects, dates, decimals, enums and UUIDs round-trip exactly. Each stored state holds
the event's fields, its `class_version` when above 1, `__meta__` (actor, correlation id, time) and
`__chain__` (the previous and own hash of the aggregate's hash chain).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import TypeAdapter

from application.persistence.chain import CHAIN, HashChain

META = "__meta__"


@dataclass(frozen=True)
class EventMetadata:
    """Stored with each event: acting user, correlation id, and when the event was recorded."""

    actor: str
    correlation_id: str
    recorded_at: datetime

    @classmethod
    def now(cls, actor: str, correlation_id: str) -> EventMetadata:
        """Metadata for events recorded now on behalf of user `actor`."""
        return cls(actor, correlation_id, datetime.now(UTC))


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)


class MissingMetadata(RuntimeError):
    """An event was about to be stored without the acting user and correlation id (every save
    passes `metadata=EventMetadata(...)`, see `application.persistence.event_store`)."""


class PydanticMapper(Mapper[UUID]):
    """Maps dataclass domain events to stored JSON and back (with upcasting and metadata).

    Each stored state is sealed into its aggregate's hash chain (`__chain__`, see
    `application.persistence.chain`); decoding remembers the stored hashes so the next save chains on.
    """

    def __init__(self, *args: Any, chain: HashChain | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chain = chain or HashChain()
        self._last_meta: tuple[EventMetadata | None, dict[str, Any]] = (None, {})
        self._last_read_meta: tuple[dict[str, Any] | None, EventMetadata | None] = (None, None)

    def to_stored_event(
        self, domain_event: DomainEventProtocol[UUID], metadata: EventMetadata | None = None
    ) -> StoredEvent:
        """Serialise an event, stamping it with the `metadata` of its save (required)."""
        meta = metadata
        if meta is None:
            raise MissingMetadata("an event is stored with who recorded it: save(..., metadata=EventMetadata(...))")
        cls = type(domain_event)
        state = _adapter(cls).dump_python(domain_event, mode="json")
        del state["originator_id"], state["originator_version"]
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        state[META] = self._dumped(meta)
        topic = get_topic(cls)
        encoded = self.chain.seal(topic, domain_event.originator_id, domain_event.originator_version, state)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=topic,
            state=self._encode(encoded),
        )

    def _dumped(self, meta: EventMetadata) -> dict[str, Any]:
        """The save's metadata as JSON, dumped once per save (all its events share it, read-only).
        One tuple, read and replaced whole, so concurrent saves never pair one's metadata with
        another's."""
        last = self._last_meta
        if last[0] is not meta:
            last = self._last_meta = (meta, _adapter(EventMetadata).dump_python(meta, mode="json"))
        return last[1]

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """Rebuild the event (upcast to its current class version) with `.metadata` attached."""
        return self.decode(
            stored_event.topic, stored_event.state, stored_event.originator_id, stored_event.originator_version
        )

    def decode(
        self,
        topic: str,
        state: bytes,
        originator_id: Any,
        originator_version: int,
        *,
        remember: bool = True,
    ) -> DomainEventProtocol[UUID]:
        """`to_domain_event` from a stored event's parts. Readers that never save (the projections)
        pass `remember=False`: the hash chain then skips noting each aggregate's last hash."""
        cls = resolve_topic(topic)
        data = orjson.loads(self._decode(state))
        meta = data.pop(META, None)
        link = data.pop(CHAIN, None)
        if remember and isinstance(link, dict) and isinstance(link.get("hash"), str):
            self.chain.remember(originator_id, originator_version, link["hash"])
        from_version, to_version = data.pop("class_version", 1), getattr(cls, "class_version", 1)
        while from_version < to_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(data)
            from_version += 1
        data["originator_id"] = originator_id
        data["originator_version"] = originator_version
        domain_event: DomainEventProtocol[UUID] = _adapter(cls).validate_python(data)
        object.__setattr__(domain_event, "metadata", self._read_meta(meta) if meta else None)
        return domain_event

    def _read_meta(self, meta: dict[str, Any]) -> EventMetadata:
        """The metadata of a stored event. The events of one save share theirs, and they lie side by
        side in the store: equal to the previous event's, the (frozen) object decoded for it is shared
        instead of being validated again. One tuple, read and replaced whole (thread-safe)."""
        seen, decoded = self._last_read_meta
        if decoded is None or seen != meta:
            decoded = _adapter(EventMetadata).validate_python(meta)
            self._last_read_meta = (meta, decoded)
        return decoded

    def stored_state(self, stored_event: StoredEvent) -> dict[str, Any]:
        """The stored state as JSON, exactly as recorded (with `__meta__` and `__chain__`)."""
        return orjson.loads(self._decode(stored_event.state))  # type: ignore[no-any-return]

    def _encode(self, data: bytes) -> bytes:
        if self.compressor:
            data = self.compressor.compress(data)
        return self.cipher.encrypt(data) if self.cipher else data

    def _decode(self, data: bytes) -> bytes:
        if self.cipher:
            data = self.cipher.decrypt(data)
        return self.compressor.decompress(data) if self.compressor else data
