"""directory_search: free text, each filter, sorting."""

import pytest
from django.utils import timezone

from evadmin.driver_directory.models import DirectoryAccount
from evadmin.driver_directory.search import DirectoryFilters, directory_search, search_text_for
from tests.driver_directory.factories import ApiUserFactory

OCTOPUS = ("supl01HN0000000000000000000001", "Octopus Energy")
EDF = ("supl01HN0000000000000000000002", "EDF")
AGILE = ("tari01HN0000000000000000000001", "Agile Octopus", "GBP")
GO = ("tari01HN0000000000000000000002", "Intelligent Go", "GBP")
TEMPO = ("tari01HN0000000000000000000003", "Tempo", "EUR")
SITE = "site01HN0000000000000000000001"


@pytest.fixture
def accounts(store_accounts):
    """Five accounts with just enough variety; ids sort 1..5."""
    return dict(zip(("ada", "zoe", "jean", "nolocation", "notariff"), store_accounts(
        ApiUserFactory(number=1, email="Ada.Lovelace@Example.com", full_name="Ada Lovelace",
                       address_1="12 Church Lane", city="London", postal_code="SW1A 1AA", tariff=AGILE,
                       supplier=OCTOPUS, vehicle_count=2, evse_count=1),
        ApiUserFactory(number=2, email="zoe.mueller@example.org", full_name="Zoë Müller", address_1="4 Mill Lane",
                       address_2="Flat 3", city="Manchester", postal_code="M14 5TQ", tariff=GO, supplier=OCTOPUS,
                       evse_site=SITE, coordinates=(53.48, -2.24)),
        ApiUserFactory(number=3, email="jean@example.fr", full_name="Jean Dupont", address_1="8 rue de la Paix",
                       city="Paris", postal_code="75002", country_code="FR", tariff=TEMPO, supplier=EDF,
                       coordinates=(48.87, 2.33), vehicle_count=1),
        ApiUserFactory(number=4, email="nobody@example.net", full_name="Noor Khan", location=False),
        ApiUserFactory(number=5, email="sam@example.com", full_name="Sam O'Brien-Smith", address_1="1 Station Road",
                       city="Leeds", postal_code="LS6 2AB", coordinates=(53.8, -1.55)),
    ), strict=True))


def ids(queryset):
    return list(queryset.values_list("user_id", flat=True))


def found(accounts, query="", order="", **filters):
    by_id = {v: k for k, v in accounts.items()}
    return [by_id[user_id] for user_id in ids(directory_search(query, DirectoryFilters(**filters), order))]


@pytest.mark.parametrize(("query", "expected"), [
    ("lovelace", ["ada"]),  # name fragment
    ("ADA LOVE", ["ada"]),  # several fragments, any case
    ("muller", ["zoe"]),  # without the accents
    ("Müller", ["zoe"]),  # with them
    ("sw1a1aa", ["ada"]),  # postcode without its space
    ("sw1a 1aa", ["ada"]),  # with it
    ("m14 5tq", ["zoe"]),
    ("ls62ab", ["notariff"]),
    ("mueller@exa", ["zoe"]),  # email fragment
    ("example.org", ["zoe"]),
    ("manchester", ["zoe"]),  # city
    ("mill lane", ["zoe"]),  # address
    ("flat 3", ["zoe"]),  # address line 2
    ("lane", ["ada", "zoe"]),
    ("", ["ada", "zoe", "jean", "nolocation", "notariff"]),
    ("nothing-like-this", []),
    ("obrien", ["notariff"]),  # without the apostrophe, as people type it
    ("o'brien", ["notariff"]),  # with it
    ("o’brien", ["notariff"]),  # with a typographic one
    ("obriensmith", ["notariff"]),  # without the hyphen
    ("o'brien-smith", ["notariff"]),
    ("' -", ["ada", "zoe", "jean", "nolocation", "notariff"]),  # punctuation alone narrows nothing
])
def test_free_text(accounts, query, expected):
    assert found(accounts, query) == expected


def test_search_by_user_id(accounts):
    assert found(accounts, accounts["jean"]) == ["jean"]
    assert found(accounts, accounts["jean"].lower()) == ["jean"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"country": "GB"}, ["ada", "zoe", "notariff"]),
    ({"country": "fr"}, ["jean"]),
    ({"tariff": AGILE[0]}, ["ada"]),
    ({"supplier": OCTOPUS[0]}, ["ada", "zoe"]),
    ({"evse_site": SITE}, ["zoe"]),
    ({"no_location": True}, ["nolocation"]),
    ({"no_tariff": True}, ["nolocation", "notariff"]),
    ({"country": "GB", "supplier": OCTOPUS[0], "no_tariff": True}, []),
])
def test_filters(accounts, filters, expected):
    assert found(accounts, **filters) == expected


def test_filters_combine_with_free_text(accounts):
    assert found(accounts, "lane", supplier=OCTOPUS[0], evse_site=SITE) == ["zoe"]


@pytest.mark.parametrize(("order", "expected"), [
    ("full_name", ["ada", "jean", "nolocation", "notariff", "zoe"]),
    ("-full_name", ["zoe", "notariff", "nolocation", "jean", "ada"]),
    ("email", ["ada", "jean", "nolocation", "notariff", "zoe"]),
    ("postcode", ["nolocation", "jean", "notariff", "zoe", "ada"]),
    ("city", ["nolocation", "notariff", "ada", "zoe", "jean"]),
    ("-country", ["notariff", "zoe", "ada", "jean", "nolocation"]),  # ties: newest first too
    ("tariff", ["nolocation", "notariff", "ada", "zoe", "jean"]),
    ("supplier", ["nolocation", "notariff", "jean", "ada", "zoe"]),
    ("-vehicles", ["ada", "jean", "notariff", "nolocation", "zoe"]),
    ("-chargers", ["ada", "notariff", "nolocation", "jean", "zoe"]),
    ("-joined", ["notariff", "nolocation", "jean", "zoe", "ada"]),
    ("no-such-column", ["ada", "zoe", "jean", "nolocation", "notariff"]),
])
def test_sorting(accounts, order, expected):
    assert found(accounts, order=order) == expected


def test_gone_accounts_are_left_out_unless_asked_for(accounts):
    DirectoryAccount.objects.filter(user_id=accounts["notariff"]).update(gone_at=timezone.now())
    assert "notariff" not in found(accounts)
    assert "notariff" in found(accounts, include_gone=True)


def test_search_text_holds_every_searchable_field_lower_cased():
    text = search_text_for(user_id="user01ABC", email="A.B@Example.com", full_name="Zoë Ünal", address_1="1 High St",
                           city="Leeds", postal_code="LS6 2AB")
    for part in ("user01abc", "a.b@example.com", "zoë ünal", "zoe unal", "1 high st", "leeds", "ls6 2ab", "ls62ab"):
        assert part in text


def test_invisible_characters_do_not_hide_an_account(store_accounts):
    # A zero-width space or a direction override pasted into a name must not hide it from "zoe".
    [user_id] = store_accounts(ApiUserFactory(number=1, full_name="Zo\u200be Ma\u202erks"))
    found = directory_search(query="zoe", filters=DirectoryFilters())
    assert [account.user_id for account in found] == [user_id]
