"""Builders for test scenarios: valid NIPs, positions, placed employees with a record, rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from pydantic import TypeAdapter

from application.context import Actor
from application.service import MutasiApplication
from application.settings import Settings
from domain.mutation_round import MutationRound
from domain.vocabulary import Expectation, PositionType, Potential, Rank, TransferKind

AGENCY = "Pemerintah Kota Pariaman"
AGENCIES = ("Pemerintah Kota Pariaman",)
OPERATOR = Actor("operator-bkpsdm", agencies=AGENCIES)
COMMITTEE = Actor("ketua-tpk", nip="197001011995031001", agencies=AGENCIES)
PPK = Actor("walikota", agencies=AGENCIES)
DECIDED_ON = date(2026, 2, 10)
"""The test clock's first day (a Tuesday): proposals and decisions; the round is announced that day."""
WINDOW_CLOSES = date(2026, 2, 13)
"""The objection window after an announcement on DECIDED_ON: three working days, Wednesday to Friday."""
SIGNED_ON = date(2026, 2, 20)
TMT = date(2026, 3, 1)
"""The planned effective date of the scenarios' rounds, and their decrees' TMT."""
STANDARD = {"integritas": 3, "kerjasama": 3, "keuangan_daerah": 4}


@dataclass
class Clock:
    """A settable "today" for the application under test."""

    today: date = DECIDED_ON

    def __call__(self) -> date:
        return self.today


def advance(app: MutasiApplication, day: date) -> None:
    """Move the application's today to `day` (its test clock, or a new one)."""
    if isinstance(app.today, Clock):
        app.today.today = day
    else:
        app.today = Clock(day)


def announce_and_decree(
    app: MutasiApplication,
    round_id: UUID,
    proposal_ids: list[UUID],
    signed_on: date = SIGNED_ON,
    effective_on: date = TMT,
    announced_on: date | None = None,
) -> None:
    """Announce the round (if still open) on the app's today, wait out the objection window, and
    sign each decree on `signed_on` (the app's today moves there), effective on `effective_on`."""
    if app.get_round(round_id).status.value == "open":
        app.announce(PPK, round_id, announced_on or app.today())
    advance(app, max(signed_on, app.today()))
    for number, proposal_id in enumerate(proposal_ids, start=1):
        app.issue_decree(PPK, round_id, proposal_id, f"821.2/{number:03d}/2026", signed_on, effective_on)


GOOD_SCORES = {"integritas": 4, "kerjasama": 3, "keuangan_daerah": 4}


def nip(seq: int, birth: date = date(1985, 1, 15), start: tuple[int, int] = (2010, 3), sex: int = 1) -> str:
    """A valid NIP with the given parts."""
    return f"{birth:%Y%m%d}{start[0]:04d}{start[1]:02d}{sex}{seq:03d}"


def position(
    app: MutasiApplication,
    title: str,
    unit: str = "BPKAD",
    formasi: int = 2,
    agency: str = AGENCY,
    position_type: PositionType = PositionType.FUNGSIONAL_AHLI_PERTAMA,
    ranks: tuple[Rank, Rank] = (Rank.III_A, Rank.III_D),
    standard: dict[str, int] | None = None,
    by: Actor = OPERATOR,
) -> UUID:
    """Establish a position and return its id."""
    return app.establish_position(
        by,
        agency,
        unit,
        title,
        position_type,
        ranks[0],
        ranks[1],
        formasi,
        standard or STANDARD,
    ).aggregate_id


def employee(
    app: MutasiApplication,
    seq: int,
    position_id: UUID,
    placed_on: date = date(2020, 1, 2),
    rank: Rank = Rank.III_B,
    scores: dict[str, int] | None = None,
    ratings: dict[int, tuple[Expectation, Expectation]] | None = None,
    by: Actor = OPERATOR,
) -> UUID:
    """Register, place, assess and rate an employee who passes every rule by default."""
    employee_id = app.register_employee(by, nip(seq), f"Pegawai {seq}", rank).aggregate_id
    app.place_employee(by, employee_id, position_id, placed_on, f"SK-{seq}/PLACE")
    app.assess_competency(
        by,
        employee_id,
        scores or GOOD_SCORES,
        Potential.HIGH,
        "UPT Penilaian Kompetensi",
        "assessment centre",
        date(2025, 6, 1),
    )
    default = {2024: (Expectation.ABOVE, Expectation.AS_EXPECTED), 2025: (Expectation.AS_EXPECTED,) * 2}
    for year, (results, behaviour) in (ratings if ratings is not None else default).items():
        app.rate_performance(by, employee_id, year, results, behaviour)
    return employee_id


