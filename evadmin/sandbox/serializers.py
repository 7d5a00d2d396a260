"""Model -> JSON in the shapes of the spec's schemas (User, Location, Tariff, Supplier, ...).

Related resources are absolute URLs under the sandbox's own host unless expanded. Two choices
made to satisfy the spec as a validator reads it:
- `country_code` is left out of a location when it is null: the spec's Location puts a
  `$ref: CountryCode` beside its `anyOf [CountryCode, null]`, so a JSON null never validates.
- List responses carry Location; single-user responses (retrieve, create, update) carry
  LocationDetail, which adds current_carbon_intensity_grams_per_kilowatt_hour.
"""

from datetime import UTC, date, datetime

from evadmin.sandbox import catalogue, prices
from evadmin.sandbox.models import Evse, EvseSite, Supplier, Tariff, User, Vehicle

ADDRESS_TEXT_FIELDS = ("address_1", "address_2", "city", "state", "postal_code")


def iso_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def sub_expand(expand: set[str], field: str) -> set[str]:
    """The expand paths below `field`: {"tariff", "tariff.supplier"} under "tariff" -> {"supplier"}."""
    prefix = field + "."
    return {path[len(prefix):] for path in expand if path.startswith(prefix)}


def supplier_json(supplier: Supplier, base: str) -> dict:
    return {
        "id": supplier.id, "url": f"{base}/suppliers/{supplier.id}", "name": supplier.name,
        "icon": supplier.icon or None, "highlighted": supplier.highlighted,
    }


def tariff_json(tariff: Tariff, base: str, expand: set[str] = frozenset(), *, detail: bool = False,
                prices_visible: bool = False) -> dict:
    """Tariff (list, nested) or TariffDetail (`detail`): current_price and prices on top."""
    data = {
        "id": tariff.id, "url": f"{base}/tariffs/{tariff.id}",
        "supplier": supplier_json(tariff.supplier, base) if "supplier" in expand
        else f"{base}/suppliers/{tariff.supplier_id}",
        "name": tariff.name, "currency": tariff.currency, "highlighted": tariff.highlighted,
        "timezone_name": tariff.timezone_name, "price_chart_url": tariff.price_chart_url or None,
        "gsp_group": tariff.gsp_group or None, "valid_from": iso_date(tariff.valid_from),
        "valid_until": iso_date(tariff.valid_until),
        "scheduler_tariff": None,  # the sandbox's tariffs are their own scheduler tariffs
    }
    if detail:
        now = datetime.now(UTC)
        data["current_price"] = prices.price_at(tariff, now) if tariff.current_price is not None else None
        # Prices need tariff:prices:read. Expanded: today's (UTC) 48 half-hours, newest first, as
        # GET /tariffs/{id}/prices serves them (both computed by prices.py).
        if not prices_visible:
            data["prices"] = None
        elif "prices" in expand:
            data["prices"] = prices.prices_of_day(tariff, now.date(), now=now)
        else:
            data["prices"] = f"{base}/tariffs/{tariff.id}/prices"
    return data


def evse_site_json(site: EvseSite, base: str, *, acting_user: User | None = None) -> dict:
    user_connected = None
    if acting_user is not None and site.cpms_connection:
        user_connected = acting_user.evse_site_id == site.id and acting_user.site_connected
    return {
        "id": site.id, "url": f"{base}/evse_sites/{site.id}",
        "evses": [f"{base}/evses/{evse.id}" for evse in site.evses.all()],
        "cpms_connection": site.cpms_connection or None,
        "cpms_connection_display_name": site.cpms_connection_display_name or None,
        "user_connected": user_connected,
    }


def location_json(user: User, base: str, expand: set[str], *, detail: bool) -> dict:
    data: dict = {name: getattr(user, name) or None for name in ADDRESS_TEXT_FIELDS}
    if user.country_code:
        data["country_code"] = user.country_code
    data["coordinates"] = (
        {"latitude": user.latitude, "longitude": user.longitude} if user.latitude is not None else None
    )
    if user.tariff_id is None:
        data["tariff"] = None
    elif "tariff" in expand:
        data["tariff"] = tariff_json(user.tariff, base, sub_expand(expand, "tariff"))
    else:
        data["tariff"] = f"{base}/tariffs/{user.tariff_id}"
    if user.evse_site_id is None:
        data["evse_site"] = None
    elif "evse_site" in expand:
        data["evse_site"] = evse_site_json(user.evse_site, base)
    else:
        data["evse_site"] = f"{base}/evse_sites/{user.evse_site_id}"
    if detail:
        data["current_carbon_intensity_grams_per_kilowatt_hour"] = user.carbon_intensity
    return data


def user_json(user: User, base: str, expand: set[str] = frozenset(), *, detail: bool = False) -> dict:
    """`expand` holds the user expand values ("default_location.tariff", ...)."""
    return {
        "id": user.id,
        "url": f"{base}/users/{user.id}",
        "email": user.email,
        "full_name": user.full_name,
        "joined_at": iso_datetime(user.joined_at),
        "terms_consent_datetime": iso_datetime(user.terms_consent_datetime),
        "default_location": location_json(user, base, sub_expand(expand, "default_location"), detail=detail),
        "vehicles": [f"{base}/vehicles/{vehicle.id}" for vehicle in user.vehicles.all()],
        "evses": [f"{base}/evses/{evse.id}" for evse in user.evses.all()],
    }


def vehicle_json(vehicle: Vehicle, base: str, expand: set[str] = frozenset()) -> dict:
    trim = catalogue.VEHICLE_TRIMS[vehicle.trim_id]
    return {
        "id": vehicle.id,
        "url": f"{base}/vehicles/{vehicle.id}",
        "trim": catalogue.vehicle_trim_json(trim, base, sub_expand(expand, "trim")) if "trim" in expand
        else f"{base}/vehicle_trims/{trim.id}",
        "user": user_json(vehicle.user, base) if "user" in expand else f"{base}/users/{vehicle.user_id}",
        "latest_status_log": None,  # the sandbox records no telemetry
        "charging_sub_sessions": f"{base}/charging_sub_sessions?vehicle_id={vehicle.id}",
        "integrated": vehicle.integrated,
        "battery_size_watt_hours": vehicle.battery_size_watt_hours,
        "effective_battery_size_watt_hours": vehicle.effective_battery_size_watt_hours,
        "maximum_charge_limit_percentage": vehicle.maximum_charge_limit_percentage,
        "description": vehicle.description,
        "disabled": vehicle.disabled,
        "smart_charging_enabled": vehicle.smart_charging_enabled,
        "vehicle_class": vehicle.vehicle_class or None,
    }


def evse_json(evse: Evse, base: str, expand: set[str] = frozenset()) -> dict:
    model = catalogue.EVSE_MODELS[evse.model_id]
    return {
        "id": evse.id,
        "url": f"{base}/evses/{evse.id}",
        "cpid": evse.cpid,
        "model": catalogue.evse_model_json(model, base, sub_expand(expand, "model")) if "model" in expand
        else f"{base}/evse_models/{model.id}",
        "user": user_json(evse.user, base) if "user" in expand else f"{base}/users/{evse.user_id}",
        "latest_status_log": None,
        "ct_clamp": None,
        "lock_mode": evse.lock_mode or None,
        "location": {"latitude": evse.latitude, "longitude": evse.longitude} if evse.latitude is not None else None,
        "lifecycle_state": evse.lifecycle_state or None,
        "charging_sub_sessions": f"{base}/charging_sub_sessions?evse_id={evse.id}",
    }
