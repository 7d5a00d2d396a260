"""A constant-memory pass over an XLSX's XML parts, before openpyxl builds anything from them.

The zip directory's declared sizes bound how many bytes a part can inflate to, but not what
openpyxl makes of those bytes: it keeps every parsed <row> of a sheet and every <si> of the
shared strings (cleared, still linked to their parent) and builds whole trees of the other
parts. Measured with openpyxl 3.1: a million shared strings cost 154 MB and a million rows
92 MB, from 2.5 MB zips whose XML is well within the declared-size allowance. So each part is
streamed through expat first, counting elements and text, and refused past limits a real
workbook never reaches. Any DTD is refused here too (Excel never writes one), so an entity
bomb is never expanded, even before defusedxml sees it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from evadmin.bulk.upload.rejections import FileRejected

SCAN_CHUNK_BYTES = 64 * 1024
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
# What an XLSX holds as XML (media, printer settings and VBA are binary and never parsed).
XML_SUFFIXES = (".xml", ".rels", ".vml")
# Excel's own limits: 16,384 columns and 32,767 characters a cell. A cell is at most
# <c><f/><v/><is><t/></is></c> (5 elements); rich text adds runs, so allow some room.
XLSX_MAX_ELEMENTS_PER_RECORD = 16_384 * 8
XLSX_MAX_TEXT_PER_RECORD = 4 * 1024 * 1024
# Distinct texts in the shared-strings table: 100,000 rows of 11 columns are 1.1 million cells at
# most, and a real file repeats cities and countries. openpyxl holds them all: ~154 MB a million.
XLSX_MAX_SHARED_STRINGS = 1_000_000
# Row elements beyond the data rows allowed: blank or only formatted rows Excel writes out.
XLSX_EXTRA_ROWS_ALLOWED = 100_000
# Elements outside rows (merged cells, validations, styles, relationships...). Excel's 64,000
# cell styles at 3-4 elements each fit; openpyxl builds these parts as whole trees.
XLSX_MAX_OTHER_ELEMENTS = 300_000


@dataclass(frozen=True)
class PartLimits:
    record_tag: str | None  # "row" or "si": the repeated element openpyxl parses one at a time
    max_records: int
    record_name: str  # how people call a record, for messages


def sheet_limits(*, max_rows: int) -> PartLimits:
    return PartLimits(record_tag="row", max_records=max_rows + XLSX_EXTRA_ROWS_ALLOWED, record_name="rows")


SHARED_STRINGS_LIMITS = PartLimits(record_tag="si", max_records=XLSX_MAX_SHARED_STRINGS,
                                   record_name="distinct texts")
OTHER_PART_LIMITS = PartLimits(record_tag=None, max_records=0, record_name="")


def xml_parts_scan(archive: zipfile.ZipFile, names: list[str], limits: PartLimits) -> None:
    """Stream each part through expat within `limits`; raises FileRejected naming the part and place."""
    for name in names:
        _PartScan(name, limits).run(archive)


def sheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """The worksheets (not their _rels): scanned with row limits, as openpyxl streams them."""
    return [name for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name]


def workbook_parts(archive: zipfile.ZipFile) -> list[str]:
    """The XML parts other than worksheets and shared strings (openpyxl reads some of them whole)."""
    sheets = set(sheet_parts(archive))
    return [name for name in archive.namelist()
            if name.lower().endswith(XML_SUFFIXES) and name not in sheets and name != SHARED_STRINGS_PART]


class _PartScan:
    def __init__(self, name: str, limits: PartLimits) -> None:
        self.name = name
        self.limits = limits
        self.depth = 0
        self.record_depth: int | None = None  # depth of the record being read, if inside one
        self.records = 0
        self.record_label = ""  # the record's own number (a row's r attribute), for messages
        self.record_elements = 0
        self.record_text = 0
        self.other_elements = 0
        self.other_text = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.doctype
        self.parser.ExternalEntityRefHandler = self.doctype

    def run(self, archive: zipfile.ZipFile) -> None:
        try:
            with archive.open(self.name) as source:
                while chunk := source.read(SCAN_CHUNK_BYTES):
                    self.parser.Parse(chunk, False)
                self.parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise FileRejected(
                f"The XLSX file's part {self.name} is not well-formed XML (line {exc.lineno:,}, column "
                f"{exc.offset + 1:,}): open it in Excel and save it again."
            ) from exc
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            # A part that inflates past its declared size fails its CRC check here, unread beyond it.
            raise FileRejected(
                f"The XLSX file is damaged: its part {self.name} does not match the zip directory ({exc}). "
                "Open it in Excel and save it again."
            ) from exc

    def doctype(self, *args) -> None:
        raise FileRejected(
            f"The XLSX file's part {self.name} contains XML entity or DTD declarations, which evadmin refuses: "
            "open it in Excel and save it again."
        )

    def start(self, tag: str, attributes: dict) -> None:
        self.depth += 1
        local = tag.rsplit(":", 1)[-1]
        if self.record_depth is None and local == self.limits.record_tag:
            self.record_depth = self.depth
            self.records += 1
            number = attributes.get("r", "")
            self.record_label = f"{int(number):,}" if number.isdigit() else f"{self.records:,}"
            self.record_elements = self.record_text = 0
            if self.records > self.limits.max_records:
                raise FileRejected(self._too_many_records())
        elif self.record_depth is not None:
            self.record_elements += 1
            if self.record_elements > XLSX_MAX_ELEMENTS_PER_RECORD:
                raise FileRejected(self._record_too_big(f"more than {XLSX_MAX_ELEMENTS_PER_RECORD:,} cells or parts"))
        else:
            self.other_elements += 1
            if self.other_elements > XLSX_MAX_OTHER_ELEMENTS:
                raise FileRejected(
                    f"The XLSX file's part {self.name} has more than {XLSX_MAX_OTHER_ELEMENTS:,} XML elements besides "
                    f"its {self.limits.record_name or 'data'}, more than a workbook needs: evadmin refuses it. "
                    "Save the sheet as a new workbook or as CSV."
                )

    def end(self, tag: str) -> None:
        if self.record_depth == self.depth:
            self.record_depth = None
        self.depth -= 1

    def text(self, data: str) -> None:
        if self.record_depth is not None:
            self.record_text += len(data)
            if self.record_text > XLSX_MAX_TEXT_PER_RECORD:
                raise FileRejected(self._record_too_big(f"more than {XLSX_MAX_TEXT_PER_RECORD:,} characters"))
        else:
            self.other_text += len(data)
            if self.other_text > XLSX_MAX_TEXT_PER_RECORD:
                raise FileRejected(
                    f"The XLSX file's part {self.name} holds more than {XLSX_MAX_TEXT_PER_RECORD:,} characters outside "
                    "its cells, more than a workbook needs: evadmin refuses it. Save the sheet as CSV."
                )

    def _too_many_records(self) -> str:
        if self.limits.record_tag == "row":
            return (f"The XLSX file's sheet {self.name} has more than {self.limits.max_records:,} rows, counting blank "
                    f"and formatted ones (row {self.record_label} is one too many): split it, or save it as CSV.")
        return (f"The XLSX file holds more than {self.limits.max_records:,} distinct texts ({self.name}), more than "
                "a bulk file can use: evadmin refuses it. Save the sheet as CSV, or split it.")

    def _record_too_big(self, what: str) -> str:
        where = f"Row {self.record_label} of the sheet {self.name}" if self.limits.record_tag == "row" else (
            f"Text {self.record_label} of {self.name}")
        return f"{where} holds {what}, more than a spreadsheet cell allows: evadmin refuses the file. Save it as CSV."
