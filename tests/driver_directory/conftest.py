"""Fixtures for the directory: evadmin pointed at a re-seeded sandbox with an empty rate budget, a
second sandbox process seeded with 2,500 users, and directory rows made without the API."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from evadmin.driver_directory.services import directory_store_users
from evadmin.evenergy.resources import User
from tests.conftest import point_settings_at
from tests.evenergy.api_state import reset_api_state
from tests.sandbox.fixtures import sandbox_process

BIG_SANDBOX_USERS = 2500


@pytest.fixture
def directory_api(api_settings, sandbox_api):
    """evadmin against the 250-user sandbox, as first seeded, with nothing spent this hour (api_settings)."""
    sandbox_api.reset(data=True)
    return sandbox_api


@pytest.fixture(scope="session")
def big_sandbox(tmp_path_factory):
    """A sandbox process of its own with 2,500 users (the session one has 250)."""
    yield from sandbox_process(tmp_path_factory.mktemp("big-sandbox"), seed_users=BIG_SANDBOX_USERS)


@pytest.fixture
def big_api(big_sandbox, settings, db):
    """evadmin against the 2,500-user sandbox (faults off, request log empty)."""
    big_sandbox.reset()
    point_settings_at(big_sandbox, settings)
    yield big_sandbox
    reset_api_state(clear_spending=False)


@pytest.fixture
def store_accounts(db):
    """store_accounts(ApiUserFactory(number=1, ...), ...) -> their user ids, stored as a sync would."""

    def store(*users: User) -> list[str]:
        directory_store_users(users)
        cache.clear()  # the filters' choice lists are cached
        return [user.id for user in users]

    return store
