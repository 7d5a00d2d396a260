"""The Programs panel's other states: a driver with no programs (said in words), hostile program
descriptions (HTML, very long, U+202E) as text, and a join without its scope naming it."""

import pytest
import requests
from django.urls import reverse

from evadmin.sandbox.seeding.programs import HOSTILE_DESCRIPTION

CASE = "program_eligible_not_enrolled"


@pytest.fixture
def drivers_by_programs(sandbox_api) -> dict[str, list[str]]:
    """Some drivers and their program names, read straight from the sandbox."""
    headers = {"Authorization": f"Bearer {sandbox_api.token()}", "EvEnergy-Version": "2"}
    users = requests.get(sandbox_api.url("/users"), params={"page_size": 100}, headers=headers, timeout=10).json()
    found = {}
    for user in users:
        programs = requests.get(sandbox_api.url("/programs"), headers={**headers, "EvEnergy-User": user["id"]},
                                timeout=10).json()
        found[user["id"]] = [program["name"] for program in programs]
    return found


def test_a_driver_with_no_programs_is_told_in_words(pages, drivers_by_programs):
    user_id = next(user for user, names in drivers_by_programs.items() if not names)
    html = pages("viewer").get(reverse("programs:driver", args=[user_id])).content.decode()
    assert "No programs at this driver&#x27;s location." in html or "No programs at this driver's location." in html


def test_hostile_descriptions_render_as_text(pages, drivers_by_programs):
    user_id = next((user for user, names in drivers_by_programs.items() if "London Peak Saver" in names), None)
    if user_id is None:
        pytest.skip("no seeded driver in London")
    html = pages("viewer").get(reverse("programs:driver", args=[user_id])).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert HOSTILE_DESCRIPTION not in html  # truncated in the list; whole in the title, escaped
    assert 'class="truncate"' in html


def test_joining_without_the_scope_names_it(pages, sandbox_api, api_settings):
    case = sandbox_api.seed_cases()[CASE]
    sandbox_api.create_client("no-programs-desk", "no-programs-secret", ["user:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "no-programs-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "no-programs-secret"
    response = pages("support").post(reverse("programs:join", args=[case["user_id"], case["program"]]),
                                     {"reason": "Driver asked", "confirm": "on"})
    assert response.status_code >= 400
    assert "utility_account:write" in response.content.decode()
