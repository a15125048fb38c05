"""In-memory builders for unit tests: valid NIPs, positions, employees with a clean record, rounds.

By default an employee built here passes all ten rules for a move on EFFECTIVE (1 March 2026).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from pydantic import TypeAdapter

from domain.eligibility import EligibilityCase, FreezeWindow
from domain.employee import Employee
from domain.mutation_round import MutationRound, RoundStatus
from domain.official import NATIONAL, Official
from domain.policy import RulePolicy
from domain.position import Position
from domain.proposal import Consent, Decree, EvaluationFindings, Override, Recommendation, TechnicalReview
from domain.transfer import evaluate_transfer, execute_transfer, place_employee
from domain.vocabulary import ConsentParty, Expectation, Office, PositionType, Potential, Rank, TransferKind

AGENCY = "Pemerintah Kota Pariaman"
OTHER_AGENCY = "Pemerintah Kabupaten Padang Pariaman"
EFFECTIVE = date(2026, 3, 1)
DECIDED_ON = date(2026, 2, 10)
ANNOUNCED_ON = date(2026, 2, 15)
TODAY = date(2026, 3, 2)
"""The application's "today" in the scenes: after the decision, the decree's signing and the TMT."""
PLACED_ON = date(2022, 1, 3)
STANDARD = {"integritas": 3, "kerjasama": 3, "keuangan_daerah": 4}
GOOD_SCORES = {"integritas": 4, "kerjasama": 3, "keuangan_daerah": 4}
OPERATOR = Official("operator-bkpsdm", agencies=(AGENCY,))
COMMITTEE = Official("ketua-tpk", nip="197001011995031001", agencies=(AGENCY,))
PPK = Official("walikota", agencies=(AGENCY,))
BKN = Official("kanreg-bkn", agencies=(AGENCY, OTHER_AGENCY))
GOVERNOR = Official("gubernur", agencies=(AGENCY, OTHER_AGENCY), office=Office.GOVERNOR)
MINISTER = Official("mendagri", agencies=(NATIONAL,), office=Office.MINISTER_OF_HOME_AFFAIRS)
HEAD_OF_BKN = Official("kepala-bkn", agencies=(NATIONAL,), office=Office.HEAD_OF_BKN)
DECIDERS = {
    TransferKind.WITHIN_AGENCY: PPK,
    TransferKind.BETWEEN_AGENCIES_IN_PROVINCE: GOVERNOR,
    TransferKind.BETWEEN_PROVINCES: MINISTER,
    TransferKind.CENTRAL_REGIONAL: HEAD_OF_BKN,
}
"""Who decides and signs each kind of transfer (DOMAIN.md's table)."""


def nip(seq: int = 1, birth: date = date(1985, 1, 15), start: tuple[int, int] = (2010, 3), sex: int = 1) -> str:
    """A valid NIP made of the given parts."""
    return f"{birth:%Y%m%d}{start[0]:04d}{start[1]:02d}{sex}{seq:03d}"


def position(
    title: str = "Analis Keuangan",
    unit: str = "BPKAD",
    formasi: int = 2,
    agency: str = AGENCY,
    position_type: PositionType = PositionType.FUNGSIONAL_AHLI_PERTAMA,
    ranks: tuple[Rank, Rank] = (Rank.III_A, Rank.III_D),
    standard: dict[str, int] | None = None,
    min_jpm: Decimal | None = None,
) -> Position:
    """A freshly established position, its events already collected."""
    made = Position.establish(
        agency,
        unit,
        title,
        position_type,
        ranks[0],
        ranks[1],
        formasi,
        dict(standard or STANDARD),
        min_jpm,
    )
    made.collect_events()
    return made


def employee(
    seq: int = 1,
    rank: Rank = Rank.III_B,
    at: Position | None = None,
    placed_on: date = PLACED_ON,
    scores: dict[str, int] | None = None,
    ratings: dict[int, tuple[Expectation, Expectation]] | None = None,
    nip_text: str | None = None,
) -> Employee:
    """A registered employee, placed in `at` if given, assessed and rated Baik for 2024 and 2025."""
    made = Employee.register(nip_text or nip(seq), f"Pegawai {seq}", rank)
    if at is not None:
        place_employee(made, at, placed_on, f"SK-{seq}/PLACE")
        at.collect_events()
    made.assess_competency(
        dict(scores or GOOD_SCORES),
        Potential.HIGH,
        "UPT Penilaian Kompetensi",
        "assessment centre",
        date(2025, 6, 1),
    )
    default = {2024: (Expectation.ABOVE, Expectation.AS_EXPECTED), 2025: (Expectation.AS_EXPECTED,) * 2}
    for year, (results, behaviour) in (default if ratings is None else ratings).items():
        made.rate_performance(year, results, behaviour)
    made.collect_events()
    return made


def mutation_round(
    effective_on: date = EFFECTIVE,
    freeze_windows: tuple[FreezeWindow, ...] = (),
    kind: TransferKind = TransferKind.WITHIN_AGENCY,
    agency: str = AGENCY,
) -> MutationRound:
    """An open round, its events already collected."""
    made = MutationRound.open(
        agency,
        kind,
        "Mutasi Tahap I 2026",
        date(2026, 1, 1),
        date(2026, 6, 30),
        effective_on,
        freeze_windows,
        OPERATOR,
    )
    made.collect_events()
    return made


def case(
    who: Employee,
    current: Position | None,
    target: Position,
    effective_on: date = EFFECTIVE,
    actor: Official = OPERATOR,
    policy: RulePolicy | None = None,
    freeze_windows: tuple[FreezeWindow, ...] = (),
    seats_promised: int = 0,
    kind: TransferKind = TransferKind.WITHIN_AGENCY,
) -> EligibilityCase:
    """An eligibility case for moving `who` from `current` to `target`."""
    return EligibilityCase(
        employee=who,
        current_position=current,
        target=target,
        kind=kind,
        effective_on=effective_on,
        actor=actor,
        policy=policy or RulePolicy(),
        freeze_windows=freeze_windows,
        seats_promised=seats_promised,
    )


def override(rule: str, justification: str = "no other candidate fits", by: Official = PPK) -> Override:
    """An override of one failed rule."""
    return Override(rule, justification, by)


def read_back(event: Aggregate.Event, as_version_1: Callable[[dict[str, Any]], None] | None = None) -> Aggregate.Event:
    """`event` as the store gives it back: its state dumped to JSON and validated again (pydantic, as
    the application's mapper does). With `as_version_1`, that function first turns the state into
    the shape version 1 of the event recorded, and the state is upcast from version 1 on reading."""
    cls = type(event)
    adapter = TypeAdapter(cls)
    state = adapter.dump_python(event, mode="json")
    if as_version_1 is not None:
        as_version_1(state)
        for version in range(1, getattr(cls, "class_version", 1)):
            getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
    return adapter.validate_python(state)


def without_nip(state: dict[str, Any]) -> None:
    """A `Proposed` state as version 1 recorded it: the proposal did not keep the employee's NIP."""
    del state["proposal"]["employee_nip"]


def _state(aggregate: Aggregate) -> dict:
    return copy.deepcopy({k: v for k, v in vars(aggregate).items() if k != "_pending_events"})


@contextmanager
def refused(error: type[Exception], *aggregates: Aggregate, match: str | None = None) -> Iterator:
    """Expect `error`; afterwards each aggregate has no new event and an unchanged state."""
    for aggregate in aggregates:
        aggregate.collect_events()
    before = [(a.version, _state(a)) for a in aggregates]
    with pytest.raises(error, match=match) as info:
        yield info
    for aggregate, (version, state) in zip(aggregates, before, strict=False):
        assert aggregate.pending_events == [], f"{type(aggregate).__name__} recorded an event"
        assert aggregate.version == version
        assert _state(aggregate) == state, f"{type(aggregate).__name__} changed its state"


@dataclass
class Scene:
    """A round with one employee in `origin` and a `target` to move to; helpers for each step."""

    round: MutationRound
    employee: Employee
    origin: Position
    target: Position
    policy: RulePolicy = field(default_factory=RulePolicy)

    @classmethod
    def build(
        cls,
        target_formasi: int = 2,
        kind: TransferKind = TransferKind.WITHIN_AGENCY,
        freeze_windows: tuple[FreezeWindow, ...] = (),
        effective_on: date = EFFECTIVE,
        policy: RulePolicy | None = None,
        **employee_args,
    ) -> Scene:
        origin_agency = OTHER_AGENCY if kind.is_cross_agency else AGENCY
        origin = position("Pengelola Keuangan", "Dinas Pendidikan", agency=origin_agency)
        target = position("Analis Keuangan", "BPKAD", formasi=target_formasi)
        who = employee(at=origin, **employee_args)
        return cls(mutation_round(effective_on, freeze_windows, kind), who, origin, target, policy or RulePolicy())

    def another(self, seq: int, **employee_args) -> Employee:
        """A second employee placed in the origin (same agency)."""
        self.origin.revise_formasi(self.origin.formasi + 1, "room for another")
        return employee(seq, at=self.origin, **employee_args)

    def propose(self, who: Employee | None = None, by: Official = OPERATOR, target: Position | None = None) -> UUID:
        who = who or self.employee
        return self.round.propose(who, self.origin, target or self.target, "fills a vacancy", by, self.policy)

    def propose_as_version_1(self, who: Employee | None = None) -> UUID:
        """Propose `who` (by OPERATOR) as the round held it when `Proposed` version 1 recorded it: the
        event read back through its upcaster, so the proposal names no NIP until the round notes it."""
        self.round.collect_events()
        proposal_id = self.propose(who)
        [proposed] = self.round.collect_events()
        read_back(proposed, without_nip).apply(self.round)  # what replaying the stored event gives
        return proposal_id

    def recommend(self, proposal_id: UUID, by: Official = COMMITTEE) -> None:
        self.round.recommend(proposal_id, Recommendation(True, by, "fits the standard"))

    def paperwork(self, proposal_id: UUID) -> None:
        """Everything a decision needs: the recommendation, or both consents and a favourable pertek."""
        if not self.round.kind.is_cross_agency:
            self.recommend(proposal_id)
            return
        for party in ConsentParty:
            self.consent(proposal_id, party)
        self.review(proposal_id, True)

    def consent(self, proposal_id: UUID, party: ConsentParty, position_id: UUID | None = None) -> None:
        self.round.record_consent(
            proposal_id,
            Consent(
                party,
                Official(f"ppk-{party.value}"),
                position_id or self.target.id,
                f"800/{party.value}/2026",
                date(2026, 2, 1),
            ),
            OPERATOR,
        )

    @property
    def decider(self) -> Official:
        """Who decides and signs in this round: the PPK within the agency, else DOMAIN.md's office."""
        return DECIDERS[self.round.kind]

    def review(self, proposal_id: UUID, favourable: bool) -> None:
        self.round.record_technical_review(
            proposal_id,
            TechnicalReview(
                favourable,
                BKN,
                "PERTEK-123/2026",
                date(2026, 2, 5),
                "checked",
            ),
        )

    def approve(
        self,
        proposal_id: UUID,
        who: Employee | None = None,
        by: Official | None = None,
        overrides: tuple[Override, ...] = (),
        target: Position | None = None,
    ):
        return self.round.approve(
            proposal_id,
            who or self.employee,
            self.origin,
            target or self.target,
            by or self.decider,
            "approved on the committee's recommendation",
            self.policy,
            overrides,
            DECIDED_ON,
        )

    def approved(self, who: Employee | None = None, overrides: tuple[Override, ...] = ()) -> UUID:
        proposal_id = self.propose(who)
        self.paperwork(proposal_id)
        self.approve(proposal_id, who, overrides=overrides)
        return proposal_id

    def announced(self, who: Employee | None = None, overrides: tuple[Override, ...] = ()) -> UUID:
        """An approved proposal in a round announced on 15 February (its objection window closed on
        the 18th): ready for its decree."""
        proposal_id = self.approved(who, overrides)
        self.announce()
        return proposal_id

    def decreed(self, who: Employee | None = None, effective_on: date = EFFECTIVE) -> UUID:
        proposal_id = self.approved(who)
        self.decree(proposal_id, effective_on=effective_on)
        return proposal_id

    def decree(
        self,
        proposal_id: UUID,
        number: str = "SK 821/12/BKPSDM/2026",
        signed_on: date = date(2026, 2, 20),
        effective_on: date = EFFECTIVE,
        by: Official | None = None,
        overrides: tuple[Override, ...] = (),
        today: date = TODAY,
        who: Employee | None = None,
        origin: Position | None = None,
        target: Position | None = None,
    ):
        """Issue the decree (announcing the round first, on 15 February, if it is still open: a decree
        follows the announcement and its objection window, closed on 18 February)."""
        if self.round.status is RoundStatus.OPEN and any(p.decision for p in self.round.proposals.values()):
            self.round.announce(PPK, ANNOUNCED_ON)
        return self.round.issue_decree(
            proposal_id,
            Decree(number, signed_on, effective_on, by or self.decider),
            who or self.employee,
            origin or self.origin,
            target or self.target,
            self.policy,
            today,
            overrides,
        )

    def announce(self, by: Official = PPK, on: date | None = None) -> None:
        """Announce the round (by default on 15 February)."""
        self.round.announce(by, on or ANNOUNCED_ON)

    def execute(
        self,
        proposal_id: UUID,
        today: date = EFFECTIVE,
        by: Official = OPERATOR,
        who: Employee | None = None,
        origin: Position | None = None,
        target: Position | None = None,
    ) -> None:
        """Carry out the decreed transfer (round, employee and both positions)."""
        execute_transfer(
            self.round,
            proposal_id,
            who or self.employee,
            origin or self.origin,
            target or self.target,
            today,
            by,
            self.policy,
        )

    def evaluate(
        self, proposal_id: UUID, findings: EvaluationFindings, by: Official = OPERATOR, today: date = date(2027, 12, 31)
    ):
        """Record a post-transfer evaluation (on the round and the employee)."""
        return evaluate_transfer(self.round, proposal_id, self.employee, findings, by, today, self.policy)


def recorded(aggregate: Aggregate) -> list[str]:
    """Names of the events the aggregate recorded since they were last collected (and collects them)."""
    return [type(e).__name__ for e in aggregate.collect_events()]
