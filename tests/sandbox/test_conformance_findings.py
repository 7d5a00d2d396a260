"""Answers the spec conformance run (test_spec_conformance.py) found breaking the spec, pinned one by one."""


from tests.sandbox.helpers import problem


def test_a_problems_instance_is_a_uri_whatever_the_path(api, sandbox_api):
    # A path can carry any character; `instance` is a URI (the spec's format), so it is percent-encoded.
    response = api.get("/v2/tariffs/%C2%84%20caf%C3%A9", check_request=False)
    assert problem(response, 404)["instance"] == sandbox_api.url("/v2/tariffs/%C2%84%20caf%C3%A9")


def test_sub_session_device_filters_refuse_what_is_not_an_id(api):
    for name, unknown in (("vehicle_id", "vhcl01HN2NJ9NMRZBXT1H6FT9N7735"), ("evse_id", "evse01HN2NJ9NMRZBXT1H6FT9N7735")):
        body = problem(api.get("/charging_sub_sessions", params={name: "nope"}, check_request=False), 400)
        assert list(body["field_errors"]) == [name]
        assert api.get("/charging_sub_sessions", params={name: unknown}).json() == []


def test_tariffs_valid_and_include_optional_take_only_their_values(api):
    for name, value in (("valid", "0.5"), ("include_optional", "weekly_prices")):
        body = problem(api.get("/tariffs", params={name: value}, check_request=False), 400)
        assert list(body["field_errors"]) == [name]
    assert api.get("/tariffs", params={"include_optional": "daily_prices"}).status_code == 200
    current = api.get("/tariffs", params={"valid": "true", "page_size": 100}).json()
    past = api.get("/tariffs", params={"valid": "false", "page_size": 100}).json()
    assert current and not {tariff["id"] for tariff in current} & {tariff["id"] for tariff in past}


def test_a_tariff_outside_the_users_region_is_not_found_for_that_user(api):
    user = next(user for user in api.get("/users", params={"page_size": 100}).json()
                if (user["default_location"] or {}).get("country_code"))
    available = {tariff["id"] for tariff in api.get(
        "/tariffs", params={"available_for_user_id": user["id"], "page_size": 100}).json()}
    everywhere = [tariff["id"] for tariff in api.get("/tariffs", params={"page_size": 100}).json()]
    elsewhere = next(tariff_id for tariff_id in everywhere if tariff_id not in available)
    assert available
    for tariff_id, status in ((next(iter(available)), 200), (elsewhere, 404)):
        response = api.get(f"/tariffs/{tariff_id}", params={"available_for_user_id": user["id"]})
        assert response.status_code == status
    unknown_user = api.get(f"/tariffs/{elsewhere}", params={"available_for_user_id": "user01HN2NJ9NMRZBXT1H6FT9N7735"})
    assert list(problem(unknown_user, 400)["field_errors"]) == ["available_for_user_id"]


def test_a_sub_sessions_schedules_refuse_a_plan_id_that_is_not_one(api):
    sub_session = api.get("/charging_sub_sessions", params={"page_size": 1}).json()[0]
    schedules = f"/charging_sub_sessions/{sub_session['id']}/schedules"
    body = problem(api.get(schedules, params={"schedule_plan_id": "nope"}, check_request=False), 400)
    assert list(body["field_errors"]) == ["schedule_plan_id"]
    assert api.get(schedules, params={"schedule_plan_id": "scpl01HSH04KDEWF6Z4DB2J77J74K5"}).json()["schedules"] == []


def test_an_onboarding_link_for_a_make_that_is_no_id_is_refused_naming_the_field(api):
    user = api.get("/users", params={"page_size": 1}).json()[0]
    body = problem(api.call("POST", "/vehicle_onboarding/onboarding_link", json={"email": "user@example.com", "make": {}},
                            headers={"EvEnergy-User": user["id"]}, check_request=False), 400)
    assert list(body["field_errors"]) == ["make"]
