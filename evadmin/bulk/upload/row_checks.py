"""Checks on one row of a bulk file, made without API calls (beyond the cached reference lists).

The API's own rules come from evadmin.evenergy.validation (shared with the single-user form);
tariff and EVSE site ids are checked against the lists evenergy.reference caches, fetched only
when the file first names one, so a file without them costs no request at all.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django_countries import countries

from evadmin.evenergy.resources import ADDRESS_FIELDS, id_from_url, is_resource_id
from evadmin.evenergy.validation import COUNTRY_CODES, address_rule_errors, normalise_email

EMAIL_MAX_LENGTH = 254
TEXT_MAX_LENGTH = 255  # the API's limit for address fields
POSTAL_CODE_MAX_LENGTH = 32  # the directory's column (and the single-user form's limit)


class _FileEmailValidator(EmailValidator):
    """Django's EmailValidator (the single-user form's rule) tuned for 100,000 emails at a time:
    its patterns compiled up front rather than through lazy proxies, and each domain's verdict
    remembered, as a file has many emails but few domains. Together a sixth of an upload's time."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags)
    literal_regex = re.compile(EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags)

    def validate_domain_part(self, domain_part: str) -> bool:
        return _domain_is_valid(domain_part)


@functools.lru_cache(maxsize=4096)
def _domain_is_valid(domain_part: str) -> bool:
    return EmailValidator.validate_domain_part(_email_validator, domain_part)


_email_validator = _FileEmailValidator()


ANY_ID = re.compile(r"[a-z]{4}[0-9A-Z]{26}")  # an id of the API's form, whatever it names


@dataclass
class CheckedRow:
    email: str  # trimmed
    match_key: str  # the normalised email (onboarding) or the user id (update): rows are matched by it
    location: dict[str, Any] | None  # what the row sets for default_location (form shape), None if nothing
    errors: list[str] = field(default_factory=list)  # "column: what is wrong", empty when valid


def known_tariff_ids() -> set[str]:
    from evadmin.evenergy.reference import tariff_choices

    return {tariff.id for tariff in tariff_choices()}


def known_tariff_names() -> dict[str, list[tuple[str, str]]]:
    """{name, lower-cased: [(tariff id, "Name · Supplier")]} of the API's tariffs, for files that name
    a tariff instead of giving its id."""
    from evadmin.evenergy.reference import tariff_choices

    by_name: dict[str, list[tuple[str, str]]] = {}
    for tariff in tariff_choices():
        supplier = tariff.supplier.name if tariff.supplier else ""
        by_name.setdefault(tariff.name.strip().casefold(), []).append(
            (tariff.id, f"{tariff.name} · {supplier}" if supplier else tariff.name))
    return by_name


def known_evse_site_ids() -> set[str]:
    from evadmin.evenergy.reference import evse_site_choices

    return {site.id for site in evse_site_choices()}


