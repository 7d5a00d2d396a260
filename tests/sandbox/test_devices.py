"""The sandbox's vehicles and chargers over real HTTP: lists, PATCH, logs, sub-resources, actions.

Every exchange is checked against the spec by `Api`.
"""

import random
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.db import connections

from tests.sandbox.helpers import Api, all_pages, links_in, problem

EVSE_LOGS = ("status_logs", "error_logs", "ocpp_logs", "command_logs")
VEHICLE_LOGS = ("status_logs", "error_logs", "location_logs", "command_logs")
KEY_FIELDS = {"status_logs": "sampled_at", "error_logs": "sampled_at", "ocpp_logs": "sampled_at",
              "command_logs": "logged_at", "location_logs": "sampled_at"}
VEHICLE_KEY_FIELDS = {**KEY_FIELDS, "error_logs": "logged_at"}


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _driver(api, *, integrated="ACTIVE"):
    """A driver with a charger and a vehicle in the given integration state, and those devices."""
    for user in api.get("/users", params={"page_size": 100}).json():
        if not (user["vehicles"] and user["evses"]):
            continue
        header = {"EvEnergy-User": user["id"]}
        vehicles = api.get("/vehicles", headers=header).json()
        evses = [evse for evse in api.get("/evses", headers=header).json() if evse["latest_status_log"]]
        vehicle = next((v for v in vehicles if v["integrated"] == integrated), None)
        if vehicle and evses:
            return user, vehicle, evses[0]
    raise AssertionError(f"no seeded driver with a charger and an {integrated} vehicle")


@pytest.fixture
def driver(api):
    return _driver(api)


# --- lists, latest status log, expand --------------------------------------------------------

def test_a_drivers_devices_link_their_latest_status_log(api, driver):
    user, vehicle, evse = driver
    header = {"EvEnergy-User": user["id"]}
    for devices, device in (("vehicles", vehicle), ("evses", evse)):
        listed = api.get(f"/{devices}", headers=header, params={"expand": "latest_status_log"}).json()
        assert [d["url"] for d in listed] == user[devices]
        expanded = next(d for d in listed if d["id"] == device["id"])["latest_status_log"]
        # The URL is the log's own: /<devices>/{id}/status_logs/{sampled_at}, and it serves that log.
        assert device["latest_status_log"] == expanded["url"] == api.sandbox.url(
            f"/{devices}/{device['id']}/status_logs/{expanded['sampled_at']}")
        assert api.get(expanded["url"]).json() == expanded
        # It is the newest of the device's status logs (they list newest first).
        assert api.get(f"/{devices}/{device['id']}/status_logs", params={"page_size": 1}).json() == [expanded]
        assert api.get(device["url"]).json() == device


def test_lists_without_the_header_page_over_every_driver(api, sandbox_api):
    vehicles, pages = all_pages(api, "/vehicles", params={"page_size": 100, "expand": ["latest_status_log", "user"]})
    assert pages > 1 and len({v["id"] for v in vehicles}) == len(vehicles)
    assert [v["id"] for v in vehicles] == sorted(v["id"] for v in vehicles)
    # Unintegrated vehicles report nothing; integrated ones do (a support case's drivers have the
    # case's own story instead).
    cases = requests.get(sandbox_api.url("/_sandbox/seed/cases"), timeout=10).json()
    case_drivers = {case["user_id"] for case in cases.values()}
    assert all(v["latest_status_log"] is None for v in vehicles
               if v["integrated"] == "UNINTEGRATED" and v["user"]["id"] not in case_drivers)
    assert any(v["latest_status_log"] for v in vehicles if v["integrated"] == "ACTIVE")
    assert all(v["url"] in v["user"]["vehicles"] for v in vehicles)
    evses = api.get("/evses", params={"page_size": 5, "expand": ["model.make", "user", "ct_clamp"]}).json()
    assert all(e["model"]["make"]["name"] and e["user"]["id"].startswith("user") and e["ct_clamp"] is None
               for e in evses)
    problem(api.get("/evses", params={"expand": "trim"}, check_request=False), 400, "Invalid expand parameter")


