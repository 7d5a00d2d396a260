"""The API's codes in words staff read: start and finish reasons, flags, root causes, ratings.

A code the API adds later (the spec says new values may come) reads as the code, made readable.
"""

from __future__ import annotations

START_REASONS = {
    "BOOST_START": "the driver (or support) started a boost",
    "SMART_CHARGE_ENABLED": "smart charging was switched on",
    "SMART_CHARGE_DISABLED": "smart charging was switched off",
    "SOLAR_SETTINGS": "the solar settings changed",
    "ADMIN_CREATE_FAKE": "an administrator created it",
    "ADMIN_IMPORT_CSV": "an administrator imported it",
    "REPROCESS_VEHICLEDATALOGS_CMD": "the vehicle's logs were reprocessed",
    "SFTP_IMPORTER": "it was imported from a file",
    "EVSE_CONNECT": "the vehicle was plugged into the charger",
    "CP_EVSE_CONNECT": "the charge point reported the vehicle plugged in",
    "VEHICLE_LOG_CONNECT": "the vehicle reported being plugged in",
    "USER_SETTINGS": "the driver changed their settings",
}
FINISH_REASONS = {
    "BOOST_START": "a boost started",
    "SMART_CHARGE_ENABLED": "smart charging was switched on",
    "SMART_CHARGE_DISABLED": "smart charging was switched off",
    "SOLAR_SETTINGS": "the solar settings changed",
    "ADMIN_ACTION": "an administrator ended it",
    "FAKE_CURRENT_CHARGING_CMD": "a test command ended it",
    "REPROCESS_VEHICLEDATALOGS_CMD": "the vehicle's logs were reprocessed",
    "SFTP_IMPORTER": "it was imported from a file",
    "INVALIDATE_ACCOUNT": "the account was invalidated",
    "REMOVE_INTEGRATION": "the vehicle's integration was removed",
    "EVSE_UNPAIR": "the charger was unpaired",
    "EVSE_DISCONNECT": "the vehicle was unplugged",
}
RATINGS = {
    "overall": "Overall",
    "energy_delivered_to_capacity_ratio": "Energy delivered against the battery's room",
    "energy_delivery_ratio": "Energy delivered against what was needed",
    "schedule_quality": "Schedule followed",
    "vehicle_data_uptime": "Vehicle data uptime",
    "vehicle_location_uptime": "Vehicle location uptime",
    "vehicle_error_rate": "Vehicle error rate",
    "vehicle_command_adherence": "Vehicle followed commands",
    "evse_data_uptime": "Charger data uptime",
    "evse_command_adherence": "Charger followed commands",
    "charge_outside_of_schedule": "Charging outside the schedule",
    "session_duration": "Session duration",
    "savings_attainment_rate": "Savings attained",
}
RATING_WORDS = {"GREEN": "good", "AMBER": "needs a look", "RED": "something went wrong"}
MODES = {"SMART": "Smart", "BOOST": "Boost", "UNMANAGED_HOME": "Unmanaged (home)",
         "UNMANAGED_OTG": "Unmanaged (away)", "MANAGED_OTG": "Managed (away)"}


def readable(code: str | None) -> str:
    """ENERGY_OVER_DELIVERY -> "Energy over delivery"."""
    if not code:
        return "—"
    text = str(code).replace("_", " ").strip().lower()
    return text[:1].upper() + text[1:]


def start_reason_words(code: str | None) -> str:
    return START_REASONS.get(code or "", readable(code)) if code else "not recorded"


def finish_reason_words(code: str | None) -> str:
    return FINISH_REASONS.get(code or "", readable(code)) if code else "not recorded"


def rating_name(name: str) -> str:
    return RATINGS.get(name, readable(name))


def mode_words(mode: str | None) -> str:
    return MODES.get(mode or "", readable(mode))


def ratings_in_words(ratings: dict) -> list[tuple[str, str, str]]:
    """[(readable name, RED/AMBER/GREEN, what it means)], overall first; values that are not strings left out."""
    ordered = sorted(((name, value) for name, value in ratings.items() if isinstance(value, str)),
                     key=lambda item: item[0] != "overall")
    return [(rating_name(name), value, RATING_WORDS.get(value, "")) for name, value in ordered]
