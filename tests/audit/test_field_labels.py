"""One label per field for people, wherever it shows: the driver's form, their history, the audit
trail and bulk events (which record the location a row sent as "location")."""

import pytest
from django.forms.utils import pretty_name

from evadmin.audit.templatetags.audit_tags import audit_field_label
from evadmin.drivers.forms import UserForm

ADDRESS = ("address_1", "address_2", "city", "state", "postal_code", "country_code", "tariff", "evse_site")


@pytest.mark.parametrize("name", ADDRESS)
def test_the_form_the_history_and_bulk_events_use_one_label(name):
    label = UserForm.base_fields[name].label or pretty_name(name)  # as the form shows it
    assert audit_field_label(f"default_location.{name}") == label
    assert audit_field_label(f"location.{name}") == label


def test_other_bulk_event_fields_read_as_words():
    assert audit_field_label("row_number") == "Row in the file"
    assert audit_field_label("location.coordinates.latitude") == "Latitude"