def test_cpid_filter_is_an_exact_match(api):
    evse = api.get("/evses", params={"page_size": 1}).json()[0]
    assert api.get("/evses", params={"cpid": evse["cpid"]}).json() == [evse]
    assert api.get("/evses", params={"cpid": evse["cpid"][:-1]}).json() == []


def test_another_drivers_device_and_logs_are_404_with_the_user_header(api, driver):
    user, vehicle, evse = driver
    someone_else = next(u for u in api.get("/users", params={"page_size": 100}).json()
                        if u["id"] != user["id"] and not (set(u["vehicles"]) & {vehicle["url"]}))
    header = {"EvEnergy-User": someone_else["id"]}
    for path in (f"/vehicles/{vehicle['id']}", f"/evses/{evse['id']}", f"/evses/{evse['id']}/status_logs",
                 f"/vehicles/{vehicle['id']}/location_logs", f"/evses/{evse['id']}/connectivity",
                 f"/vehicles/{vehicle['id']}/state_of_charge"):
        problem(api.get(path, headers=header), 404)
    problem(api.call("PATCH", f"/vehicles/{vehicle['id']}", headers=header, json={"smart_charging_enabled": False}),
            404)
    assert api.get(f"/vehicles/{vehicle['id']}", headers={"EvEnergy-User": user["id"]}).status_code == 200


@pytest.mark.django_db(databases=["default", "sandbox"])
def test_a_pages_latest_status_logs_cost_one_query():
    from django.test.utils import CaptureQueriesContext

    from evadmin.sandbox import seed
    from evadmin.sandbox.collections.devices import attach_latest_status_logs
    from evadmin.sandbox.models import Evse, EvseSite, Record, Supplier, Tariff, User
    from evadmin.sandbox.seeding import device_logs

    _, (suppliers, tariffs, sites, users, _, evses) = seed._build(3, 12)
    for model, rows in ((Supplier, suppliers), (Tariff, tariffs), (EvseSite, sites), (User, users), (Evse, evses)):
        model.objects.bulk_create(rows)
    rng, now, newest = random.Random(1), datetime(2026, 1, 1, 12, tzinfo=UTC), {}
    for evse in evses[:2]:  # the third has no logs
        logs = [device_logs.evse_status_log(evse, now - timedelta(hours=hours), rng, is_charging=False)
                for hours in (5, 1, 9)]
        Record.objects.bulk_create(logs)
        newest[evse.id] = logs[1].id
    page = list(Evse.objects.filter(pk__in=[evse.id for evse in evses[:3]]))
    with CaptureQueriesContext(connections["sandbox"]) as queries:
        attach_latest_status_logs(page, device_logs.EVSE_STATUS_LOG)
    assert len(queries) == 1
    assert {evse.id: evse._latest_status_log.id for evse in page if evse._latest_status_log} == newest
    assert len(newest) == 2


# --- PATCH -------------------------------------------------------------------------------------

def test_patch_vehicle_changes_writable_fields_and_ignores_read_only_ones(api, driver, writes):
    user, vehicle, _ = driver
    body = {"smart_charging_enabled": not vehicle["smart_charging_enabled"], "maximum_charge_limit_percentage": 55,
            "vehicle_class": "COMMERCIAL", "description": "Renamed", "integrated": "UNINTEGRATED"}
    patched = api.call("PATCH", vehicle["url"], json=body, params={"expand": "trim"}, check_request=False)
    assert patched.status_code == 200
    after = patched.json()
    assert after["smart_charging_enabled"] is body["smart_charging_enabled"]
    assert after["maximum_charge_limit_percentage"] == 55 and after["vehicle_class"] == "COMMERCIAL"
    assert after["description"] == vehicle["description"] and after["integrated"] == "ACTIVE"  # read-only
    assert after["trim"]["url"] == vehicle["trim"]
    assert api.get(vehicle["url"]).json() == {**after, "trim": vehicle["trim"]}
    cleared = api.call("PATCH", vehicle["url"], json={"vehicle_class": None}).json()
    assert cleared["vehicle_class"] is None


