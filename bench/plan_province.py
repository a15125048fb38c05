"""Benchmark: a mutation plan at province size, in process (the pure planner, no store).

    python -m bench.plan_province [--positions 600] [--employees 4000] [--seed 1] [--stored 3000]

Builds a synthetic province register in memory (units with their own technical competencies, which
weigh two fifths of each standard; each employee is assessed in their position's field and one more;
remote schools short of staff, positions with formasi 1-12 and about 10% of seats vacant, employees with
assessments, two SKP years and placement dates over ten years), then times `compute_plan` for a few
committee requests. With `--stored N`, also imports a generated city register of N employees into a
throw-away PostgreSQL schema (as `mutasi import` does) and times `compute_plan` through the
application: the register rebuilt from the notification log, the plan computed and its event saved.
Writes bench/results/plan_province.json.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from bench.common import peak_rss_mb, save_result
from domain.competency import MANAGERIAL
from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.official import Official
from domain.plan_options import PlanOptions
from domain.planning.planner import compute_plan
from domain.planning.register import PlanningRegister
from domain.policy import RulePolicy
from domain.position import Position
from domain.transfer import place_employee
from domain.vocabulary import Expectation, PositionType, Potential, Rank, TransferKind

AGENCY = "Pemerintah Provinsi Sumatera Barat"
TECHNICAL = (
    "keuangan_daerah",
    "manajemen_sekolah",
    "kesehatan_masyarakat",
    "perencanaan",
    "kepegawaian",
    "infrastruktur",
    "pertanian",
    "pariwisata",
)
RANKS = (Rank.III_A, Rank.III_B, Rank.III_C, Rank.III_D, Rank.IV_A)


def province(positions: int, employees: int, seed: int) -> PlanningRegister:
    rng = random.Random(seed)
    units = (
        [f"Dinas {t.replace('_', ' ').title()}" for t in TECHNICAL]
        + [f"SD Negeri {k} Terpencil" for k in range(1, 13)]
        + [f"UPT Wilayah {k}" for k in range(1, 21)]
    )
    made: list[Position] = []
    for k in range(positions):
        unit = units[k % len(units)]
        technical = TECHNICAL[k % len(TECHNICAL)] if "Terpencil" not in unit else "manajemen_sekolah"
        low = rng.choice(RANKS[:3])
        standard = {name: rng.randint(2, 4) for name in rng.sample(MANAGERIAL, 3)}
        standard[technical] = rng.randint(3, 4)
        standard[f"{technical}_lanjut"] = rng.randint(2, 4)
        made.append(
            Position.establish(
                AGENCY,
                unit,
                f"Jabatan {k}",
                PositionType.FUNGSIONAL_AHLI_MUDA,
                low,
                Rank.IV_A,
                rng.randint(1, 12),
                standard,
            )
        )
    seats = [p for p in made for _ in range(p.formasi)]
    rng.shuffle(seats)
    people = []
    for k in range(min(employees, int(len(seats) * 0.9))):
        at = seats[k]
        nip = f"{date(1970, 1, 1) + timedelta(days=k % 9000):%Y%m%d}{2000 + k % 20:04d}{1 + k % 12:02d}{1 + k % 2}{k % 1000:03d}"
        employee = Employee.register(nip, f"Pegawai {k}", rng.choice([r for r in RANKS if at.admits_rank(r)]))
        place_employee(employee, at, date(2015, 1, 1) + timedelta(days=rng.randint(0, 3900)), f"SK-{k}")
        own = next(name for name in at.standard if name in TECHNICAL)
        other = rng.choice(TECHNICAL)  # one more field of expertise besides the position's own
        scores = {name: rng.randint(2, 5) for name in MANAGERIAL}
        scores |= {t: rng.randint(2, 5) for t in (own, f"{own}_lanjut", other, f"{other}_lanjut")}
        employee.assess_competency(scores, Potential.MEDIUM, "UPT Penilaian", "assessment centre", date(2025, 6, 1))
        for year in (2024, 2025):
            results = Expectation.BELOW if rng.random() < 0.05 else Expectation.AS_EXPECTED
            employee.rate_performance(year, results, Expectation.AS_EXPECTED)
        people.append(employee)
    opened = MutationRound.open(
        AGENCY,
        TransferKind.WITHIN_AGENCY,
        "Mutasi 2026",
        date(2026, 1, 1),
        date(2026, 6, 30),
        date(2026, 3, 1),
        (),
        Official("operator", agencies=(AGENCY,)),
    )
    return PlanningRegister.of(opened, made, people)


REQUESTS = {
    "default": PlanOptions(),
    "rotation_due_with_shortage_weight": PlanOptions(due_for_rotation_only=True, shortage_weight=Decimal(20)),
    "no_keep_in_place_at_most_200": PlanOptions(due_for_rotation_only=True, keep_in_place=False, max_moves=200),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--positions", type=int, default=600)
    parser.add_argument("--employees", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stored", type=int, default=0, help="also time the use case on a stored register")
    args = parser.parse_args()
    started = time.perf_counter()
    register = province(args.positions, args.employees, args.seed)
    built = time.perf_counter() - started
    figures = {
        "positions": len(register.positions),
        "employees": len(register.employees),
        "register_built_seconds": round(built, 2),
        "requests": {},
    }
    for name, options in REQUESTS.items():
        started = time.perf_counter()
        result = compute_plan(register, options, Official("ketua-tpk", agencies=(AGENCY,)), RulePolicy())
        elapsed = time.perf_counter() - started
        figures["requests"][name] = {
            "seconds": round(elapsed, 2),
            "status": result.status,
            "pool": result.pool_size,
            "seats_open_before": result.seats_open_before,
            "pairs_considered": result.pairs_considered,
            "eligible_pairs": result.eligible_pairs,
            "moves": len(result.moves),
            "chained_moves": sum(1 for mv in result.moves if mv.takes_seat_of),
            "joint_moves": sum(1 for mv in result.moves if mv.joint),
            "empty_seat_positions": len(result.empty_seats),
            "jpm_gain": str(result.jpm_gain),
        }
        print(name, figures["requests"][name], flush=True)
    if args.stored:
        figures["stored"] = stored(args.stored, args.seed)
    figures["peak_rss_mb"] = peak_rss_mb()
    save_result("plan_province", figures)


def stored(employees: int, seed: int) -> dict:
    """Import a generated register, open a round, and time the application's plan use case."""
    from application.bootstrap import open_application
    from application.context import Actor
    from application.sample import AGENCY as CITY
    from bench.common import fresh_store, import_register
    from domain.official import NATIONAL

    with fresh_store("plan") as settings:
        imported = import_register(settings, employees, seed)
        app = open_application(settings)
        try:
            actor = Actor("ketua-tpk", agencies=(NATIONAL,))
            round_id = app.open_round(
                actor,
                CITY,
                TransferKind.WITHIN_AGENCY,
                "Mutasi 2026",
                date(2026, 1, 1),
                date(2026, 6, 30),
                date(2026, 3, 1),
            ).aggregate_id
            started = time.perf_counter()
            recorded = app.compute_plan(actor, round_id, PlanOptions(due_for_rotation_only=True))
            elapsed = time.perf_counter() - started
            result = app.get_plan(recorded.plan_id).result
        finally:
            app.close()
    return {
        "employees_imported": employees,
        "import": str(imported)[:200],
        "compute_and_save_seconds": round(elapsed, 2),
        "pool": result.pool_size,
        "eligible_pairs": result.eligible_pairs,
        "moves": len(result.moves),
        "status": result.status,
    }


if __name__ == "__main__":
    main()
