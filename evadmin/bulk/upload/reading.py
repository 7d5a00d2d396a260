"""Reading an uploaded CSV or XLSX file as rows, streaming: the file is never held whole in memory.

Two steps, both on a seekable binary file (Django's UploadedFile.file):
  upload_scan(file)          size, sha256, format and text encoding, in one pass of 64 KiB reads;
  upload_table(file, facts)  the header checked, then an iterator of ParsedRow.
Anything wrong with the file as a whole raises FileRejected with one sentence for people saying
what is wrong and where (line or row number). Row-level checks are in row_checks.py.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from openpyxl.utils import get_column_letter

from evadmin.bulk.columns import COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, UPDATE_KEY_COLUMN, canonical_column
from evadmin.bulk.upload.rejections import FileRejected, megabytes
from evadmin.core.exports import FORMULA_TRIGGERS

SCAN_CHUNK_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and password-protected .xlsx
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
CSV_DELIMITERS = (",", ";", "\t")  # Excel writes ";" where "," is the decimal separator
HEADER_ROW = 1
# An XLSX's XML is typically 5–10× its zipped size; refuse declared totals beyond this many times
# the upload limit before anything is decompressed (xlsx.py).
XLSX_EXPANSION_ALLOWED = 10


@dataclass(frozen=True)
class UploadFacts:
    format: str  # "csv" or "xlsx"
    encoding: str  # CSV only: utf-8, utf-8-sig, utf-16 or cp1252
    size: int
    sha256: str


@dataclass
class ParsedRow:
    row_number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]  # canonical column -> the cell's text, trimmed; blank cells left out
    problems: list[str] = field(default_factory=list)  # what is wrong with the row's shape


@dataclass
class Table:
    columns: list[str]  # the recognised columns, canonical names, in file order
    ignored: list[str]  # headers evadmin does not use
    notes: list[str]  # sentences for the preview
    rows: Iterator[ParsedRow]  # raises FileRejected when the file turns out broken part-way


# --- scanning -----------------------------------------------------------------------------

def upload_scan(file: BinaryIO, *, max_bytes: int) -> UploadFacts:
    """Size, sha256, format and (for CSV) encoding, reading the file once in small pieces.

    CSV encodings: a UTF-8 or UTF-16 byte-order mark decides; otherwise UTF-8 if the whole file
    decodes as UTF-8, else Windows-1252 (what Excel on Windows writes for "CSV") if it decodes
    as that. A NUL byte outside UTF-16 means the file is not text.
    """
    file.seek(0)
    head = file.read(8)
    if not head:
        raise FileRejected("The file is empty.")
    if head.startswith(OLE_MAGIC):
        raise FileRejected(
            "This is an old-style Excel (.xls) file or a password-protected workbook: save it as "
            ".xlsx without a password, or as CSV UTF-8, and upload that."
        )
    file_format = "xlsx" if head.startswith(ZIP_MAGIC) else "csv"
    if head.startswith(UTF8_BOM):
        encoding = "utf-8-sig"
    elif head.startswith(UTF16_BOMS):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    text_check = _TextCheck(encoding) if file_format == "csv" else None

    file.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := file.read(SCAN_CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise FileRejected(
                f"The file is larger than {megabytes(max_bytes)}, the most evadmin accepts: split it into smaller files."
            )
        digest.update(chunk)
        if text_check:
            text_check.feed(chunk)
    if text_check:
        encoding = text_check.finish()
    return UploadFacts(format=file_format, encoding=encoding if file_format == "csv" else "", size=size,
                       sha256=digest.hexdigest())


class _TextCheck:
    """Decodes the chunks as UTF-8 (or UTF-16) and Windows-1252 side by side, noting the first failure."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.utf16 = encoding == "utf-16"
        self.primary = codecs.getincrementaldecoder("utf-16" if self.utf16 else "utf-8")()
        self.primary_error_line: int | None = None
        self.cp1252_error_line: int | None = None
        self.lines_before = 0  # newlines in the chunks already fed

    def feed(self, chunk: bytes) -> None:
        if not self.utf16:
            nul = chunk.find(b"\x00")
            if nul >= 0:
                line = self.lines_before + chunk.count(b"\n", 0, nul) + 1
                raise FileRejected(
                    f"This is not a text file: line {line:,} contains binary data (a NUL byte). "
                    "Upload a CSV or XLSX file."
                )
        if self.primary_error_line is None:
            try:
                self.primary.decode(chunk)
            except UnicodeDecodeError as exc:
                self.primary_error_line = self.lines_before + chunk.count(b"\n", 0, max(exc.start, 0)) + 1
        if not self.utf16 and self.cp1252_error_line is None:
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError as exc:
                self.cp1252_error_line = self.lines_before + chunk.count(b"\n", 0, exc.start) + 1
        self.lines_before += chunk.count(b"\n")

    def finish(self) -> str:
        if self.primary_error_line is None:
            try:
                self.primary.decode(b"", final=True)
            except UnicodeDecodeError:
                self.primary_error_line = self.lines_before + 1
        if self.primary_error_line is None:
            return self.encoding
        if self.utf16:
            raise FileRejected(f"The file says it is UTF-16 text but line {self.primary_error_line:,} is not valid UTF-16.")
        if self.cp1252_error_line is None:
            return "cp1252"
        raise FileRejected(
            f"The file is neither UTF-8 nor Windows-1252 text (line {self.primary_error_line:,} cannot be read): "
            "save it as CSV UTF-8 and upload it again."
        )


