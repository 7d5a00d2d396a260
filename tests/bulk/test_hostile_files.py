"""Hostile bulk files: a corpus of awkward CSVs and XLSX bombs through the real upload view.

Each case names the file and its expected outcome: accepted (rows in the preview, row-level
problems shown there) or rejected (422 with one sentence saying what and where, nothing stored).
Never a 500, and a job uploaded before the hostile file keeps its rows and bytes.

Parsing runs in the web process: the upload view calls imports.bulk_job_create_from_upload
synchronously (the worker only sends rows). The memory cases run that same service in a child
process and read the child's peak RSS (VmHWM), so the measure is the process's own, not pytest's.
Big files are generated in a temporary folder at test time.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from evadmin.bulk.columns import COLUMNS
from evadmin.bulk.models import BulkFileChunk, BulkJob, BulkRow
from evadmin.bulk.selectors import bulk_job_file_bytes
from tests.bulk.factories import address, csv_bytes, generated_rows, xlsx_bytes, zip_bytes
from tests.worker import REPO, _database_url

MB = 1024 * 1024
LIMIT_BYTES = 20 * MB  # EVADMIN_BULK_MAX_UPLOAD_MB's default, which these cases are about
MAX_RSS_MB = 300
HEADER = "email,address_1,city,postal_code,country_code,latitude,longitude"


def _lines(*lines: str, end: str = "\r\n") -> str:
    return end.join(lines) + end


GOOD_TEXT = _lines(HEADER, "zoe@example.com,1 High Street,Zürich,SW1A 1AA,GB,51.5,-0.12",
                   "b@example.com,2 High Street,London,SW1A 1AA,GB,51.5,-0.12")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@dataclass(frozen=True)
class Accepted:
    rows: int  # data rows in the job
    invalid: int = 0  # of which rejected row by row
    preview_shows: tuple[str, ...] = ()  # text the preview page must show (escaped as HTML shows it)
    values: dict | None = None  # row 2's values, where the case is about how they are read


@dataclass(frozen=True)
class Rejected:
    says: tuple[str, ...]  # pieces of the one sentence, including where (line, row or column)


# name -> (file name, bytes, expected outcome)
CSV_CORPUS = {
    "utf-8 with BOM": ("bom.csv", codecs.BOM_UTF8 + GOOD_TEXT.encode(), Accepted(
        rows=2, values={"email": "zoe@example.com", "city": "Zürich"})),
    "windows-1252": ("cp1252.csv", GOOD_TEXT.encode("cp1252"), Accepted(rows=2, values={"city": "Zürich"})),
    "utf-16 le with BOM": ("utf16le.csv", codecs.BOM_UTF16_LE + GOOD_TEXT.encode("utf-16-le"), Accepted(
        rows=2, values={"email": "zoe@example.com", "city": "Zürich"})),
    "utf-16 be with BOM": ("utf16be.csv", codecs.BOM_UTF16_BE + GOOD_TEXT.encode("utf-16-be"), Accepted(
        rows=2, values={"email": "zoe@example.com", "city": "Zürich"})),
    "CRLF line endings": ("crlf.csv", GOOD_TEXT.encode(), Accepted(rows=2, values={"city": "Zürich"})),
    "bare CR line endings": ("cr.csv", GOOD_TEXT.replace("\r\n", "\r").encode(), Accepted(
        rows=2, values={"city": "Zürich", "longitude": "-0.12"})),
    "bare LF line endings": ("lf.csv", GOOD_TEXT.replace("\r\n", "\n").encode(), Accepted(rows=2)),
    "embedded newline in a quoted field": ("newline.csv", _lines(
        HEADER, 'a@example.com,"1 High Street\nFlat 2",London,SW1A 1AA,GB,51.5,-0.12',
        "b@example.com,2 High Street,London,SW1A 1AA,GB,51.5,-0.12").encode(), Accepted(
        rows=2, invalid=1, preview_shows=("Row 2 (<bdi>a@example.com</bdi>)", "address_1 contains a line break"))),
    "200,000-character field": ("long-field.csv", _lines(
        HEADER, "a@example.com," + "x" * 200_000 + ",London,SW1A 1AA,GB,51.5,-0.12").encode(), Rejected(
        says=("A cell starting on line 2 is longer than 131,072 characters",))),
    "100,000-character address (under the CSV cell limit)": ("long-address.csv", _lines(
        HEADER, '"a@example.com","' + "x" * 100_000 + '",London,SW1A 1AA,GB,51.5,-0.12').encode(), Accepted(
        rows=1, invalid=1, preview_shows=("Row 2 (<bdi>a@example.com</bdi>)",))),
    "missing header row": ("no-header.csv", _lines(
        "a@example.com,1 High Street,London", "b@example.com,2 High Street,Ely").encode(), Rejected(
        says=("The header row (row 1) has no email column", "Row 1 looks like data: add a header row above it."))),
    "blank header row": ("blank-header.csv", b",,\r\na@example.com,,\r\n", Rejected(says=("Row 1 is blank",))),
    "extra unknown columns": ("extra-columns.csv", _lines(
        "email,Notes,Phone", "a@example.com,VIP,07700 900000").encode(), Accepted(
        rows=1, preview_shows=("Columns evadmin does not use were ignored: “Notes”, “Phone”.",),
        values={"email": "a@example.com", "Notes": None})),
    "more cells than the header": ("extra-cells.csv", _lines(
        "email", "a@example.com,Bath,Somerset", "b@example.com").encode(), Accepted(
        rows=2, invalid=1, preview_shows=("cells beyond the header&#x27;s last column (column B, C)",))),
    "duplicate headers (aliases)": ("dup-alias.csv", b"email,Postcode,ZIP\r\na@example.com,X,Y\r\n", Rejected(
        says=("Row 1 has two columns for postal_code", "(column B)", "(column C)"))),
    "duplicate headers (same name)": ("dup-same.csv", b"email,city,email\r\na@example.com,Bath,b@example.com\r\n",
                                      Rejected(says=("Row 1 has two columns for email", "(column A)", "(column C)"))),
    "unbalanced quote": ("quote.csv", b'email,city\r\na@example.com,Bath\r\nb@example.com,"Ely\r\n', Rejected(
        says=("Line 3 opens a quote that is never closed",))),
    "PNG renamed .csv": ("picture.csv", PNG, Rejected(says=("This is not a text file: line 3 contains binary data",))),
    "zip renamed .csv": ("archive.csv", zip_bytes({"readme.txt": b"hello"}), Rejected(
        says=("The file is a zip archive but not an XLSX workbook",))),
    "HTML in cells": ("html.csv", _lines(
        "email,city", '"<script>alert(1)</script>@x.com","""><img src=x onerror=alert(1)>"').encode(), Accepted(
        rows=1, invalid=1, preview_shows=("&lt;script&gt;alert(1)&lt;/script&gt;@x.com",))),
}


