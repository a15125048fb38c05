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
    rating_final_month: int = Field(
        2,
        ge=1,
        le=12,
        description=("month of year Y + 1 from which year Y's SKP rating is final and counts for rule 4"),
    )
    rating_final_day: int = Field(
        1, ge=1, le=31, description=("day of that month (any year has it: 29 February is refused)")
    )
    min_predikat: Predikat = Predikat.BAIK
    sanction_lookback_years: int = Field(2, ge=0, le=20)
    jpm_ms_threshold: Decimal = Field(Decimal(80), ge=0, le=100)
    jpm_mms_threshold: Decimal = Field(Decimal(68), ge=0, le=100)
    min_jpm_for_transfer: Decimal = Field(Decimal(68), ge=0, le=100)
    development_jp_per_year: int = Field(20, ge=0, le=1000)
    objection_window_working_days: int = Field(
        3,
        ge=1,
        le=30,
        description=("working days after the announcement in which a decided proposal is open to objection"),
    )
    evaluation_early_days: int = Field(
        14,
        ge=0,
        le=90,
        description=("days before TMT + the months an evaluation claims on which it may already be dated"),
    )
    level_equivalences: tuple[tuple[PositionType, PositionType], ...] = Field(
        RulePolicy.level_equivalences,
        description=(
            "rule 10's penyetaraan jabatan, pairs of equivalent levels as JSON, e.g. "
            '[["administrator", "fungsional_ahli_madya"]]'
        ),
    )

    @field_validator("level_equivalences")
    @classmethod
    def _consistent_levels(
        cls,
        pairs: tuple[tuple[PositionType, PositionType], ...],
    ) -> tuple[tuple[PositionType, PositionType], ...]:
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
            raise ValueError(
                f"rating_final_month {self.rating_final_month} has no day {self.rating_final_day} in every year"
            ) from None
        return self

    def policy(self) -> RulePolicy:
        """The domain's `RulePolicy` with these thresholds."""
        return RulePolicy(**self.model_dump())


class Settings(BaseSettings):
    """Everything configurable. `store` picks the event store: SQLite file (default) or PostgreSQL."""

    model_config = SettingsConfigDict(  # a `.env` in the working directory too; the environment wins
        env_prefix="MUTASI_",
        env_nested_delimiter="__",
        extra="ignore",
        env_file=".env",
        env_file_encoding="utf-8",
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
    postgres_pool_timeout: float = Field(
        2.0,
        gt=0,
        le=60,
        description=("seconds a request waits for a pooled database connection; then it is refused (503) unrun"),
    )
    command_deadline: float = Field(
        10.0,
        gt=0,
        le=600,
        description=("seconds from a command's arrival after which it is no longer started or saved (503 instead)"),
    )
    ready_timeout: float = Field(
        1.0, gt=0, le=30, description=("seconds /health/ready waits for the stores before it answers 503")
    )
    max_waiting_reads: int = Field(
        8,
        ge=0,
        le=1000,
        description=(
            "reads that may wait at once for a view to reach their `min_position` (each holds a worker "
            "thread); further ones are answered 503 view-not-up-to-date at once"
        ),
    )
    rules: RuleSettings = RuleSettings()
    audit_signing_key_file: Path | None = Field(
        None,
        description=(
            "Ed25519 private key (PEM) that signs the audit log's tree heads; on the SQLite default `db init` "
            "generates one beside the database (`<sqlite_path>-audit-key.pem`)"
        ),
    )
    import_max_field_bytes: int = Field(
        32_768,
        ge=64,
        le=1 << 30,
        description=("largest cell of a roster file (UTF-8 bytes); a larger one refuses the file"),
    )
    import_max_rows: int = Field(
        10_000_000,
        ge=1,
        le=1 << 40,
        description=("most rows a roster file may have, blank rows and every sheet included"),
    )
    import_max_xlsx_uncompressed_bytes: int = Field(
        16 << 30,
        ge=1,
        le=1 << 50,
        description=("most bytes an XLSX roster may inflate to in total, as its zip directory declares"),
    )
    import_max_xlsx_sheet_bytes: int = Field(
        2 << 30,
        ge=1,
        le=1 << 50,
        description=(
            "most bytes one worksheet of an XLSX roster may inflate to (read as a stream; a full sheet of "
            "1,048,576 roster rows is about 1.9 GB)"
        ),
    )
    import_max_xlsx_part_bytes: int = Field(
        256 << 20,
        ge=1,
        le=1 << 40,
        description=(
            "most bytes any other part of an XLSX roster may inflate to (shared strings, styles, "
            "workbook: read whole into memory)"
        ),
    )
    import_max_error_rows: int = Field(
        100_000,
        ge=0,
        le=1 << 40,
        description=("problems listed in an import's error file; beyond them a last line counts the rest"),
    )
    audit_uncovered_max_age_seconds: int = Field(
        3600,
        ge=1,
        le=366 * 86_400,
        description=("`mutasi audit verify` fails when an event no signed checkpoint covers was recorded longer ago"),
    )
    audit_log_origin: str = Field(
        "mutasi.example/audit-log",
        min_length=1,
        pattern=r"^[^\s]+$",
        description=(
            "the log's name: the first line of its signed tree heads (C2SP checkpoints) and its note key name"
        ),
    )
    audit_witness_keys: list[str] = Field(
        default_factory=list,
        description=("the witnesses' verifier keys (`<name>+<key id>+<base64>`, as `mutasi witness key` prints them)"),
    )
    audit_witness_quorum: int = Field(
        0,
        ge=0,
        le=100,
        description=("how many of the named witnesses must have cosigned a tree head for verification to rely on it"),
    )