# --- the table ----------------------------------------------------------------------------

def upload_table(file: BinaryIO, facts: UploadFacts, *, max_rows: int, max_bytes: int) -> Table:
    """The file's header checked and its data rows as a lazy iterator (see the module docstring)."""
    if facts.format == "xlsx":
        from evadmin.bulk.upload.xlsx import xlsx_records

        records, notes = xlsx_records(file, max_uncompressed_bytes=max_bytes * XLSX_EXPANSION_ALLOWED, max_rows=max_rows)
    else:
        records, notes = csv_records(file, encoding=facts.encoding), []
    header = next(records, None)
    if header is None:
        raise FileRejected("The file is empty.")
    _row_number, header_cells = header
    positions, ignored = header_positions(header_cells)
    if ignored:
        notes.append(f"Columns evadmin does not use were ignored: {_listing(ignored)}.")
    columns = sorted(positions, key=positions.get)
    width = max(index for index, cell in enumerate(header_cells) if _cell_text(cell)) + 1
    return Table(columns=columns, ignored=ignored, notes=notes, rows=_data_rows(records, positions, width, max_rows))


def _data_rows(
    records: Iterator[tuple[int, list]], positions: dict[str, int], width: int, max_rows: int
) -> Iterator[ParsedRow]:
    """ParsedRows from the records after the header; `width`: the header's cell count."""
    count = 0
    for row_number, cells in records:
        texts = [_cell_text(cell) for cell in cells]
        if not any(texts):
            continue  # a blank line: not a row, but it keeps its number
        count += 1
        if count > max_rows:
            raise FileRejected(
                f"The file has more than {max_rows:,} data rows (row {row_number:,} is one too many), the most one "
                "job takes: split it into smaller files."
            )
        values = {column: texts[index] for column, index in positions.items() if index < len(texts) and texts[index]}
        problems = []
        extra = [get_column_letter(index + 1) for index, text in enumerate(texts[width:], start=width) if text]
        if extra:
            problems.append(
                f"cells beyond the header's last column (column {', '.join(extra)}): an unquoted comma, perhaps"
            )
        for column, text in values.items():
            if "\n" in text or "\r" in text:
                problems.append(f"{column} contains a line break: check for a quote that is never closed")
        yield ParsedRow(row_number=row_number, values=values, problems=problems)
    if count == 0:
        raise FileRejected("The file has a header row but no data rows.")