@pytest.fixture
def operator_client(client_as, fresh_budget, monkeypatch):
    """A bulk operator's client, with the tariff and EVSE site lists checked offline."""
    from tests.bulk.conftest import offline_checker

    monkeypatch.setattr("evadmin.bulk.upload.drafts.RowChecker", offline_checker)
    return client_as("bulk_operator")


@pytest.fixture
def earlier_job(operator_client):
    """A job uploaded before the hostile file: whatever the hostile file does, this one stays whole."""
    content = csv_bytes([{"email": f"earlier{n}@example.com", **address()} for n in range(3)])
    response = post_file(operator_client, content, "earlier.csv")
    job = job_of(response)
    yield job
    job.refresh_from_db()
    assert job.rows.count() == 3 and job.rows_total == 3
    assert b"".join(bulk_job_file_bytes(job=job)) == content


def post_file(client, content: bytes, name: str):
    return client.post("/bulk/", {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def job_of(response) -> BulkJob:
    assert response.status_code == 302, response.content.decode()[:2000]
    return BulkJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def assert_outcome(client, earlier_job, name: str, content: bytes, expected: Accepted | Rejected):
    before = BulkJob.objects.count(), BulkRow.objects.count(), BulkFileChunk.objects.count()
    response = post_file(client, content, name)
    if isinstance(expected, Rejected):
        html = response.content.decode()
        assert response.status_code == 422, html[:2000]
        assert 'id="upload-rejected"' in html and "Nothing was stored." in html
        for piece in expected.says:
            assert piece in html, f"{piece!r} not in the rejection"
        assert (BulkJob.objects.count(), BulkRow.objects.count(), BulkFileChunk.objects.count()) == before
        return None
    job = job_of(response)
    assert (job.rows_total, job.rows_invalid) == (expected.rows, expected.invalid)
    preview = client.get(f"/bulk/jobs/{job.pk}/")
    assert preview.status_code == 200
    html = preview.content.decode()
    for piece in expected.preview_shows:
        assert piece in html, f"{piece!r} not in the preview"
    if expected.values is not None:
        first = job.rows.get(row_number=2).values
        assert {key: first.get(key) for key in expected.values} == expected.values
    return job


@pytest.mark.parametrize("name,content,expected", CSV_CORPUS.values(), ids=CSV_CORPUS.keys())
def test_csv_corpus(operator_client, earlier_job, name, content, expected):
    assert_outcome(operator_client, earlier_job, name, content, expected)


def test_preview_escapes_markup_from_the_file(operator_client, earlier_job):
    name, content, expected = CSV_CORPUS["HTML in cells"]
    job = assert_outcome(operator_client, earlier_job, name, content, expected)
    for url in (f"/bulk/jobs/{job.pk}/", f"/bulk/jobs/{job.pk}/?show=invalid"):
        html = operator_client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html


# --- the largest accepted files, and one byte over -------------------------------------------

def rows_of_size(count: int, *, target_bytes: int) -> bytes:
    """`count` valid rows padded (in an ignored Notes column) to exactly `target_bytes`."""
    header = [*COLUMNS, "Notes"]
    bare = csv_bytes(generated_rows(count), header=header)
    padding = target_bytes - len(bare)
    assert padding >= 0
    per_row, rest = divmod(padding, count)
    out = io.StringIO()
    out.write(",".join(header) + "\r\n")
    for n, row in enumerate(generated_rows(count)):
        note = "n" * (per_row + (rest if n == count - 1 else 0))
        out.write(",".join([*(row.get(column, "") for column in COLUMNS), note]) + "\r\n")
    content = out.getvalue().encode()
    assert len(content) == target_bytes
    return content


@pytest.fixture(scope="module")
def limit_sized_csv() -> bytes:
    return rows_of_size(20_000, target_bytes=LIMIT_BYTES)


def test_100000_rows_are_accepted(operator_client, earlier_job, settings):
    assert settings.EVADMIN_BULK_MAX_ROWS == 100_000
    content = csv_bytes(generated_rows(100_000))
    assert_outcome(operator_client, earlier_job, "many.csv", content, Accepted(rows=100_000, preview_shows=(
        '<td id="count-valid">100,000</td>',)))


def test_a_file_of_exactly_the_size_limit_is_accepted(operator_client, earlier_job, settings, limit_sized_csv):
    assert settings.EVADMIN_BULK_MAX_UPLOAD_BYTES == LIMIT_BYTES
    assert_outcome(operator_client, earlier_job, "20mb.csv", limit_sized_csv, Accepted(rows=20_000, preview_shows=(
        "“Notes”",)))


def test_one_byte_over_the_size_limit_is_rejected(operator_client, earlier_job, limit_sized_csv):
    response = post_file(operator_client, limit_sized_csv + b"x", "20mb-and-1.csv")
    html = response.content.decode()
    assert response.status_code == 422
    assert "The file is larger than 20 MB, the most evadmin accepts: split it into smaller files." in html
    assert BulkJob.objects.count() == 1  # only the earlier job


# --- XLSX bombs: refused from the zip directory or a constant-memory pass, before openpyxl builds them --

SHEET_PART = "xl/worksheets/sheet1.xml"
LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                     for n in range(1, 10))
          + b"]>")


