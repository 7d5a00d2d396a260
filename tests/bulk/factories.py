"""Bulk files for tests (and for bench/): CSV, XLSX and zip bytes, made in memory."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence

from evadmin.bulk.columns import COLUMNS

TARIFF_ID = "tari" + "0" * 25 + "1"
TARIFF_ID_2, TARIFF_ID_3 = "tari" + "0" * 25 + "2", "tari" + "0" * 25 + "3"  # two tariffs of the same name
SITE_ID = "site" + "0" * 25 + "1"


def address(**overrides) -> dict[str, str]:
    """A complete, valid row for `email`."""
    return {"address_1": "1 High Street", "city": "London", "postal_code": "SW1A 1AA", "country_code": "GB",
            "latitude": "51.5", "longitude": "-0.12", **overrides}


def csv_bytes(rows: Iterable[dict | Sequence], *, header: Sequence[str] = COLUMNS, encoding: str = "utf-8",
              delimiter: str = ",") -> bytes:
    """A CSV with `header`; dict rows are laid out by header name, sequences as they are."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header] if isinstance(row, dict) else row)
    return out.getvalue().encode(encoding)


def generated_rows(count: int, *, domain: str = "example.com") -> Iterable[dict[str, str]]:
    """`count` valid, distinct rows (every tenth without an address)."""
    for n in range(count):
        email = f"driver{n:06d}@{domain}"
        yield {"email": email} if n % 10 == 0 else {"email": email, **address(postal_code=f"E{n % 20} {n % 9}AA")}


def xlsx_bytes(rows: Iterable[Sequence], *, header: Sequence[str] | None = COLUMNS, extra_sheets: int = 0) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Drivers")
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(name) for name in header] if isinstance(row, dict) else list(row))
    for n in range(extra_sheets):
        workbook.create_sheet(f"Notes {n + 1}").append(["nothing here"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A zip archive of `entries` ({name: content}), as XLSX files and their forgeries are."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()
