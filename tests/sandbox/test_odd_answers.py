"""The sandbox's odd-answer fault modes (POST /_sandbox/faults): answers the published spec allows
that evadmin once mishandled (issue 11). Each answer is still checked against the spec."""

import pytest
import requests

from tests.sandbox.helpers import Api


@pytest.fixture
def api(sandbox_api):
    from tests import spec

    spec.require_spec()
    return Api(sandbox_api, sandbox_api.token())


def control(sandbox_api, **changes):
    return requests.post(f"{sandbox_api.origin}/_sandbox/faults", json=changes, timeout=10)


def test_the_control_api_lists_the_odd_answers(sandbox_api):
    index = requests.get(f"{sandbox_api.origin}/_sandbox/", timeout=10).json()
    odd = index["endpoints"]["odd answers (POST /_sandbox/faults)"]
    assert set(odd) == {"paging", "empty_lists", "rate_limit_headers", "overrides"}
    assert set(odd["paging"]) == {"null", "repeat_next", "ignore_paging", "foreign_cursor"}
    state = index["faults"]
    assert (state["paging"], state["empty_lists"], state["rate_limit_headers"], state["overrides"]) == (
        None, False, None, [])


@pytest.mark.parametrize("changes", [
    {"paging": "sideways"}, {"empty_lists": "yes"}, {"rate_limit_headers": {"reset": "1"}},
    {"overrides": [{"set": {"email": None}}]}, {"overrides": {"match": "user"}},
])
def test_bad_odd_answer_settings_are_refused_with_a_reason(sandbox_api, changes):
    response = control(sandbox_api, **changes)
    assert response.status_code == 400 and response.json()["error"]


def test_numbered_pages_say_page_2_on_every_page(api, sandbox_api):
    sandbox_api.faults(paging="repeat_next")
    first = api.get("/tariffs?page_size=5")
    second = api.get("/tariffs?page_size=5&page=2")
    assert 'page=2>; rel="next"' in first.headers["Link"] and 'page=2>; rel="next"' in second.headers["Link"]
    last = api.get("/tariffs?page_size=5&page=999")  # past the end: the last page, not a 404
    assert last.status_code == 200 and last.json()


def test_ignored_paging_serves_the_first_page_with_advancing_links(api, sandbox_api):
    first = api.get("/users?page_size=10").json()
    sandbox_api.faults(paging="ignore_paging")
    again = api.get(f"/users?page_size=10&page_after={first[-1]['id']}")
    assert [user["id"] for user in again.json()] == [user["id"] for user in first]
    assert f'page_after={first[-1]["id"]}>; rel="next"' in again.headers["Link"]


def test_empty_lists_answer_nothing_with_no_next_page(api, sandbox_api):
    sandbox_api.faults(empty_lists=True)
    response = api.get("/users?page_size=100")
    assert response.json() == []
    assert response.headers["Link"] == '<about:blank>; rel="previous", <about:blank>; rel="next"'


def test_rate_limit_headers_are_sent_verbatim(api, sandbox_api):
    sandbox_api.faults(rate_limit_headers={"limit": "-52176424", "remaining": "0.5"})
    response = api.get("/users?page_size=1")
    assert (response.headers["X-RateLimit-Limit"], response.headers["X-RateLimit-Remaining"]) == ("-52176424", "0.5")


def test_overrides_change_the_matching_objects_in_lists_details_and_nested(api, sandbox_api):
    first, second = api.get("/users?page_size=2").json()
    unknown_site = f"{sandbox_api.base_url}/evse_sites/site01JZZZZZZZZZZZZZZZZZZZZZZZ"
    sandbox_api.faults(overrides=[
        {"match": first["id"], "set": {"default_location.evse_site": unknown_site, "full_name": "Overridden",
                                       "not_there.at_all": 1}},
        {"match": "tari", "set": {"name": "Every tariff"}},
    ])
    listed = api.get("/users?page_size=2&expand=default_location.tariff").json()
    assert listed[0]["default_location"]["evse_site"] == unknown_site and listed[0]["full_name"] == "Overridden"
    assert "not_there" not in listed[0]  # a path the resource does not have is left alone
    assert listed[1]["full_name"] == second["full_name"]
    assert all(user["default_location"]["tariff"]["name"] == "Every tariff"
               for user in listed if isinstance(user["default_location"]["tariff"], dict))
    assert api.get(f"/users/{first['id']}").json()["full_name"] == "Overridden"
