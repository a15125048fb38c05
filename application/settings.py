"""Settings, built once at start-up from the environment (prefix `MUTASI_`) and passed down."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.eligibility.level import level_order
from domain.errors import InvalidValue
from domain.policy import RulePolicy
from domain.vocabulary import PositionType, Predikat


class RuleSettings(BaseModel):
    """The configurable rule thresholds (DOMAIN.md's defaults). Env: `MUTASI_RULES__<NAME>`."""

    min_tenure_years: int = Field(2, ge=0, le=40)
    rotation_due_years: int = Field(5, ge=1, le=40)
    senior_executive_lock_years: int = Field(2, ge=0, le=10)
    rating_years: int = Field(2, ge=1, le=10)
    rating_final_month: int = Field(2, ge=1, le=12, description=(
        "month of year Y + 1 from which year Y's SKP rating is final and counts for rule 4"))
    rating_final_day: int = Field(1, ge=1, le=31, description=(
        "day of that month (any year has it: 29 February is refused)"))
    min_predikat: Predikat = Predikat.BAIK
    sanction_lookback_years: int = Field(2, ge=0, le=20)
    jpm_ms_threshold: Decimal = Field(Decimal(80), ge=0, le=100)
    jpm_mms_threshold: Decimal = Field(Decimal(68), ge=0, le=100)
    min_jpm_for_transfer: Decimal = Field(Decimal(68), ge=0, le=100)
    development_jp_per_year: int = Field(20, ge=0, le=1000)
    evaluation_early_days: int = Field(14, ge=0, le=90, description=(
        "days before TMT + the months an evaluation claims on which it may already be dated"))
    level_equivalences: tuple[tuple[PositionType, PositionType], ...] = Field(
        RulePolicy.level_equivalences, description=(
            "rule 10's penyetaraan jabatan, pairs of equivalent levels as JSON, e.g. "
            '[["administrator", "fungsional_ahli_madya"]]'))

    @field_validator("level_equivalences")
    @classmethod
    def _consistent_levels(cls, pairs: tuple[tuple[PositionType, PositionType], ...]):
        try:
            level_order(pairs)
        except InvalidValue as error:
            raise ValueError(str(error)) from None
        return pairs

    @model_validator(mode="after")
    def _ordered(self) -> RuleSettings:
        if self.jpm_mms_threshold > self.jpm_ms_threshold:
            raise ValueError("jpm_mms_threshold must not exceed jpm_ms_threshold")
        if self.rotation_due_years < self.min_tenure_years:
            raise ValueError("rotation_due_years must not be below min_tenure_years")
        try:
            date(2001, self.rating_final_month, self.rating_final_day)
        except ValueError:
            raise ValueError(f"rating_final_month {self.rating_final_month} has no day "
                             f"{self.rating_final_day} in every year") from None
        return self

    def policy(self) -> RulePolicy:
        """The domain's `RulePolicy` with these thresholds."""
        return RulePolicy(**self.model_dump())


class Settings(BaseSettings):
    """Everything configurable. `store` picks the event store: SQLite file (default) or PostgreSQL."""

    model_config = SettingsConfigDict(
        env_prefix="MUTASI_", env_nested_delimiter="__", extra="ignore"
    )

    store: Literal["sqlite", "postgres", "memory"] = "sqlite"
    sqlite_path: Path = Path("mutasi.sqlite3")
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_dbname: str = "mutasi"
    postgres_user: str = "postgres"
    postgres_password: SecretStr = SecretStr("")
    postgres_schema: str = ""
    postgres_pool_size: int = Field(5, ge=1, le=200)
    postgres_max_overflow: int = Field(10, ge=0, le=200)
    postgres_connect_timeout: int = Field(5, ge=1, le=120)
    rules: RuleSettings = RuleSettings()
    audit_signing_key_file: Path | None = Field(None, description=(
        "Ed25519 private key (PEM) that signs audit checkpoints; on the SQLite default `db init` "
        "generates one beside the database (`<sqlite_path>-audit-key.pem`)"))
    audit_checkpoint_max_events: int = Field(10_000, ge=1, le=1_000_000, description=(
        "most events one checkpoint covers (bigger backlogs get several checkpoints)"))
