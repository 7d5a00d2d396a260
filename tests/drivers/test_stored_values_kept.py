"""An edit never changes a field the agent did not touch (issue 11): a stored tariff or EVSE site
that no choice list offers, and coordinates stored out of range, stay exactly as they are through
an edit of another field; and a new out-of-range coordinate is still refused.

The sandbox serves such values through its `overrides` fault (answers the spec allows that its own
rules never produce); writes still go to the real record.
"""

import json

import pytest

from evadmin.audit.models import AuditEvent
from tests.drivers.test_writes import edit_form_data, writes

UNKNOWN_SITE = "site01JZZZZZZZZZZZZZZZZZZZZZZZ"
UNKNOWN_TARIFF = "tari01JZZZZZZZZZZZZZZZZZZZZZZZ"


def clear_request_log(sandbox_api):
    """Reset the sandbox's request log, keeping its odd answers."""
    overrides = sandbox_api.faults()["overrides"]
    sandbox_api.reset()
    sandbox_api.faults(overrides=overrides)


@pytest.fixture
def odd_user(pages, sandbox_api, user_with_address):
    """A driver whose site and tariff are unknown to the choice lists, coordinates out of range."""
    base = sandbox_api.base_url
    sandbox_api.faults(overrides=[{"match": user_with_address.id, "set": {
        "default_location.evse_site": f"{base}/evse_sites/{UNKNOWN_SITE}",
        "default_location.tariff": f"{base}/tariffs/{UNKNOWN_TARIFF}",
        "default_location.coordinates": {"latitude": 123.4, "longitude": -200.5},
    }}])
    return user_with_address


def test_the_form_shows_what_it_cannot_offer_as_current(pages, odd_user):
    html = pages("support").get(f"/users/{odd_user.id}/edit/").content.decode()
    assert f'<option value="{UNKNOWN_SITE}" selected>current: {UNKNOWN_SITE}, not in the list</option>' in html
    assert f'<option value="{UNKNOWN_TARIFF}" selected>current: {UNKNOWN_TARIFF}, not in the list</option>' in html
    assert "The API stores 123.4, outside −90 to 90" in html and "The API stores -200.5, outside −180 to 180" in html


def test_editing_the_city_keeps_site_tariff_and_coordinates(pages, sandbox_api, odd_user):
    client = pages("support")
    data = edit_form_data(client, odd_user.id)
    clear_request_log(sandbox_api)

    response = client.post(f"/users/{odd_user.id}/edit/", {**data, "city": "Cardiff", "reason": "moved house"})

    assert response.status_code == 302, response.content.decode()[:2000]
    [patch] = writes(sandbox_api)
    sent_location = json.loads(patch["body"])["default_location"]
    assert sent_location["city"] == "Cardiff"
    assert not {"evse_site", "tariff", "coordinates"} & set(sent_location)
    event = AuditEvent.objects.get(action="user.update", target_user_id=odd_user.id)
    assert event.before == {"default_location.city": odd_user.default_location.city}
    assert event.after == {"default_location.city": "Cardiff"}


def test_a_new_out_of_range_coordinate_is_still_refused(pages, sandbox_api, odd_user):
    client = pages("support")
    data = edit_form_data(client, odd_user.id)
    clear_request_log(sandbox_api)
    response = client.post(f"/users/{odd_user.id}/edit/", {**data, "latitude": "95"})
    assert response.status_code == 422
    assert response.context["form"].errors["latitude"] == ["Ensure this value is between −90 and 90."]
    assert writes(sandbox_api) == []


def test_choosing_a_listed_site_replaces_the_unknown_one(pages, sandbox_api, direct_api, odd_user):
    client = pages("support")
    data = edit_form_data(client, odd_user.id)
    site = direct_api.evse_sites.all()[0]
    clear_request_log(sandbox_api)
    response = client.post(f"/users/{odd_user.id}/edit/", {**data, "evse_site": site.id})
    assert response.status_code == 302
    [patch] = writes(sandbox_api)
    assert json.loads(patch["body"])["default_location"]["evse_site"].endswith(f"/evse_sites/{site.id}")


def test_the_tariff_search_keeps_the_current_tariff_as_an_option(pages, odd_user):
    client = pages("support")
    stored = client.get(f"/users/{odd_user.id}/edit/").context["form"]["stored"].value()
    html = client.get("/users/form/tariffs/", {"tariff_search": "zzzz-nothing", "tariff": UNKNOWN_TARIFF,
                                               "stored": stored}, HTTP_HX_REQUEST="true").content.decode()
    assert f'<option value="{UNKNOWN_TARIFF}" selected>current: {UNKNOWN_TARIFF}, not in the list</option>' in html
