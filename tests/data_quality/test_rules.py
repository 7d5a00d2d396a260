"""Each audit rule on hand-made directory rows: what it flags, and what it must leave alone."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from evadmin.data_quality import rules
from evadmin.data_quality.rules import Severity, all_rules, audit_rule, get_rule
from evadmin.data_quality.selectors import directory_accounts_audited
from evadmin.driver_directory.models import DirectoryAccount

pytestmark = pytest.mark.django_db


def flagged(rule_name: str) -> dict[str, str]:
    """{user id: detail} for what the rule finds in the directory."""
    return {finding.user_id: finding.detail for finding in get_rule(rule_name).check(directory_accounts_audited())}


def test_the_registry_holds_every_rule_of_the_issue_with_an_explanation_and_severity():
    names = [rule.name for rule in all_rules()]
    assert names == [
        "no_default_location", "no_tariff", "no_terms_consent", "duplicate_email", "no_devices",
        "coordinates_outside_country", "postcode_format", "tariff_currency_mismatch",
    ]
    for rule in all_rules():
        assert rule.title and len(rule.explanation) > 40 and rule.severity in Severity


def test_a_healthy_account_is_flagged_by_no_rule(make_account):
    make_account("usr-ok")
    assert {rule.name: flagged(rule.name) for rule in all_rules()} == {rule.name: {} for rule in all_rules()}


def test_accounts_marked_gone_are_not_audited(make_account):
    from django.utils import timezone

    make_account("usr-gone", has_location=False, gone_at=timezone.now())
    assert flagged("no_default_location") == {}


def test_adding_a_rule_is_adding_one_function(make_account, monkeypatch):
    monkeypatch.setattr(rules, "_REGISTRY", dict(rules._REGISTRY))  # undone after the test
    make_account("usr-nameless", full_name="")

    @audit_rule(name="no_full_name", title="No name", severity=Severity.NOTICE)
    def no_full_name(accounts):
        """The account has no name, so support cannot greet the driver by name on the phone."""
        return rules.findings_from(accounts.filter(full_name=""), "No full name")

    assert get_rule("no_full_name").explanation.startswith("The account has no name")
    assert flagged("no_full_name") == {"usr-nameless": "No full name"}
    assert all_rules()[-1].name == "no_full_name"


def test_a_rule_needs_a_unique_name_and_an_explanation(monkeypatch):
    monkeypatch.setattr(rules, "_REGISTRY", dict(rules._REGISTRY))
    with pytest.raises(ImproperlyConfigured, match="Two audit rules"):
        audit_rule(name="no_tariff", title="Again", severity=Severity.ERROR)(lambda accounts: [])
    with pytest.raises(ImproperlyConfigured, match="docstring"):
        audit_rule(name="undocumented", title="?", severity=Severity.ERROR)(lambda accounts: [])


def test_no_default_location(make_account):
    make_account("usr-none", has_location=False, address_1="", city="", postal_code="", country_code="",
                 latitude=None, longitude=None, tariff_id="", tariff_currency="")
    make_account("usr-ok")
    assert set(flagged("no_default_location")) == {"usr-none"}


def test_no_tariff_flags_located_accounts_only(make_account):
    make_account("usr-no-tariff", tariff_id="", tariff_name="", tariff_currency="")
    make_account("usr-no-location", has_location=False, tariff_id="", tariff_currency="")  # the other rule's
    make_account("usr-ok")
    assert flagged("no_tariff") == {"usr-no-tariff": "Location has no tariff"}


def test_no_terms_consent(make_account):
    make_account("usr-no-consent", terms_consent_at=None)
    make_account("usr-ok")
    assert set(flagged("no_terms_consent")) == {"usr-no-consent"}


def test_duplicate_email_ignores_case_and_lists_every_account_of_the_group(make_account):
    make_account("usr-a", email="Ada@Example.com")
    make_account("usr-b", email="ada@example.com")
    make_account("usr-c", email="ADA@EXAMPLE.COM ")
    make_account("usr-d", email="grace@example.com")
    make_account("usr-e", email="", email_normalised="")  # no email is not a shared email
    make_account("usr-f", email="", email_normalised="")
    found = flagged("duplicate_email")
    assert set(found) == {"usr-a", "usr-b", "usr-c"}
    assert found["usr-a"] == "Same email as usr-b, usr-c"


def test_duplicate_email_detail_names_a_few_and_counts_the_rest(make_account):
    for index in range(8):
        make_account(f"usr-{index}", email="shared@example.com")
    assert flagged("duplicate_email")["usr-0"] == "Same email as usr-1, usr-2, usr-3, usr-4, usr-5 and 2 more"


def test_duplicate_email_skips_a_gone_twin(make_account):
    from django.utils import timezone

    make_account("usr-a", email="ada@example.com")
    make_account("usr-b", email="Ada@example.com", gone_at=timezone.now())
    assert flagged("duplicate_email") == {}


@pytest.mark.parametrize(("vehicles", "evses", "expected"), [(0, 0, True), (1, 0, False), (0, 2, False)])
def test_no_devices(make_account, vehicles, evses, expected):
    make_account("usr-x", vehicle_count=vehicles, evse_count=evses)
    assert ("usr-x" in flagged("no_devices")) is expected


@pytest.mark.parametrize(("country", "latitude", "longitude", "outside"), [
    ("GB", 51.5074, -0.1278, False),  # London
    ("GB", 40.7128, -74.0060, True),  # New York
    ("US", 30.2672, -97.7431, False),  # Austin
    ("US", 61.2181, -149.9003, False),  # Anchorage: Alaska's box
    ("US", 21.3069, -157.8583, False),  # Honolulu: Hawaii's box
    ("US", 48.8566, 2.3522, True),  # Paris
    ("CA", 49.2827, -123.1207, False),  # Vancouver
    ("CA", 52.5200, 13.4050, True),  # Berlin
    ("DE", 52.5200, 13.4050, False),
    ("DE", 39.7392, -104.9903, True),  # Denver
    ("FR", 42.6977, 9.4508, False),  # Bastia, Corsica
    ("FR", 33.7490, -84.3880, True),  # Atlanta
    ("ES", 28.1235, -15.4363, False),  # Las Palmas: the Canaries' box
    ("ES", 45.5017, -73.5673, True),  # Montréal
    ("NL", 53.2194, 6.5665, False),  # Groningen
    ("NL", 0.0, 0.0, True),  # "null island", a classic geocoder failure
    ("IE", 51.8985, -8.4756, False),  # Cork
    ("IE", 47.6062, -122.3321, True),  # Seattle
])
def test_coordinates_outside_country(make_account, country, latitude, longitude, outside):
    make_account("usr-x", country_code=country, latitude=latitude, longitude=longitude)
    assert ("usr-x" in flagged("coordinates_outside_country")) is outside


def test_coordinates_unchecked_without_coordinates_or_a_known_country(make_account):
    make_account("usr-no-coordinates", latitude=None, longitude=None)
    make_account("usr-elsewhere", country_code="JP", latitude=51.5, longitude=-0.1)  # no box for Japan
    assert flagged("coordinates_outside_country") == {}


def test_coordinates_detail_names_the_place_and_the_country(make_account):
    make_account("usr-x", latitude=40.7128, longitude=-74.006)
    assert flagged("coordinates_outside_country") == {"usr-x": "40.7128, -74.0060 is outside GB"}


@pytest.mark.parametrize(("country", "postcode", "valid"), [
    ("GB", "SW1A 2BD", True), ("GB", "M1 1AE", True), ("GB", "sw1a2bd", True), ("GB", "CF10 1EP", True),
    ("GB", "SW1A 2", False), ("GB", "SW1A 2BD7", False), ("GB", "12345", False), ("GB", "", False),
    ("US", "78701", True), ("US", "78701-1234", True), ("US", "7870", False), ("US", "787017", False),
    ("US", "SW1A 2BD", False),
    ("CA", "M5V 3L9", True), ("CA", "m5v3l9", True), ("CA", "M5V 3", False), ("CA", "D5V 3L9", False),
    ("DE", "10115", True), ("DE", "1011", False), ("DE", "101155", False),
    ("FR", "75001", True), ("FR", "7500", False),
    ("ES", "28013", True), ("ES", "08001", True), ("ES", "53001", False), ("ES", "2801", False),
    ("NL", "1012 AB", True), ("NL", "1012AB", True), ("NL", "1012 SA", False), ("NL", "0123 AB", False),
    ("NL", "1012", False),
    ("IE", "D02 X285", True), ("IE", "D6W 1234", True), ("IE", "T12 AC3F", True), ("IE", "D02 X2", False),
    ("IE", "B02 X285", False),
])
def test_postcode_format(make_account, country, postcode, valid):
    make_account("usr-x", country_code=country, postal_code=postcode)
    assert ("usr-x" not in flagged("postcode_format")) is valid


def test_postcode_unchecked_without_location_or_a_known_format(make_account):
    make_account("usr-no-location", has_location=False, postal_code="", country_code="")
    make_account("usr-japan", country_code="JP", postal_code="100-0001")
    assert flagged("postcode_format") == {}


def test_postcode_detail_quotes_it(make_account):
    make_account("usr-x", postal_code="SW1A 2")
    assert flagged("postcode_format") == {"usr-x": "“SW1A 2” is not a GB postcode"}


@pytest.mark.parametrize(("country", "currency", "mismatch"), [
    ("GB", "GBP", False), ("GB", "EUR", True), ("US", "USD", False), ("US", "CAD", True),
    ("CA", "CAD", False), ("CA", "USD", True), ("DE", "EUR", False), ("FR", "EUR", False),
    ("ES", "EUR", False), ("NL", "EUR", False), ("IE", "EUR", False), ("IE", "GBP", True),
])
def test_tariff_currency_mismatch(make_account, country, currency, mismatch):
    make_account("usr-x", country_code=country, tariff_currency=currency)
    assert ("usr-x" in flagged("tariff_currency_mismatch")) is mismatch


def test_tariff_currency_unchecked_without_a_tariff_or_a_known_country(make_account):
    make_account("usr-no-tariff", tariff_id="", tariff_currency="")
    make_account("usr-japan", country_code="JP", tariff_currency="EUR")
    assert flagged("tariff_currency_mismatch") == {}


def test_tariff_currency_detail_says_what_was_expected(make_account):
    make_account("usr-x", tariff_name="Tarif Bleu", tariff_currency="EUR")
    assert flagged("tariff_currency_mismatch") == {"usr-x": "Tarif Bleu is in EUR; GB uses GBP"}


def test_rules_read_rows_in_chunks_not_as_model_instances(make_account, django_assert_max_num_queries):
    for index in range(5):
        make_account(f"usr-{index}", postal_code="nope")
    with django_assert_max_num_queries(2):
        assert len(flagged("postcode_format")) == 5
    assert DirectoryAccount.objects.count() == 5


def test_the_location_rules_know_the_countries_their_explanations_name():
    from evadmin.data_quality.rules.countries import COUNTRY_BOXES, POSTCODE_PATTERNS

    # The explanations staff read list these countries by name: change them together.
    assert set(COUNTRY_BOXES) == set(POSTCODE_PATTERNS) == {"GB", "IE", "US", "CA", "DE", "FR", "ES", "NL", "BE"}
