"""A sync that is interrupted, refused or rationed carries on from its checkpoint."""

import time
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from evadmin.driver_directory import sync as sync_module
from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from evadmin.driver_directory.sync import STALE_AFTER, directory_sync_step
from evadmin.evenergy.client import build_client, reset_evenergy_client
from evadmin.evenergy.ratelimit import rate_budget, reset_rate_budget
from tests.conftest import sent
from tests.driver_directory.factories import ApiUserFactory


def page_afters(sandbox):
    return [parse_qs(entry["query"]).get("page_after", [""])[0] for entry in sent(sandbox, "GET", "/v2/users")]


def statuses(sandbox):
    return [entry["status"] for entry in sent(sandbox, "GET", "/v2/users")]


def running_sync() -> DirectorySync:
    return DirectorySync.objects.get(status="running")


def make_heartbeat_stale(sync: DirectorySync) -> None:
    """What a worker that died leaves behind, once STALE_AFTER has passed."""
    DirectorySync.objects.filter(pk=sync.pk).update(heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))


def test_a_sync_that_died_mid_way_is_resumed_from_its_checkpoint(directory_api, monkeypatch):
    # The worker "dies" storing the third page: nothing after the second page's checkpoint exists.
    real_store, stored = sync_module.directory_store_users, []

    def store_then_die(users, **kwargs):
        if len(stored) == 2:
            raise SystemExit("worker killed")  # not an Exception: nothing records it, like SIGKILL
        stored.append(real_store(users, **kwargs))
        return stored[-1]

    monkeypatch.setattr(sync_module, "directory_store_users", store_then_die)
    with pytest.raises(SystemExit):
        directory_sync_step(kind="full")
    monkeypatch.undo()

    crashed = running_sync()
    assert crashed.claim_token  # still held by the dead worker
    assert DirectoryAccount.objects.count() == 200 and crashed.accounts_seen == 200
    checkpoint = DirectoryAccount.objects.order_by("-user_id").first().user_id
    assert crashed.cursor == checkpoint

    # While its heartbeat is fresh, nobody else touches it (it may only be slow).
    assert directory_sync_step(kind="incremental").busy
    directory_api.reset()
    make_heartbeat_stale(crashed)

    resumed = directory_sync_step(kind="incremental")  # the next beat tick

    assert resumed.finished and resumed.sync_id == crashed.pk and resumed.kind == "full"
    assert page_afters(directory_api) == [checkpoint]  # 1 request for the last 50, not 3 from the start
    done = DirectorySync.objects.get(pk=crashed.pk)
    assert (done.status, done.accounts_seen, done.requests_spent) == ("complete", 250, 3)
    assert DirectoryAccount.objects.count() == 250


def test_a_429_is_waited_out_and_the_sync_continues_from_its_cursor(directory_api, settings):
    settings.EVADMIN_API_MAX_RETRIES = 0  # the client gives the 429 straight to the sync
    reset_evenergy_client()
    first = directory_sync_step(kind="full", max_pages=1)
    assert not first.finished
    cursor = running_sync().cursor
    directory_api.reset()
    directory_api.faults(force_429=2, retry_after=1)

    started = time.monotonic()
    progress = directory_sync_step(kind="full", sync_id=first.sync_id)

    assert progress.finished
    assert time.monotonic() - started >= 2  # Retry-After honoured, twice
    assert statuses(directory_api) == [429, 429, 200, 200]
    assert page_afters(directory_api)[:3] == [cursor, cursor, cursor]  # the same page again, not the start
    assert DirectoryAccount.objects.count() == 250
    assert DirectorySync.objects.get(pk=first.sync_id).requests_spent == 5  # 3 pages + 2 refused


