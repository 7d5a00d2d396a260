"""Every place a playbook step can lead is a real page of the offline-night driver, against the sandbox."""

import pytest

from evadmin.playbooks.links import STEP_LINKS, StepContext, step_url
from tests.charging.conftest import case_zone, moment
from tests.drivers.conftest import direct_api, pages  # noqa: F401  (fixtures, used by name)


@pytest.fixture
def offline_case(pages, sandbox_api):  # noqa: F811
    return sandbox_api.seed_cases()["charger_offline_no_charge"]


def test_every_step_link_opens_a_page(pages, direct_api, offline_case):  # noqa: F811
    night = moment(offline_case["night"]["plugged_in_at"]).astimezone(case_zone(direct_api, offline_case)).date()
    context = StepContext(user_id=offline_case["user_id"], ticket_id=None, night=night.isoformat())
    admin = pages("admin")
    for key in STEP_LINKS:
        url = step_url(key, context)
        response = admin.get(url)
        assert response.status_code == 200, (key, url, response.status_code)
