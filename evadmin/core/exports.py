"""Helpers for files people open in spreadsheets."""

from collections.abc import Iterable
from typing import Any

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets
# ("CSV injection"); a leading apostrophe makes it text. See
# https://owasp.org/www-community/attacks/CSV_Injection
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Return `value` made safe to open in a spreadsheet; non-strings are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise_formula(value) for value in row]


class Echo:
    """A write-only file for csv.writer whose write() hands the line back, for streaming."""

    def write(self, value: str) -> str:
        return value