class RowChecker:
    """Checks rows one at a time; keeps the reference id lists it loaded for the next rows."""

    def __init__(
        self,
        *,
        tariff_ids: Callable[[], set[str]] = known_tariff_ids,
        evse_site_ids: Callable[[], set[str]] = known_evse_site_ids,
        tariff_names: Callable[[], dict[str, list[tuple[str, str]]]] = known_tariff_names,
    ) -> None:
        self._loaders = {"tariff": tariff_ids, "evse_site": evse_site_ids}
        self._known: dict[str, set[str]] = {}
        self._tariff_names_loader = tariff_names
        self._tariff_names: dict[str, list[tuple[str, str]]] | None = None

    def _tariff_by_name(self, text: str, errors: list[str]) -> str:
        """A tariff named as the reference page lists it: "Name · Supplier" (or "Name (Supplier)"), or
        the name alone where one tariff has it. An ambiguous name lists its candidates."""
        if self._tariff_names is None:
            self._tariff_names = self._tariff_names_loader()
        wanted = text.strip()
        name, supplier = wanted, ""
        for separator in (" · ", " ("):
            if separator in wanted:
                name, supplier = wanted.split(separator, 1)
                supplier = supplier.rstrip(")").strip()
                break
        candidates = self._tariff_names.get(name.strip().casefold(), [])
        if supplier:
            candidates = [(tariff_id, shown) for tariff_id, shown in candidates
                          if shown.casefold().endswith(f" · {supplier.casefold()}")]
        if len(candidates) == 1:
            return candidates[0][0]
        if not candidates:
            errors.append(f"tariff: no tariff is named “{wanted[:80]}”: give its id, or its name as the "
                          "tariffs page lists it (Name · Supplier)")
        else:
            listed = "; ".join(f"{shown} ({tariff_id})" for tariff_id, shown in candidates[:5])
            errors.append(f"tariff: {len(candidates)} tariffs are named “{wanted[:80]}”: {listed}. "
                          "Give the supplier too (Name · Supplier) or the id")
        return ""

    def check(self, values: dict[str, str], *, update: bool = False) -> CheckedRow:
        """`values`: the row's non-blank cells by column (parsing.ParsedRow.values).

        update: the row of an update file, keyed by user_id (its CheckedRow.match_key is
        the id, the key duplicates are found by). The address rule is then not checked here: the
        engine sends a changed address field with the account's other required fields
        (evenergy.payloads.user_changes), and the API judges the result.
        """
        if update:
            return self._check_update(values)
        errors: list[str] = []
        email = values.get("email", "")
        self._check_email(email, errors)
        location: dict[str, Any] = {name: values[name] for name in ADDRESS_FIELDS if name in values}
        for name, text in location.items():
            limit = POSTAL_CODE_MAX_LENGTH if name == "postal_code" else TEXT_MAX_LENGTH
            if len(text) > limit:
                errors.append(f"{name}: longer than {limit} characters")
        if "country_code" in location:
            location["country_code"] = self._country_code(location["country_code"], errors)
        has_coordinates = "latitude" in values or "longitude" in values
        if location or has_coordinates:  # the address rule; most files give whole addresses or none
            latitude = self._coordinate(values, "latitude", 90, errors)
            longitude = self._coordinate(values, "longitude", 180, errors)
            rule = address_rule_errors({**location, "latitude": latitude, "longitude": longitude})
            # An unreadable coordinate already has its error; "give both" would only confuse.
            errors.extend(f"{name}: {message.lower().rstrip('.')}" for name, message in rule.items()
                          if name not in values or name not in ("latitude", "longitude"))
            if latitude is not None and longitude is not None:
                location["coordinates"] = {"latitude": latitude, "longitude": longitude}
        if "tariff" in values:
            location["tariff"] = self._reference("tariff", values["tariff"], "tari", "tariff", errors)
        if "evse_site" in values:
            location["evse_site"] = self._reference("evse_site", values["evse_site"], "site", "EVSE site", errors)
        return CheckedRow(
            email=email[:EMAIL_MAX_LENGTH], match_key=normalise_email(email)[:EMAIL_MAX_LENGTH],
            location=location or None, errors=errors,
        )

    def _check_update(self, values: dict[str, str]) -> CheckedRow:
        errors: list[str] = []
        user_id = values.get("user_id", "")
        if not user_id:
            errors.append("user_id: missing")
        elif not is_resource_id(user_id, "user"):
            errors.append(f"user_id: “{user_id[:40]}” is not a user id (user…)")
        location: dict[str, Any] = {name: values[name] for name in ADDRESS_FIELDS if name in values}
        if "country_code" in location:
            location["country_code"] = self._country_code(location["country_code"], errors)
        if "latitude" in values or "longitude" in values:
            latitude = self._coordinate(values, "latitude", 90, errors)
            longitude = self._coordinate(values, "longitude", 180, errors)
            if ("latitude" in values) != ("longitude" in values):
                errors.append("latitude, longitude: give both or neither")
            elif latitude is not None and longitude is not None:
                location["coordinates"] = {"latitude": latitude, "longitude": longitude}
        if "tariff" in values:
            location["tariff"] = self._reference("tariff", values["tariff"], "tari", "tariff", errors)
        if "evse_site" in values:
            location["evse_site"] = self._reference("evse_site", values["evse_site"], "site", "EVSE site", errors)
        if not location and not errors:
            errors.append("nothing to change: the row gives no location or tariff column")
        return CheckedRow(email="", match_key=user_id[:EMAIL_MAX_LENGTH], location=location or None,
                          errors=errors)

    def _check_email(self, email: str, errors: list[str]) -> None:
        if not email:
            errors.append("email: missing")
        elif len(email) > EMAIL_MAX_LENGTH:
            errors.append(f"email: longer than {EMAIL_MAX_LENGTH} characters")
        else:
            try:
                _email_validator(email)
            except ValidationError:
                errors.append(f"email: “{email[:80]}” is not a valid email address")

    @staticmethod
    def _country_code(text: str, errors: list[str]) -> str:
        code = text.upper()
        if code not in COUNTRY_CODES:
            guess = countries.by_name(text)
            hint = f" (did you mean {guess}?)" if guess else " (use the two-letter ISO code, e.g. GB)"
            errors.append(f"country_code: “{text[:60]}” is not an ISO country code{hint}")
        return code

    @staticmethod
    def _coordinate(values: dict[str, str], name: str, bound: int, errors: list[str]) -> float | None:
        text = values.get(name)
        if text is None:
            return None
        try:
            number = float(text)
        except ValueError:
            errors.append(f"{name}: “{text[:40]}” is not a number")
            return None
        if not math.isfinite(number) or not -bound <= number <= bound:
            errors.append(f"{name}: {text[:40]} is outside -{bound} to {bound}")
            return None
        return number

    def _reference(self, name: str, text: str, prefix: str, label: str, errors: list[str]) -> str:
        resource_id = (id_from_url(text) or "") if "/" in text else text
        if name == "tariff" and "/" not in text and not ANY_ID.fullmatch(text.strip()):
            return self._tariff_by_name(text, errors)
        if not is_resource_id(resource_id, prefix):
            errors.append(f"{name}: “{text[:80]}” is not a {label} id ({prefix}…) or URL")
            return resource_id
        if name not in self._known:
            self._known[name] = self._loaders[name]()
        if resource_id not in self._known[name]:
            errors.append(f"{name}: no {label} has the id {resource_id}")
        return resource_id