@pytest.mark.parametrize("body, errors", [
    ({"maximum_charge_limit_percentage": 49}, {"maximum_charge_limit_percentage": [
        "Ensure this value is greater than or equal to 50."]}),
    ({"maximum_charge_limit_percentage": 101, "smart_charging_enabled": "sometimes"}, {
        "maximum_charge_limit_percentage": ["Ensure this value is less than or equal to 100."],
        "smart_charging_enabled": ["Must be a valid boolean."]}),
    ({"maximum_charge_limit_percentage": "eighty"}, {"maximum_charge_limit_percentage": [
        "A valid integer is required."]}),
    ({"smart_charging_enabled": None}, {"smart_charging_enabled": ["This field may not be null."]}),
    ({"vehicle_class": "TRUCK"}, {"vehicle_class": ['"TRUCK" is not a valid choice.']}),
    ({"battery_size_watt_hours": 60000}, {"battery_size_watt_hours": [
        "The battery size of an integrated vehicle cannot be changed."]}),
])
def test_patch_vehicle_validation_names_the_fields(api, driver, body, errors):
    _, vehicle, _ = driver
    found = problem(api.call("PATCH", vehicle["url"], json=body, check_request=False), 400,
                    "Request failed validation.")
    assert found["field_errors"] == errors
    assert api.get(vehicle["url"]).json() == vehicle  # nothing changed


def test_patch_unintegrated_vehicle_battery_size_is_rounded(api, writes):
    _, vehicle, _ = _driver(api, integrated="UNINTEGRATED")
    patched = api.call("PATCH", vehicle["url"], json={"battery_size_watt_hours": 64_004}).json()
    assert patched["battery_size_watt_hours"] == patched["effective_battery_size_watt_hours"] == 64_000
    too_small = api.call("PATCH", vehicle["url"], json={"battery_size_watt_hours": 999}, check_request=False)
    assert problem(too_small, 400)["field_errors"] == {
        "battery_size_watt_hours": ["Ensure this value is greater than or equal to 1000."]}


def test_patch_evse_writes_only_its_location(api, driver, writes):
    _, _, evse = driver
    moved = api.call("PATCH", evse["url"], json={"location": {"latitude": 51.5, "longitude": -0.12}},
                     params={"expand": "model"}).json()
    assert moved["location"] == {"latitude": 51.5, "longitude": -0.12} and moved["model"]["url"] == evse["model"]
    ignored = api.call("PATCH", evse["url"], json={"lock_mode": "LOCKED", "cpid": "X"}, check_request=False).json()
    assert ignored["lock_mode"] == evse["lock_mode"] and ignored["cpid"] == evse["cpid"]
    assert api.call("PATCH", evse["url"], json={"location": None}).json()["location"] is None
    for body, errors in (
        ({"location": {"latitude": 91, "longitude": "east"}}, {
            "location.latitude": ["Ensure this value is less than or equal to 90."],
            "location.longitude": ["A valid number is required."]}),
        ({"location": {"latitude": 51.5}}, {"location.longitude": ["This field is required."]}),
        ({"location": "London"}, {"location": ["Invalid data. Expected a dictionary, but got str."]}),
    ):
        found = problem(api.call("PATCH", evse["url"], json=body, check_request=False), 400)
        assert found["field_errors"] == errors
    assert api.get(evse["url"]).json()["location"] is None


