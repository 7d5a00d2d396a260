"""Typed views of the API's resources: User, Location, Tariff, Supplier, EVSE site, Vehicle, EVSE.

Related resources arrive as absolute URLs, or as nested objects when asked for with `expand`;
each model keeps the URL and, when expanded, the parsed object. `raw` keeps the JSON as served.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evadmin.evenergy import errors
from evadmin.evenergy.typed import ApiObject, id_from_url, parse_datetime

# Every id: a 4-letter collection prefix and a 26-character ULID (API-NOTES.md, "Resources and ids").
RESOURCE_ID = re.compile(r"^[a-z]{4}[0-9A-Z]{26}$")
ADDRESS_FIELDS = ("address_1", "address_2", "city", "state", "postal_code", "country_code")
# If any address field (or coordinates) is non-null, these must all be non-null (the API's rule).
REQUIRED_ADDRESS_FIELDS = ("address_1", "city", "postal_code", "country_code")


def is_resource_id(value: object, prefix: str) -> bool:
    """True for an id of the collection with this prefix (`user`, `tari`, `site`...)."""
    return isinstance(value, str) and value.startswith(prefix) and RESOURCE_ID.match(value) is not None


def check_id(resource_id: str, prefix: str) -> str:
    """Refuse anything that is not an API id before it reaches a URL path."""
    if not is_resource_id(resource_id, prefix):
        raise errors.NotFound(f"{resource_id!r} is not a valid {prefix} id.", status=404)
    return resource_id


def _url_and_object(value: Any, parse) -> tuple[str | None, Any]:
    if isinstance(value, dict):
        return value.get("url"), parse(value)
    return value, None


@dataclass
class Coordinates:
    latitude: float
    longitude: float

    @classmethod
    def from_api(cls, data: dict | None) -> Coordinates | None:
        if not data:
            return None
        return cls(latitude=float(data["latitude"]), longitude=float(data["longitude"]))

    def to_api(self) -> dict:
        return {"latitude": self.latitude, "longitude": self.longitude}


@dataclass
class Supplier:
    id: str
    url: str
    name: str
    icon: str | None = None
    highlighted: bool = False

    @classmethod
    def from_api(cls, data: dict) -> Supplier:
        return cls(
            id=data.get("id") or "", url=data.get("url") or "", name=data.get("name") or "", icon=data.get("icon"),
            highlighted=bool(data.get("highlighted", False)),
        )


@dataclass
class Tariff:
    id: str
    url: str
    name: str
    currency: str
    supplier_url: str | None
    supplier: Supplier | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    timezone_name: str | None = None  # the IANA zone its prices (and its drivers' days) are in

    @classmethod
    def from_api(cls, data: dict) -> Tariff:
        supplier_url, supplier = _url_and_object(data.get("supplier"), Supplier.from_api)
        return cls(
            id=data.get("id") or "", url=data.get("url") or "", name=data.get("name") or "", currency=data.get("currency") or "",
            supplier_url=supplier_url, supplier=supplier,
            valid_from=data.get("valid_from"), valid_until=data.get("valid_until"),
            timezone_name=data.get("timezone_name") if isinstance(data.get("timezone_name"), str) else None,
        )

    @property
    def supplier_id(self) -> str | None:
        return id_from_url(self.supplier_url)


@dataclass
class EvseSite:
    id: str
    url: str
    cpms_connection: str | None = None
    cpms_connection_display_name: str | None = None
    evse_urls: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The site as people tell them apart: its operator and size first (the API gives a site no name or
        address), its id last."""
        operator = self.cpms_connection_display_name or self.cpms_connection or "Operator not given"
        chargers = len(self.evse_urls)
        return f"{operator} · {chargers} charger{'s' if chargers != 1 else ''} · {self.id}"

    @classmethod
    def from_api(cls, data: dict) -> EvseSite:
        return cls(
            id=data.get("id") or "", url=data.get("url") or "", cpms_connection=data.get("cpms_connection"),
            cpms_connection_display_name=data.get("cpms_connection_display_name"),
            evse_urls=list(data.get("evses") or []),
        )


