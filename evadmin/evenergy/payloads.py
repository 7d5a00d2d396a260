"""The shapes of what evadmin sends the API for a user: the PATCH of an edit, a location's payload.

Forms, bulk rows and audit images hold a location "form-shaped": the address fields, coordinates
as {latitude, longitude}, tariff and evse_site as ids. The API wants tariff and site as URLs, and
its address rule applies to each request body (API-NOTES.md, "Users").
"""

from __future__ import annotations

from typing import Any

from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.resources import ADDRESS_FIELDS, REQUIRED_ADDRESS_FIELDS, User

# Sending every address key as null is how the API clears an address (API-NOTES.md).
CLEARED_ADDRESS: dict[str, Any] = {**dict.fromkeys(ADDRESS_FIELDS), "coordinates": None}
EMPTY_LOCATION: dict[str, Any] = {**CLEARED_ADDRESS, "tariff": None, "evse_site": None}


def location_to_api(values: dict[str, Any]) -> dict[str, Any]:
    """Form-shaped location values (tariff and site as ids) to the API's shape (as URLs)."""
    base_url = evenergy_client().base_url
    payload = dict(values)
    for key, collection in (("tariff", "tariffs"), ("evse_site", "evse_sites")):
        if payload.get(key):
            payload[key] = f"{base_url}/{collection}/{payload[key]}"
    return payload


def user_changes(current: User, *, email: str, location: dict[str, Any]) -> dict[str, Any]:
    """The PATCH body: the fields that differ from `current` (form-shaped location).

    The API's address rule applies to each request body, so a changed address field travels
    with the four fields the rule requires (address_1, city, postal_code, country_code);
    emptying every address field sends them all as null, the API's way to clear an address.
    """
    changes: dict[str, Any] = {}
    if email != current.email:
        changes["email"] = email
    before = current.editable_values()["default_location"] or EMPTY_LOCATION
    changed = {key: value for key, value in location.items() if before.get(key) != value}
    address_keys = set(CLEARED_ADDRESS)
    if address_keys & set(changed):
        if any(location.get(name) is not None for name in address_keys):
            changed.update({name: location.get(name) for name in REQUIRED_ADDRESS_FIELDS})
        else:
            changed.update(CLEARED_ADDRESS)
    if changed:
        changes["default_location"] = changed
    return changes
