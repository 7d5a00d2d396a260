"""Start (submit), approval, the existing-account policy, the cost estimate, purging."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evadmin.audit.models import AuditEvent
from evadmin.bulk import services
from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.bulk.selectors import (
    bulk_job_cost_estimate,
    bulk_job_rejected_csv_rows,
    bulk_job_same_file,
    bulk_job_state_counts,
)
from evadmin.bulk.services import BulkJobError, bulk_job_approve, bulk_job_submit
from tests.bulk.factories import csv_bytes, generated_rows
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db
EXISTING_ID = "user" + "7" * 26


@pytest.fixture
def started(monkeypatch):
    """The jobs handed to the engine's hook, in order."""
    calls = []
    monkeypatch.setattr(services, "bulk_job_start", lambda *, job: calls.append(job.pk))
    return calls


@pytest.fixture
def mixed_job(upload, directory_account):
    """Two new accounts, one already in the directory, one invalid row, one duplicate."""
    directory_account("known@example.com", EXISTING_ID)
    return upload(csv_bytes([{"email": "a@example.com"}, {"email": "b@example.com"}, {"email": "KNOWN@example.com"},
                             {"email": "nope"}, {"email": "A@example.com"}]))


def submit(job, actor, policy="skip", strict=False):
    return bulk_job_submit(job_id=job.pk, actor=actor, existing_policy=policy, strict_mode=strict)


def test_submit_queues_a_small_job_and_calls_the_engine_hook(mixed_job, operator, started):
    job = submit(mixed_job, operator)
    assert job.status == BulkJob.Status.QUEUED and job.submitted_at is not None
    assert started == [job.pk]
    event = AuditEvent.objects.get(action="bulk_job.submit")
    assert event.actor == operator and event.after["rows_to_send"] == 2


def test_policy_skip_marks_existing_accounts_existed(mixed_job, operator, started):
    submit(mixed_job, operator, "skip")
    row = mixed_job.rows.get(row_number=4)
    assert (row.state, row.user_id) == (BulkRow.State.EXISTED, EXISTING_ID)


def test_policy_error_reports_existing_accounts(mixed_job, operator, started):
    submit(mixed_job, operator, "error")
    row = mixed_job.rows.get(row_number=4)
    assert (row.state, row.error) == (BulkRow.State.INVALID, f"An account with this email already exists: {EXISTING_ID}")
    assert [r[0] for r in list(bulk_job_rejected_csv_rows(job=mixed_job))[1:]] == [4, 5, 6]


def test_policy_update_leaves_existing_accounts_pending_for_a_patch(mixed_job, operator, started):
    submit(mixed_job, operator, "update", strict=True)
    job = BulkJob.objects.get(pk=mixed_job.pk)
    assert (job.existing_policy, job.strict_mode) == ("update", True)
    row = job.rows.get(row_number=4)
    assert (row.state, row.directory_user_id) == (BulkRow.State.PENDING, EXISTING_ID)


def test_submit_matches_accounts_the_directory_learnt_after_the_preview(mixed_job, operator, directory_account, started):
    directory_account("b@example.com", "user" + "8" * 26)
    submit(mixed_job, operator)
    assert mixed_job.rows.get(row_number=3).state == BulkRow.State.EXISTED


def test_only_the_uploader_submits_and_only_once(mixed_job, operator, started):
    other = make_staff("bulk_operator", username="operator-two")
    with pytest.raises(BulkJobError, match="Only the person who uploaded the file"):
        submit(mixed_job, other)
    submit(mixed_job, operator)
    with pytest.raises(BulkJobError, match="has already been started"):
        submit(mixed_job, operator)
    assert started == [mixed_job.pk]


def test_a_large_job_waits_for_approval_by_someone_else(upload, operator, settings, started):
    settings.EVADMIN_BULK_APPROVAL_THRESHOLD = 10
    job = submit(upload(csv_bytes(generated_rows(11))), operator)
    assert job.status == BulkJob.Status.AWAITING_APPROVAL and started == []
    with pytest.raises(services.ApprovalNotAllowed, match="another bulk operator or an admin must approve"):
        bulk_job_approve(job_id=job.pk, actor=operator)
    for role in ("viewer", "support", "auditor"):
        with pytest.raises(services.ApprovalNotAllowed):
            bulk_job_approve(job_id=job.pk, actor=make_staff(role))
    second = make_staff("bulk_operator", username="operator-two")
    job = bulk_job_approve(job_id=job.pk, actor=second)
    assert (job.status, job.approved_by, started) == (BulkJob.Status.QUEUED, second, [job.pk])
    with pytest.raises(BulkJobError, match="not waiting for approval"):
        bulk_job_approve(job_id=job.pk, actor=make_staff("admin"))
    assert AuditEvent.objects.get(action="bulk_job.approve").actor == second


