"""The token refresh task, run by a real Celery worker process sharing the suite's database."""


import pytest
from django.core.cache import cache

from evadmin.evenergy.client import build_client
from evadmin.evenergy.tasks import evenergy_refresh_token
from tests.conftest import sent
from tests.processes import wait_for

pytestmark = pytest.mark.worker


def test_worker_fetches_the_token_that_the_web_process_then_uses(
    celery_worker_process, transactional_db, api_settings, sandbox_api
):
    key = build_client().token.cache_key
    cache.delete(key)
    evenergy_refresh_token.delay()

    wait_for(lambda: cache.get(key) is not None, timeout=30,
             message=lambda: "no token appeared; worker log:\n" + celery_worker_process.output()[-2000:])

    assert len(sent(sandbox_api, "POST", "/o/token")) == 1
    build_client().users.list(page_size=1)  # this process finds the worker's token in the shared cache
    assert len(sent(sandbox_api, "POST", "/o/token")) == 1
