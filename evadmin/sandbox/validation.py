"""Validation of POST /users and PATCH /users/{id} bodies, with DRF-style messages.

field_errors keys are dotted paths into the request body: `email`, `default_location`,
`default_location.postal_code`, `default_location.coordinates.latitude`; problems with the body
as a whole go under `non_field_errors`. Read-only fields (id, url, full_name, joined_at,
terms_consent_datetime, vehicles, evses) and unknown keys are ignored, as the real API does.

The address rule (the spec's Location description and dependentSchemas) is checked on the
location as it would be after the change: if any of address_1, address_2, city, state,
postal_code, country_code or coordinates is non-null, then address_1, city, postal_code and
country_code must all be non-null. Sending all of them as null clears the address.
"""

import math
import re
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from evadmin.sandbox import ids
from evadmin.sandbox.countries import COUNTRY_CODES
from evadmin.sandbox.models import EvseSite, Tariff, User

TEXT_FIELDS = ("address_1", "address_2", "city", "state", "postal_code")
OPTIONAL_TEXT_FIELDS = ("address_2", "state")  # a blank value for these means "none"
ADDRESS_FIELDS = (*TEXT_FIELDS, "country_code", "coordinates")
REQUIRED_WITH_ADDRESS = ("address_1", "city", "postal_code", "country_code")
MAX_TEXT_LENGTH = 255
REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_BLANK = "This field may not be blank."
REQUIRED_WITH_ADDRESS_MESSAGE = "This field is required when any address field is given."

_email_validator = EmailValidator()


class Errors(dict):
    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)


def _type_name(value) -> str:
    return {dict: "dict", list: "list", str: "str", bool: "bool", int: "int", float: "float"}.get(
        type(value), type(value).__name__)


def _email(value, errors: Errors) -> str | None:
    if value is None:
        errors.add("email", NOT_NULL)
    elif not isinstance(value, str):
        errors.add("email", "Not a valid string.")
    elif not value.strip():
        errors.add("email", NOT_BLANK)
    else:
        try:
            _email_validator(value.strip())
        except ValidationError:
            errors.add("email", "Enter a valid email address.")
        else:
            return value.strip()
    return None


def _text(key: str, value, errors: Errors):
    path = f"default_location.{key}"
    if value is None:
        return None
    if not isinstance(value, str):
        errors.add(path, "Not a valid string.")
        return None
    value = value.strip()
    if not value:
        if key not in OPTIONAL_TEXT_FIELDS:
            errors.add(path, NOT_BLANK)
        return None
    if len(value) > MAX_TEXT_LENGTH:
        errors.add(path, f"Ensure this field has no more than {MAX_TEXT_LENGTH} characters.")
    return value


def coordinate(path: str, value, low: float, high: float, errors: Errors) -> float | None:
    """`value` as a number within [low, high], or None with the reason added to `errors`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        errors.add(path, "A valid number is required.")
        return None
    try:
        number = float(value)
    except ValueError:
        errors.add(path, "A valid number is required.")
        return None
    if not math.isfinite(number):
        errors.add(path, "A valid number is required.")
    elif number < low:
        errors.add(path, f"Ensure this value is greater than or equal to {low:g}.")
    elif number > high:
        errors.add(path, f"Ensure this value is less than or equal to {high:g}.")
    else:
        return number
    return None


def _coordinates(value, errors: Errors):
    path = "default_location.coordinates"
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.add(path, f"Invalid data. Expected a dictionary, but got {_type_name(value)}.")
        return None
    result = {}
    for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        if value.get(key) is None:
            errors.add(f"{path}.{key}", REQUIRED if key not in value else NOT_NULL)
        else:
            result[key] = coordinate(f"{path}.{key}", value[key], low, high, errors)
    return result if None not in result.values() and len(result) == 2 else None


def _related(key: str, value, model, prefix: str, collection: str, errors: Errors):
    """A tariff or EVSE site given as its id or its URL (any host); None clears it."""
    path = f"default_location.{key}"
    if value is None:
        return None
    if not isinstance(value, str):
        errors.add(path, f"Incorrect type. Expected URL string, received {_type_name(value)}.")
        return None
    resource_id = value.strip()
    if not ids.is_id(resource_id, prefix):
        match = re.search(rf"/{collection}/([a-z]{{4}}[0-9A-Z]{{26}})/?$", urlparse(resource_id).path)
        if match is None:
            errors.add(path, "Invalid hyperlink - No URL match.")
            return None
        resource_id = match.group(1)
    instance = model.objects.filter(pk=resource_id).first()
    if instance is None:
        errors.add(path, "Invalid hyperlink - Object does not exist.")
    return instance


def _location_changes(location: dict, errors: Errors) -> dict:
    """Model field changes for the location keys given."""
    changes: dict = {}
    for key in TEXT_FIELDS:
        if key in location:
            changes[key] = _text(key, location[key], errors)
    if "country_code" in location:
        code = location["country_code"]
        if code is not None and (not isinstance(code, str) or code not in COUNTRY_CODES):
            errors.add("default_location.country_code", f'"{code}" is not a valid choice.')
        changes["country_code"] = code if isinstance(code, str) else None
    if "coordinates" in location:
        coordinates = _coordinates(location["coordinates"], errors)
        changes["latitude"] = coordinates["latitude"] if coordinates else None
        changes["longitude"] = coordinates["longitude"] if coordinates else None
    if "tariff" in location:
        changes["tariff"] = _related("tariff", location["tariff"], Tariff, ids.TARIFF, "tariffs", errors)
    if "evse_site" in location:
        changes["evse_site"] = _related("evse_site", location["evse_site"], EvseSite, ids.SITE, "evse_sites",
                                        errors)
    return changes


def _check_address_rule(current: User | None, changes: dict, errors: Errors) -> None:
    """The rule applies to the location as it will be: the cleaned changes over the current values."""
    def after(field: str):
        field = "latitude" if field == "coordinates" else field
        value = changes[field] if field in changes else (None if current is None else getattr(current, field))
        return None if value == "" else value  # the model stores "" for a null text field

    if not any(after(field) is not None for field in ADDRESS_FIELDS):
        return
    for field in REQUIRED_WITH_ADDRESS:
        path = f"default_location.{field}"
        if path not in errors and after(field) is None:
            errors.add(path, REQUIRED_WITH_ADDRESS_MESSAGE)


def user_changes(data, *, current: User | None) -> dict:
    """Model field values to set, from a create (`current` None) or update body.

    Raises ValueError carrying the field_errors dict when the body fails validation.
    """
    errors = Errors()
    if not isinstance(data, dict):
        errors.add("non_field_errors", f"Invalid data. Expected a dictionary, but got {_type_name(data)}.")
        raise ValueError(errors)
    changes: dict = {}
    if "email" in data:
        changes["email"] = _email(data["email"], errors)
    elif current is None:
        errors.add("email", REQUIRED)
    if "default_location" in data:
        location = data["default_location"]
        if location is None:
            errors.add("default_location", NOT_NULL)
        elif not isinstance(location, dict):
            errors.add("default_location", f"Invalid data. Expected a dictionary, but got {_type_name(location)}.")
        else:
            changes.update(_location_changes(location, errors))
            _check_address_rule(current, changes, errors)
    if errors:
        raise ValueError(errors)
    return changes
