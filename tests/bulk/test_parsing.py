"""Reading files: encodings, delimiters, header aliases, row numbers, and every malformed file's message."""

import io
import zipfile

import pytest

from evadmin.bulk.upload.reading import upload_scan, upload_table
from evadmin.bulk.upload.rejections import FileRejected
from tests.bulk.factories import address, csv_bytes, xlsx_bytes, zip_bytes

MB = 1024 * 1024


def read(content: bytes, *, max_rows: int = 1000, max_bytes: int = 5 * MB):
    file = io.BytesIO(content)
    facts = upload_scan(file, max_bytes=max_bytes)
    table = upload_table(file, facts, max_rows=max_rows, max_bytes=max_bytes)
    return facts, table, list(table.rows)


def rejected(content: bytes, **limits) -> str:
    with pytest.raises(FileRejected) as caught:
        read(content, **limits)
    return caught.value.message


# --- encodings and delimiters -------------------------------------------------------------

@pytest.mark.parametrize(
    "raw,encoding",
    [
        ("email,city\r\nzoë@example.com,Zürich\r\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "email,city\r\nzoë@example.com,Zürich\r\n".encode(), "utf-8-sig"),
        ("email,city\r\nzoë@example.com,Zürich\r\n".encode("cp1252"), "cp1252"),
        ("email,city\r\nzoë@example.com,Zürich\r\n".encode("utf-16"), "utf-16"),  # with its BOM
        ("email,city\r\nzoë@example.com,Zürich\r\n".encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "windows-1252", "utf-16-le-bom", "utf-16-be-bom"],
)
def test_encodings(raw, encoding):
    facts, table, rows = read(raw)
    assert facts.format == "csv" and facts.encoding == encoding
    assert table.columns == ["email", "city"]  # a BOM does not stick to the first header
    assert rows[0].values == {"email": "zoë@example.com", "city": "Zürich"}


def test_windows_1252_is_recognised_even_when_the_first_non_ascii_byte_is_late():
    rows = [{"email": f"d{n}@example.com"} for n in range(5000)] + [{"email": "late@example.com", "city": "Kraków"}]
    content = csv_bytes(rows, header=["email", "city"]).replace("Kraków".encode(), "Krak\xf3w".encode("cp1252"))
    facts, _table, parsed = read(content, max_rows=10_000)
    assert facts.encoding == "cp1252" and parsed[-1].values["city"] == "Kraków"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(delimiter):
    _facts, table, rows = read(csv_bytes([{"email": "a@example.com", "city": "Bath"}], header=["email", "city"],
                                         delimiter=delimiter))
    assert rows[0].values == {"email": "a@example.com", "city": "Bath"}


def test_header_aliases_and_case():
    header = ["E-Mail", "Address", "Town", "County", "Post Code", "Country", "LAT", "lng", "Tariff ID", "Site"]
    _facts, table, rows = read(csv_bytes([["a@example.com", "1 High St", "Bath", "Somerset", "BA1 1AA", "GB",
                                           "51.38", "-2.36", "t", "s"]], header=header))
    assert table.columns == ["email", "address_1", "city", "state", "postal_code", "country_code", "latitude",
                             "longitude", "tariff", "evse_site"]
    assert rows[0].values["postal_code"] == "BA1 1AA" and rows[0].values["longitude"] == "-2.36"


@pytest.mark.parametrize("header", ["zip", "ZIP code", "postcode", "postal_code", " Postal-Code "])
def test_postcode_aliases(header):
    _facts, table, _rows = read(csv_bytes([["a@example.com", "X1"]], header=["email", header]))
    assert table.columns == ["email", "postal_code"]


def test_unknown_columns_are_ignored_and_noted():
    _facts, table, rows = read(csv_bytes([["a@example.com", "Ann", "07700"]], header=["email", "Name", "Phone"]))
    assert table.ignored == ["Name", "Phone"] and "“Name”, “Phone”" in table.notes[0]
    assert rows[0].values == {"email": "a@example.com"} and rows[0].problems == []


def test_row_numbers_match_the_spreadsheet():
    content = b"email,city\r\na@example.com,Bath\r\n\r\n\"b@example.com\",\"New\r\nYork\"\r\nc@example.com,Ely\r\n"
    _facts, _table, rows = read(content)
    assert [row.row_number for row in rows] == [2, 4, 5]  # the blank line is row 3
    assert rows[1].problems == ["city contains a line break: check for a quote that is never closed"]


def test_cells_are_trimmed_and_export_apostrophes_removed():
    _facts, _table, rows = read(csv_bytes([["  a@example.com ", "'=1 High St", "'-0.12"]],
                                          header=["email", "address_1", "longitude"]))
    assert rows[0].values == {"email": "a@example.com", "address_1": "=1 High St", "longitude": "-0.12"}


def test_more_cells_than_the_header_is_a_row_problem():
    _facts, _table, rows = read(b"email,city\r\na@example.com,Bath,Somerset, UK\r\n")
    assert rows[0].problems == ["cells beyond the header's last column (column C, D): an unquoted comma, perhaps"]


# --- malformed files: one sentence each, saying what and where ------------------------------

def test_empty_file():
    assert rejected(b"") == "The file is empty."


def test_header_only():
    assert rejected(b"email,city\r\n") == "The file has a header row but no data rows."
    assert rejected(b"email,city\r\n\r\n,\r\n") == "The file has a header row but no data rows."


def test_binary_file_names_the_line():
    message = rejected(b"email\r\na@example.com\r\n\x00\x01\x02garbage")
    assert message.startswith("This is not a text file: line 3 contains binary data")


def test_old_excel_file():
    assert "old-style Excel (.xls)" in rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def test_neither_utf8_nor_windows_1252():
    message = rejected(b"email\r\na@example.com\r\n\x81\xff@example.com\r\n")
    assert message.startswith("The file is neither UTF-8 nor Windows-1252 text (line 3 cannot be read)")


def test_missing_email_column_lists_what_was_found():
    message = rejected(csv_bytes([["x", "Bath"]], header=["Name", "City"]))
    assert message == (
        "The header row (row 1) has no email column. Found: “Name”, “City”. Required: email; optional: address_1, "
        "address_2, city, state, postal_code, country_code, latitude, longitude, tariff, evse_site."
    )


def test_missing_header_row_is_spotted():
    message = rejected(b"a@example.com,Bath\r\nb@example.com,Ely\r\n")
    assert "has no email column" in message and message.endswith("Row 1 looks like data: add a header row above it.")


def test_blank_header_row():
    assert rejected(b",,\r\na@example.com,,\r\n").startswith("Row 1 is blank: the first row must name the columns")


def test_duplicate_headers_name_both_columns():
    message = rejected(csv_bytes([["a@example.com", "X", "Y"]], header=["email", "Postcode", "ZIP"]))
    assert message == "Row 1 has two columns for postal_code: “Postcode” (column B) and “ZIP” (column C). Keep one."


def test_unbalanced_quote_names_its_line():
    content = b"email,city\r\na@example.com,Bath\r\nb@example.com,\"Ely\r\nc@example.com,Wells\r\n"
    assert rejected(content) == (
        "Line 3 opens a quote that is never closed (unbalanced quotes): the rest of the file would be read as one cell."
    )


def test_stray_quote_names_its_line():
    message = rejected(b"email,city\r\na@example.com,\"Bath\"x\r\n")
    assert message.startswith("Line 2 has a stray quote")


def test_too_many_rows():
    message = rejected(csv_bytes([{"email": f"d{n}@example.com"} for n in range(11)]), max_rows=10)
    assert message == ("The file has more than 10 data rows (row 12 is one too many), the most one job takes: split "
                       "it into smaller files.")


def test_too_large():
    message = rejected(csv_bytes([{"email": f"d{n}@example.com"} for n in range(100)]), max_bytes=1000)
    assert message.startswith("The file is larger than 0") and "split it into smaller files" in message


# --- XLSX ---------------------------------------------------------------------------------

def test_xlsx_rows_values_and_row_numbers():
    content = xlsx_bytes([
        {"email": "a@example.com", **address(latitude=51.5, longitude=-0.12, postal_code=2134)},
        [None] * 11,
        {"email": "b@example.com"},
    ], extra_sheets=1)
    facts, table, rows = read(content)
    assert facts.format == "xlsx" and facts.encoding == ""
    assert [row.row_number for row in rows] == [2, 4]
    assert rows[0].values["latitude"] == "51.5" and rows[0].values["longitude"] == "-0.12"
    assert rows[0].values["postal_code"] == "2134"  # a number typed into the sheet, without ".0"
    assert table.notes == ["Only the first sheet, “Drivers”, was read; the workbook has 2 sheets."]


def test_xlsx_header_only_and_empty():
    assert rejected(xlsx_bytes([])) == "The file has a header row but no data rows."
    assert rejected(xlsx_bytes([], header=None)) == "The file is empty."


def test_damaged_xlsx():
    assert rejected(b"PK\x03\x04 this is not really a zip").startswith("The file starts like an XLSX (zip) file but is damaged")


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    """Fails the test if the workbook reaches openpyxl: bombs are refused from the zip directory alone."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file that should have been refused unopened")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_xlsx_bomb_with_many_entries_is_refused_unopened(openpyxl_must_not_open):
    content = zip_bytes({"[Content_Types].xml": b"<Types/>", **{f"xl/junk/{n}.xml": b"<a/>" for n in range(600)}})
    assert rejected(content).startswith("The XLSX file holds 601 parts, more than the 500 a workbook needs")


def test_xlsx_bomb_with_huge_declared_size_is_refused_unopened(openpyxl_must_not_open):
    # 12 MB of zeros deflates to about 12 KB; with a 1 MB upload limit the cap is 10 MB.
    content = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * (12 * MB)})
    assert len(content) < 100_000
    message = rejected(content, max_bytes=MB)
    assert message.startswith("The XLSX file would unpack to 12 MB, more than the 10 MB evadmin accepts")


def test_xlsx_with_xml_entities_is_refused():
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([{"email": "a@example.com"}])))
    entries = {name: source.read(name) for name in source.namelist()}
    sheet = next(name for name in entries if name.startswith("xl/worksheets/"))
    body = entries[sheet].split(b"?>", 1)[-1]  # without its XML declaration, if it has one
    entries[sheet] = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + body
    message = rejected(zip_bytes(entries))
    assert "entity or DTD declarations" in message
