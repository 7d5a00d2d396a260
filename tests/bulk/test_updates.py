"""Update jobs (a file keyed by user_id) against the sandbox: preview, PATCH only what the file sets, audit."""

from __future__ import annotations

import pytest
import requests as http

from evadmin.audit.models import AuditEvent
from evadmin.bulk import services
from evadmin.bulk.models import BulkJob, BulkRow
from tests.bulk.factories import csv_bytes
from tests.bulk.test_engine import drive

State = BulkRow.State


def sandbox_user(sandbox_api, email: str, **location) -> dict:
    headers = {"Authorization": f"Bearer {sandbox_api.token()}", "EvEnergy-Version": "2"}
    body = {"email": email, **({"default_location": location} if location else {})}
    response = http.post(sandbox_api.url("/users"), json=body, headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def sandbox_get(sandbox_api, user_id: str) -> dict:
    headers = {"Authorization": f"Bearer {sandbox_api.token()}", "EvEnergy-Version": "2"}
    return http.get(sandbox_api.url(f"/users/{user_id}"), headers=headers, timeout=30).json()


def mirror_in_directory(*users: dict) -> None:
    """Store the accounts in the directory as a sync would (what the preview shows)."""
    from evadmin.driver_directory.services import directory_upsert_user
    from evadmin.evenergy.resources import User

    for user in users:
        directory_upsert_user(User.from_api(user))


@pytest.fixture
def update_job(upload, operator, bulk_api, directory_account):
    def make(rows: list[dict], header=("user_id", "city", "postal_code")) -> BulkJob:
        job = upload(csv_bytes(rows, header=header), name="changes.csv")
        return job

    return make


def test_a_user_id_file_is_an_update_job_and_unknown_accounts_are_errors(update_job, directory_account):
    known = directory_account("known@example.com")
    job = update_job([{"user_id": known.user_id, "city": "York"},
                      {"user_id": "user" + "9" * 26, "city": "Leeds"},
                      {"user_id": known.user_id, "city": "Hull"},
                      {"user_id": "nonsense"}])
    assert job.kind == BulkJob.Kind.UPDATE and job.existing_policy == BulkJob.ExistingPolicy.UPDATE
    rows = {row.row_number: row for row in job.rows.all()}
    assert rows[2].state == State.PENDING and rows[2].email == "known@example.com"
    assert rows[2].directory_user_id == known.user_id and rows[2].location == {"city": "York"}
    assert rows[3].state == State.INVALID and "no account" in rows[3].error
    assert rows[4].state == State.SKIPPED and "Same user id as row 2" in rows[4].error
    assert rows[5].state == State.INVALID and "is not a user id" in rows[5].error
    assert (job.rows_valid, job.rows_invalid, job.rows_duplicate) == (1, 2, 1)


def test_an_update_job_patches_only_what_the_file_sets_and_audits_before_and_after(
    update_job, directory_account, operator, bulk_api
):
    home = {"address_1": "1 High Street", "city": "Leeds", "postal_code": "LS1 1AA", "country_code": "GB"}
    user = sandbox_user(bulk_api, "upd-a@example.com", **home)
    plain = sandbox_user(bulk_api, "upd-b@example.com", **home)
    mirror_in_directory(user, plain)
    job = update_job([{"user_id": user["id"], "city": "York", "postal_code": "YO1 7HH"},
                      {"user_id": plain["id"], "state": "West Yorkshire"}], header=("user_id", "city", "postal_code", "state"))
    services.bulk_job_submit(job_id=job.pk, actor=operator, existing_policy="skip", strict_mode=True)
    job.refresh_from_db()
    assert job.existing_policy == "update" and not job.strict_mode
    drive(job)
    assert job.status == BulkJob.Status.FINISHED
    assert dict(job.rows.values_list("directory_user_id", "state")) == {user["id"]: State.UPDATED,
                                                                          plain["id"]: State.UPDATED}
    changed = sandbox_get(bulk_api, user["id"])["default_location"]
    assert (changed["city"], changed["postal_code"], changed["address_1"]) == ("York", "YO1 7HH", home["address_1"])
    other = sandbox_get(bulk_api, plain["id"])["default_location"]
    assert (other["city"], other["state"]) == ("Leeds", "West Yorkshire")
    event = AuditEvent.objects.get(action="bulk_row.update", target_user_id=user["id"], job_ref=str(job.pk))
    assert event.before == {"default_location.city": "Leeds", "default_location.postal_code": "LS1 1AA"}
    assert event.after == {"default_location.city": "York", "default_location.postal_code": "YO1 7HH"}
    assert event.actor_id == operator.pk
    assert job.requests_spent == 4  # a GET and a PATCH per row


def test_the_preview_shows_directory_value_to_file_value_and_the_estimate_counts_the_reads(
    update_job, directory_account, operator, fresh_budget
):
    from django.test import Client

    from evadmin.bulk.selectors import bulk_job_cost_estimate

    known = directory_account("shown@example.com")
    known.city = "Leeds"
    known.save()
    job = update_job([{"user_id": known.user_id, "city": "York"}], header=("user_id", "city"))
    client = Client()
    client.force_login(operator)
    page = client.get(f"/bulk/jobs/{job.pk}/").content.decode()
    # The field as staff read it everywhere, the file's column on hover.
    assert '<span title="city">City</span>: Leeds → York' in page and "only the columns the file gives" in page
    fragment = client.get(f"/bulk/jobs/{job.pk}/?show=all", HTTP_HX_REQUEST="true").content.decode()
    assert '<span title="city">City</span>: Leeds → York' in fragment and "<html" not in fragment
    estimate = bulk_job_cost_estimate(job=job, existing_policy="update", strict_mode=False)
    assert (estimate.lookups, estimate.updates) == (1, 1)
    # An update job offers only its own options and says its own cost, not onboarding's.
    for onboarding in ("Accounts that already exist", "Strict mode", "strict mode", "cannot be deleted",
                       "to create new accounts"):
        assert onboarding not in page, onboarding
    assert "1 to read each account just before its change and 1 to change it" in page
    assert 'name="existing_policy" value="update"' in page
    client.post(f"/bulk/jobs/{job.pk}/start/", {"existing_policy": "update"})  # what the form sends
    job.refresh_from_db()
    assert job.status != BulkJob.Status.DRAFT and not job.strict_mode


def sandbox_patch(sandbox_api, user_id: str, location: dict) -> None:
    headers = {"Authorization": f"Bearer {sandbox_api.token()}", "EvEnergy-Version": "2"}
    response = http.patch(sandbox_api.url(f"/users/{user_id}"), json={"default_location": location},
                          headers=headers, timeout=30)
    assert response.status_code == 200, response.text


def test_a_finished_update_job_is_reverted_except_accounts_changed_since(
    update_job, directory_account, operator, bulk_api
):
    from django.test import Client

    home = {"address_1": "1 High Street", "city": "Leeds", "postal_code": "LS1 1AA", "country_code": "GB"}
    kept, touched = sandbox_user(bulk_api, "rev-a@example.com", **home), sandbox_user(bulk_api, "rev-b@example.com", **home)
    mirror_in_directory(kept, touched)
    job = update_job([{"user_id": kept["id"], "city": "York", "postal_code": "YO1 7HH"},
                      {"user_id": touched["id"], "city": "York", "postal_code": "YO1 7HH"}])
    services.bulk_job_submit(job_id=job.pk, actor=operator, existing_policy="update", strict_mode=False)
    drive(job)
    assert set(job.rows.values_list("state", flat=True)) == {State.UPDATED}
    # Someone edits one account after the job: the revert must not overwrite that.
    sandbox_patch(bulk_api, touched["id"], {**home, "city": "Hull", "postal_code": "HU1 1AA"})

    client = Client()
    client.force_login(operator)
    page = client.get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert "Revert this job…" in page and "Yes, revert 2 accounts" in page
    assert "sets the 2 accounts this job updated back to how they were before it" in page
    unconfirmed = client.post(f"/bulk/jobs/{job.pk}/revert/", follow=True).content.decode()
    assert "Nothing was done: confirm it" in unconfirmed and not BulkJob.objects.filter(reverts=job).exists()
    response = client.post(f"/bulk/jobs/{job.pk}/revert/", {"confirm": "yes"})
    revert = BulkJob.objects.get(reverts=job)
    assert response.status_code == 302 and response["Location"].endswith(f"/bulk/jobs/{revert.pk}/")
    assert revert.kind == BulkJob.Kind.UPDATE and revert.status == BulkJob.Status.QUEUED
    page = client.get(f"/bulk/jobs/{revert.pk}/").content.decode()
    assert f"no file: its rows are job {job.pk}’s changes, undone" in page
    assert "0 bytes" not in page and "download the file" not in page and "→ None" not in page
    drive(revert)
    assert revert.status == BulkJob.Status.FINISHED
    rows = {row.directory_user_id: row for row in revert.rows.all()}
    assert rows[kept["id"]].state == State.UPDATED and rows[kept["id"]].email == "rev-a@example.com"
    assert rows[touched["id"]].state == State.FAILED and rows[touched["id"]].error.startswith("Conflict: ")
    assert "city is 'Hull', the job set 'York'" in rows[touched["id"]].error
    assert sandbox_get(bulk_api, kept["id"])["default_location"]["city"] == "Leeds"
    assert sandbox_get(bulk_api, kept["id"])["default_location"]["postal_code"] == "LS1 1AA"
    assert sandbox_get(bulk_api, touched["id"])["default_location"]["city"] == "Hull"
    event = AuditEvent.objects.get(action="bulk_row.update", job_ref=str(revert.pk))
    assert event.target_user_id == kept["id"] and event.after["default_location.city"] == "Leeds"
    # Once is enough.
    with pytest.raises(services.BulkJobError, match="already being reverted"):
        from evadmin.bulk.reverts import bulk_job_revert

        bulk_job_revert(job_id=job.pk, actor=operator)


def test_the_upload_page_explains_update_files(operator, fresh_budget):
    from django.test import Client

    client = Client()
    client.force_login(operator)
    page = client.get("/bulk/").content.decode()
    assert "user_id" in page and "a finished update job can be reverted" in page and "cannot be undone" in page


def test_an_onboarding_job_cannot_be_undone(upload, operator, fresh_budget):
    from django.test import Client

    from evadmin.bulk.reverts import ONBOARD_NOT_UNDOABLE, bulk_job_revert

    job = upload(csv_bytes([{"email": "new@example.com"}], header=("email",)))
    client = Client()
    client.force_login(operator)
    assert "cannot be undone" in client.get(f"/bulk/jobs/{job.pk}/").content.decode()
    with pytest.raises(services.BulkJobError, match="cannot be undone"):
        bulk_job_revert(job_id=job.pk, actor=operator)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.FINISHED)
    page = client.get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert "Revert this job" not in page and ONBOARD_NOT_UNDOABLE in page
    response = client.post(f"/bulk/jobs/{job.pk}/revert/", {"confirm": "yes"}, follow=True)
    assert ONBOARD_NOT_UNDOABLE in response.content.decode() and not BulkJob.objects.filter(reverts=job).exists()


