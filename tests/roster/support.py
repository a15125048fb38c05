"""Small rosters for the roster tests: a generated register of a few dozen employees."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from application.roster.files import write_roster
from application.roster.generate import RegisterGenerator


def roster_rows(employees: int = 40, seed: int = 7) -> list[dict[str, Any]]:
    """A generated city register cut down to `employees` (one agency, 72 positions)."""
    return list(RegisterGenerator("city", seed, employees=employees).rows())


def write(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write rows as the file's format (by suffix) and return the path."""
    write_roster(rows, path)
    return path


def error_lines(path: Path) -> list[dict[str, str]]:
    """The error file's lines as dicts (sheet, line, column, value, reason)."""
    with path.open(newline="", encoding="utf-8") as source:
        return list(csv.DictReader(source))


def holders(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows that carry an employee."""
    return [row for row in rows if row.get("NIP")]
