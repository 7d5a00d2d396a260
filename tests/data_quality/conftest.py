"""Fixtures for the audit reports: hand-made directory rows, and a directory synced from the sandbox."""

import pytest
import requests

from evadmin.driver_directory.models import DirectoryAccount
from tests.driver_directory.factories import DirectoryAccountFactory, directory_full_sync


@pytest.fixture
def make_account(db):
    """make_account("usr1", postal_code="nope") -> a saved DirectoryAccount, healthy but for the overrides."""

    def make(user_id: str, **overrides) -> DirectoryAccount:
        return DirectoryAccountFactory(healthy=True, user_id=user_id, **overrides)

    return make


def planted_defects(sandbox_api) -> dict[str, set[str]]:
    """{defect: user ids} as the sandbox's seeding planted them (GET /_sandbox/seed/defects)."""
    response = requests.get(sandbox_api.url("/_sandbox/seed/defects"), timeout=30)
    response.raise_for_status()
    return {name: set(ids) for name, ids in response.json().items()}


@pytest.fixture
def seeded_directory(api_settings, sandbox_api):
    """The directory holding the sandbox's 250 users as first seeded; returns the planted defects."""
    sandbox_api.reset(data=True)
    directory_full_sync()
    return planted_defects(sandbox_api)
