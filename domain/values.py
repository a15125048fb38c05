"""Small validators shared by the aggregates, each raising `InvalidValue` with a clear message."""

from __future__ import annotations

from domain.errors import InvalidValue


def require_text(value: str, what: str) -> str:
    """`value` with runs of whitespace collapsed; refuses an empty or non-string value."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(f"{what} must not be empty")
    return " ".join(value.split())


def require_int(value: int, low: int, high: int, what: str) -> int:
    """`value` when it is an integer (not a bool) from `low` to `high`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValue(f"{what} must be an integer from {low} to {high}, got {value!r}")
    return value