@dataclass
class Location:
    address_1: str | None = None
    address_2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    coordinates: Coordinates | None = None
    tariff_url: str | None = None
    tariff: Tariff | None = None
    evse_site_url: str | None = None
    evse_site: EvseSite | None = None
    current_carbon_intensity: int | None = None  # only on a single user's location

    @classmethod
    def from_api(cls, data: dict | None) -> Location | None:
        if data is None:
            return None
        tariff_url, tariff = _url_and_object(data.get("tariff"), Tariff.from_api)
        evse_site_url, evse_site = _url_and_object(data.get("evse_site"), EvseSite.from_api)
        return cls(
            **{name: data.get(name) for name in ADDRESS_FIELDS},
            coordinates=Coordinates.from_api(data.get("coordinates")),
            tariff_url=tariff_url, tariff=tariff,
            evse_site_url=evse_site_url, evse_site=evse_site,
            current_carbon_intensity=data.get("current_carbon_intensity_grams_per_kilowatt_hour"),
        )

    @property
    def has_address(self) -> bool:
        return any(getattr(self, name) for name in ADDRESS_FIELDS) or self.coordinates is not None

    @property
    def tariff_id(self) -> str | None:
        return id_from_url(self.tariff_url)

    @property
    def evse_site_id(self) -> str | None:
        return id_from_url(self.evse_site_url)

    def editable_values(self) -> dict[str, Any]:
        """The writable fields as plain values, the shape a PATCH sends and an audit diff compares."""
        values: dict[str, Any] = {name: getattr(self, name) for name in ADDRESS_FIELDS}
        values["coordinates"] = self.coordinates.to_api() if self.coordinates else None
        values["tariff"] = self.tariff_id
        values["evse_site"] = self.evse_site_id
        return values


@dataclass
class User:
    id: str
    url: str
    email: str
    full_name: str = ""
    joined_at: datetime | None = None
    terms_consent_datetime: datetime | None = None
    default_location: Location | None = None
    vehicle_urls: list[str] = field(default_factory=list)
    evse_urls: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict) -> User:
        return cls(
            id=data["id"], url=data["url"], email=data.get("email", ""), full_name=data.get("full_name") or "",
            joined_at=parse_datetime(data.get("joined_at")),
            terms_consent_datetime=parse_datetime(data.get("terms_consent_datetime")),
            default_location=Location.from_api(data.get("default_location")),
            vehicle_urls=list(data.get("vehicles") or []), evse_urls=list(data.get("evses") or []),
            raw=data,
        )

    def editable_values(self) -> dict[str, Any]:
        location = self.default_location.editable_values() if self.default_location else None
        return {"email": self.email, "default_location": location}

    @property
    def fingerprint(self) -> str:
        """A short hash of the editable fields: changes when anyone edits the user."""
        canonical = json.dumps(self.editable_values(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass
class DeviceStatus(ApiObject):
    """A device's latest status log (expanded latest_status_log): what the pages show of it."""

    logged_at: datetime | None = None  # when ev.energy logged it (the sample's own time if not given)
    sampled_at: datetime | None = None
    is_plugged_in: bool | None = None
    is_charging: bool | None = None
    state_of_charge_percentage: float | None = None  # vehicles only
    charge_rate_watts: int | None = None

    def __post_init__(self) -> None:
        self.logged_at = self.logged_at or self.sampled_at


@dataclass
class Make(ApiObject):
    """A vehicle or charger make."""

    id: str = ""
    url: str = ""
    name: str = ""
    display_name: str | None = None


@dataclass
class DeviceModel(ApiObject):
    """A vehicle or charger model; `make` when expanded."""

    id: str = ""
    url: str = ""
    name: str = ""
    display_name: str | None = None
    make: Make | None = None


@dataclass
class VehicleTrim(ApiObject):
    id: str = ""
    url: str = ""
    name: str = ""
    battery_size_watt_hours: int | None = None
    model: DeviceModel | None = None


@dataclass
class Vehicle(ApiObject):
    id: str = ""
    url: str = ""
    description: str = ""
    integrated: str | None = None
    battery_size_watt_hours: int | None = None
    maximum_charge_limit_percentage: int | None = None
    smart_charging_enabled: bool | None = None
    disabled: bool = False
    trim: VehicleTrim | None = None  # with its model and make when expanded (trim.model.make)
    latest_status: DeviceStatus | None = field(default=None, metadata={"api": "latest_status_log"})

    @property
    def make(self) -> str:
        return self.trim.model.make.name if self.trim and self.trim.model and self.trim.model.make else ""

    @property
    def model(self) -> str:
        return self.trim.model.name if self.trim and self.trim.model else ""


@dataclass
class Evse(ApiObject):
    id: str = ""
    url: str = ""
    cpid: str = ""
    lifecycle_state: str | None = None
    lock_mode: str | None = None
    model_info: DeviceModel | None = field(default=None, metadata={"api": "model"})  # with its make when expanded
    latest_status: DeviceStatus | None = field(default=None, metadata={"api": "latest_status_log"})

    @property
    def make(self) -> str:
        return self.model_info.make.name if self.model_info and self.model_info.make else ""

    @property
    def model(self) -> str:
        return (self.model_info.display_name or self.model_info.name) if self.model_info else ""
