"""THE role matrix: which role may call which route. Route names are the OpenAPI operation ids.

The README shows the same table; `tests/api/test_role_matrix.py` checks every cell.
"""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    """Who the bearer token says the caller is; `public` is the anonymous caller."""

    PUBLIC = "public"
    OPERATOR = "operator"
    ASSESSOR = "assessor"
    COMMITTEE = "committee"
    PPK = "ppk"
    AUDITOR = "auditor"
    EMPLOYEE = "employee"
    """A civil servant acting for themselves (their NIP in the token): their own proposals and objections."""


STAFF = frozenset(Role) - {Role.PUBLIC, Role.EMPLOYEE}
"""The agencies' staff: operators, assessors, committee, PPK and auditors read the register (of their
agencies). An employee signed in as themselves is not staff."""
ANYONE = frozenset(Role)
O, A, C, P, E = Role.OPERATOR, Role.ASSESSOR, Role.COMMITTEE, Role.PPK, Role.EMPLOYEE

REPORTS: dict[str, frozenset[Role]] = {
    "reports.employee_placements": STAFF,
    "reports.position_holders": STAFF,
    "reports.staffing": STAFF,
    "reports.round_board": STAFF,
    "reports.accountability": STAFF,
    "reports.evaluation": STAFF,
    "reports.talent": STAFF,
    "reports.merit": STAFF,
    "public.transparency_report": ANYONE,  # the public one: announced transfers
}
"""The reports (`api.http.routes.reports`): JSON, CSV or XLSX as `Accept` or `format=` asks. Each is
also an operation of its own as CSV only, its CSV twin (`csv_twin`), whose row MATRIX derives from the
report's: the same roles."""


def csv_twin(report: str) -> str:
    """The operation id (route name) of a report's CSV twin: `reports.staffing` → `reports.staffing_csv`."""
    return f"{report}_csv"


MATRIX: dict[str, frozenset[Role]] = {
    # employees
    "employees.register": frozenset({O}),
    "employees.lookup": STAFF,
    "employees.search": STAFF,
    "employees.read": STAFF,
    "employees.change_rank": frozenset({O}),
    "employees.assess_competency": frozenset({A}),
    "employees.rate_performance": frozenset({O}),
    "employees.record_sanction": frozenset({O}),
    "employees.open_disciplinary_case": frozenset({O}),
    "employees.close_disciplinary_case": frozenset({O}),
    "employees.place": frozenset({O}),
    "employees.plan_development": frozenset({O, A}),
    "employees.complete_development": frozenset({O}),
    "employees.retire": frozenset({O}),
    # positions
    "positions.establish": frozenset({O}),
    "positions.read": STAFF,
    "positions.list": STAFF,
    "positions.revise_standard": frozenset({O}),
    "positions.revise_formasi": frozenset({O}),
    "positions.abolish": frozenset({O}),
    # rounds
    "rounds.open": frozenset({O}),
    "rounds.read": STAFF,
    "rounds.check_eligibility": STAFF,
    "rounds.propose": frozenset({O}),
    "rounds.withdraw": frozenset({O}),
    "rounds.record_consent": frozenset({O}),
    "rounds.record_technical_review": frozenset({O}),
    "rounds.recommend": frozenset({C}),
    "rounds.decide": frozenset({P}),
    "rounds.announce": frozenset({P}),
    "rounds.issue_decree": frozenset({P}),
    "rounds.execute_transfer": frozenset({O}),
    "rounds.execute_transfers_together": frozenset({O}),
    "rounds.evaluate_transfer": frozenset({O, A}),
    "rounds.close": frozenset({O, P}),
    # objections (sanggah): the employee concerned (or an operator on their written behalf) objects,
    # the committee answers; an employee reads their own proposals in a round
    "rounds.file_objection": frozenset({E, O}),
    "rounds.answer_objection": frozenset({C}),
    "rounds.own_proposals": frozenset({E}),
    # mutation plans: computed and adopted by operators or the committee, read by them, the PPK, auditors
    "plans.compute": frozenset({O, C}),
    "plans.read": frozenset({O, C, P, Role.AUDITOR}),
    "plans.adopt": frozenset({O, C}),
    # read models (projections) and their reports (REPORTS, each with its CSV twin)
    "projections.status": STAFF,
    **REPORTS,
    **{csv_twin(report): roles for report, roles in REPORTS.items()},
    "documents.round_document": STAFF,  # PDF: decree (SK), announcement, evaluation summary
    "roster.template": frozenset({O}),  # the import template (XLSX)
    # audit: the event store itself, read-only, for auditors
    "audit.checkpoints": frozenset({Role.AUDITOR}),
    "audit.verify": frozenset({Role.AUDITOR}),
    "audit.feed": frozenset({Role.AUDITOR}),
    "audit.employee_history": frozenset({Role.AUDITOR}),
    "audit.position_history": frozenset({Role.AUDITOR}),
    "audit.round_history": frozenset({Role.AUDITOR}),
    "audit.employee_placements": frozenset({Role.AUDITOR}),
    "audit.position_holders": frozenset({Role.AUDITOR}),
    "audit.unit_holders": frozenset({Role.AUDITOR}),
    # public transparency and health
    "public.announcement": ANYONE,
    "public.announcement_pdf": ANYONE,
    "public.audit_public_key": ANYONE,
    "public.receipt": ANYONE,  # a decree's receipt and the transparency log: verifying needs no account
    "public.log_checkpoint": ANYONE,
    "public.log_consistency": ANYONE,
    "public.log_cosign": ANYONE,  # accepted only as a configured witness's valid cosignature
    "public.verify_page": ANYONE,
    "public.verify_script": ANYONE,
    "health.live": ANYONE,
    "health.ready": ANYONE,
}

PAGES: dict[str, frozenset[Role]] = {
    # the public transparency site (`api.http.site`, under /publik): HTML for people, outside the
    # OpenAPI document and so outside MATRIX (one row per operation); anyone, with or without a token
    "site.home": ANYONE,
    "site.round": ANYONE,
    "site.agency": ANYONE,
    "site.verify": ANYONE,
    "site.stylesheet": ANYONE,
}


def allowed(route: str, role: Role) -> bool:
    """True when `role` may call the route named `route`."""
    return role in MATRIX[route]
