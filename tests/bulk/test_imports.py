"""An upload becomes a draft job with checked rows; a broken file leaves nothing behind."""

import io

import pytest

from evadmin.audit.models import AuditEvent
from evadmin.bulk.models import BulkFileChunk, BulkJob, BulkRow
from evadmin.bulk.selectors import bulk_job_file_bytes
from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
from evadmin.bulk.upload.rejections import FileRejected
from tests.bulk.conftest import offline_checker
from tests.bulk.factories import TARIFF_ID, address, csv_bytes, generated_rows, xlsx_bytes

pytestmark = pytest.mark.django_db

MALFORMED = {
    "empty": b"",
    "header only": b"email,city\r\n",
    "binary": b"email\r\n\x00\x01\x02",
    "wrong header": b"name,city\r\nAnn,Bath\r\n",
    "missing header": b"a@example.com,Bath\r\n",
    "duplicate headers": b"email,zip,postcode\r\na@example.com,1,2\r\n",
    "unbalanced quotes": b"email,city\r\na@example.com,Bath\r\nb@example.com,\"Ely\r\n",
    "old xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    "damaged xlsx": b"PK\x03\x04 not a zip",
}


def nothing_stored() -> bool:
    return not (BulkJob.objects.exists() or BulkRow.objects.exists() or BulkFileChunk.objects.exists()
                or AuditEvent.objects.filter(action__startswith="bulk_job.").exists())


@pytest.mark.parametrize("content", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_stores_nothing(upload, content):
    with pytest.raises(FileRejected):
        upload(content)
    assert nothing_stored()


def test_a_file_broken_after_many_rows_stores_nothing(upload, settings):
    """The rows read before the problem were inserted, and are rolled back with the job."""
    settings.EVADMIN_BULK_MAX_ROWS = 2000
    content = csv_bytes(generated_rows(2001))
    with pytest.raises(FileRejected, match="more than 2,000 data rows"):
        upload(content)
    assert nothing_stored()


def test_upload_makes_a_draft_job_with_counts_and_states(upload, operator, directory_account):
    directory_account("Known@Example.com", "user" + "7" * 26)
    content = csv_bytes([
        {"email": "new@example.com", **address(tariff=TARIFF_ID)},   # 2 valid, new
        {"email": "known@example.com"},                               # 3 valid, in the directory
        {"email": "NEW@example.com "},                                # 4 duplicate of row 2
        {"email": "broken", "city": "Bath"},                          # 5 invalid
        {"email": "broken"},                                          # 6 invalid (not a duplicate: never valid)
        {"email": "later@example.com", "country_code": "XX"},         # 7 invalid
        {"email": "later@example.com"},                               # 8 valid: the first valid row claims the email
    ])
    job = upload(content, name="partner.csv")
    assert job.status == BulkJob.Status.DRAFT and job.created_by == operator and job.kind == BulkJob.Kind.ONBOARD
    assert (job.rows_total, job.rows_valid, job.rows_invalid, job.rows_duplicate, job.rows_existing) == (7, 3, 3, 1, 1)
    states = dict(job.rows.values_list("row_number", "state"))
    assert states == {2: "pending", 3: "pending", 4: "skipped", 5: "invalid", 6: "invalid", 7: "invalid", 8: "pending"}
    duplicate = job.rows.get(row_number=4)
    assert duplicate.error == "Same email as row 2 (ignoring case): the account is created once, from row 2."
    assert job.rows.get(row_number=3).directory_user_id == "user" + "7" * 26
    new = job.rows.get(row_number=2)
    assert new.match_key == "new@example.com" and new.location["tariff"] == TARIFF_ID
    assert new.values["postal_code"] == "SW1A 1AA"
    assert job.rows.get(row_number=5).error.startswith("email: “broken” is not a valid email address; address_1:")
    assert job.file_name == "partner.csv" and job.file_format == "csv" and job.file_encoding == "utf-8"
    assert job.columns == list(("email", "address_1", "address_2", "city", "state", "postal_code", "country_code",
                                "latitude", "longitude", "tariff", "evse_site"))
    event = AuditEvent.objects.get(action="bulk_job.upload")
    assert event.actor == operator and event.job_ref == str(job.pk) and event.after["rows"] == 7


def test_the_file_is_stored_in_the_database_in_chunks(upload, monkeypatch):
    monkeypatch.setattr("evadmin.bulk.upload.drafts.FILE_CHUNK_BYTES", 1000)
    content = csv_bytes(generated_rows(100))
    job = upload(content)
    assert job.file_chunks.count() == -(-len(content) // 1000)
    assert b"".join(bulk_job_file_bytes(job=job)) == content
    assert job.file_size == len(content)


def test_the_same_file_has_the_same_sha256(upload):
    content = csv_bytes([{"email": "a@example.com"}])
    first, second = upload(content), upload(content)
    other = upload(csv_bytes([{"email": "b@example.com"}]))
    assert first.file_sha256 == second.file_sha256 != other.file_sha256


def test_xlsx_upload(upload):
    job = upload(xlsx_bytes([{"email": "a@example.com", **address(latitude=51.5, longitude=-0.12)}]), name="d.xlsx")
    row = job.rows.get()
    assert job.file_format == "xlsx" and row.state == "pending"
    assert row.location["coordinates"] == {"latitude": 51.5, "longitude": -0.12}


def test_retention(upload, settings):
    settings.EVADMIN_BULK_RETENTION_DAYS = 30
    job = upload(csv_bytes([{"email": "a@example.com"}]))
    assert (job.purge_after - job.created_at).days in (29, 30)


def test_a_large_file(upload, directory_account):
    """20,000 rows through the whole path (kept fast: no timing assertions; see bench/preview.py)."""
    for n in range(0, 20_000, 1000):
        directory_account(f"DRIVER{n:06d}@example.com")
    rows = list(generated_rows(20_000))
    rows[19_999] = {"email": rows[5]["email"].upper()}  # one duplicate, at the end
    rows[10_001]["country_code"] = "ZZ"  # one invalid
    job = upload(csv_bytes(rows))
    assert (job.rows_total, job.rows_valid, job.rows_invalid, job.rows_duplicate, job.rows_existing) == (
        20_000, 19_998, 1, 1, 20)
    assert job.rows.count() == 20_000


def test_the_checker_defaults_to_the_cached_reference_lists(operator, monkeypatch):
    """Without a checker given, tariff ids are checked against evenergy.reference.tariff_choices()."""
    from evadmin.evenergy.resources import Tariff

    calls = []
    monkeypatch.setattr("evadmin.evenergy.reference.tariff_choices",
                        lambda: calls.append(1) or [Tariff(id=TARIFF_ID, url="u", name="T", currency="GBP", supplier_url=None)])
    content = csv_bytes([{"email": f"d{n}@example.com", "tariff": TARIFF_ID} for n in range(50)])
    job = bulk_job_create_from_upload(file=io.BytesIO(content), file_name="t.csv", actor=operator)
    assert job.rows_valid == 50 and calls == [1]


def test_offline_checker_is_what_the_fixture_uses():
    assert offline_checker().check({"email": "a@example.com", "tariff": TARIFF_ID}).errors == []
