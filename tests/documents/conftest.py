"""Document fixtures: the audit's `settings` (a signing key also on PostgreSQL), since a decree's
printed code is a receipt that the next signed tree head makes available."""

from __future__ import annotations

from tests.audit.conftest import settings  # noqa: F401 (the fixture, shadowing the shared one)
