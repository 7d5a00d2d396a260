"""The API's rules for a user's email and location, checked locally before anything is sent.

Shared by the single-user form (evadmin/drivers/forms.py) and bulk files (evadmin/bulk/upload/row_checks.py),
so both refuse exactly what the API would refuse (API-NOTES.md, the spec's Location schema).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django_countries.data import COUNTRIES

from evadmin.evenergy.resources import ADDRESS_FIELDS, REQUIRED_ADDRESS_FIELDS

# The API's CountryCode enum is ISO 3166-1 alpha-2: the same 249 codes django-countries ships
# (tests/bulk/test_row_checks.py pins the two together against the spec).
COUNTRY_CODES: frozenset[str] = frozenset(COUNTRIES)

ADDRESS_REQUIRED_MESSAGE = "Required when any part of the address or coordinates is given."
COORDINATES_PAIR_MESSAGE = "Give both latitude and longitude, or neither."


def normalise_email(email: str) -> str:
    """The form emails are compared in: trimmed and case-folded (as the directory stores them)."""
    return (email or "").strip().casefold()


def address_rule_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """Problems with a location under the API's address rule, as {field: message}.

    `values` holds the address fields plus `latitude` and `longitude`; a missing, None or empty
    value counts as not given. The rule: if any address field or the coordinates are given,
    address_1, city, postal_code and country_code must all be given; and coordinates come as
    a pair.
    """
    errors: dict[str, str] = {}
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if (latitude is None) != (longitude is None):
        errors["longitude" if longitude is None else "latitude"] = COORDINATES_PAIR_MESSAGE
    # map() rather than a generator: bulk files run this 100,000 times in a row.
    given = latitude is not None or longitude is not None or any(map(values.get, ADDRESS_FIELDS))
    if given and not all(map(values.get, REQUIRED_ADDRESS_FIELDS)):
        for name in REQUIRED_ADDRESS_FIELDS:
            if not values.get(name):
                errors[name] = ADDRESS_REQUIRED_MESSAGE
    return errors
