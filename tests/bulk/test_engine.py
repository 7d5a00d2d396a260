"""The pump, in this process, against the sandbox: outcomes, reconciliation, faults, the budget."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from evadmin.audit.models import AuditEvent
from evadmin.bulk import services
from evadmin.bulk.models import BulkJob, BulkNotice, BulkRow
from evadmin.bulk.run import chain
from evadmin.bulk.run.engine import InjectedCrash, bulk_job_pump
from tests.bulk.conftest import posts_by_email, sandbox_users_by_email, unique_domain
from tests.bulk.factories import address, csv_bytes

State = BulkRow.State


def drive(job: BulkJob, *, max_runs: int = 40, max_wait: float = 3.0):
    """Run the pump like the worker would (honouring short countdowns) until it stops."""
    for _ in range(max_runs):
        job.refresh_from_db()
        with TestCase.captureOnCommitCallbacks(execute=True):  # the owner's notice is sent on commit
            outcome = bulk_job_pump(job_id=job.pk, pump_id=job.pump_id)
        if not outcome.again:
            job.refresh_from_db()
            return outcome
        assert outcome.countdown <= max_wait, outcome
        time.sleep(outcome.countdown)
    raise AssertionError("the pump did not stop")


@pytest.fixture
def started_job(upload, operator, bulk_api):
    def make(emails: list[str], *, policy: str = "skip", strict: bool = False) -> BulkJob:
        job = upload(csv_bytes([{"email": email, **address()} for email in emails]))
        services.bulk_job_submit(job_id=job.pk, actor=operator, existing_policy=policy, strict_mode=strict)
        job.refresh_from_db()
        assert job.status == BulkJob.Status.QUEUED and job.pump_id
        return job

    return make


def prepare(job: BulkJob) -> None:
    """The pump's first step alone (directory sync, watermark, policy), so faults hit the sends."""
    from evadmin.bulk.run import engine
    from evadmin.core.jobs import Lease

    token = "t" * 32
    BulkJob.objects.filter(pk=job.pk).update(claim_token=token, status=BulkJob.Status.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    assert engine._prepare(job, Lease(BulkJob, job.pk, token), time.monotonic() + 30) is None
    BulkJob.objects.filter(pk=job.pk).update(claim_token="")


def states(job: BulkJob) -> dict[str, str]:
    return dict(job.rows.values_list("email", "state"))


def test_a_job_creates_every_row_once_audits_it_and_tells_the_owner(started_job, bulk_api, settings):
    domain = unique_domain()
    emails = [f"d{n}@{domain}" for n in range(8)]
    job = started_job(emails)
    drive(job)
    assert job.status == BulkJob.Status.FINISHED and job.watermark_user_id
    assert set(states(job).values()) == {State.CREATED}
    assert all(user_id > job.watermark_user_id for user_id in job.rows.values_list("user_id", flat=True))
    assert posts_by_email(bulk_api) == dict.fromkeys(emails, 1)
    assert sandbox_users_by_email(bulk_api, domain) == dict.fromkeys(emails, 1)
    events = AuditEvent.objects.filter(action="bulk_row.create", job_ref=str(job.pk))
    assert events.count() == 8 and {event.actor_id for event in events} == {job.created_by_id}
    notice = BulkNotice.objects.get(job=job)
    assert "8 created" in notice.message and notice.recipient == job.created_by
    assert len(mail.outbox) == (1 if job.created_by.email else 0)
    # The directory sync (a full one: none had run) cost a few GETs; each row one POST.
    assert job.requests_spent == 8


def test_a_second_job_with_the_same_emails_costs_no_creates(started_job, bulk_api):
    domain = unique_domain()
    emails = [f"again{n}@{domain}" for n in range(3)]
    drive(started_job(emails))
    bulk_api.reset()
    second = started_job([*emails, f"new@{domain}"])
    drive(second)
    assert states(second) == {**dict.fromkeys(emails, State.EXISTED), f"new@{domain}": State.CREATED}
    assert posts_by_email(bulk_api) == {f"new@{domain}": 1}


def test_a_crash_between_the_201_and_its_commit_is_reconciled_without_a_second_post(started_job, bulk_api, settings):
    domain = unique_domain()
    emails = [f"c{n}@{domain}" for n in range(5)]
    job = started_job(emails)
    settings.EVADMIN_BULK_TEST_CRASH_AFTER_CREATE = [emails[2]]
    with pytest.raises(InjectedCrash):
        drive(job)
    assert states(job)[emails[2]] == State.IN_FLIGHT
    settings.EVADMIN_BULK_TEST_CRASH_AFTER_CREATE = []
    drive(job)
    assert set(states(job).values()) == {State.CREATED}
    assert posts_by_email(bulk_api) == dict.fromkeys(emails, 1)
    assert sandbox_users_by_email(bulk_api, domain) == dict.fromkeys(emails, 1)
    assert AuditEvent.objects.filter(action="bulk_row.create", target_user_id=job.rows.get(email=emails[2]).user_id).exists()


def test_an_uncertain_row_without_an_account_is_sent_again(started_job, bulk_api):
    domain = unique_domain()
    job = started_job([f"u{n}@{domain}" for n in range(3)])
    drive(job)
    job.rows.filter(email=f"u1@{domain}").update(state=State.UNCERTAIN)  # as if its answer was lost
    BulkRow.objects.filter(job=job, email=f"u1@{domain}").update(user_id="")
    # The account does exist (the first slice sent everything): reconciliation must find it.
    job.status = BulkJob.Status.RUNNING
    job.save(update_fields=["status"])
    chain.bulk_pump_chain_new(job=job)
    drive(job)
    assert states(job)[f"u1@{domain}"] == State.CREATED
    assert posts_by_email(bulk_api)[f"u1@{domain}"] == 1


def test_validation_failures_429_and_5xx(started_job, bulk_api, settings):
    settings.EVADMIN_BULK_MAX_ATTEMPTS = 3
    domain = unique_domain()
    emails = [f"f{n}@{domain}" for n in range(6)]
    job = started_job(emails)
    prepare(job)  # the directory sync's GETs first; the faults are for the POSTs
    bulk_api.faults(fail_next=[
        {"status": 400, "field_errors": {"email": ["This email is not allowed."]}}, 429, 503,
    ])
    drive(job, max_wait=5)
    rows = {row.email: row for row in job.rows.all()}
    assert job.status == BulkJob.Status.FINISHED
    failed = [row for row in rows.values() if row.state == State.FAILED]
    assert len(failed) == 1 and "This email is not allowed." in failed[0].error
    assert {row.state for row in rows.values()} == {State.CREATED, State.FAILED}
    assert sandbox_users_by_email(bulk_api, domain) == {email: 1 for email in emails if rows[email].state == State.CREATED}


def test_a_row_that_keeps_failing_is_parked(started_job, bulk_api, settings):
    settings.EVADMIN_BULK_MAX_ATTEMPTS = 2
    domain = unique_domain()
    job = started_job([f"p@{domain}"])
    with pytest.MonkeyPatch.context() as patch:
        from evadmin.evenergy import client as client_module
        from evadmin.evenergy import errors

        def refuse(self, **kwargs):
            raise errors.TransportError("refused", request_sent=False)

        patch.setattr(client_module.UsersApi, "create", refuse)
        drive(job)
    row = job.rows.get()
    assert row.state == State.PARKED and row.attempts == 2 and "Gave up after 2 attempts" in row.error
    assert job.status == BulkJob.Status.FINISHED


def create_behind_our_back(sandbox_api, email: str) -> str:
    """An account made straight in the sandbox (another tool, an agent): evadmin's directory never saw it."""
    import requests as http

    response = http.post(sandbox_api.url("/users"), json={"email": email}, timeout=30,
                         headers={"Authorization": f"Bearer {sandbox_api.token()}", "EvEnergy-Version": "2"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_strict_mode_looks_each_email_up_and_finds_an_account_made_after_the_sync(started_job, bulk_api):
    from urllib.parse import parse_qs

    domain = unique_domain()
    emails = [f"s{n}@{domain}" for n in range(4)]
    job = started_job(emails, strict=True)
    prepare(job)  # directory synced and watermark recorded: none of these accounts exists yet
    assert set(states(job).values()) == {State.PENDING}
    behind = create_behind_our_back(bulk_api, f"S1@{domain}")  # lookups ignore case
    bulk_api.reset()  # from here on the sandbox's log holds only what the job sent
    drive(job)
    sent = [entry for entry in bulk_api.requests() if entry["path"].startswith("/v2/")]  # before we list
    assert states(job) == {**dict.fromkeys(emails, State.CREATED), emails[1]: State.EXISTED}
    assert job.rows.get(email=emails[1]).user_id == behind
    assert sandbox_users_by_email(bulk_api, domain) == dict.fromkeys(emails, 1)  # not created twice
    # Two requests a new row (lookup, then create), one for the row the lookup found, nothing else.
    lookups = [parse_qs(entry["query"])["email"][0] for entry in sent
               if entry["method"] == "GET" and "email=" in (entry["query"] or "")]
    assert sorted(lookups) == sorted(emails)
    assert [entry["method"] for entry in sent].count("POST") == 3
    assert posts_by_email(bulk_api) == {email: 1 for email in emails if email != emails[1]}
    assert len(sent) == 2 * 3 + 1 == job.requests_spent


def test_two_jobs_share_a_small_budget_and_both_make_progress(started_job, bulk_api, settings):
    from evadmin.evenergy.client import reset_evenergy_client
    from evadmin.evenergy.ratelimit import rate_budget, reset_rate_budget

    domain = unique_domain()
    first = started_job([f"a{n}@{domain}" for n in range(12)])
    second = started_job([f"b{n}@{domain}" for n in range(12)])
    prepare(first)
    prepare(second)
    for job in (first, second):
        BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.QUEUED)
    # 20 requests an hour, bulk may use 60%: 12 for both jobs in this window, 24 rows between them.
    bulk_api.reset()
    bulk_api.faults(rate_limit_per_hour=20)
    settings.EVADMIN_API_RATE_LIMIT_PER_HOUR = 20
    settings.EVADMIN_BULK_BUDGET_SHARE = 0.6
    reset_rate_budget()
    reset_evenergy_client()
    rate_budget().clear()
    waiting = set()
    for _ in range(10):  # the worker takes the two pumps' tasks in turn, as the queue hands them out
        for job in (first, second):
            job.refresh_from_db()
            outcome = bulk_job_pump(job_id=job.pk, pump_id=job.pump_id)
            if outcome.countdown > 3:
                waiting.add(job.pk)
        if waiting == {first.pk, second.pk}:
            break
    sent = {job.pk: job.rows.filter(state=State.CREATED).count() for job in (first, second)}
    assert sum(sent.values()) == 12  # the whole share, never more
    assert sent == {first.pk: 6, second.pk: 6}  # neither starves: each its half
    assert rate_budget().used() <= 12


@pytest.mark.parametrize("paging", ["repeat_next", "ignore_paging", "foreign_cursor"])
def test_reconciling_by_listing_moves_forward_or_falls_back_to_lookups(started_job, bulk_api, paging):
    """Issue 11: the reconcile listing is a paging loop too; one that does not move forward stops
    (and its rows are looked up by email instead), never asks again and again."""
    domain = unique_domain()
    emails = [f"r{n}@{domain}" for n in range(6)]
    job = started_job(emails)
    drive(job)
    lost = emails[1:5]
    job.rows.filter(email__in=lost).update(state=State.UNCERTAIN, user_id="")  # four answers lost
    job.status = BulkJob.Status.RUNNING
    job.save(update_fields=["status"])
    chain.bulk_pump_chain_new(job=job)
    bulk_api.reset()
    bulk_api.faults(paging=paging)

    drive(job)

    assert set(states(job).values()) == {State.CREATED}
    assert not posts_by_email(bulk_api)  # every lost answer was found, none sent again
    reads = [entry for entry in bulk_api.api_requests() if entry["method"] == "GET"]
    assert len(reads) <= 2 + len(lost)  # a listing page or two, then at most one lookup a row