def test_an_admin_may_approve(upload, operator, settings, started):
    settings.EVADMIN_BULK_APPROVAL_THRESHOLD = 1
    job = submit(upload(csv_bytes(generated_rows(2))), operator)
    assert bulk_job_approve(job_id=job.pk, actor=make_staff("admin")).status == BulkJob.Status.QUEUED


def test_the_threshold_counts_rows_to_send_not_rows_in_the_file(upload, operator, settings, directory_account, started):
    settings.EVADMIN_BULK_APPROVAL_THRESHOLD = 2
    directory_account("driver000001@example.com")
    directory_account("driver000002@example.com")
    job = upload(csv_bytes(generated_rows(4)))  # 2 new, 2 existing
    assert submit(job, operator, "skip").status == BulkJob.Status.QUEUED


def test_the_real_hook_is_a_harmless_no_op(mixed_job, operator):
    assert submit(mixed_job, operator).status == BulkJob.Status.QUEUED


def test_cost_estimate(mixed_job, fresh_budget):
    settings = fresh_budget
    settings.EVADMIN_BULK_BUDGET_SHARE = 0.5
    estimate = bulk_job_cost_estimate(job=mixed_job, existing_policy="skip", strict_mode=False)
    assert (estimate.new_accounts, estimate.existing_accounts, estimate.requests) == (2, 1, 2)
    assert estimate.requests_per_hour == settings.EVADMIN_API_RATE_LIMIT_PER_HOUR // 2
    assert bulk_job_cost_estimate(job=mixed_job, existing_policy="skip", strict_mode=True).requests == 4
    update = bulk_job_cost_estimate(job=mixed_job, existing_policy="update", strict_mode=True)
    assert (update.creates, update.lookups, update.updates, update.requests, update.rows_to_send) == (2, 2, 1, 5, 3)
    assert bulk_job_cost_estimate(job=mixed_job, existing_policy="error", strict_mode=False).requests == 2


def test_state_counts(mixed_job):
    counts = bulk_job_state_counts(job=mixed_job)
    assert counts["pending"] == 3 and counts["invalid"] == 1 and counts["skipped"] == 1 and counts["created"] == 0


def test_same_file_finds_earlier_jobs(upload):
    content = csv_bytes([{"email": "a@example.com"}])
    first = upload(content)
    second = upload(content)
    assert bulk_job_same_file(job=second) == [first] and bulk_job_same_file(job=first) == [second]
    assert bulk_job_same_file(job=upload(csv_bytes([{"email": "b@example.com"}]))) == []


def test_purge_keeps_the_summary(mixed_job):
    services.bulk_job_purge(job=mixed_job)
    job = BulkJob.objects.get(pk=mixed_job.pk)
    assert job.purged_at and job.rows_total == 5 and not job.rows.exists() and not job.file_chunks.exists()
    assert AuditEvent.objects.filter(action="bulk_job.purge", job_ref=str(job.pk)).exists()


def test_purge_expired_skips_jobs_in_progress(upload, operator, started):
    old_draft = upload(csv_bytes([{"email": "a@example.com"}]))
    running = upload(csv_bytes([{"email": "b@example.com"}]))
    fresh = upload(csv_bytes([{"email": "c@example.com"}]))
    BulkJob.objects.filter(pk__in=[old_draft.pk, running.pk]).update(purge_after=timezone.now() - timedelta(days=1))
    BulkJob.objects.filter(pk=running.pk).update(status=BulkJob.Status.RUNNING)
    assert services.bulk_jobs_purge_expired() == 1
    assert [job.purged_at is not None for job in BulkJob.objects.order_by("pk")] == [True, False, False]
    assert fresh.rows.exists()


def test_one_sendable_row_per_email_is_enforced_by_the_database(mixed_job):
    from django.db import IntegrityError, transaction

    with transaction.atomic(), pytest.raises(IntegrityError):
        BulkRow.objects.create(job=mixed_job, row_number=99, email="a@example.com", match_key="a@example.com")
    # Rows that are never sent may share an email.
    BulkRow.objects.create(job=mixed_job, row_number=100, email="a@example.com", match_key="a@example.com",
                           state=BulkRow.State.SKIPPED)
    with transaction.atomic(), pytest.raises(IntegrityError):
        BulkRow.objects.create(job=mixed_job, row_number=2, email="z@example.com", match_key="z@example.com")


def test_beat_purges_expired_jobs_daily_through_the_task(upload, settings):
    from evadmin.bulk.tasks import bulk_jobs_purge_expired

    entry = settings.CELERY_BEAT_SCHEDULE["bulk-purge-expired"]
    assert entry["task"] == bulk_jobs_purge_expired.name
    expired = upload(csv_bytes([{"email": "old@example.com"}]))
    BulkJob.objects.filter(pk=expired.pk).update(purge_after=timezone.now() - timedelta(days=1))
    assert bulk_jobs_purge_expired.apply().get() == 1
    assert not BulkJob.objects.get(pk=expired.pk).rows.exists()
