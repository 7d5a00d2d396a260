"""Who may apply which fix: every fix x every role (roles.py), on the fix's page and on applying it;
a fix that does not exist, or a target that is not the driver's, is not found."""

import pytest
from django.test import Client

from evadmin.fixes.registry import EVSE, FIXES, SUB_SESSION, VEHICLE
from evadmin.staff.roles import ROLE_PERMISSIONS
from tests.core.authorization_table import CALLERS
from tests.fixes.conftest import fix_url, writes_sent
from tests.staff.fixtures import make_staff


def target_of(fix, driver) -> str:
    return {VEHICLE: driver.vehicle_id, EVSE: driver.evse_id, SUB_SESSION: driver.sub_session_id}.get(fix.target, "")


def expected_status(fix, role) -> int | str:
    if role == "anonymous":
        return "login"
    codename = fix.permission.split(".", 1)[1]
    return 200 if role != "no role" and codename in ROLE_PERMISSIONS[role] else 403


def test_every_fix_answers_every_role_by_its_own_permission(pages, sandbox_api, over_delivery):
    clients = {"anonymous": Client()}
    for role in CALLERS[1:]:
        clients[role] = Client()
        clients[role].force_login(make_staff(None if role == "no role" else role))
    mismatches = []
    for fix in FIXES.values():
        url = fix_url(over_delivery.user_id, fix.name, target_of(fix, over_delivery))
        for role, client in clients.items():
            response = client.get(url)
            actual = "login" if response.status_code == 302 and "/login/" in response["Location"] \
                else response.status_code
            if actual != expected_status(fix, role):
                mismatches.append(f"{fix.name} as {role}: expected {expected_status(fix, role)}, got {actual}")
            if actual == 403 and role == "support":  # holds apply_fixes: the page names the fix's own permission
                assert fix.permission in response.content.decode()
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("name", ["vehicle_disconnect", "recalculate"])
def test_support_cannot_apply_a_fix_that_cannot_be_undone(pages, sandbox_api, over_delivery, name):
    fix = FIXES[name]
    sandbox_api.reset()
    response = pages("support").post(fix_url(over_delivery.user_id, name, target_of(fix, over_delivery)),
                                     {"reason": "ticket 1", "confirm": "on", "confirmed": "True"})
    assert response.status_code == 403
    assert writes_sent(sandbox_api) == []


def test_an_unknown_fix_or_another_drivers_device_is_not_found(pages, cases, over_delivery, healthy):
    lead = pages("support_lead")
    assert lead.get(fix_url(over_delivery.user_id, "no_such_fix")).status_code == 404
    assert lead.get(fix_url(over_delivery.user_id, "charge_limit", healthy.vehicle_id)).status_code == 404
    assert lead.get(fix_url(over_delivery.user_id, "evse_reconnect", healthy.evse_id)).status_code == 404
    assert lead.get(fix_url(over_delivery.user_id, "recalculate", healthy.sub_session_id)).status_code == 404
    assert lead.get(fix_url(over_delivery.user_id, "charge_limit")).status_code == 404  # no target at all
    assert lead.get(fix_url(over_delivery.user_id, "charge_limit", "vhcl-not-an-id")).status_code == 404


def test_the_drivers_page_offers_the_drivers_fixes_only_to_who_may_apply_them(pages, healthy):
    link = fix_url(healthy.user_id, "password_reset")
    assert link in pages("support").get(f"/users/{healthy.user_id}/").content.decode()
    assert link not in pages("viewer").get(f"/users/{healthy.user_id}/").content.decode()
