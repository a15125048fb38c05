"""Use cases on positions: establish, revise standard and formasi, abolish, read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from application.authority import AgencyAuthority
from application.context import Actor, Recorded
from application.errors import AlreadyExists, ConcurrentChange, PositionNotFound
from domain.authority import check_acts_for
from domain.position import Position
from domain.vocabulary import PositionType, Rank


class PositionUseCases(AgencyAuthority):
    """Commands and queries on the Position aggregate; each refuses an actor who does not act for the
    position's agency (`application.authority`)."""

    def establish_position(
        self,
        actor: Actor,
        agency: str,
        unit: str,
        title: str,
        position_type: PositionType,
        rank_min: Rank,
        rank_max: Rank,
        formasi: int,
        standard: dict[str, int],
        min_jpm: Decimal | None = None,
    ) -> Recorded:
        """Establish a position; the same agency, unit and title cannot be established twice."""
        check_acts_for(actor.official, agency, "its positions")
        position = Position.establish(
            agency, unit, title, position_type, rank_min, rank_max, formasi, standard, min_jpm
        )
        try:  # the id is the agency's, unit's and title's: the store refuses a second version 1
            return self._recorded(actor, position)
        except ConcurrentChange:
            raise AlreadyExists(f"position {position.title} in {position.unit} already exists") from None

    def get_position(
        self,
        position_id: UUID,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
        reader: Actor | None = None,
    ) -> Position:
        """The position now, at a version, or as recorded at a past moment; a `reader` must act for
        the position's agency (or every agency). Without one: the application's own reads."""
        position = self._read(Position, position_id, PositionNotFound, version, as_of)
        if reader is not None:
            self._check(reader, position, "this position")
        return position

    def _position(self, actor: Actor, position_id: UUID, expected_version: int | None) -> Position:
        return self._load_for(actor, Position, position_id, PositionNotFound, expected_version, "this position")

    def revise_standard(
        self,
        actor: Actor,
        position_id: UUID,
        standard: dict[str, int],
        min_jpm: Decimal | None,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Replace the competency standard; returns the new version."""
        position = self._position(actor, position_id, expected_version)
        position.revise_standard(standard, min_jpm, reason)
        return self._recorded(actor, position)

    def revise_formasi(
        self,
        actor: Actor,
        position_id: UUID,
        formasi: int,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Set a new formasi from a workload analysis; returns the new version."""
        position = self._position(actor, position_id, expected_version)
        position.revise_formasi(formasi, reason)
        return self._recorded(actor, position)

    def abolish_position(
        self,
        actor: Actor,
        position_id: UUID,
        abolished_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Abolish an empty position."""
        position = self._position(actor, position_id, expected_version)
        position.abolish(abolished_on, reason)
        return self._recorded(actor, position)
