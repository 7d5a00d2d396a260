"""The sandbox's energy devices: the seeded case solar_and_home_battery, expand, status logs by their
timestamp, live power and energy statistics, as the spec has them (every exchange is checked against the
spec by `api`; the fuzzing in test_spec_conformance.py covers the shapes)."""

import pytest

from tests.sandbox.helpers import all_pages, problem

CASE = "solar_and_home_battery"
MODELS = ["model", "model.make", "latest_status_log"]


@pytest.fixture
def case(sandbox_api) -> dict:
    return sandbox_api.seed_cases()[CASE]


@pytest.fixture
def get(api):
    def answer(path: str, *, user: str | None = None, **params):
        return api.get(path, params=params, headers={"EvEnergy-User": user} if user else {})
    return answer


def test_the_cases_solar_array_comes_with_its_inverter(case, get):
    [array] = get("/v2/solar_arrays", user=case["user_id"], expand="inverter").json()
    assert array["id"] == case["solar_array_id"] and array["capacity_watts"] == case["capacity_watts"] == 4200
    assert array["inverter"]["id"] == case["inverter_id"]
    assert array["user"].endswith(f"/users/{case['user_id']}")
    plain = get(f"/v2/solar_arrays/{case['solar_array_id']}").json()
    assert plain["inverter"].endswith(f"/inverters/{case['inverter_id']}")
    with_user = get(f"/v2/solar_arrays/{case['solar_array_id']}", expand="user").json()
    assert with_user["user"]["id"] == case["user_id"]


def test_inverters_and_batteries_expand_their_model_make_and_latest_state(case, get):
    [inverter] = get("/v2/inverters", user=case["user_id"], expand=MODELS).json()
    assert inverter["model"]["name"] == case["inverter_model"] and inverter["model"]["make"]["name"]
    assert inverter["latest_status_log"]["status"] in {"PRODUCING", "IDLE"}
    [battery] = get("/v2/home_batteries", user=case["user_id"], expand=MODELS).json()
    assert battery["id"] == case["home_battery_id"] and battery["model"]["name"] == case["battery_model"]
    latest = battery["latest_status_log"]
    assert latest["state_of_charge_percentage"] == case["battery_state_of_charge_percentage"]
    assert latest["sampled_at"] == case["battery_sampled_at"]
    assert latest["charge_rate_watts"] == case["battery_charge_rate_watts"]
    plain = get(f"/v2/home_batteries/{case['home_battery_id']}").json()
    assert plain["model"].startswith("http") and plain["latest_status_log"].startswith("http")


def test_a_day_of_status_logs_newest_first_and_each_by_its_timestamp(case, api, get):
    path = f"/v2/home_batteries/{case['home_battery_id']}/status_logs"
    logs, pages = all_pages(api, path, params={"page_size": 40})
    assert len(logs) == case["status_log_count"] == 97 and pages == 3
    assert logs[0]["sampled_at"] == case["battery_sampled_at"]
    assert [log["sampled_at"] for log in logs] == sorted((log["sampled_at"] for log in logs), reverse=True)
    one = get(f"{path}/{logs[10]['sampled_at']}", expand="home_battery.model").json()
    assert one["sampled_at"] == logs[10]["sampled_at"] and one["home_battery"]["model"]["name"]
    recent = get(path, sampled_at__gte=logs[3]["sampled_at"]).json()
    assert len(recent) == 4
    problem(get(f"{path}/2001-01-01T00:00:00Z"), 404)


def test_hem_live_power_and_energy_statistics(case, get):
    hem = case["hem_system_id"]
    assert [item["id"] for item in get("/v2/hem_systems", user=case["user_id"]).json()] == [hem]
    live = get(f"/v2/hem_systems/{hem}/live_power").json()
    assert live["generation_watts"] == live["solar_to_home_watts"] + live["solar_to_battery_watts"] + \
        live["solar_to_grid_watts"]
    assert live["consumption_watts"] == live["solar_to_home_watts"] + live["battery_to_home_watts"] + \
        live["grid_to_home_watts"]
    latest = case["battery_sampled_at"]
    stats = get(f"/v2/hem_systems/{hem}/energy_stats", start=latest[:11] + "00:00:00Z",
                end=latest[:11] + "12:00:00Z", resolution="PT30M").json()
    assert stats["resolution"] == "PT30M" and len(stats["buckets"]) == 24
    daily = get(f"/v2/hem_systems/{hem}/energy_stats", start="2026-01-01T00:00:00Z", end="2026-01-08T00:00:00Z",
                resolution="P1D").json()
    assert len(daily["buckets"]) == 7


@pytest.mark.parametrize("params", [
    {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"},
    {"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z", "resolution": "P1D"},
    {"start": "2020-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z", "resolution": "PT30M"},
    {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z", "resolution": "PT1H"},
])
def test_energy_statistics_refuse_a_missing_parameter_a_backward_or_too_long_range(case, api, params):
    answer = api.get(f"/v2/hem_systems/{case['hem_system_id']}/energy_stats", params=params, check_request=False)
    problem(answer, 400)


def test_another_drivers_devices_are_not_theirs_and_most_drivers_have_none(case, get):
    nothing = case["user_with_nothing"]
    for path in ("/v2/solar_arrays", "/v2/inverters", "/v2/home_batteries", "/v2/hem_systems"):
        assert get(path, user=nothing).json() == []
    problem(get(f"/v2/home_batteries/{case['home_battery_id']}", user=nothing), 404)
    problem(get(f"/v2/hem_systems/{case['hem_system_id']}/live_power", user=nothing), 404)


@pytest.mark.parametrize(("path", "scope"), [("/v2/solar_arrays", "solar:read"), ("/v2/inverters", "inverter:read"),
                                             ("/v2/home_batteries", "home_battery:read"),
                                             ("/v2/hem_systems", "home_energy:read")])
def test_each_kind_needs_its_own_scope(sandbox_api, path, scope):
    from tests.sandbox.helpers import Api

    sandbox_api.create_client("no-energy", "no-energy-secret", ["user:read"])
    answer = Api(sandbox_api, sandbox_api.token(client_id="no-energy", client_secret="no-energy-secret")).get(path)
    assert scope in problem(answer, 403)["detail"]


def test_a_vehicle_of_the_driver_gives_the_forecasts_share_of_its_battery(case, get):
    vehicles = get("/v2/vehicles", user=case["user_id"]).json()
    plain = get(f"/v2/solar_arrays/{case['solar_array_id']}").json()
    assert plain["forecast"]["percent_vehicle_battery_charge_until_midnight"] is None
    assert vehicles  # the case's driver drives too
    with_vehicle = get(f"/v2/solar_arrays/{case['solar_array_id']}", vehicle_id=vehicles[0]["id"]).json()
    assert isinstance(with_vehicle["forecast"]["percent_vehicle_battery_charge_until_midnight"], int)
