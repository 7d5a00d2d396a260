"""A driver's energy devices against the sandbox over HTTP: the seeded case solar_and_home_battery (its
truth: /_sandbox/seed/cases)."""

import pytest

from tests.drivers.conftest import direct_api, pages  # noqa: F401  (fixtures, used by name)

CASE = "solar_and_home_battery"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(pages, sandbox_api) -> dict:  # noqa: F811  (pages: the sandbox as seeded)
    return sandbox_api.seed_cases()[CASE]


def panel_url(name: str, user_id: str, hem_id: str | None = None) -> str:
    from django.urls import reverse

    return reverse(f"energy:{name}", args=[user_id, *([hem_id] if hem_id else [])])
