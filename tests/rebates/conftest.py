"""A driver's rebates, subscription and payout method against the sandbox over HTTP: the seeded case
rebate_stuck_in_evidence_review (its truth: /_sandbox/seed/cases)."""

import pytest

from tests.drivers.conftest import direct_api, pages  # noqa: F401  (fixtures, used by name)

CASE = "rebate_stuck_in_evidence_review"


@pytest.fixture
def case(pages, sandbox_api) -> dict:  # noqa: F811  (pages: the sandbox as seeded)
    return sandbox_api.seed_cases()[CASE]


def panel_url(name: str, user_id: str) -> str:
    from django.urls import reverse

    return reverse(f"rebates:{name}", args=[user_id])
