"""A client of evadmin's own pointed at the freshly reset sandbox, and the seeded cases' truth."""

import pytest

from evadmin.evenergy.client import evenergy_client


@pytest.fixture
def api(api_settings):
    return evenergy_client()


@pytest.fixture
def cases(sandbox_api) -> dict:
    return sandbox_api.seed_cases()
