"""evadmin's Celery app with pump time slices of EVADMIN_TEST_SLICE_SECONDS (a worker's `--app`).

A 150-row job then goes through the broker many times (each slice re-queues the next), so a test
that restarts the broker mid-job really has messages to lose. Test-only: production slices stay
engine.SLICE_SECONDS.
"""

import os

from celery.signals import worker_process_init

from evadmin.celery import app  # noqa: F401 - the app the worker runs


@worker_process_init.connect
def _short_slices(**_kwargs) -> None:
    from evadmin.bulk.run import engine

    engine.SLICE_SECONDS = float(os.environ.get("EVADMIN_TEST_SLICE_SECONDS", "0.5"))