def header_positions(cells: list) -> tuple[dict[str, int], list[str]]:
    """{canonical column: index} for row 1, and the headers not used. Raises FileRejected."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    found = [text for text in (_cell_text(cell) for cell in cells) if text]
    if not found:
        raise FileRejected(
            f"Row {HEADER_ROW} is blank: the first row must name the columns ({', '.join(COLUMNS)}). "
            "Download the template to start from."
        )
    for index, cell in enumerate(cells):
        text = _cell_text(cell)
        column = canonical_column(text) if text else None
        if text and column is None:
            ignored.append(text)
        elif column in positions:
            first = positions[column]
            raise FileRejected(
                f"Row {HEADER_ROW} has two columns for {column}: “{_cell_text(cells[first])}” (column "
                f"{get_column_letter(first + 1)}) and “{text}” (column {get_column_letter(index + 1)}). Keep one."
            )
        elif column:
            positions[column] = index
    # An update file names its accounts by user_id instead of email.
    missing = [] if UPDATE_KEY_COLUMN in positions else [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        looks_like_data = any("@" in text for text in found)
        raise FileRejected(
            f"The header row (row {HEADER_ROW}) has no {' or '.join(missing)} column. Found: {_listing(found)}. "
            f"Required: {', '.join(REQUIRED_COLUMNS)}; optional: {', '.join(OPTIONAL_COLUMNS)}."
            + (" Row 1 looks like data: add a header row above it." if looks_like_data else "")
        )
    return positions, ignored


def _listing(texts: list[str], limit: int = 15) -> str:
    shown = [f"“{text[:40]}”" for text in texts[:limit]]
    more = f" and {len(texts) - limit} more" if len(texts) > limit else ""
    return ", ".join(shown) + more


def _cell_text(value) -> str:
    """A cell as trimmed text. Numbers as a person typed them: 2134.0 -> "2134"."""
    # CSV cells are always str: test that first, this runs once per cell (a million times a file).
    text = value.strip() if value.__class__ is str else _non_text_cell(value)
    # evadmin's own CSV downloads put an apostrophe before cells that look like formulas
    # (core.exports); take it off so a downloaded rejected-rows file can be fixed and uploaded.
    if text[:1] == "'" and len(text) > 1 and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


def _non_text_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, str):
        return value.strip()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


# --- CSV ----------------------------------------------------------------------------------

def csv_records(file: BinaryIO, *, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every record, the header included, reading the file as a stream."""
    file.seek(0)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        first_line = text.readline()
        delimiter = _delimiter(first_line)
        reader = csv.reader(itertools.chain([first_line], text), delimiter=delimiter, strict=True)
        yield from _csv_reader_records(reader)
    finally:
        if not file.closed:
            text.detach()  # leave the uploaded file open: the caller stores it next


def _csv_reader_records(reader) -> Iterable[tuple[int, list[str]]]:
    row_number = 0
    while True:
        start_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRejected(_csv_error_message(str(exc), start_line, reader.line_num)) from exc
        row_number += 1
        yield row_number, cells


def _csv_error_message(error: str, start_line: int, line: int) -> str:
    if "unexpected end of data" in error:
        return (f"Line {start_line:,} opens a quote that is never closed (unbalanced quotes): the rest of the file "
                "would be read as one cell.")
    if "field larger than field limit" in error:
        return (f"A cell starting on line {start_line:,} is longer than {csv.field_size_limit():,} characters, far "
                "more than any column takes: shorten it, or close the quote that opens it if it is never closed.")
    return (f"Line {line:,} has a stray quote ({error}): quote whole cells, and double any quote inside a "
            "quoted cell (\"\").")


def _delimiter(first_line: str) -> str:
    """The delimiter that makes the most of the header's cells known columns (comma on a tie)."""
    def known(delimiter: str) -> int:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:  # the full reader reports it, with its line
            return 0
        return sum(1 for cell in cells if canonical_column(cell))

    return max(CSV_DELIMITERS, key=known)
