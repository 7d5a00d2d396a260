"""The declared collections through the client, against the sandbox over real HTTP.

Every request the `api` fixture's client sends and every answer it gets is checked against the
published spec (conftest.py), so each test here also proves the client's calls are valid.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from evadmin.evenergy import collections as c
from evadmin.evenergy import errors
from evadmin.evenergy.collections import call, perform, read_detail
from tests.conftest import sent


@dataclass
class Driver:
    """A seeded driver with a charger, a vehicle and a month of charging, and their ids."""

    user_id: str
    vehicle_id: str
    evse_id: str
    session_id: str
    sub_session_id: str
    tariff_id: str


@pytest.fixture
def driver(api) -> Driver:
    """Found through the client itself: a recent finished sub-session, then what it links to."""
    page = api.collection(c.CHARGING_SUB_SESSIONS).list(page_size=100, expand=(), is_finished=True, mode="SMART")
    sub_session = next(item for item in page if item.related_id("vehicle") and item.related_id("evse")
                       and item.related_id("tariff"))
    vehicle = api.collection(c.VEHICLES).get(sub_session.related_id("vehicle"), expand=())
    user_id = vehicle.related_id("user")
    sessions = api.collection(c.CHARGING_SESSIONS).list(user=user_id, page_size=100)
    session = next(item for item in sessions if sub_session.url in item.sub_session_urls)
    return Driver(user_id, vehicle.id, sub_session.related_id("evse"), session.id, sub_session.id,
                  sub_session.related_id("tariff"))


def test_a_drivers_sub_sessions_come_with_flags_assessment_tariff_and_vehicle_status_in_one_request(
        api, sandbox_api, driver):
    before = len(sent(sandbox_api, "GET", "/v2/charging_sub_sessions"))  # the driver fixture's own
    page = api.collection(c.CHARGING_SUB_SESSIONS).list(user_id=driver.user_id, page_size=50)

    assert page.items
    for sub_session in page:
        assert sub_session.flags is not None and sub_session.assessment is not None
        assert sub_session.tariff is not None and sub_session.tariff.currency
        assert sub_session.vehicle is not None and sub_session.vehicle.id
    [entry] = sent(sandbox_api, "GET", "/v2/charging_sub_sessions")[before:]
    assert "expand=flags" in entry["query"] and "expand=vehicle.latest_status_log" in entry["query"]


def test_sub_session_filters_narrow_the_list(api, driver):
    sub_sessions = api.collection(c.CHARGING_SUB_SESSIONS)
    everything = [item for page in sub_sessions.pages(user_id=driver.user_id, expand=()) for item in page]
    assert len(everything) >= 5
    middle = sorted(item.start for item in everything)[len(everything) // 2]

    later = [item for page in sub_sessions.pages(user_id=driver.user_id, start__gt=middle, expand=())
             for item in page]
    on_this_charger = [item for page in sub_sessions.pages(evse_id=driver.evse_id, expand=()) for item in page]
    smart = [item for page in sub_sessions.pages(user_id=driver.user_id, mode="SMART", expand=()) for item in page]

    assert later and all(item.start > middle for item in later)
    assert len(later) < len(everything)
    assert {item.related_id("evse") for item in on_this_charger} == {driver.evse_id}
    assert smart and {item.mode for item in smart} == {"SMART"}


def test_a_sub_sessions_explanations_are_each_one_request(api, sandbox_api, driver):
    before = len(sent(sandbox_api, "GET", "/v2/"))
    usage = read_detail(api, c.SUB_SESSION_ENERGY_USAGE, driver.sub_session_id)
    flags = read_detail(api, c.SUB_SESSION_FLAGS, driver.sub_session_id)
    schedules = read_detail(api, c.SUB_SESSION_SCHEDULES, driver.sub_session_id)
    plans = read_detail(api, c.SUB_SESSION_SCHEDULE_PLANS, driver.sub_session_id)
    assessment = read_detail(api, c.SUB_SESSION_ASSESSMENT, driver.sub_session_id)
    debug = read_detail(api, c.SUB_SESSION_DEBUG_METADATA, driver.sub_session_id)
    logs = call(api, c.DISPATCHER_LOGS, charging_sub_session_id=driver.sub_session_id)

    assert usage.intervals and all(interval.started_at for interval in usage.intervals)
    assert isinstance(flags.flags, list)
    assert schedules.schedules and plans.schedule_plans[0].ready_by_time
    assert assessment.overall in ("RED", "AMBER", "GREEN", "NOT_APPLICABLE")
    assert debug.start_reason
    assert isinstance(logs, list)
    assert len(sent(sandbox_api, "GET", "/v2/")) - before == 7


def test_a_tariffs_prices_page_by_number(api, driver):
    prices = api.collection(c.TARIFF_PRICES)
    since = datetime.now(UTC) - timedelta(days=2)
    first = prices.list(parent=driver.tariff_id, page_size=10, started_at__gte=since)
    second = prices.list(parent=driver.tariff_id, page_size=10, page=2, started_at__gte=since)

    assert len(first) == 10 and first.next_number == 2
    assert first.items[-1].started_at > second.items[0].started_at  # most recent first, as the spec says
    assert all(price.price_minor_units is not None and price.started_at >= since for price in first)


LOG_COLLECTIONS = [
    (c.EVSE_STATUS_LOGS, "evse_id"), (c.EVSE_ERROR_LOGS, "evse_id"), (c.EVSE_OCPP_LOGS, "evse_id"),
    (c.EVSE_COMMAND_LOGS, "evse_id"), (c.VEHICLE_STATUS_LOGS, "vehicle_id"), (c.VEHICLE_ERROR_LOGS, "vehicle_id"),
    (c.VEHICLE_LOCATION_LOGS, "vehicle_id"), (c.VEHICLE_COMMAND_LOGS, "vehicle_id"),
]


def _time_of(log):
    return getattr(log, "sampled_at", None) or log.logged_at


@pytest.mark.parametrize(("collection", "parent"), LOG_COLLECTIONS, ids=lambda value: getattr(value, "path", value))
def test_each_log_list_pages_forward_to_its_end_and_each_log_is_retrievable_by_its_time(
        api, sandbox_api, driver, collection, parent):
    logs_api = api.collection(collection)
    # The support cases' devices, the driver's, then those of a page of finished sub-sessions: which device
    # logged most depends on the hour the sandbox was seeded (its month of history ends then).
    recent = api.collection(c.CHARGING_SUB_SESSIONS).list(page_size=100, expand=(), is_finished=True)
    candidates = [case[parent] for case in sandbox_api.seed_cases().values() if parent in case] + [
        getattr(driver, parent)] + list(dict.fromkeys(
            device for item in recent if (device := item.related_id(parent.removesuffix("_id")))))
    parent_id, whole = next(((candidate, found) for candidate in candidates
                             if len(found := logs_api.list(parent=candidate, page_size=100).items) >= 2),
                            (None, []))
    assert parent_id, f"no seeded device has two {collection.name}"
    size = 1 if len(whole) < 6 else 3  # several pages either way
    before = len(sent(sandbox_api, "GET", f"/v2/{collection.list_path(parent_id).lstrip('/')}"))
    walked = [log for page in logs_api.pages(parent=parent_id, page_size=size) for log in page]
    requests_made = len(sent(sandbox_api, "GET", f"/v2/{collection.list_path(parent_id).lstrip('/')}")) - before

    assert [log.raw for log in walked] == [log.raw for log in whole]
    assert requests_made == -(-len(walked) // size) >= 2  # one a page
    moment = _time_of(walked[-1])
    assert logs_api.get(moment, parent=parent_id).raw == walked[-1].raw


def test_a_log_key_is_a_timestamp_and_nothing_else(api, sandbox_api, driver):
    for key in ("..", ".", "2026-13-01T00:00:00Z", "../../users"):
        with pytest.raises(errors.NotFound):
            api.collection(c.EVSE_STATUS_LOGS).get(key, parent=driver.evse_id)
    assert sent(sandbox_api, "GET", f"/v2/evses/{driver.evse_id}") == []


@pytest.mark.parametrize(("collection", "scope"), [(c.CHARGING_SESSIONS, "driver"), (c.VEHICLES, "everyone"),
                                                   (c.EVSES, "everyone")], ids=lambda value: getattr(value, "path", value))
def test_a_list_walks_page_by_page_to_the_same_items_as_one_big_page(api, driver, collection, scope):
    kwargs = {"user": driver.user_id} if scope == "driver" else {}
    whole = api.collection(collection).list(page_size=100, expand=(), **kwargs).items
    walked = [item for page in api.collection(collection).pages(page_size=7, expand=(), **kwargs) for item in page]
    assert len(whole) > 7, "more than one page"
    assert [item.id for item in walked[:len(whole)]] == [item.id for item in whole]
    assert len({item.id for item in walked}) == len(walked)


def test_a_session_is_read_by_its_id_with_its_sub_sessions(api, driver):
    session = api.collection(c.CHARGING_SESSIONS).get(driver.session_id, expand=("sub_sessions",))
    assert session.id == driver.session_id
    assert driver.sub_session_id in {sub.id for sub in session.sub_sessions}


@pytest.mark.parametrize("collection", [c.VEHICLE_MAKES, c.VEHICLE_MODELS, c.VEHICLE_TRIMS, c.EVSE_MAKES,
                                        c.EVSE_MODELS], ids=lambda value: value.path)
def test_catalogue_lists_page_forward_and_name_each_entry(api, collection):
    catalogue = api.collection(collection)
    walked = [item for page in catalogue.pages(page_size=3) for item in page]
    assert walked and all(item.name and item.id.startswith(collection.prefix) for item in walked)
    assert len({item.id for item in walked}) == len(walked)
    assert catalogue.get(walked[0].id).name == walked[0].name


def test_a_chargers_connectivity_and_a_vehicles_state_of_charge(api, driver):
    connectivity = read_detail(api, c.EVSE_CONNECTIVITY, driver.evse_id)
    charge = read_detail(api, c.VEHICLE_STATE_OF_CHARGE, driver.vehicle_id)
    assert 0 <= connectivity.connection_reliability_30d <= 100
    assert charge.raw["vehicle"].endswith(driver.vehicle_id)


def test_compatibility_checks_answer_for_a_model(api):
    vehicle_model = api.collection(c.VEHICLE_MODELS).list(page_size=1).items[0]
    evse_model = api.collection(c.EVSE_MODELS).list(page_size=1).items[0]
    vehicle_check = call(api, c.VEHICLE_COMPATIBILITY, vehicle_model_id=vehicle_model.id, country="GB")
    evse_check = call(api, c.EVSE_COMPATIBILITY, evse_model_id=evse_model.id, country="GB")
    assert isinstance(vehicle_check.compatible, bool) and isinstance(evse_check.compatible, bool)


@pytest.mark.usefixtures("writes")
def test_boost_starts_and_ends_on_a_running_session(api, sandbox_api, driver):
    sessions = api.collection(c.CHARGING_SESSIONS).list(page_size=100, expand=("vehicle",))
    running = next((session for session in sessions if session.end is None and session.vehicle
                    and session.vehicle.smart_charging_enabled), None)
    assert running is not None, "the seed leaves some smart-charging sessions plugged in now"
    sub_sessions = api.collection(c.CHARGING_SUB_SESSIONS)

    def newest_sub_session(session):  # the spec lists a session's sub-sessions newest first
        return sub_sessions.get(session.sub_session_urls[0].rsplit("/", 1)[-1], expand=())

    boosted = perform(api, c.BOOST_START, running.id)
    boost = newest_sub_session(boosted)
    ended = perform(api, c.BOOST_END, running.id)
    smart_again = newest_sub_session(ended)

    assert boosted.id == ended.id == running.id and ended.end is None  # still plugged in
    assert (boost.mode, boost.end) == ("BOOST", None)
    assert smart_again.mode == "SMART" and smart_again.id != boost.id
    assert sub_sessions.get(boost.id, expand=()).end is not None
    assert len(sent(sandbox_api, "POST")) == 2


def test_boost_on_a_finished_session_is_a_conflict_saying_why(api, driver):
    with pytest.raises(errors.Conflict) as caught:
        perform(api, c.BOOST_START, driver.session_id)
    assert caught.value.status == 409 and caught.value.detail


def test_recalculating_energy_with_dry_run_changes_nothing(api, driver):
    before = api.collection(c.CHARGING_SUB_SESSIONS).get(driver.sub_session_id, expand=())
    perform(api, c.RECALCULATE_ENERGY_USAGES, driver.sub_session_id, json={"dry_run": True})
    after = api.collection(c.CHARGING_SUB_SESSIONS).get(driver.sub_session_id, expand=())
    assert after.raw == before.raw


@pytest.mark.usefixtures("writes")
def test_a_vehicles_smart_charging_can_be_switched_off_with_a_patch_of_that_field_only(api, sandbox_api, driver):
    vehicles = api.collection(c.VEHICLES)
    updated = vehicles.update(driver.vehicle_id, {"smart_charging_enabled": False}, check="Reload the vehicle.")
    assert updated.smart_charging_enabled is False
    assert vehicles.get(driver.vehicle_id).smart_charging_enabled is False
    [entry] = sent(sandbox_api, "PATCH")
    assert entry["body"] == '{"smart_charging_enabled": false}'


@pytest.mark.sends_invalid_data
def test_a_refused_patch_names_the_field(api, driver):
    with pytest.raises(errors.ValidationFailed) as caught:
        api.collection(c.VEHICLES).update(driver.vehicle_id, {"maximum_charge_limit_percentage": 180},
                                          check="Reload the vehicle.")
    assert "maximum_charge_limit_percentage" in caught.value.field_errors


@pytest.mark.usefixtures("writes")
def test_reconnect_and_disconnect_links(api, driver):
    evse_link = perform(api, c.EVSE_RECONNECT, driver.evse_id)
    vehicle_link = perform(api, c.VEHICLE_RECONNECT, driver.vehicle_id)
    disconnected = perform(api, c.VEHICLE_DISCONNECT, driver.vehicle_id)
    assert evse_link.url.startswith("http") and vehicle_link.url.startswith("http") and vehicle_link.expires_at
    assert disconnected.id == driver.vehicle_id
    assert api.collection(c.VEHICLES).get(driver.vehicle_id).integrated == disconnected.integrated


@pytest.mark.usefixtures("writes")
def test_a_vehicle_onboarding_link_goes_to_the_driver_named(api, sandbox_api, driver):
    kia = next(make for make in api.collection(c.VEHICLE_MAKES).list(page_size=100) if make.name == "Kia")
    assert call(api, c.VEHICLE_ONBOARDING_LINK, user=driver.user_id,
                json={"email": "driver@example.com", "make": kia.id}) is None  # 204
    [entry] = sent(sandbox_api, "POST", "/v2/vehicle_onboarding/onboarding_link")
    assert entry["user_header"] == driver.user_id and entry["status"] == 204
    with pytest.raises(TypeError):
        call(api, c.VEHICLE_ONBOARDING_LINK, json={"email": "driver@example.com", "make": kia.id})


@pytest.mark.usefixtures("writes")
def test_a_chargers_location_is_changed_with_a_patch_of_that_field(api, sandbox_api, driver):
    moved = api.collection(c.EVSES).update(driver.evse_id, {"location": {"latitude": 51.5, "longitude": -0.12}},
                                           check="Reload the charger.")
    assert moved.raw["location"] == {"latitude": 51.5, "longitude": -0.12}
    assert api.collection(c.EVSES).get(driver.evse_id).raw["location"] == moved.raw["location"]


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateways_502_or_504_on_a_write_may_have_happened(api, sandbox_api, driver, status):
    sandbox_api.faults(fail_next=[status])
    with pytest.raises(errors.OutcomeUnknown) as caught:
        perform(api, c.BOOST_END, driver.session_id)
    assert c.BOOST_END.check in caught.value.user_message
    assert len(sent(sandbox_api, "POST")) == 1


def test_a_writes_503_did_not_happen_and_says_so(api, sandbox_api, driver):
    sandbox_api.faults(fail_next=[503])
    with pytest.raises(errors.ServerError):
        perform(api, c.BOOST_END, driver.session_id)
    assert len(sent(sandbox_api, "POST")) == 1


def test_password_reset_and_webhook_portal(api, driver):
    user = api.users.get(driver.user_id)
    assert call(api, c.PASSWORD_RESET, json={"email": user.email}) == call(
        api, c.PASSWORD_RESET, json={"email": "nobody-has-this@example.com"})
    portal = call(api, c.WEBHOOK_PORTAL)
    assert isinstance(portal, dict) and portal


@pytest.mark.usefixtures("writes")
@pytest.mark.parametrize("action", [c.BOOST_START, c.VEHICLE_DISCONNECT, c.VEHICLE_RECONNECT],
                         ids=lambda action: action.name)
def test_a_write_whose_answer_is_lost_may_have_happened_and_is_sent_once(api, sandbox_api, driver, action):
    target = {c.CHARGING_SESSIONS: driver.session_id, c.VEHICLES: driver.vehicle_id}[action.parent]
    api.timeout = 0.5
    sandbox_api.faults(hang_next=1, hang_seconds=1.5)
    with pytest.raises(errors.OutcomeUnknown) as caught:
        perform(api, action, target)
    assert "may have happened" in caught.value.user_message
    assert action.check in caught.value.user_message
    time.sleep(1.5)  # the sandbox finishes the hung request
    assert len(sent(sandbox_api, "POST")) == 1


def test_password_reset_whose_answer_is_lost_says_what_to_check(api, sandbox_api):
    api.timeout = 0.5
    sandbox_api.faults(hang_next=1, hang_seconds=1.5)
    with pytest.raises(errors.OutcomeUnknown) as caught:
        call(api, c.PASSWORD_RESET, json={"email": "someone@example.com"})
    assert "inbox" in caught.value.user_message
    time.sleep(1.5)
    assert len(sent(sandbox_api, "POST", "/v2/auth/password_reset")) == 1


@pytest.fixture
def narrow_client(api_settings, sandbox_api):
    from evadmin.evenergy.client import build_client

    sandbox_api.create_client("charging-desk", "charging-secret", ["user:read", "charging_session:read",
                                                                    "vehicle:read", "evse:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "charging-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "charging-secret"
    return build_client()


def test_a_missing_scope_is_forbidden_and_named(narrow_client, driver):
    with pytest.raises(errors.Forbidden) as assessment:
        read_detail(narrow_client, c.SUB_SESSION_ASSESSMENT, driver.sub_session_id)
    with pytest.raises(errors.Forbidden) as ocpp:
        narrow_client.collection(c.EVSE_OCPP_LOGS).list(parent=driver.evse_id)
    with pytest.raises(errors.Forbidden) as boost:
        perform(narrow_client, c.BOOST_START, driver.session_id)
    assert assessment.value.missing_scope == ocpp.value.missing_scope == "debug:read"
    assert boost.value.missing_scope == "charging_session:write"
    assert "charging_session:write" in boost.value.user_message


def test_a_403_that_names_no_scope_is_reported_with_the_declared_one(api, sandbox_api, driver):
    sandbox_api.faults(fail_next=[403])
    with pytest.raises(errors.Forbidden) as caught:
        api.collection(c.EVSE_COMMAND_LOGS).list(parent=driver.evse_id)
    assert caught.value.missing_scope == "debug:read"


def test_an_id_of_the_wrong_collection_never_reaches_the_api(api, sandbox_api, driver):
    with pytest.raises(errors.NotFound):
        api.collection(c.CHARGING_SUB_SESSIONS).get(driver.session_id)
    with pytest.raises(errors.NotFound):
        api.collection(c.EVSE_STATUS_LOGS).list(parent=driver.vehicle_id)
    assert sent(sandbox_api, "GET", "/v2/charging_sub_sessions/") == []
