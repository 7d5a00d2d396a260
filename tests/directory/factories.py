"""Directory test data made without the API: users shaped as the API lists them, fully expanded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evadmin.evenergy.resources import User

_BASE = "http://api.test/v2"
_JOINED = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


def api_user(number: int, *, email: str | None = None, full_name: str = "", address_1: str = "1 High Street",
             address_2: str = "", city: str = "London", postal_code: str = "SW1A 1AA", country_code: str = "GB",
             coordinates: tuple[float, float] | None = (51.5, -0.12), tariff: tuple[str, str, str] | None = None,
             supplier: tuple[str, str] | None = None, evse_site: str | None = None, location: bool = True,
             vehicles: int = 0, evses: int = 0, user_id: str | None = None) -> User:
    """An API user as the sandbox lists it with everything expanded; ids sort by `number`.

    tariff is (id, name, currency) and supplier (id, name).
    """
    user_id = user_id or f"user01HN{number:022d}"
    default_location = None
    if location:
        default_location = {
            "address_1": address_1, "address_2": address_2 or None, "city": city, "state": None,
            "postal_code": postal_code, "country_code": country_code,
            "coordinates": {"latitude": coordinates[0], "longitude": coordinates[1]} if coordinates else None,
            "tariff": None, "evse_site": None,
        }
        if tariff:
            supplier_json = {"id": supplier[0], "url": f"{_BASE}/suppliers/{supplier[0]}", "name": supplier[1]} \
                if supplier else None
            default_location["tariff"] = {"id": tariff[0], "url": f"{_BASE}/tariffs/{tariff[0]}", "name": tariff[1],
                                          "currency": tariff[2], "supplier": supplier_json}
        if evse_site:
            default_location["evse_site"] = {"id": evse_site, "url": f"{_BASE}/evse_sites/{evse_site}", "evses": []}
    return User.from_api({
        "id": user_id, "url": f"{_BASE}/users/{user_id}", "email": email or f"person{number}@example.com",
        "full_name": full_name, "joined_at": (_JOINED + timedelta(days=number)).isoformat(),
        "terms_consent_datetime": None, "default_location": default_location,
        "vehicles": [f"{_BASE}/vehicles/vhcl{i}" for i in range(vehicles)],
        "evses": [f"{_BASE}/evses/evse{i}" for i in range(evses)],
    })