def test_a_long_retry_after_lets_go_of_the_worker_and_schedules_the_rest(directory_api, settings):
    settings.EVADMIN_API_MAX_RETRIES = 0
    reset_evenergy_client()
    first = directory_sync_step(kind="full", max_pages=1)
    cursor = running_sync().cursor
    directory_api.faults(force_429=1, retry_after=120)

    progress = directory_sync_step(kind="full", sync_id=first.sync_id)

    assert not progress.finished and 119 <= progress.resume_in <= 120
    waiting = running_sync()
    assert waiting.claim_token == "" and waiting.cursor == cursor
    assert waiting.due_at > timezone.now() + timedelta(seconds=100)
    # A beat tick meanwhile leaves it to its scheduled continuation.
    assert directory_sync_step(kind="incremental").busy


def test_the_sync_keeps_to_its_share_of_the_budget(big_api, settings):
    settings.EVADMIN_API_RATE_LIMIT_PER_HOUR = 20  # scaled down: the share is 10 requests
    settings.EVADMIN_DIRECTORY_BUDGET_SHARE = 0.5
    big_api.faults(rate_limit_per_hour=20)
    reset_rate_budget()
    reset_evenergy_client()

    progress = directory_sync_step(kind="full")

    assert not progress.finished and progress.resume_in >= 15  # re-queued, not sleeping in the worker
    assert len(sent(big_api, "GET", "/v2/users")) == 10
    sync = running_sync()
    assert (sync.requests_spent, sync.accounts_seen) == (10, 1000)
    assert DirectoryAccount.objects.count() == 1000
    assert rate_budget().used() == 10
    # The other half is still there for staff: ten interactive calls go through.
    client = build_client()
    for _ in range(10):
        client.users.list(page_size=1)
    assert all(status == 200 for status in statuses(big_api))
    assert rate_budget().used() == 20


def test_an_api_outage_pauses_the_sync_with_backoff_and_keeps_the_checkpoint(directory_api, settings):
    settings.EVADMIN_API_MAX_RETRIES = 0
    reset_evenergy_client()
    first = directory_sync_step(kind="full", max_pages=1)
    cursor = running_sync().cursor
    directory_api.faults(fail_next=[503])

    paused = directory_sync_step(kind="full", sync_id=first.sync_id)

    assert not paused.finished and paused.resume_in == sync_module.FAILURE_BACKOFF_SECONDS[0]
    sync = running_sync()
    assert (sync.failures, sync.cursor) == (1, cursor)
    assert "trouble" in sync.error
    DirectorySync.objects.filter(pk=sync.pk).update(due_at=timezone.now())  # the countdown has passed
    directory_api.reset()
    assert directory_sync_step(kind="full", sync_id=sync.pk).finished
    assert page_afters(directory_api)[0] == cursor
    done = DirectorySync.objects.get(pk=sync.pk)
    assert (done.status, done.failures, done.error) == ("complete", 0, "")


def test_the_run_fails_for_good_when_the_api_refuses_its_credentials(directory_api, settings):
    settings.EVADMIN_API_CLIENT_SECRET = "wrong"
    reset_evenergy_client()
    progress = directory_sync_step(kind="full")  # waiting would not mend this
    assert progress.finished
    sync = DirectorySync.objects.get(pk=progress.sync_id)
    assert sync.status == "failed" and "credentials" in sync.error
    assert not DirectorySync.objects.filter(status="running").exists()  # the next tick may start afresh


def test_a_checkpoint_the_api_no_longer_knows_steps_back_to_the_previous_account(directory_api, store_accounts):
    directory_sync_step(kind="full")
    known = DirectoryAccount.objects.order_by("-user_id").first().user_id
    # The newest account the last sync stored was deleted from the API since.
    [deleted] = store_accounts(ApiUserFactory(number=9, email="deleted@example.com", id=known[:-1] + "Z"))
    assert deleted > known  # the seed is deterministic: its newest id does not end in Z
    DirectorySync.objects.filter(status="complete").update(cursor=deleted)
    created = build_client().users.create(email="after-the-deletion@example.com")
    directory_api.reset()

    progress = directory_sync_step(kind="incremental")

    assert progress.finished
    assert statuses(directory_api) == [400, 200]
    assert page_afters(directory_api) == [deleted, known]
    assert DirectoryAccount.objects.filter(user_id=created.id).exists()
