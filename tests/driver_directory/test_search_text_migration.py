"""Migration 0005 gives accounts synced before it the unpunctuated copy, so "obrien" finds them
without waiting for the next full sync."""

from importlib import import_module

from django.apps import apps

from evadmin.driver_directory.models import DirectoryAccount
from evadmin.driver_directory.search import directory_search, search_text_for
from tests.driver_directory.factories import ApiUserFactory

migration = import_module("evadmin.driver_directory.migrations.0005_search_text_unpunctuated")


def test_accounts_synced_before_are_found_without_punctuation(store_accounts):
    [user_id] = store_accounts(ApiUserFactory(number=7, email="s.obrien@example.ie", full_name="Siobhán O'Brien",
                                              address_1="3 Quay St", city="Galway", postal_code="H91 X2Y3"))
    account = DirectoryAccount.objects.get(user_id=user_id)
    DirectoryAccount.objects.filter(pk=account.pk).update(  # as the sync wrote it before 0005
        search_text="s.obrien@example.ie siobhán o'brien 3 quay st galway h91 x2y3 h91x2y3")
    assert not directory_search("obrien siobhan").exists()
    migration.recompute(apps, None)
    assert list(directory_search("obrien siobhan").values_list("user_id", flat=True)) == [user_id]
    account.refresh_from_db()
    assert account.search_text == search_text_for(  # the migration's copy of the rule is the rule
        user_id=account.user_id, email=account.email, full_name=account.full_name, address_1=account.address_1,
        address_2=account.address_2, city=account.city, state=account.state, postal_code=account.postal_code)
