"""The API client against the sandbox over real HTTP: pagination, expand, filters, writes, errors."""

from urllib.parse import parse_qs

import pytest

from evadmin.evenergy import errors
from evadmin.evenergy.client import UsersApi
from evadmin.evenergy.collections import EVSES, VEHICLES
from tests.conftest import sent

SEEDED_USERS = 250


def test_every_request_carries_version_and_bearer_token(api, sandbox_api):
    api.users.list(page_size=1)
    [entry] = sent(sandbox_api, "GET", "/v2/users")
    assert entry["authorization_present"]
    assert entry["version_header"] == "2"


def test_pages_walk_all_250_users_at_100_a_page_one_request_each(api, sandbox_api):
    pages = list(api.users.pages(page_size=100))

    assert [len(page) for page in pages] == [100, 100, 50]
    ids = [user.id for page in pages for user in page]
    assert len(set(ids)) == SEEDED_USERS
    assert ids == sorted(ids)  # ULIDs: creation order
    assert len(sent(sandbox_api, "GET", "/v2/users")) == 3


def test_previous_cursor_returns_to_the_page_before(api):
    first = api.users.list(page_size=10)
    second = api.users.list(page_size=10, page_after=first.next_cursor)
    back = api.users.list(page_size=10, page_before=second.previous_cursor)

    assert not first.has_previous
    assert [u.id for u in back] == [u.id for u in first]
    assert {u.id for u in second}.isdisjoint(u.id for u in first)


def test_expand_inlines_tariff_supplier_and_site_in_one_request(api, sandbox_api):
    page = api.users.list(page_size=100, expand=UsersApi.FULL_EXPAND)

    with_tariff = [u for u in page if u.default_location and u.default_location.tariff_url]
    assert with_tariff, "the seed gives most users a tariff"
    for user in with_tariff:
        tariff = user.default_location.tariff
        assert tariff is not None and tariff.name and tariff.currency
        assert tariff.supplier is not None and tariff.supplier.name
    [entry] = sent(sandbox_api, "GET", "/v2/users")
    assert parse_qs(entry["query"])["expand"] == list(UsersApi.FULL_EXPAND)


def test_without_expand_related_resources_are_urls(api):
    user = next(u for u in api.users.list(page_size=50) if u.default_location and u.default_location.tariff_url)
    assert user.default_location.tariff is None
    assert user.default_location.tariff_id.startswith("tari")


def test_email_filter_ignores_case(api):
    someone = api.users.list(page_size=5).items[3]
    found = api.users.find_by_email(someone.email.upper())
    assert someone.id in [u.id for u in found]
    assert all(u.email.lower() == someone.email.lower() for u in found)


def test_retrieve_gives_the_single_user_location_detail(api):
    listed = next(u for u in api.users.list(page_size=50) if u.default_location and u.default_location.has_address)
    user = api.users.get(listed.id, expand=["default_location.tariff"])
    assert user.email == listed.email
    assert "current_carbon_intensity_grams_per_kilowatt_hour" in user.raw["default_location"]


def test_unknown_user_is_not_found(api):
    with pytest.raises(errors.NotFound):
        api.users.get("user" + "0" * 26)


def test_malformed_id_never_reaches_the_api(api, sandbox_api):
    with pytest.raises(errors.NotFound):
        api.users.get("../tariffs")
    assert sent(sandbox_api) == []


def test_create_returns_the_new_user(api):
    user = api.users.create(
        email="new.driver@example.com",
        default_location={"address_1": "1 High Street", "city": "Bristol", "postal_code": "BS1 4DJ", "country_code": "GB"},
    )
    assert user.id.startswith("user")
    assert user.default_location.city == "Bristol"
    assert api.users.get(user.id).email == "new.driver@example.com"