def _workbook_entries(rows=({"email": "a@example.com"},)) -> dict[str, bytes]:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(list(rows))))
    entries = {name: source.read(name) for name in source.namelist()}
    assert SHEET_PART in entries
    return entries


def _with_sheet_rows(extra_rows: bytes) -> bytes:
    entries = _workbook_entries()
    entries[SHEET_PART] = entries[SHEET_PART].replace(b"</sheetData>", extra_rows + b"</sheetData>")
    return zip_bytes(entries)


def _with_shared_strings(body: bytes, prolog: bytes = b"") -> bytes:
    entries = _workbook_entries()
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    entries["xl/_rels/workbook.xml.rels"] = entries["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    entries["xl/sharedStrings.xml"] = (b'<?xml version="1.0"?>' + prolog + b'<sst xmlns="http://schemas.'
                                       b'openxmlformats.org/spreadsheetml/2006/main">' + body + b"</sst>")
    return zip_bytes(entries)


def huge_sheet(declared_mb: int) -> bytes:
    """A workbook whose sheet inflates to `declared_mb` of XML (blank padding), a few hundred KB zipped."""
    entries = _workbook_entries()
    sheet = entries.pop(SHEET_PART)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        head, tail = sheet.split(b"</sheetData>")
        with archive.open(SHEET_PART, "w", force_zip64=True) as part:
            part.write(head)
            padding = b" " * MB
            for _ in range(declared_mb):
                part.write(padding)
            part.write(b"</sheetData>" + tail)
    return out.getvalue()


