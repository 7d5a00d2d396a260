"""The playbooks evadmin ships, for the ten most common ticket subcategories. Created on migrate when
missing (signals.py), so a test database flush brings them back and an edited one is left alone."""

SHIPPED_REASON = "Shipped with evadmin"

SHIPPED_PLAYBOOKS: dict[str, list[dict[str, str]]] = {
    "NO_CHARGE": [
        {"text": "Open the night before the ticket in the charging investigator: its verdict says why it did not "
                 "charge", "link": "last_night"},
        {"text": "Check the charger's connectivity: heartbeats, signal and 30-day reliability", "link": "devices"},
        {"text": "Check the vehicle is integrated and reporting, and that smart charging is on", "link": "devices"},
        {"text": "If the car is plugged in now and needs charge, start a boost", "link": "fix:boost_start"},
        {"text": "Tell the driver what the verdict found and what happens tonight", "link": ""},
    ],
    "OFFLINE": [
        {"text": "Check the charger's connectivity: when it was last heard and its 30-day reliability",
         "link": "devices"},
        {"text": "Open last night to see whether the charger dropped off while plugged in", "link": "last_night"},
        {"text": "Ask the driver to check the charger's Wi-Fi or mobile signal and power-cycle it", "link": ""},
        {"text": "If it stays offline, send a charger reconnection link from the charger's panel", "link": "devices"},
    ],
    "CHARGE_PAST_READY_BY_TIME": [
        {"text": "Open the night before the ticket: compare the ready-by time with when charging ended",
         "link": "last_night"},
        {"text": "Check the battery size and charge limit the plan used against the car's", "link": "devices"},
        {"text": "Read the verdict rules to explain a slow charger or a low starting battery", "link": "verdict_rules"},
        {"text": "Suggest an earlier plug-in or ready-by time if the night was too short", "link": ""},
    ],
    "REAUTHENTICATION": [
        {"text": "Check the vehicle's integration state and its recent error logs (401s mean the token expired)",
         "link": "devices"},
        {"text": "Send a vehicle reconnection link from the vehicle's panel", "link": "devices"},
        {"text": "Ask the driver to re-link the car with the manufacturer's login, then confirm data arrives",
         "link": ""},
    ],
    "INCOMPLETE_CHARGE": [
        {"text": "Open the night before the ticket: energy delivered, flags and the assessment", "link": "last_night"},
        {"text": "Check the vehicle's charge limit and the charger's rate", "link": "devices"},
        {"text": "Look for a switch to unmanaged charging or an unplug in the night's sub-sessions",
         "link": "charging"},
        {"text": "Explain the cause; change the charge limit only if the driver asks", "link": "devices"},
    ],
    "CHARGING_ON_PEAK": [
        {"text": "Open the night in question: its intervals show when energy was bought and at what price",
         "link": "last_night"},
        {"text": "Check the driver's tariff on their account: an outdated tariff plans at the wrong times",
         "link": "driver"},
        {"text": "Check for a boost or smart charging switched off that night", "link": "charging"},
        {"text": "Correct the tariff if it is wrong, with the driver's confirmation", "link": "edit_driver"},
    ],
    "TELEMATICS_ISSUE": [
        {"text": "Check the vehicle's latest status and error logs: stale state of charge or errors",
         "link": "devices"},
        {"text": "Compare the car's reports with the charger's during the last night", "link": "last_night"},
        {"text": "If the integration is broken, send a vehicle reconnection link", "link": "devices"},
    ],
    "UNABLE_TO_DETECT_CAR_PLUGGED_IN": [
        {"text": "Check the charger's status logs: is the plug seen (control pilot B or C)?", "link": "devices"},
        {"text": "Open last night: a session should start when the car is plugged in", "link": "last_night"},
        {"text": "Check both the car and the charger are on the driver's account", "link": "driver"},
        {"text": "Ask the driver to re-seat the cable and confirm the car shows as plugged in", "link": ""},
    ],
    "LOGIN_CREDENTIALS": [
        {"text": "Find the driver and confirm the email on their account with them", "link": "driver"},
        {"text": "Send a password reset email", "link": "fix:password_reset"},
        {"text": "If the email is wrong, correct it with the driver's confirmation", "link": "edit_driver"},
    ],
    "INCORRECT_KWH_DISPLAYED": [
        {"text": "Open the sessions around the ticket and find the sub-session with the wrong figure",
         "link": "charging"},
        {"text": "Check its flags: ENERGY_OVER_DELIVERY means more energy than the battery could take",
         "link": "last_night"},
        {"text": "Check the vehicle's battery size", "link": "devices"},
        {"text": "Recalculate the sub-session's energy use from its page (a dry run shows the change first)",
         "link": "charging"},
    ],
}
