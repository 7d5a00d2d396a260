"""A change in a bulk preview is written for people: clearing a tariff reads "no tariff", not None."""

import pytest

from evadmin.bulk.templatetags.bulk import change_value


@pytest.mark.parametrize(("value", "field", "shown"), [
    (None, "tariff", "no tariff"),
    ("", "evse_site", "no EVSE site"),
    (None, "address_2", "(empty)"),
    (None, "coordinates", "no coordinates"),
    ({"latitude": 51.5, "longitude": -0.12}, "coordinates", "51.5, -0.12"),
    ("York", "city", "York"),
])
def test_change_value(value, field, shown):
    assert change_value(value, field) == shown