def lying_sheet_size() -> bytes:
    """The sheet's declared size in the zip directory says 1,000 bytes; its data inflates to 20 MB."""
    entries = _workbook_entries()
    entries[SHEET_PART] = entries[SHEET_PART].replace(b"</sheetData>", b" " * (20 * MB) + b"</sheetData>")
    content = bytearray(zip_bytes(entries))
    # Central directory record: signature, then the uncompressed size at offset 24 (zip spec 4.3.12).
    name = SHEET_PART.encode()
    record = content.rfind(b"PK\x01\x02", 0, content.rfind(name))
    assert content[record + 46:record + 46 + len(name)] == name
    struct.pack_into("<I", content, record + 24, 1000)
    return bytes(content)


def many_entries(count: int) -> bytes:
    entries = _workbook_entries()
    entries.update({f"xl/junk/{n}.xml": b"<a/>" for n in range(count)})
    return zip_bytes(entries)


def big_styles() -> bytes:
    entries = _workbook_entries()
    entries["xl/styles.xml"] = entries["xl/styles.xml"].replace(
        b"</cellXfs>", b"<xf/>" * 400_000 + b"</cellXfs>")
    return zip_bytes(entries)


XLSX_BOMBS = {
    "sheet inflating past the size limit": ("huge-sheet.xlsx", lambda: huge_sheet(205), Rejected(
        says=("The XLSX file would unpack to 205", "more than the 200 MB evadmin accepts", "refuses it unopened"))),
    "30,000 zip entries": ("many-entries.xlsx", lambda: many_entries(30_000), Rejected(
        says=("The XLSX file holds 30,00", "parts, more than the 500 a workbook needs"))),
    "billion laughs in the sheet": ("laughs-sheet.xlsx", lambda: _with_sheet_entities(), Rejected(
        says=(f"part {SHEET_PART} contains XML entity or DTD declarations",))),
    "billion laughs in the shared strings": ("laughs-strings.xlsx", lambda: _with_shared_strings(
        b"<si><t>&lol9;</t></si>", prolog=LAUGHS), Rejected(
        says=("part xl/sharedStrings.xml contains XML entity or DTD declarations",))),
    "lying uncompressed size": ("lying.xlsx", lying_sheet_size, Rejected(
        says=(f"its part {SHEET_PART} does not match the zip directory",))),
    "1,000,001 shared strings (within the size allowance)": ("strings.xlsx", lambda: _with_shared_strings(
        b"".join(b"<si><t>%d</t></si>" % (n % 1000) for n in range(1_000_001))), Rejected(
        says=("more than 1,000,000 distinct texts (xl/sharedStrings.xml)",))),
    "200,001 blank rows": ("blank-rows.xlsx", lambda: _with_sheet_rows(
        b"".join(b'<row r="%d"/>' % (n + 3) for n in range(200_001))), Rejected(
        says=(f"sheet {SHEET_PART} has more than 200,000 rows, counting blank and formatted ones (row 200,001 is",))),
    "one row of 200,000 cells": ("wide-row.xlsx", lambda: _with_sheet_rows(b'<row r="3">' + b"<c/>" * 200_000
                                                                            + b"</row>"), Rejected(
        says=(f"Row 3 of the sheet {SHEET_PART} holds more than 131,072 cells or parts",))),
    "one cell of 5 million characters": ("long-cell.xlsx", lambda: _with_sheet_rows(
        b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + b"x" * (5 * MB) + b"</t></is></c></row>"), Rejected(
        says=(f"Row 3 of the sheet {SHEET_PART} holds more than 4,194,304 characters",))),
    "400,000 cell styles": ("styles.xlsx", big_styles, Rejected(
        says=("part xl/styles.xml has more than 300,000 XML elements",))),
    "a good workbook (control)": ("good.xlsx", lambda: xlsx_bytes([{"email": "a@example.com", **address()}]),
                                  Accepted(rows=1)),
}


