"""Directory test data made without the API, for every test package (and bench/) that needs accounts.

- `DirectoryAccountFactory`: a DirectoryAccount row. By default only what bulk checks look at (id,
  email, when synced); `healthy=True` fills in a London driver no audit rule flags.
- `ApiUserFactory`: a User resource as the sandbox lists it, fully expanded; store it with
  `directory_store_users` to get the row a sync would have made (search text included).
- `directory_full_sync()`: the directory filled from the API (the sandbox) by its own full sync, run in
  this process to the end.

They live here, beside the directory's own tests, because the directory owns both shapes: the row
and the API user it is made from (tests mirror evadmin/; bulk and audit_reports read the directory).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory
from django.utils import timezone

from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from evadmin.evenergy.resources import User
from evadmin.evenergy.validation import normalise_email

_BASE = "http://api.test/v2"
_API_JOINED = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
HEALTHY_SINCE = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)  # joined, consented to the terms and synced


class DirectoryAccountFactory(factory.django.DjangoModelFactory):
    """DirectoryAccountFactory(email="a@example.com") or, for audit rules,
    DirectoryAccountFactory(healthy=True, user_id="usr1", postal_code="nope"): healthy but for the overrides."""

    class Meta:
        model = DirectoryAccount

    class Params:
        healthy = factory.Trait(
            full_name="Ada Lovelace", joined_at=HEALTHY_SINCE, terms_consent_at=HEALTHY_SINCE, has_location=True,
            address_1="1 High Street", city="London", postal_code="SW1A 2BD", country_code="GB", latitude=51.5074,
            longitude=-0.1278, tariff_id="tari01", tariff_name="Octopus Go", tariff_currency="GBP",
            supplier_id="supp01", supplier_name="Octopus Energy", vehicle_count=1, evse_count=1,
            synced_at=HEALTHY_SINCE,
        )

    user_id = factory.Sequence(lambda n: f"user{n + 1:026d}")
    email = factory.LazyAttribute(lambda account: f"{account.user_id}@example.com")
    email_normalised = factory.LazyAttribute(lambda account: normalise_email(account.email))  # as a sync stores it
    synced_at = factory.LazyFunction(timezone.now)


def _default_location(user) -> dict | None:
    if not user.location:
        return None
    coordinates = {"latitude": user.coordinates[0], "longitude": user.coordinates[1]} if user.coordinates else None
    location = {
        "address_1": user.address_1, "address_2": user.address_2 or None, "city": user.city, "state": None,
        "postal_code": user.postal_code, "country_code": user.country_code, "coordinates": coordinates,
        "tariff": None, "evse_site": None,
    }
    if user.tariff:
        tariff_id, name, currency = user.tariff
        supplier = {"id": user.supplier[0], "url": f"{_BASE}/suppliers/{user.supplier[0]}", "name": user.supplier[1]} \
            if user.supplier else None
        location["tariff"] = {"id": tariff_id, "url": f"{_BASE}/tariffs/{tariff_id}", "name": name,
                              "currency": currency, "supplier": supplier}
    if user.evse_site:
        location["evse_site"] = {"id": user.evse_site, "url": f"{_BASE}/evse_sites/{user.evse_site}", "evses": []}
    return location


class ApiUserFactory(factory.Factory):
    """ApiUserFactory(number=1, city="Leeds", tariff=(id, name, currency), supplier=(id, name)): an API user
    as the sandbox lists it with everything expanded; ids (and join dates) sort by `number`.

    The keywords are the API's fields (id, email, full_name, ...) and, for the default location, its
    address fields, coordinates, tariff, supplier and evse_site; location=False for none.
    """

    class Meta:
        model = User

    class Params:
        number = factory.Sequence(lambda n: n + 1)
        location = True
        address_1 = "1 High Street"
        address_2 = ""
        city = "London"
        postal_code = "SW1A 1AA"
        country_code = "GB"
        coordinates = (51.5, -0.12)
        tariff = None
        supplier = None
        evse_site = None
        vehicle_count = 0
        evse_count = 0

    id = factory.LazyAttribute(lambda user: f"user01HN{user.number:022d}")
    url = factory.LazyAttribute(lambda user: f"{_BASE}/users/{user.id}")
    email = factory.LazyAttribute(lambda user: f"person{user.number}@example.com")
    full_name = ""
    joined_at = factory.LazyAttribute(lambda user: (_API_JOINED + timedelta(days=user.number)).isoformat())
    terms_consent_datetime = None
    default_location = factory.LazyAttribute(_default_location)
    vehicles = factory.LazyAttribute(lambda user: [f"{_BASE}/vehicles/vhcl{i}" for i in range(user.vehicle_count)])
    evses = factory.LazyAttribute(lambda user: [f"{_BASE}/evses/evse{i}" for i in range(user.evse_count)])

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> User:
        return model_class.from_api(kwargs)  # the JSON the API answers, read as evadmin reads it

    _build = _create


def directory_full_sync() -> DirectorySync:
    """Fill the directory from the API with the directory's own full sync, run in this process."""
    from evadmin.driver_directory.sync import directory_sync_step  # the sync imports the API client: only when used

    progress = directory_sync_step(kind=DirectorySync.Kind.FULL)
    for _ in range(100):  # 250 sandbox users are 3 pages: one step normally finishes
        if progress.finished:
            break
        assert not progress.busy and progress.resume_in < 5, progress
        progress = directory_sync_step(kind=progress.kind, sync_id=progress.sync_id)
    sync = DirectorySync.objects.get(pk=progress.sync_id)
    assert sync.status == DirectorySync.Status.COMPLETE, sync.error
    return sync
