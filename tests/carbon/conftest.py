"""A driver's grid carbon intensity and tariff prices against the sandbox over HTTP: the seeded case
carbon_and_tariff (its truth: /_sandbox/seed/cases)."""

import pytest
from django.urls import reverse

from tests.drivers.conftest import direct_api, pages  # noqa: F401  (fixtures, used by name)

CASE = "carbon_and_tariff"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(pages, sandbox_api) -> dict:  # noqa: F811  (pages: the sandbox as seeded)
    return sandbox_api.seed_cases()[CASE]


def panel_url(name: str, user_id: str) -> str:
    return reverse(f"carbon:{name}", args=[user_id])


def open_driver(viewer, user_id: str) -> str:
    """The driver's page, as an agent opens it first (it holds the driver: the panels need no read of them)."""
    return viewer.get(reverse("users:detail", args=[user_id])).content.decode()
