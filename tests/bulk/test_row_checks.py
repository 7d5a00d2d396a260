"""Row checks made without API calls, and the API rules they share with the single-user form."""

import pytest
import yaml

from evadmin.bulk.upload.row_checks import RowChecker
from evadmin.evenergy.validation import COUNTRY_CODES, address_rule_errors, normalise_email
from tests.bulk.conftest import offline_checker
from tests.bulk.factories import SITE_ID, TARIFF_ID, TARIFF_ID_2, TARIFF_ID_3, address
from tests.conftest import require_service
from tests.spec import SPEC_PATH


def check(**values):
    return offline_checker().check({key: str(value) for key, value in values.items()})


def test_a_complete_row_becomes_the_location_to_send():
    row = check(email=" Ann@Example.COM ".strip(), **address(tariff=TARIFF_ID, evse_site=SITE_ID, country_code="gb"))
    assert row.errors == []
    assert row.email == "Ann@Example.COM" and row.match_key == "ann@example.com"
    assert row.location == {
        "address_1": "1 High Street", "city": "London", "postal_code": "SW1A 1AA", "country_code": "GB",
        "coordinates": {"latitude": 51.5, "longitude": -0.12}, "tariff": TARIFF_ID, "evse_site": SITE_ID,
    }


def test_email_only_row_has_no_location():
    row = check(email="ann@example.com")
    assert row.errors == [] and row.location is None


@pytest.mark.parametrize("email,error", [
    ("", "email: missing"),
    ("not-an-email", "email: “not-an-email” is not a valid email address"),
    ("a@b", "email: “a@b” is not a valid email address"),
    ("x" * 250 + "@example.com", "email: longer than 254 characters"),
])
def test_email_syntax(email, error):
    values = {"email": email} if email else {}
    assert check(**values).errors == [error]


def test_address_rule_names_each_missing_field():
    row = check(email="a@example.com", city="Bath")
    assert row.errors == [
        "address_1: required when any part of the address or coordinates is given",
        "postal_code: required when any part of the address or coordinates is given",
        "country_code: required when any part of the address or coordinates is given",
    ]


def test_coordinates_alone_trigger_the_address_rule_and_come_in_pairs():
    assert "latitude: give both latitude and longitude, or neither" in check(email="a@example.com", longitude="1").errors
    assert len(check(email="a@example.com", latitude="1", longitude="2").errors) == 4  # the four required fields


@pytest.mark.parametrize("values,error", [
    ({"latitude": "91"}, "latitude: 91 is outside -90 to 90"),
    ({"longitude": "-180.5"}, "longitude: -180.5 is outside -180 to 180"),
    ({"latitude": "north"}, "latitude: “north” is not a number"),
    ({"latitude": "nan"}, "latitude: nan is outside -90 to 90"),
])
def test_coordinate_ranges(values, error):
    row = check(email="a@example.com", **{**address(), **values})
    assert row.errors == [error]


@pytest.mark.parametrize("country,error", [
    ("UK", "country_code: “UK” is not an ISO country code (use the two-letter ISO code, e.g. GB)"),
    ("United Kingdom", "country_code: “United Kingdom” is not an ISO country code (did you mean GB?)"),
    ("XX", "country_code: “XX” is not an ISO country code (use the two-letter ISO code, e.g. GB)"),
])
def test_country_codes(country, error):
    assert check(email="a@example.com", **address(country_code=country)).errors == [error]


@pytest.mark.parametrize("column,value,error", [
    ("tariff", "tari" + "9" * 26, "tariff: no tariff has the id tari99999999999999999999999999"),
    ("tariff", SITE_ID, f"tariff: “{SITE_ID}” is not a tariff id (tari…) or URL"),
    ("tariff", "cheap", "tariff: no tariff is named “cheap”: give its id, or its name as the tariffs page lists it "
                        "(Name · Supplier)"),
    ("tariff", "Fixed 12M", f"tariff: 2 tariffs are named “Fixed 12M”: Fixed 12M · British Gas ({TARIFF_ID_2}); "
                            f"Fixed 12M · EDF ({TARIFF_ID_3}). Give the supplier too (Name · Supplier) or the id"),
    ("evse_site", "site" + "9" * 26, "evse_site: no EVSE site has the id site99999999999999999999999999"),
])
def test_reference_ids_must_be_known(column, value, error):
    assert check(email="a@example.com", **{column: value}).errors == [error]


@pytest.mark.parametrize("named", ["Agile Octopus", "agile octopus", "Agile Octopus · Octopus Energy",
                                   "Agile Octopus (Octopus Energy)", "Fixed 12M · EDF"])
def test_a_tariff_may_be_named_as_the_tariffs_page_lists_it(named):
    row = check(email="a@example.com", **address(), tariff=named)
    assert row.errors == []
    assert row.location["tariff"] == (TARIFF_ID_3 if "EDF" in named else TARIFF_ID)


def test_reference_urls_are_accepted_as_ids():
    row = check(email="a@example.com", tariff=f"https://api.ev.energy/v2/tariffs/{TARIFF_ID}",
                evse_site=f"https://api.ev.energy/v2/evse_sites/{SITE_ID}/")
    assert row.errors == [] and row.location == {"tariff": TARIFF_ID, "evse_site": SITE_ID}


def test_reference_lists_are_loaded_once_and_only_when_needed():
    loads = []
    checker = RowChecker(tariff_ids=lambda: loads.append("tariffs") or {TARIFF_ID},
                         evse_site_ids=lambda: loads.append("sites") or {SITE_ID})
    checker.check({"email": "a@example.com"})
    assert loads == []
    for _ in range(3):
        checker.check({"email": "a@example.com", "tariff": TARIFF_ID})
    assert loads == ["tariffs"]


def test_long_text_is_refused():
    row = check(email="a@example.com", **address(address_1="x" * 256, postal_code="9" * 33))
    assert row.errors == ["address_1: longer than 255 characters", "postal_code: longer than 32 characters"]


def test_shared_address_rule():
    assert address_rule_errors({}) == {}
    assert address_rule_errors({"address_2": "Flat 1"}).keys() == {"address_1", "city", "postal_code", "country_code"}
    assert address_rule_errors({"latitude": 1.0}) == {
        "longitude": "Give both latitude and longitude, or neither.",
        **dict.fromkeys(("address_1", "city", "postal_code", "country_code"),
                        "Required when any part of the address or coordinates is given."),
    }


def test_normalised_email_is_trimmed_and_case_folded():
    assert normalise_email("  Straße@Example.COM ") == "strasse@example.com"


def test_country_codes_are_the_apis_enum():
    if not SPEC_PATH.exists():
        require_service(f"{SPEC_PATH} is missing")
    spec = yaml.safe_load(SPEC_PATH.read_text())
    assert COUNTRY_CODES == frozenset(spec["components"]["schemas"]["CountryCode"]["enum"])
