"""The audit report's postcode rule as a warning for the forms and bulk previews (never a refusal)."""

import pytest

from evadmin.data_quality.rules.countries import postcode_fits, postcode_warning


@pytest.mark.parametrize(("country", "postcode", "warned"), [
    ("GB", "ZZZ", True),  # what was seen accepted, then counted by the report
    ("gb", "zzz", True),
    ("GB", "SW1A 1AA", False),
    ("GB", "sw1a1aa", False),
    ("IE", "H91 X2Y3", False),
    ("US", "1234", True),
    ("ZZ", "anything", False),  # the rule knows no format for the country: nothing to say
    ("GB", "", False),  # empty: the address rule's business, not this one
])
def test_the_warning_is_the_reports_rule(country, postcode, warned):
    warning = postcode_warning(country, postcode)
    assert bool(warning) is warned
    if country.upper() in ("GB", "IE", "US") and postcode:
        assert warned is not postcode_fits(country.upper(), postcode)  # the very rule postcode_format applies
    if warned:
        assert f"“{postcode.strip()}” is not in the {country.upper()} postcode format" in warning
        assert "next audit report will list it" in warning
