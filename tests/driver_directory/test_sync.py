"""Syncing the directory from the sandbox API: cost, incremental fetches, gone accounts."""

from urllib.parse import parse_qs

from django.utils import timezone

from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from evadmin.driver_directory.sync import directory_sync_step
from evadmin.evenergy.client import build_client
from tests.conftest import sent
from tests.driver_directory.conftest import BIG_SANDBOX_USERS
from tests.driver_directory.factories import ApiUserFactory


def user_pages(sandbox):
    """The /v2/users requests the sandbox answered since its last reset, as parsed queries."""
    return [parse_qs(entry["query"]) for entry in sent(sandbox, "GET", "/v2/users")]


def run_to_completion(kind: str):
    progress = directory_sync_step(kind=kind)
    assert progress.finished and not progress.busy, progress
    return DirectorySync.objects.get(pk=progress.sync_id)


def test_a_full_sync_of_2500_users_costs_25_requests(big_api):
    sync = run_to_completion("full")

    pages = user_pages(big_api)
    assert len(pages) == BIG_SANDBOX_USERS // 100 == 25
    assert all(page["page_size"] == ["100"] for page in pages)
    assert sorted(pages[0]["expand"]) == sorted(
        ["default_location.tariff", "default_location.tariff.supplier", "default_location.evse_site"])
    assert "page_after" not in pages[0]
    assert DirectoryAccount.objects.count() == BIG_SANDBOX_USERS
    assert (sync.status, sync.kind, sync.requests_spent, sync.accounts_seen) == ("complete", "full", 25, 2500)
    assert sync.cursor == DirectoryAccount.objects.order_by("-user_id").first().user_id


def test_synced_accounts_carry_location_tariff_supplier_and_site(directory_api):
    run_to_completion("full")
    listed = [user for page in build_client().users.pages(expand=("default_location.tariff",
                                                                   "default_location.tariff.supplier",
                                                                   "default_location.evse_site")) for user in page]
    with_site = next(u for u in listed if u.default_location and u.default_location.evse_site_id)
    account = DirectoryAccount.objects.get(user_id=with_site.id)
    location = with_site.default_location
    assert (account.email, account.full_name, account.postal_code, account.country_code) == (
        with_site.email, with_site.full_name, location.postal_code, location.country_code)
    assert account.evse_site_id == location.evse_site_id
    assert account.latitude == location.coordinates.latitude
    if location.tariff:
        assert (account.tariff_id, account.tariff_name, account.tariff_currency) == (
            location.tariff.id, location.tariff.name, location.tariff.currency)
        assert (account.supplier_id, account.supplier_name) == (location.tariff.supplier.id, location.tariff.supplier.name)
    assert account.vehicle_count == len(with_site.vehicle_urls)
    assert account.evse_count == len(with_site.evse_urls)
    without = [u for u in listed if not (u.default_location and u.default_location.has_address)]
    assert without, "the seed always has accounts without a location"
    assert set(DirectoryAccount.objects.filter(has_location=False).values_list("user_id", flat=True)) == {
        u.id for u in without}


def test_an_incremental_sync_fetches_only_new_accounts(directory_api):
    full = run_to_completion("full")
    before = dict(DirectoryAccount.objects.values_list("user_id", "synced_at"))
    client = build_client()
    created = [client.users.create(email=f"new-driver-{n}@example.com") for n in range(3)]
    directory_api.reset()  # count only what the sync sends

    sync = run_to_completion("incremental")

    [page] = user_pages(directory_api)
    assert page["page_after"] == [full.cursor]
    assert sync.kind == "incremental" and sync.requests_spent == 1 and sync.accounts_seen == 3
    assert sync.cursor == created[-1].id
    new = DirectoryAccount.objects.exclude(user_id__in=before)
    assert sorted(new.values_list("email", flat=True)) == sorted(user.email for user in created)
    unchanged = dict(DirectoryAccount.objects.filter(user_id__in=before).values_list("user_id", "synced_at"))
    assert unchanged == before  # nothing already known was fetched again


def test_an_incremental_sync_with_nothing_new_costs_one_request(directory_api):
    full = run_to_completion("full")
    directory_api.reset()
    sync = run_to_completion("incremental")
    assert [page["page_after"] for page in user_pages(directory_api)] == [[full.cursor]]
    assert (sync.accounts_seen, sync.cursor) == (0, full.cursor)


def test_the_first_sync_is_full_even_when_asked_for_an_incremental_one(directory_api):
    sync = run_to_completion("incremental")
    assert sync.kind == "full"
    assert DirectoryAccount.objects.count() == 250


def test_a_complete_full_sync_marks_accounts_it_no_longer_finds_as_gone(directory_api, store_accounts):
    [deleted] = store_accounts(ApiUserFactory(number=1, email="deleted@example.com"))  # an id the API doesn't have
    run_to_completion("full")
    gone = DirectoryAccount.objects.get(user_id=deleted)
    assert gone.gone_at is not None
    assert DirectoryAccount.objects.filter(gone_at__isnull=True).count() == 250
    assert DirectoryAccount.objects.count() == 251  # marked, not deleted

    # An incremental sync sees only new accounts, so it can't tell who is gone.
    DirectoryAccount.objects.filter(user_id=deleted).update(gone_at=None)
    run_to_completion("incremental")
    assert DirectoryAccount.objects.get(user_id=deleted).gone_at is None


def test_an_account_listed_again_is_no_longer_gone(directory_api):
    run_to_completion("full")
    account = DirectoryAccount.objects.order_by("user_id")[10]
    DirectoryAccount.objects.filter(pk=account.pk).update(gone_at=timezone.now())
    run_to_completion("full")
    assert DirectoryAccount.objects.get(pk=account.pk).gone_at is None
