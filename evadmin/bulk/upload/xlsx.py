"""XLSX files: refused before decompression when they could be zip or XML bombs, then streamed.

An XLSX is a zip of XML parts. Before openpyxl opens it, the zip's central directory (read
without decompressing anything) must list a sane number of parts whose declared sizes add up
to a sane total. Declared sizes bind: Python's zipfile stops a part's output at its declared
size (and then fails its CRC check), so a part cannot inflate past what was checked here.
Then every XML part openpyxl will read is streamed through expat in constant memory, counting
rows, shared strings, elements and text (parsing_xlsx_scan.py): what openpyxl keeps in memory
grows with those counts, not with the bytes. openpyxl then reads in read-only mode, one row at
a time, parsing XML through defusedxml (installed, so openpyxl uses it), which refuses entity
expansion ("billion laughs") and DTDs.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from defusedxml import DefusedXmlException

from evadmin.bulk.upload.rejections import FileRejected, megabytes
from evadmin.bulk.upload.xlsx_scan import (
    OTHER_PART_LIMITS,
    SHARED_STRINGS_LIMITS,
    SHARED_STRINGS_PART,
    sheet_limits,
    sheet_parts,
    workbook_parts,
    xml_parts_scan,
)

logger = logging.getLogger(__name__)

# A one-sheet workbook from Excel, LibreOffice or Google Sheets has 10–20 parts.
XLSX_MAX_PARTS = 500
# Columns read from row 1. openpyxl pads every row to the sheet's declared width, which a
# formatted sheet may declare as 16,384 columns; evadmin's columns are 11.
XLSX_MAX_HEADER_COLUMNS = 256
ENCRYPTED_FLAG = 0x1


def xlsx_records(
    file: BinaryIO, *, max_uncompressed_bytes: int, max_rows: int
) -> tuple[Iterator[tuple[int, list]], list[str]]:
    """(row number, cell values) of the first sheet, header included, and notes for the preview."""
    _check_zip(file, max_uncompressed_bytes=max_uncompressed_bytes)
    import openpyxl

    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        # Before openpyxl loads the workbook, which reads these parts (shared strings all at once,
        # and the start of each sheet). Every sheet is scanned: only openpyxl knows which is first.
        xml_parts_scan(archive, workbook_parts(archive), OTHER_PART_LIMITS)
        if SHARED_STRINGS_PART in archive.namelist():
            xml_parts_scan(archive, [SHARED_STRINGS_PART], SHARED_STRINGS_LIMITS)
        xml_parts_scan(archive, sheet_parts(archive), sheet_limits(max_rows=max_rows))
    file.seek(0)
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many types for damaged workbooks; any of them means "unreadable"
        logger.info("Unreadable XLSX upload: %r", exc)
        raise FileRejected(f"The XLSX file cannot be read as a workbook ({_reason(exc)}): open it in Excel and save it again.") from exc
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(f"Only the first sheet, “{sheet.title}”, was read; the workbook has {len(workbook.worksheets)} sheets.")
    return _rows(workbook, sheet), notes


def _check_zip(file: BinaryIO, *, max_uncompressed_bytes: int) -> None:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected("The file starts like an XLSX (zip) file but is damaged: open it in Excel and save it again.") from exc
    if len(parts) > XLSX_MAX_PARTS:
        raise FileRejected(
            f"The XLSX file holds {len(parts):,} parts, more than the {XLSX_MAX_PARTS} a workbook needs: evadmin "
            "refuses it unopened. Save the sheet as a new workbook or as CSV."
        )
    declared = sum(part.file_size for part in parts)
    if declared > max_uncompressed_bytes:
        raise FileRejected(
            f"The XLSX file would unpack to {megabytes(declared)}, more than the {megabytes(max_uncompressed_bytes)} "
            "evadmin accepts: evadmin refuses it unopened. Split it, or save it as CSV."
        )
    if any(part.flag_bits & ENCRYPTED_FLAG for part in parts):
        raise FileRejected("The XLSX file is encrypted: save it without a password and upload it again.")
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names:
        raise FileRejected("The file is a zip archive but not an XLSX workbook (it has no [Content_Types].xml).")


def _rows(workbook, sheet) -> Iterator[tuple[int, list]]:
    try:
        header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=XLSX_MAX_HEADER_COLUMNS, values_only=True), None)
        if header is None:
            return
        header = list(header)
        yield 1, header
        width = max((index + 1 for index, value in enumerate(header) if value not in (None, "")), default=1)
        # iter_rows fills missing rows in with empty ones, so enumerate gives the sheet's row numbers.
        for row_number, values in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            yield row_number, list(values)
    except FileRejected:
        raise
    except Exception as exc:  # as above: a sheet that breaks part-way is unreadable, whatever the type
        logger.info("Unreadable XLSX sheet: %r", exc)
        raise FileRejected(f"The XLSX file's first sheet cannot be read ({_reason(exc)}): open it in Excel and save it again.") from exc
    finally:
        workbook.close()


def _reason(exc: Exception) -> str:
    cause: BaseException | None = exc
    while cause is not None:  # openpyxl wraps the parser's error in a ValueError of its own
        if isinstance(cause, DefusedXmlException):  # EntitiesForbidden, DTDForbidden, ExternalReferenceForbidden
            return "it contains XML entity or DTD declarations, which evadmin refuses"
        cause = cause.__cause__ or cause.__context__
    return str(exc).split("\n", 1)[0][:120] or type(exc).__name__
