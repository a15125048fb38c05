"""Audit fixtures: the shared `settings`, with a signing key also on PostgreSQL (SQLite uses the dev key)."""

from __future__ import annotations

import pytest

from application.audit.signing import generate_key_file
from application.settings import Settings


@pytest.fixture
def settings(settings: Settings, tmp_path) -> Settings:
    """The store of each kind; on PostgreSQL with a key file configured as production would."""
    if settings.store == "sqlite":
        return settings
    key_file = tmp_path / "audit-key.pem"
    generate_key_file(key_file)
    return settings.model_copy(update={"audit_signing_key_file": key_file})
