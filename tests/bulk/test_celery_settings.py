"""The Celery settings the job engine's safety rests on, pinned: change one and this fails."""

from django.conf import settings

from evadmin.bulk import tasks
from evadmin.bulk.run import engine
from evadmin.celery import app


def test_late_ack_reject_on_worker_lost_prefetch_one_and_time_limits():
    assert settings.CELERY_TASK_ACKS_LATE is True  # a task killed mid-run is delivered again
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True  # ...also when its pool process dies
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1  # a worker holds no task it isn't running
    assert (settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT) == (540, 600)
    assert tasks.bulk_job_pump.acks_late is True and tasks.bulk_job_pump.name == "bulk.pump"
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost and app.conf.worker_prefetch_multiplier == 1


def test_every_countdown_and_time_limit_is_well_under_the_visibility_timeout():
    # The Redis broker's setting (settings/base.py sets it whenever the broker is Redis).
    visibility_timeout = 7200
    if settings.CELERY_BROKER_URL.startswith("redis"):
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == visibility_timeout
    longest_wait = max(engine.MAX_COUNTDOWN, settings.EVADMIN_BULK_STALE_SECONDS + 1, tasks.bulk_job_pump.retry_backoff_max)
    assert engine.MAX_COUNTDOWN == 300
    assert longest_wait + settings.CELERY_TASK_TIME_LIMIT < visibility_timeout / 2
    assert engine.SLICE_SECONDS < settings.CELERY_TASK_SOFT_TIME_LIMIT / 4
    # A live pump beats at least every request (each ends within the API timeout): never mistaken for dead.
    assert settings.EVADMIN_API_TIMEOUT * 3 < settings.EVADMIN_BULK_STALE_SECONDS


def test_the_pump_is_enqueued_on_commit_only(operator, upload, django_capture_on_commit_callbacks, monkeypatch):
    from evadmin.bulk import services
    from evadmin.celery import app
    from tests.bulk.factories import address, csv_bytes

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, kwargs=None, **options: sent.append({"kwargs": kwargs, **options}))
    job = upload(csv_bytes([{"email": "on-commit@example.com", **address()}]))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.bulk_job_submit(job_id=job.pk, actor=operator, existing_policy="skip", strict_mode=False)
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert sent == [{"kwargs": {"job_id": job.pk, "pump_id": job.pump_id}, "countdown": 0.0,
                     "queue": settings.EVADMIN_BULK_QUEUE}]


def test_the_watchdog_is_on_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["bulk-watchdog"]
    assert entry["task"] == "bulk.watchdog" and entry["schedule"] <= 60
