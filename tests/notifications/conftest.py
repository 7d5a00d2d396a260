"""A driver's notifications and notification preferences against the sandbox over HTTP: the seeded case
notifications_switched_off (its truth: /_sandbox/seed/cases)."""

import pytest

from tests.drivers.conftest import direct_api, pages  # noqa: F401  (fixtures, used by name)

CASE = "notifications_switched_off"


@pytest.fixture
def case(pages, sandbox_api) -> dict:  # noqa: F811  (pages: the sandbox as seeded)
    return sandbox_api.seed_cases()[CASE]


def panel_url(name: str, user_id: str) -> str:
    from django.urls import reverse

    return reverse(f"notifications:{name}", args=[user_id])