def test_scopes_are_the_specs_and_403_names_the_missing_one(api, sandbox_api, driver):
    _, vehicle, evse = driver
    sandbox_api.create_client("desk-devices", "desk-secret", ["evse:read", "vehicle:read"])
    reader = Api(sandbox_api, sandbox_api.token("desk-devices", "desk-secret"))
    for path in (f"/evses/{evse['id']}/status_logs", f"/vehicles/{vehicle['id']}/status_logs",
                 f"/vehicles/{vehicle['id']}/error_logs", f"/vehicles/{vehicle['id']}/location_logs",
                 f"/evses/{evse['id']}/connectivity", f"/vehicles/{vehicle['id']}/state_of_charge"):
        assert reader.get(path).status_code == 200, path
    for path in (f"/evses/{evse['id']}/error_logs", f"/evses/{evse['id']}/ocpp_logs",
                 f"/evses/{evse['id']}/command_logs", f"/vehicles/{vehicle['id']}/command_logs"):
        assert "debug:read" in problem(reader.get(path), 403)["detail"], path
    assert "vehicle:write" in problem(reader.call("PATCH", vehicle["url"], json={}), 403)["detail"]
    assert "evse:write" in problem(reader.call("PATCH", evse["url"], json={}), 403)["detail"]
    assert "evse:write" in problem(reader.call("POST", f"{evse['url']}/reconnect"), 403)["detail"]
    assert "vehicle:write" in problem(reader.call("POST", f"{vehicle['url']}/disconnect"), 403)["detail"]
    # The spec names no scope for a vehicle's reconnection: any token will do.
    assert reader.call("POST", f"{vehicle['url']}/reconnect").status_code == 201


# --- logs --------------------------------------------------------------------------------------

@pytest.mark.parametrize("devices, logs", [("evses", name) for name in EVSE_LOGS]
                         + [("vehicles", name) for name in VEHICLE_LOGS])
