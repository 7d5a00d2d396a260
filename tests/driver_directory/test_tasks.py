"""The sync task's scheduling: beat entries, re-queueing with a countdown, one sync at a time."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from evadmin.driver_directory import tasks
from evadmin.driver_directory.models import DirectorySync
from evadmin.driver_directory.sync import directory_sync_step
from tests.evenergy.api_state import reset_api_state


@pytest.fixture
def requeued(monkeypatch):
    """Continuations the task schedules, captured instead of sent to the broker."""
    calls = []
    monkeypatch.setattr(tasks.directory_sync_step, "apply_async", lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(tasks.directory_sync_step, "delay", lambda **kwargs: calls.append({"kwargs": kwargs}))
    return calls


def test_beat_runs_incremental_syncs_every_few_minutes_and_a_full_one_nightly():
    schedule = settings.CELERY_BEAT_SCHEDULE
    incremental, full = schedule["directory-sync-incremental"], schedule["directory-sync-full"]
    assert incremental["task"] == full["task"] == "directory.sync"
    assert incremental["kwargs"] == {"kind": "incremental"}
    assert incremental["schedule"] == settings.EVADMIN_DIRECTORY_INCREMENTAL_MINUTES * 60
    assert full["kwargs"] == {"kind": "full"}
    assert isinstance(full["schedule"], crontab)
    assert settings.EVADMIN_DIRECTORY_BUDGET_SHARE == 0.5


def test_a_task_out_of_budget_share_requeues_itself_with_a_countdown(big_api, settings, requeued):
    # Both sides at 4 an hour: the budget follows the API's X-RateLimit-Limit when it is higher.
    big_api.faults(rate_limit_per_hour=4)
    settings.EVADMIN_API_RATE_LIMIT_PER_HOUR = 4
    reset_api_state()
    tasks.directory_sync_step.apply(kwargs={"kind": "full"})
    sync = DirectorySync.objects.get(status="running")
    assert sync.requests_spent == 2
    [call] = requeued
    assert call["kwargs"] == {"kind": "full", "sync_id": sync.pk}
    assert call["countdown"] >= 15  # not a busy loop


def wait_for_its_continuation(sync_id: int) -> None:
    """As a run paused for the rate budget or a Retry-After is left."""
    DirectorySync.objects.filter(pk=sync_id).update(due_at=timezone.now() + timedelta(seconds=60))


def test_a_tick_while_a_sync_waits_does_nothing(directory_api, requeued):
    running = directory_sync_step(kind="full", max_pages=1)
    wait_for_its_continuation(running.sync_id)
    tasks.directory_sync_step.apply(kwargs={"kind": "incremental"})
    assert requeued == []
    assert DirectorySync.objects.get().pk == running.sync_id and DirectorySync.objects.get().requests_spent == 1


def test_a_run_let_go_at_the_end_of_its_time_slice_is_carried_on_by_the_next_caller(directory_api, requeued):
    sliced = directory_sync_step(kind="full", max_pages=1)
    assert not sliced.finished and sliced.resume_in == 0
    progress = directory_sync_step(kind="incremental")  # e.g. a bulk job bringing the directory up to date
    assert progress.finished and progress.sync_id == sliced.sync_id


def test_a_nightly_full_sync_waits_for_a_running_incremental_one(directory_api, requeued, monkeypatch):
    directory_sync_step(kind="full")
    paused = directory_sync_step(kind="incremental", max_pages=0)
    wait_for_its_continuation(paused.sync_id)
    retried = []

    def retry(**kwargs):
        retried.append(kwargs)
        raise Retry()

    monkeypatch.setattr(tasks.directory_sync_step, "retry", retry)
    tasks.directory_sync_step.apply(kwargs={"kind": "full"})
    assert retried == [{"countdown": tasks.BUSY_RETRY_SECONDS}]


def test_a_full_request_that_finishes_someone_elses_incremental_run_queues_the_full_one(directory_api, requeued):
    directory_sync_step(kind="full")
    paused = directory_sync_step(kind="incremental", max_pages=0)  # let go at the end of a slice
    tasks.directory_sync_step.apply(kwargs={"kind": "full"})
    assert DirectorySync.objects.get(pk=paused.sync_id).status == "complete"
    assert requeued == [{"kwargs": {"kind": "full"}}]


def test_beat_starting_on_a_directory_never_synced_starts_a_full_sync_at_once(
        db, monkeypatch, django_capture_on_commit_callbacks):
    from celery.signals import beat_init

    from evadmin.core import jobs  # (the beat_init receiver is in tasks, imported above, as beat imports it)

    sent = []
    monkeypatch.setattr(jobs.current_app, "send_task", lambda name, **options: sent.append((name, options)))
    with django_capture_on_commit_callbacks(execute=True):
        beat_init.send(sender=None)
    [sync] = DirectorySync.objects.all()
    assert (sync.kind, sync.status) == (DirectorySync.Kind.FULL, DirectorySync.Status.RUNNING)
    assert [(name, options["kwargs"]) for name, options in sent] == [
        ("directory.sync", {"kind": "full", "sync_id": sync.pk})]
    with django_capture_on_commit_callbacks(execute=True):
        beat_init.send(sender=None)  # beat restarting later: the directory has its syncs, nothing new
    assert DirectorySync.objects.count() == 1 and len(sent) == 1
