"""The Position aggregate: a jabatan in a unit, with its formasi, rank range and competency standard."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.competency import validate_levels
from domain.errors import IllegalTransition, InvalidValue, RuleViolation
from domain.values import require_int, require_text
from domain.vocabulary import PositionType, Rank


class PositionAbolished(IllegalTransition):
    """The position has been abolished; it takes no holders and no revisions."""

    code = "position-abolished"


class FormasiExceeded(RuleViolation):
    """Adding a holder would put more people in the position than its formasi allows."""

    code = "formasi-exceeded"


@dataclass(frozen=True)
class Holding:
    """An employee holding the position since a date, by a decree."""

    employee_id: UUID
    since: date
    decree_number: str


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _check_formasi(formasi: int) -> int:
    return require_int(formasi, 0, 100_000, "formasi")


def _check_min_jpm(min_jpm: Decimal | None) -> Decimal | None:
    if min_jpm is not None and not Decimal(0) <= Decimal(min_jpm) <= Decimal(100):
        raise InvalidValue(f"minimum JPM must lie in 0-100, got {min_jpm}")
    return None if min_jpm is None else Decimal(min_jpm)


class Position(Aggregate):
    """A position (jabatan). Its id derives from agency, unit and title, so it is established once."""

    if TYPE_CHECKING:  # made at runtime by @event; declared for the type checker only (never executed:
        # the Aggregate metaclass would turn class-level annotations into __init__ fields)
        Established: ClassVar[type[Aggregate.Created]]
        StandardRevised: ClassVar[type[Aggregate.Event]]
        FormasiRevised: ClassVar[type[Aggregate.Event]]
        HolderAdded: ClassVar[type[Aggregate.Event]]
        HolderRemoved: ClassVar[type[Aggregate.Event]]
        Abolished: ClassVar[type[Aggregate.Event]]

    @staticmethod
    def create_id(agency: str, unit: str, title: str) -> UUID:
        """Deterministic id: the same agency, unit and title (case and spacing aside) give one id."""
        return uuid5(NAMESPACE_URL, f"mutasi:position:{_key(agency)}|{_key(unit)}|{_key(title)}")

    @classmethod
    def establish(
        cls,
        agency: str,
        unit: str,
        title: str,
        position_type: PositionType,
        rank_min: Rank,
        rank_max: Rank,
        formasi: int,
        standard: dict[str, int],
        min_jpm: Decimal | None = None,
    ) -> Position:
        """Establish a position after validating its rank range, formasi and standard."""
        rank_min, rank_max = Rank(rank_min), Rank(rank_max)
        if rank_min.order > rank_max.order:
            raise InvalidValue(f"rank range {rank_min.value}-{rank_max.value} is reversed")
        return cls(
            agency=require_text(agency, "agency"),
            unit=require_text(unit, "unit"),
            title=require_text(title, "title"),
            position_type=PositionType(position_type),
            rank_min=rank_min,
            rank_max=rank_max,
            formasi=_check_formasi(formasi),
            standard=validate_levels(standard, "competency standard"),
            min_jpm=_check_min_jpm(min_jpm),
        )

    @event("Established")
    def __init__(
        self,
        agency: str,
        unit: str,
        title: str,
        position_type: PositionType,
        rank_min: Rank,
        rank_max: Rank,
        formasi: int,
        standard: dict[str, int],
        min_jpm: Decimal | None,
    ) -> None:
        self.agency = agency
        self.unit = unit
        self.title = title
        self.position_type = position_type
        self.rank_min = rank_min
        self.rank_max = rank_max
        self.formasi = formasi
        self.standard = standard
        self.min_jpm = min_jpm
        self.holders: dict[UUID, Holding] = {}
        self.abolished_on: date | None = None

    @property
    def free_seats(self) -> int:
        """Formasi minus holders (negative when the position is over-staffed)."""
        return self.formasi - len(self.holders)

    def admits_rank(self, rank: Rank) -> bool:
        """True when `rank` lies within the required range, limits included."""
        return self.rank_min.order <= Rank(rank).order <= self.rank_max.order

    def check_not_abolished(self) -> None:
        """Refuse changes to an abolished position."""
        if self.abolished_on is not None:
            raise PositionAbolished(f"position {self.title} was abolished on {self.abolished_on}")

    def revise_standard(self, standard: dict[str, int], min_jpm: Decimal | None, reason: str) -> None:
        """Replace the competency standard (and the position's own JPM threshold, if any)."""
        self.check_not_abolished()
        self._standard_revised(
            validate_levels(standard, "competency standard"),
            _check_min_jpm(min_jpm),
            require_text(reason, "reason"),
        )

    @event("StandardRevised")
    def _standard_revised(self, standard: dict[str, int], min_jpm: Decimal | None, reason: str) -> None:
        self.standard = standard
        self.min_jpm = min_jpm

    def revise_formasi(self, formasi: int, reason: str) -> None:
        """Set a new formasi from a workload analysis (ABK); below the holders it shows a surplus."""
        self.check_not_abolished()
        self._formasi_revised(_check_formasi(formasi), require_text(reason, "reason"))

    @event("FormasiRevised")
    def _formasi_revised(self, formasi: int, reason: str) -> None:
        self.formasi = formasi

    def check_seat_for(self, employee_id: UUID) -> None:
        """Refuse unless `employee_id` can take a free seat of the formasi now."""
        self.check_seats_for([employee_id])

    def check_seats_for(self, arriving: Collection[UUID], leaving: Collection[UUID] = ()) -> None:
        """Refuse unless everyone `arriving` finds a seat of the formasi once the holders `leaving`
        have left (transfers that take effect together)."""
        self.check_not_abolished()
        staying = [holder for holder in self.holders if holder not in leaving]
        for employee_id in arriving:
            if employee_id in staying:
                raise IllegalTransition(f"employee {employee_id} already holds {self.title}")
        if len(staying) + len(arriving) > self.formasi:
            left = f", {len(self.holders) - len(staying)} of them leaving" if leaving else ""
            raise FormasiExceeded(
                f"{self.title} ({self.unit}) has formasi {self.formasi} and {len(self.holders)} "
                f"holders{left}: no free seat for {len(arriving)} arriving",
                ("vacancy",),
            )

    def add_holder(self, employee_id: UUID, since: date, decree_number: str) -> None:
        """Seat an employee, refusing when no seat of the formasi is free."""
        self.check_seat_for(employee_id)
        self._holder_added(employee_id, since, decree_number)

    @event("HolderAdded")
    def _holder_added(self, employee_id: UUID, since: date, decree_number: str) -> None:
        self.holders[employee_id] = Holding(employee_id, since, decree_number)

    def remove_holder(self, employee_id: UUID, until: date, decree_number: str) -> None:
        """Release the seat of an employee who leaves (transfer or retirement)."""
        self.check_holds(employee_id)
        self._holder_removed(employee_id, until, decree_number)

    def check_holds(self, employee_id: UUID) -> None:
        """Refuse unless `employee_id` holds a seat of this position."""
        if employee_id not in self.holders:
            raise IllegalTransition(f"employee {employee_id} does not hold {self.title}")

    @event("HolderRemoved")
    def _holder_removed(self, employee_id: UUID, until: date, decree_number: str) -> None:
        del self.holders[employee_id]

    def abolish(self, abolished_on: date, reason: str) -> None:
        """Abolish the position; only an empty position can be abolished."""
        self.check_not_abolished()
        if self.holders:
            raise IllegalTransition(f"{self.title} still has {len(self.holders)} holders; move them first")
        self._abolished(abolished_on, require_text(reason, "reason"))

    @event("Abolished")
    def _abolished(self, abolished_on: date, reason: str) -> None:
        self.abolished_on = abolished_on
