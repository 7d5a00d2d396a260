"""Against the sandbox API: what an upload and its preview send (reference lists only, or nothing)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.evenergy.client import build_client
from tests.bulk.factories import address, csv_bytes
from tests.bulk.test_imports import MALFORMED, nothing_stored
from tests.conftest import sent


def post_file(client, content: bytes):
    return client.post("/bulk/", {"file": SimpleUploadedFile("drivers.csv", content, content_type="text/csv")})


def test_tariffs_and_sites_are_checked_against_the_apis_lists(api_settings, sandbox_api, client_as):
    tariff = build_client().tariffs.all()[0]
    site = build_client().evse_sites.all()[0]
    sandbox_api.reset()  # forget the requests made to find them
    client = client_as("bulk_operator")
    content = csv_bytes([
        {"email": "a@example.com", **address(tariff=tariff.url, evse_site=site.id)},
        {"email": "b@example.com", "tariff": "tari" + "Z" * 26},
        {"email": "c@example.com", "tariff": tariff.id},
    ])
    assert post_file(client, content).status_code == 302
    job = BulkJob.objects.get()
    states = dict(job.rows.values_list("row_number", "state"))
    assert states == {2: BulkRow.State.PENDING, 3: BulkRow.State.INVALID, 4: BulkRow.State.PENDING}
    assert job.rows.get(row_number=2).location["tariff"] == tariff.id
    requests = sent(sandbox_api)
    assert requests and all(entry["method"] == "GET" for entry in requests)
    assert {entry["path"].split("/")[2] for entry in requests} == {"tariffs", "evse_sites"}  # no /users at all
    # A second upload reads the cached lists: no request.
    sandbox_api.reset()
    assert post_file(client, csv_bytes([{"email": "d@example.com", "tariff": tariff.id}])).status_code == 302
    assert sent(sandbox_api) == []


def test_a_file_without_tariffs_or_sites_sends_nothing(api_settings, sandbox_api, client_as):
    client = client_as("bulk_operator")
    job_page = client.get(post_file(client, csv_bytes([{"email": "a@example.com", **address()}]))["Location"])
    assert job_page.status_code == 200
    assert sent(sandbox_api) == []


def test_malformed_files_send_nothing_and_store_nothing(api_settings, sandbox_api, client_as):
    client = client_as("bulk_operator")
    for name, content in MALFORMED.items():
        assert post_file(client, content).status_code == 422, name
    assert sent(sandbox_api) == [] and nothing_stored()
