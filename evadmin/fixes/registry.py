"""The fixes an agent may apply to a driver, each one a decision taken on record.

A `Fix` names what it acts on (the driver, one of their vehicles or chargers, a sub-session), the
permission it needs (roles.py) and whether it can be undone. Pages offer a fix with
`{% fix_link "boost_start" account.id %}` / `{% fix_link "vehicle_disconnect" account.id target=vehicle.id %}`
(templatetags/fixes.py): the link is shown only to staff holding the permission.
"""

from __future__ import annotations

from dataclasses import dataclass

from evadmin.staff import roles

USER, VEHICLE, EVSE, SUB_SESSION = "user", "vehicle", "evse", "sub_session"


@dataclass(frozen=True)
class Fix:
    name: str
    label: str
    target: str  # USER, VEHICLE, EVSE or SUB_SESSION: what the fix acts on
    permission: str
    irreversible: bool = False  # a confirmation step says so before anything is sent


FIXES: dict[str, Fix] = {fix.name: fix for fix in (
    Fix("boost_start", "Start a boost", USER, roles.APPLY_FIXES),
    Fix("boost_end", "End the boost", USER, roles.APPLY_FIXES),
    Fix("vehicle_reconnect", "Send a vehicle reconnection link", VEHICLE, roles.APPLY_FIXES),
    Fix("evse_reconnect", "Send a charger reconnection link", EVSE, roles.APPLY_FIXES),
    Fix("vehicle_disconnect", "Disconnect the vehicle's integration", VEHICLE, roles.APPLY_MAJOR_FIXES,
        irreversible=True),
    Fix("smart_charging", "Switch smart charging on or off", VEHICLE, roles.APPLY_FIXES),
    Fix("charge_limit", "Change the charge limit", VEHICLE, roles.APPLY_FIXES),
    Fix("onboarding_link", "Send a vehicle onboarding link", USER, roles.APPLY_FIXES),
    Fix("recalculate", "Recalculate energy use", SUB_SESSION, roles.APPLY_MAJOR_FIXES, irreversible=True),
    Fix("password_reset", "Send a password reset email", USER, roles.APPLY_FIXES),
)}

# What each fix does, in the words the fix's page opens with.
WHAT_IT_DOES: dict[str, str] = {
    "boost_start": "Charges the driver's open charging session now, at full rate and whatever the price, until the "
                   "boost ends or the vehicle is unplugged. The vehicle must be plugged in and smart charging on.",
    "boost_end": "Ends the boost on the driver's open charging session: it goes back to smart charging.",
    "vehicle_reconnect": "Makes a link for the driver to link this vehicle with its maker again. You copy it and "
                         "send it to the driver; it expires.",
    "evse_reconnect": "Makes a link for the driver to connect this charger again. You copy it and send it to the "
                      "driver.",
    "vehicle_disconnect": "Ends this vehicle's integration at the driver's request: ev.energy stops controlling "
                          "its charging and its open charging sessions end. It cannot be undone from evadmin: the "
                          "driver links the vehicle again themselves.",
    "smart_charging": "Switches smart charging on or off for this vehicle. Off, the vehicle charges as soon as it "
                      "is plugged in and cannot be boosted.",
    "charge_limit": "Changes the most this vehicle is charged to (50 to 100 %).",
    "onboarding_link": "Emails the driver a link to onboard a vehicle of the make you choose.",
    "recalculate": "Recalculates this sub-session's energy use from its measured intervals, capping any "
                   "over-delivery at what the battery could take. A dry run shows the old and new figures first; "
                   "nothing changes until you apply it, and then it cannot be undone.",
    "password_reset": "Emails the driver a link to reset their password, at the address on their account. The API "
                      "answers the same whether or not that address has an account, so a success does not prove "
                      "the email arrived: check the address with the driver.",
}