@pytest.mark.sends_invalid_data
def test_partial_address_is_rejected_with_errors_on_the_fields(api, sandbox_api):
    with pytest.raises(errors.ValidationFailed) as caught:
        api.users.create(email="partial@example.com", default_location={"city": "Leeds"})

    fields = caught.value.field_errors
    for missing in ("address_1", "postal_code", "country_code"):
        assert any(key.endswith(missing) for key in fields), fields
    assert caught.value.status == 400
    assert len(sent(sandbox_api, "POST", "/v2/users")) == 1


@pytest.mark.sends_invalid_data
def test_invalid_email_is_a_field_error(api):
    with pytest.raises(errors.ValidationFailed) as caught:
        api.users.create(email="not-an-email")
    assert "email" in caught.value.field_errors


def test_patch_changes_only_what_is_sent(api):
    user = next(u for u in api.users.list(page_size=50) if u.default_location and u.default_location.has_address)
    location = user.default_location
    # The address rule needs its four required fields beside any address field sent.
    changes = {"address_1": location.address_1, "city": "Cardiff", "postal_code": location.postal_code,
               "country_code": location.country_code}
    updated = api.users.update(user.id, changes={"default_location": changes})
    assert updated.default_location.city == "Cardiff"
    assert updated.default_location.address_1 == user.default_location.address_1
    assert updated.email == user.email


def test_patch_with_explicit_nulls_clears_the_address(api):
    user = next(u for u in api.users.list(page_size=50) if u.default_location and u.default_location.has_address)
    nulls = dict.fromkeys(("address_1", "address_2", "city", "state", "postal_code", "country_code", "coordinates"))
    cleared = api.users.update(user.id, changes={"default_location": nulls})
    assert not cleared.default_location.has_address
    assert not api.users.get(user.id).default_location.has_address


@pytest.mark.sends_invalid_data
def test_patch_validation_errors_are_mapped_to_fields(api):
    user = next(u for u in api.users.list(page_size=50) if u.default_location and u.default_location.has_address)
    with pytest.raises(errors.ValidationFailed) as caught:
        api.users.update(user.id, changes={"default_location": {"postal_code": None}})
    assert any(key.endswith("postal_code") for key in caught.value.field_errors)


def test_tariffs_are_paged_by_number_with_suppliers(api, sandbox_api):
    tariffs = api.tariffs.all()
    assert tariffs and all(t.supplier and t.supplier.name for t in tariffs)
    first = api.tariffs.list(page=1, page_size=2)
    assert first.next_number == 2 and first.previous_number is None
    supplier_id = tariffs[0].supplier.id
    assert all(t.supplier_id == supplier_id for t in api.tariffs.list(supplier=supplier_id, page_size=100))


def test_missing_tariff_page_is_not_found(api):
    with pytest.raises(errors.NotFound):
        api.tariffs.list(page=999)


def test_suppliers_and_evse_sites(api):
    suppliers = api.suppliers.all()
    assert suppliers and api.suppliers.get(suppliers[0].id).name == suppliers[0].name
    sites = api.evse_sites.all()
    assert sites and api.evse_sites.get(sites[0].id).id == sites[0].id


def test_a_users_vehicles_and_chargers_in_one_request_each(api, sandbox_api):
    user = next(u for u in api.users.list(page_size=100) if u.vehicle_urls and u.evse_urls)
    sandbox_api.reset()
    vehicles = api.collection(VEHICLES).list(user=user.id)
    evses = api.collection(EVSES).list(user=user.id)

    assert {v.url for v in vehicles} == set(user.vehicle_urls)
    assert {e.url for e in evses} == set(user.evse_urls)
    assert all(v.make and v.model for v in vehicles)
    requests = sent(sandbox_api)
    assert len(requests) == 2
    assert all(entry["user_header"] == user.id for entry in requests)


def test_next_cursor_is_the_last_id_of_the_page(api):
    page = api.users.list(page_size=7)
    assert page.next_cursor == page.items[-1].id
    assert api.users.list(page_size=1, page_after=page.next_cursor).items[0].id > page.items[-1].id
