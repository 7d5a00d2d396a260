"""evadmin's own writes reach the directory at once, without an extra API request."""

import pytest
from django.db import DatabaseError

from evadmin.driver_directory import services
from evadmin.driver_directory.models import DirectoryAccount
from evadmin.driver_directory.services import directory_upsert_user
from evadmin.driver_directory.sync import directory_sync_step
from evadmin.drivers.services import user_clear_address, user_create, user_update
from evadmin.evenergy.client import build_client
from tests.conftest import sent
from tests.driver_directory.factories import ApiUserFactory

NEW_ADDRESS = {"address_1": "221B Baker Street", "address_2": None, "city": "London", "state": None,
               "postal_code": "NW1 6XE", "country_code": "GB", "coordinates": None, "tariff": None, "evse_site": None}


@pytest.fixture
def staff(staff_factory):
    return staff_factory("support")


def test_a_user_created_through_evadmin_is_searchable_at_once(directory_api, staff):
    directory_sync_step(kind="full")
    directory_api.reset()
    user = user_create(email="brand.new@example.com", location=NEW_ADDRESS, actor=staff)

    account = DirectoryAccount.objects.get(user_id=user.id)
    assert (account.email, account.postal_code, account.has_location) == ("brand.new@example.com", "NW1 6XE", True)
    assert "nw16xe" in account.search_text
    # create = look up the email, POST, read back expanded: the directory costs nothing more
    assert [(e["method"], e["path"]) for e in sent(directory_api)] == [
        ("GET", "/v2/users"), ("POST", "/v2/users"), ("GET", f"/v2/users/{user.id}")]


def test_an_edit_through_the_users_service_updates_the_directory_at_once(directory_api, staff):
    directory_sync_step(kind="full")
    user = next(u for u in build_client().users.list(page_size=100, expand=("default_location.tariff",)).items
                if u.default_location and u.default_location.tariff)
    directory_api.reset()

    updated = user_update(user_id=user.id, email="renamed@example.com", location=NEW_ADDRESS,
                          seen_fingerprint=user.fingerprint, actor=staff)

    account = DirectoryAccount.objects.get(user_id=user.id)
    assert (account.email, account.city, account.postal_code) == ("renamed@example.com", "London", "NW1 6XE")
    assert account.tariff_id == "" and account.tariff_name == ""  # the edit removed the tariff
    assert account.email_normalised == "renamed@example.com"
    assert [(e["method"], e["path"]) for e in sent(directory_api)] == [
        ("GET", f"/v2/users/{user.id}"), ("PATCH", f"/v2/users/{user.id}")]

    user_clear_address(user_id=user.id, seen_fingerprint=updated.fingerprint, actor=staff)
    account.refresh_from_db()
    assert not account.has_location and account.postal_code == "" and account.city == ""


def test_a_database_failure_in_the_directory_does_not_fail_the_api_write(db, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "directory_store_users", broken)
    directory_upsert_user(ApiUserFactory(number=1))  # logged, not raised: the next sync repairs the row
    assert "the next sync will" in caplog.text


def test_upsert_replaces_every_field_and_brings_a_gone_account_back(store_accounts):
    [user_id] = store_accounts(ApiUserFactory(number=1, full_name="Old Name", postal_code="LS6 2AB"))
    DirectoryAccount.objects.filter(user_id=user_id).update(gone_at="2025-01-01T00:00:00Z")
    directory_upsert_user(ApiUserFactory(number=1, full_name="New Name", postal_code="M1 1AA", vehicle_count=2))
    account = DirectoryAccount.objects.get(user_id=user_id)
    assert (account.full_name, account.postal_code, account.vehicle_count, account.gone_at) == (
        "New Name", "M1 1AA", 2, None)
    assert "ls6" not in account.search_text and "m11aa" in account.search_text
    assert DirectoryAccount.objects.count() == 1


def test_a_value_longer_than_its_column_is_cut_to_fit_and_still_found(store_accounts):
    # The API caps no length: on PostgreSQL one overlong value used to fail the whole sync.
    long_name = "Bartholomew " + "x" * 5000
    [user_id] = store_accounts(ApiUserFactory(number=1, full_name=long_name, address_1="9 " + "Long Road " * 100))
    account = DirectoryAccount.objects.get(user_id=user_id)
    assert len(account.full_name) == DirectoryAccount._meta.get_field("full_name").max_length
    assert account.full_name.startswith("Bartholomew xxx") and account.full_name.endswith("…")
    assert len(account.address_1) == DirectoryAccount._meta.get_field("address_1").max_length
    assert long_name.lower() in account.search_text
