"""Helpers for files people open in spreadsheets."""

import csv
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


UTF8_BOM = "\ufeff"  # lets Excel read accented names in a CSV correctly


def csv_download(rows: Iterable[Iterable[Any]], filename: str, *, bom: bool = True):
    """A streamed CSV attachment of `rows` (already neutralised by the caller's row builder)."""
    from django.http import StreamingHttpResponse

    writer = csv.writer(Echo())
    lines = (writer.writerow(row) for row in rows)
    response = StreamingHttpResponse(_prefixed(UTF8_BOM, lines) if bom else lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _prefixed(first: str, lines: Iterable[str]):
    yield first
    yield from lines