def _with_sheet_entities() -> bytes:
    entries = _workbook_entries()
    body = entries[SHEET_PART].split(b"?>", 1)[-1]
    body = body.replace(b"</sheetData>", b'<row r="3"><c r="A3" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
                        b"</sheetData>")
    entries[SHEET_PART] = b'<?xml version="1.0"?>' + LAUGHS + body
    return zip_bytes(entries)


@pytest.fixture(scope="module")
def bomb_files(tmp_path_factory) -> dict[str, Path]:
    """Every XLSX bomb, built once and written to a temporary folder (never committed)."""
    folder = tmp_path_factory.mktemp("xlsx-bombs")
    paths = {}
    for case, (name, build, _expected) in XLSX_BOMBS.items():
        paths[case] = folder / name
        paths[case].write_bytes(build())
    return paths


@pytest.mark.parametrize("case", XLSX_BOMBS, ids=XLSX_BOMBS.keys())
def test_xlsx_bombs(operator_client, earlier_job, bomb_files, case, monkeypatch):
    name, _build, expected = XLSX_BOMBS[case]
    content = bomb_files[case].read_bytes()
    assert len(content) < 4 * MB  # small uploads: the danger is in what they inflate to
    assert_outcome(operator_client, earlier_job, name, content, expected)


# --- memory: the service in a child process, its own peak RSS -------------------------------

CHILD = r"""
import json, os, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from evadmin.bulk import selectors
from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
from evadmin.bulk.upload.rejections import FileRejected
from tests.bulk.conftest import offline_checker

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

actor = get_user_model().objects.get(pk=int(sys.argv[1]))
results = {"baseline_mb": peak_mb()}
for path in sys.argv[2:]:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM to the current RSS, so each file gets its own peak
    outcome = {}
    with open(path, "rb") as file:
        try:
            job = bulk_job_create_from_upload(file=file, file_name=os.path.basename(path), actor=actor,
                                              checker=offline_checker())
        except FileRejected as exc:
            outcome = {"rejected": exc.message}
        else:
            selectors.bulk_job_cost_estimate(job=job, existing_policy="skip", strict_mode=False)
            selectors.bulk_job_state_counts(job=job)
            list(selectors.bulk_job_first_problems(job=job))
            list(selectors.bulk_job_rows(job=job)[:50])
            outcome = {"rows": job.rows_total}
    outcome["peak_mb"] = peak_mb()
    results[os.path.basename(path)] = outcome
print(json.dumps(results))
"""


@pytest.mark.django_db(transaction=True)
def test_memory_stays_under_300_mb_for_the_largest_files_and_every_bomb(tmp_path, bomb_files, limit_sized_csv):
    """Every XLSX bomb, then the biggest accepted CSVs (100,000 rows; 20 MB), each with its own peak.

    The bombs go first: RSS freed by Python is not given back, so a peak after the big files
    would hide a bomb's. (A 100,000-row XLSX peaked at 115 MB too, but takes half a minute.)
    """
    from tests.staff.fixtures import make_staff

    actor = make_staff("bulk_operator")
    files = [tmp_path / "100000-rows.csv", tmp_path / "20mb.csv"]
    files[0].write_bytes(csv_bytes(generated_rows(100_000)))
    files[1].write_bytes(limit_sized_csv)
    env = {**os.environ, "DATABASE_URL": _database_url(connection.settings_dict),
           "DJANGO_SETTINGS_MODULE": "evadmin.settings.test", "PYTHONPATH": str(REPO)}
    child = subprocess.run([sys.executable, "-c", CHILD, str(actor.pk), *map(str, bomb_files.values()), *map(str, files)],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert child.returncode == 0, child.stderr[-3000:]
    results = json.loads(child.stdout.strip().splitlines()[-1])
    assert results["100000-rows.csv"]["rows"] == 100_000
    assert results["20mb.csv"]["rows"] == 20_000
    for case, path in bomb_files.items():
        expected = XLSX_BOMBS[case][2]
        assert ("rejected" in results[path.name]) is isinstance(expected, Rejected), (case, results[path.name])
    peaks = {name: outcome["peak_mb"] for name, outcome in results.items() if name != "baseline_mb"}
    print(f"baseline {results['baseline_mb']:.0f} MB; peaks: " + ", ".join(f"{n} {p:.0f} MB" for n, p in peaks.items()))
    assert max(peaks.values()) < MAX_RSS_MB, peaks