def test_an_update_job_reports_a_conflict_when_the_account_changed_since_the_preview(
    update_job, operator, bulk_api
):
    home = {"address_1": "3 Mill Lane", "city": "Leeds", "postal_code": "LS2 2BB", "country_code": "GB"}
    moved = sandbox_user(bulk_api, "moved-since@example.com", **home)
    steady = sandbox_user(bulk_api, "steady@example.com", **home)
    mirror_in_directory(moved, steady)
    job = update_job([{"user_id": moved["id"], "city": "York"}, {"user_id": steady["id"], "city": "York"}],
                     header=("user_id", "city"))
    services.bulk_job_submit(job_id=job.pk, actor=operator, existing_policy="update", strict_mode=False)
    sandbox_patch(bulk_api, moved["id"], {**home, "city": "Hull"})  # someone else, after the preview
    job.refresh_from_db()
    drive(job)

    rows = {row.directory_user_id: row for row in job.rows.all()}
    assert rows[moved["id"]].state == State.FAILED
    assert "city is 'Hull', the preview showed 'Leeds'" in rows[moved["id"]].error
    assert sandbox_get(bulk_api, moved["id"])["default_location"]["city"] == "Hull"  # not overwritten
    assert rows[steady["id"]].state == State.UPDATED
    assert sandbox_get(bulk_api, steady["id"])["default_location"]["city"] == "York"