def mutation_round(
    app: MutasiApplication,
    effective_on: date = date(2026, 3, 1),
    freeze_windows=(),
    kind: TransferKind = TransferKind.WITHIN_AGENCY,
    agency: str = AGENCY,
) -> UUID:
    """Open a round with the given planned effective date."""
    return app.open_round(
        OPERATOR,
        agency,
        kind,
        "Mutasi Tahap I 2026",
        date(2026, 1, 1),
        date(2026, 6, 30),
        effective_on,
        freeze_windows,
    ).aggregate_id


def approved(app: MutasiApplication, round_id: UUID, employee_id: UUID, target_id: UUID) -> UUID:
    """Propose, recommend and approve a move; return the proposal id."""
    proposal_id = app.propose(OPERATOR, round_id, employee_id, target_id, "fills a vacancy").proposal_id
    app.recommend(COMMITTEE, round_id, proposal_id, True, "fits the standard")
    app.decide(PPK, round_id, proposal_id, True, "approved on the committee's recommendation")
    return proposal_id


def stored_as_before_nips(app: MutasiApplication, mutation_round: MutationRound, by: Actor = OPERATOR) -> None:
    """Store the round's pending events as they were recorded before proposals kept the employee's
    NIP: each `Proposed` as version 1 (no `employee_nip`, no `class_version`), the others as now;
    each chained like any event."""
    for event in mutation_round.collect_events():
        cls = type(event)
        state = TypeAdapter(cls).dump_python(event, mode="json")
        del state["originator_id"], state["originator_version"]
        if cls is MutationRound.Proposed:
            del state["proposal"]["employee_nip"]
        elif getattr(cls, "class_version", 1) > 1:
            state["class_version"] = cls.class_version
        state["__meta__"] = {"actor": by.user, "correlation_id": by.correlation_id, "recorded_at": state["timestamp"]}
        topic = get_topic(cls)
        sealed = app.mapper.chain.seal(topic, event.originator_id, event.originator_version, state)
        app.recorder.insert_events([StoredEvent(event.originator_id, event.originator_version, topic, sealed)])


def proposed_as_version_1(app: MutasiApplication, round_id: UUID, employee_id: UUID, target_id: UUID) -> UUID:
    """Store a proposal (by OPERATOR) as `MutationRound.Proposed` version 1 recorded it, without the
    employee's NIP (`stored_as_before_nips`); return its id."""
    mutation_round, employee = app.get_round(round_id), app.get_employee(employee_id)
    assert employee.position_id is not None
    current, target = app.get_position(employee.position_id), app.get_position(target_id)
    proposal_id = mutation_round.propose(employee, current, target, "fills a vacancy", OPERATOR.official, app.policy)
    stored_as_before_nips(app, mutation_round)
    return proposal_id


def cli_env(settings: Settings) -> dict[str, str]:
    """The environment that makes `mutasi` (the command line) open the store of `settings`."""
    if settings.store == "sqlite":
        return {"MUTASI_STORE": "sqlite", "MUTASI_SQLITE_PATH": str(settings.sqlite_path)}
    return {
        "MUTASI_STORE": "postgres",
        "MUTASI_POSTGRES_HOST": settings.postgres_host,
        "MUTASI_POSTGRES_PORT": str(settings.postgres_port),
        "MUTASI_POSTGRES_USER": settings.postgres_user,
        "MUTASI_POSTGRES_DBNAME": settings.postgres_dbname,
        "MUTASI_POSTGRES_SCHEMA": settings.postgres_schema,
    }