def test_each_log_list_walks_to_its_end_newest_first(api, devices, logs):
    key = (KEY_FIELDS if devices == "evses" else VEHICLE_KEY_FIELDS)[logs]
    device = _device_with(api, devices, logs)
    path = f"/{devices}/{device['id']}/{logs}"
    found, pages = all_pages(api, path, params={"page_size": 3})
    assert pages == -(-len(found) // 3) and len(found) >= 1
    moments = [_moment(log[key]) for log in found]
    assert moments == sorted(moments, reverse=True) and len(set(moments)) == len(moments)
    for log in (found[0], found[-1]):
        assert log["url"] == api.sandbox.url(f"{path}/{log[key]}")
        assert log[devices.rstrip("s")] == device["url"]
        assert api.get(log["url"]).json() == log
    # The time filters are inclusive at both ends.
    middle = found[len(found) // 2][key]
    newer = api.get(path, params={f"{key}__gte": middle, "page_size": 100}).json()
    older = api.get(path, params={f"{key}__lte": middle, "page_size": 100}).json()
    assert newer == found[:len(newer)] and newer[-1][key] == middle
    assert older == found[len(found) - len(older):] and older[0][key] == middle
    problem(api.get(path, params={f"{key}__gte": "yesterday"}, check_request=False), 400)


def _device_with(api, devices: str, logs: str) -> dict:
    """The first device (in id order) that has at least four logs of this list."""
    for device in api.get(f"/{devices}", params={"page_size": 100}).json():
        if len(api.get(f"/{devices}/{device['id']}/{logs}", params={"page_size": 4}).json()) == 4:
            return device
    return next(device for device in api.get(f"/{devices}", params={"page_size": 100}).json()
                if api.get(f"/{devices}/{device['id']}/{logs}").json())


def test_log_pages_go_back_with_page_before(api, driver):
    _, vehicle, _ = driver
    path = f"/vehicles/{vehicle['id']}/status_logs"
    every = api.get(path, params={"page_size": 100}).json()
    second = api.get(path, params={"page_size": 5, "page_after": _cursor_after(api, path, 5)})
    assert second.json() == every[5:10]
    assert api.get(second.links["previous"]["url"]).json() == every[:5]
    problem(api.get(path, params={"page_after": "vsta01HN2NJ9NMRZBXT1H6FT9N7735"}), 400,
            "Invalid pagination parameter")


def _cursor_after(api, path: str, size: int) -> str:
    first = api.get(path, params={"page_size": size})
    return parse_qs(urlsplit(first.links["next"]["url"]).query)["page_after"][0]


def test_one_log_by_timestamp_and_its_expanded_device(api, driver):
    user, vehicle, evse = driver
    log = api.get(evse["latest_status_log"], params={"expand": ["evse.model.make", "evse.user"]}).json()
    assert log["evse"]["id"] == evse["id"] and log["evse"]["model"]["make"]["name"]
    assert log["evse"]["user"]["id"] == user["id"] and log["evse"]["latest_status_log"] == log["url"]
    listed = api.get(f"/vehicles/{vehicle['id']}/status_logs",
                     params={"expand": "vehicle.trim.model.make", "page_size": 2}).json()
    assert all(entry["vehicle"]["trim"]["model"]["make"]["name"] for entry in listed)
    sampled_at = _moment(log["sampled_at"])
    problem(api.get(f"/evses/{evse['id']}/status_logs/{(sampled_at + timedelta(microseconds=1)).isoformat()}"), 404)
    assert problem(api.get(f"/evses/{evse['id']}/status_logs/yesterday", check_request=False), 400)[
        "field_errors"] == {"sampled_at": ["Enter a valid date/time."]}
    problem(api.get(evse["latest_status_log"], params={"expand": "evse.latest_status_log"}, check_request=False),
            400, "Invalid expand parameter")


def test_ocpp_log_filters(api):
    evse = _device_with(api, "evses", "ocpp_logs")
    path = f"/evses/{evse['id']}/ocpp_logs"
    every = api.get(path, params={"page_size": 100}).json()
    for asked, answered in (("SENT", "Sent"), ("RECEIVED", "Received")):
        found = api.get(path, params={"direction": asked, "page_size": 100}).json()
        assert found == [log for log in every if log["direction"] == answered]
    assert {log["direction"] for log in every} <= {"Sent", "Received"}
    action = every[0]["action"]
    assert api.get(path, params={"action": action, "page_size": 100}).json() == [
        log for log in every if log["action"] == action]
    actions = sorted({log["action"] for log in every})[:2]
    assert api.get(path, params={"action__in": ",".join(actions), "page_size": 100}).json() == [
        log for log in every if log["action"] in actions]
    assert api.get(path, params={"error_code": "NoError", "page_size": 100}).json() == [
        log for log in every if log["response"]["error_code"] == "NoError"]
    assert api.get(path, params={"error_code__in": "InternalError,NotSupported", "page_size": 100}).json() == [
        log for log in every if log["response"]["error_code"] in ("InternalError", "NotSupported")]
    problem(api.get(path, params={"direction": "Sent"}, check_request=False), 400)
    problem(api.get(path, params={"action__in": "Heartbeat,Dance"}), 400)


# --- sub-resources and actions ----------------------------------------------------------------

def test_connectivity_and_state_of_charge_come_from_the_latest_logs(api, driver):
    _, vehicle, evse = driver
    connectivity = api.get(f"{evse['url']}/connectivity").json()
    assert connectivity["latest_status_log"] == evse["latest_status_log"]
    assert 0 <= connectivity["connection_reliability_30d"] <= 100
    expanded = api.get(f"{evse['url']}/connectivity", params={"expand": "latest_status_log"}).json()
    assert expanded["latest_status_log"] == api.get(evse["latest_status_log"]).json()
    latest = api.get(vehicle["latest_status_log"]).json()
    charge = api.get(f"{vehicle['url']}/state_of_charge").json()
    assert charge == {"url": f"{vehicle['url']}/state_of_charge", "vehicle": vehicle["url"],
                      "state_of_charge_percentage": latest["state_of_charge_percentage"],
                      "source": "CONNECTED", "updated_at": latest["sampled_at"]}
    unintegrated = _driver(api, integrated="UNINTEGRATED")[1]
    assert api.get(f"{unintegrated['url']}/state_of_charge").json()["source"] is None


def test_reconnect_links(api, driver):
    _, vehicle, evse = driver
    evse_link = api.call("POST", f"{evse['url']}/reconnect")
    assert evse_link.status_code == 201 and evse_link.json()["url"].startswith("https://")
    assert api.call("POST", f"{evse['url']}/reconnect").json() != evse_link.json()  # a new link each time
    vehicle_link = api.call("POST", f"{vehicle['url']}/reconnect")
    assert vehicle_link.status_code == 201
    assert _moment(vehicle_link.json()["expires_at"]) > datetime.now(UTC)
    unintegrated = _driver(api, integrated="UNINTEGRATED")[1]
    problem(api.call("POST", f"{unintegrated['url']}/reconnect"), 400)


def test_disconnect_leaves_an_integrated_vehicle_inactive(api, driver, writes):
    _, vehicle, _ = driver
    disconnected = api.call("POST", f"{vehicle['url']}/disconnect")
    assert disconnected.status_code == 200
    assert disconnected.json() == {**vehicle, "integrated": "INACTIVE"}
    assert api.get(vehicle["url"]).json()["integrated"] == "INACTIVE"
    assert api.call("POST", f"{vehicle['url']}/disconnect").json()["integrated"] == "INACTIVE"  # idempotent
    # The provider link is kept: an inactive vehicle can be reconnected.
    assert api.call("POST", f"{vehicle['url']}/reconnect").status_code == 201
    unintegrated = _driver(api, integrated="UNINTEGRATED")[1]
    assert api.call("POST", f"{unintegrated['url']}/disconnect").json() == unintegrated  # a no-op


def test_no_link_in_a_vehicle_or_charger_answer_is_dead(api, driver):
    user, vehicle, evse = driver
    base = api.sandbox.base_url
    answers = [
        api.get(vehicle["url"], params={"expand": ["user", "trim.model.make", "latest_status_log"]}).json(),
        api.get(evse["url"], params={"expand": ["user", "model.make", "latest_status_log"]}).json(),
        vehicle, evse,
    ]
    links = set().union(*(links_in(answer, base) for answer in answers))
    assert {f"{base}/charging_sub_sessions?vehicle_id={vehicle['id']}", evse["model"], vehicle["trim"]} <= links
    for link in sorted(links):
        assert api.get(link, headers={"EvEnergy-User": user["id"]}).status_code == 200, link


@pytest.mark.django_db(databases=["default", "sandbox"])
def test_disconnecting_closes_the_vehicles_open_charging_sessions():
    from evadmin.sandbox.collections.device_actions import _close_open_sessions
    from evadmin.sandbox.models import Record

    started, now = datetime(2026, 1, 1, 20, tzinfo=UTC), datetime(2026, 1, 1, 23, tzinfo=UTC)
    rows = {
        "open": ("vhcl01HN2NJ9NMRZBXT1H6FT9N7735", None),
        "ended": ("vhcl01HN2NJ9NMRZBXT1H6FT9N7735", started + timedelta(hours=1)),
        "other": ("vhcl01HN2NJ9NMRZBXT1H6FT9N7736", None),
    }
    for name, (vehicle_id, ends_at) in rows.items():
        Record.objects.create(id=name, kind="charging_sub_session", at=started, ends_at=ends_at, data={
            "_vehicle_id": vehicle_id, "start": "2026-01-01T20:00:00Z",
            "end": ends_at and ends_at.isoformat().replace("+00:00", "Z")})
    _close_open_sessions("vhcl01HN2NJ9NMRZBXT1H6FT9N7735", now)
    ends = {record.id: (record.ends_at, record.data["end"]) for record in Record.objects.all()}
    assert ends == {"open": (now, "2026-01-01T23:00:00Z"), "ended": (started + timedelta(hours=1),
                                                                    "2026-01-01T21:00:00Z"), "other": (None, None)}
