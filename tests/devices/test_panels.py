"""What an agent reads on a device panel, checked against what the API (the sandbox) says of the
device and the seeded support cases' ground truth."""

from datetime import UTC, datetime

from django.utils import dateformat

from evadmin.core.timezones import zone_named
from evadmin.evenergy.client import UsersApi, reset_evenergy_client
from evadmin.evenergy.collections import EVSES, VEHICLES
from tests.devices.helpers import connectivity_path, errors_path, fragment, open_devices, panel_of, text_of


def devices_of(direct_api, user_id):
    """(vehicle, charger, the driver's zone) as the API serves them, read by the test's own client."""
    vehicle = direct_api.collection(VEHICLES).list(user=user_id).items[0]
    evse = direct_api.collection(EVSES).list(user=user_id).items[0]
    user = direct_api.users.get(user_id, expand=UsersApi.FULL_EXPAND)
    return vehicle, evse, zone_named(user.default_location.tariff.timezone_name)


def shown_time(moment: datetime, zone) -> str:
    """How {% local_time %} shows a moment on a panel: local time, UTC on hover."""
    return (f'title="{dateformat.format(moment.astimezone(UTC), "Y-m-d H:i")} UTC">'
            f'{dateformat.format(moment.astimezone(zone), "j M Y H:i")}</time>')


def test_live_state_in_words_and_the_drivers_local_time(pages, direct_api, cases):
    case = cases["healthy_control"]
    vehicle, evse, zone = devices_of(direct_api, case["user_id"])
    html = open_devices(pages("viewer"), case["user_id"])

    for kind, device in (("vehicle", vehicle), ("evse", evse)):
        panel, status = panel_of(html, f"{kind}-{device.id}"), device.latest_status
        assert ("<strong>Charging</strong>" if status.is_charging else "Not charging") in panel
        assert ("Plugged in</dd>" if status.is_plugged_in else "Unplugged") in panel
        assert shown_time(status.sampled_at or status.logged_at, zone) in panel
        assert " ago)" in panel
    assert f"{vehicle.latest_status.state_of_charge_percentage:.0f}%" in panel_of(html, f"vehicle-{vehicle.id}")
    assert f"Times are the driver's ({zone.key})" in html


def test_makes_and_models_by_name_never_ids(pages, direct_api, cases):
    case = cases["healthy_control"]
    vehicle, evse, _ = devices_of(direct_api, case["user_id"])
    text = text_of(open_devices(pages("support"), case["user_id"]))

    assert f"{vehicle.make} {vehicle.model}" in text and f"{evse.make} {evse.model}" in text
    assert evse.cpid in text  # a charger's public id: the one id an agent and driver share
    for raw_id in (vehicle.id, evse.id, vehicle.trim.id, vehicle.trim.model.id, evse.model_info.id):
        assert raw_id not in text


def test_the_inactive_integration_case_shows_inactive_and_its_401s(pages, cases):
    case = cases["vehicle_integration_inactive"]
    agent = pages("viewer")
    panel = panel_of(open_devices(agent, case["user_id"]), f"vehicle-{case['vehicle_id']}")
    assert f"<strong>{case['integrated']}</strong>: the manufacturer no longer answers: the driver must re-link it" \
        in panel

    log = fragment(agent, errors_path(case["user_id"], case["vehicle_id"]))
    assert f"{case['error_logs']} errors from" in log
    assert log.count(f"<td>{case['error_status_code']}</td>") == case["error_logs"]
    assert "AUTHENTICATION <code>UNAUTHORIZED</code>" in log and "the driver must re-link the vehicle" in log
    broke_at = datetime.fromisoformat(case["integration_broken_since"])
    assert f'title="{broke_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"' in log  # the first error, in local time


def test_the_poor_connectivity_case_shows_its_low_reliability(pages, cases):
    agent = pages("viewer")
    for name in ("poor_charger_connectivity", "healthy_control"):
        case = cases[name]
        open_devices(agent, case["user_id"])
        html = fragment(agent, connectivity_path(case["user_id"], case["evse_id"]))
        assert f"<strong>{case['connection_reliability_30d']}%</strong> of the time online" in html
        assert "Signal now" in html and "Firmware" in html


def test_fix_links_for_staff_who_may_apply_them(pages, cases):
    case = cases["vehicle_integration_inactive"]
    fixes = f"/users/{case['user_id']}/fixes/"
    everyday = [f"{fixes}vehicle_reconnect/?target={case['vehicle_id']}",
                f"{fixes}smart_charging/?target={case['vehicle_id']}",
                f"{fixes}charge_limit/?target={case['vehicle_id']}",
                f"{fixes}evse_reconnect/?target={case['evse_id']}", f'{fixes}onboarding_link/"']
    disconnect = f"{fixes}vehicle_disconnect/?target={case['vehicle_id']}"

    support = open_devices(pages("support"), case["user_id"])
    assert all(link in support for link in everyday) and disconnect not in support
    assert disconnect in open_devices(pages("support_lead"), case["user_id"])
    viewer = open_devices(pages("viewer"), case["user_id"])
    assert "fix-link" not in viewer and fixes not in viewer
    # The settings are shown to everyone, switched off: changing them is a fix.
    assert 'role="switch" name="smart_charging" checked disabled' in viewer


def test_a_panel_that_cannot_be_read_says_why_and_the_page_stands(pages, sandbox_api, api_settings, cases):
    case = cases["poor_charger_connectivity"]
    agent = pages("viewer")
    open_devices(agent, case["user_id"])
    api_settings.EVADMIN_API_MAX_RETRIES = 0
    reset_evenergy_client()
    sandbox_api.faults(error_rate=1.0)

    connectivity = fragment(agent, connectivity_path(case["user_id"], case["evse_id"]))
    errors = fragment(agent, errors_path(case["user_id"], case["vehicle_id"]))

    assert "Connectivity can't be shown right now" in connectivity and "Try again (1 request)" in connectivity
    assert "The error log can't be shown right now" in errors
    sandbox_api.reset()
    assert "Live from the API just now" in fragment(agent, connectivity_path(case["user_id"], case["evse_id"]))


def test_without_htmx_each_part_is_a_page_of_its_own(pages, cases):
    case = cases["poor_charger_connectivity"]
    agent = pages("viewer")
    open_devices(agent, case["user_id"])
    page = agent.get(connectivity_path(case["user_id"], case["evse_id"])).content.decode()
    assert "<html" in page and "← Back to the driver" in page and "of the time online" in page
    page = agent.get(f"/users/{case['user_id']}/devices/").content.decode()
    assert "<html" in page and f'id="evse-{case["evse_id"]}"' in page
