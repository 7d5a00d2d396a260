"""Creating and editing users: form checks, API errors on fields, minimal PATCHes, conflicts,
clearing an address, and the audit event each write leaves."""

import json

from evadmin.audit.models import AuditEvent
from tests.conftest import sent

GOOD_ADDRESS = {
    "address_1": "10 Downing Street", "city": "London", "postal_code": "SW1A 2AA", "country_code": "GB",
    "latitude": "51.5034", "longitude": "-0.1276",
}


def writes(sandbox_api):
    return [e for e in sent(sandbox_api) if e["method"] in ("POST", "PATCH")]


def edit_form_data(client, user_id):
    """The edit form as the browser would submit it unchanged."""
    form = client.get(f"/users/{user_id}/edit/").context["form"]
    return {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}


def test_create_form_lists_countries_and_tariffs_with_suppliers(pages, direct_api):
    html = pages("support").get("/users/new/").content.decode()
    assert '<option value="GB">United Kingdom (GB)</option>' in html
    tariff = direct_api.tariffs.all()[0]
    assert tariff.name in html and tariff.supplier.name in html


def test_partial_address_is_caught_before_the_api(pages, sandbox_api):
    response = pages("support").post("/users/new/", {"email": "half@example.com", "city": "Leeds"})
    assert response.status_code == 422
    form = response.context["form"]
    for field in ("address_1", "postal_code", "country_code"):
        assert "Required when any part of the address" in form.errors[field][0]
    assert writes(sandbox_api) == []
    assert 'value="half@example.com"' in response.content.decode()  # nothing the agent typed is lost


def test_blur_check_renders_one_field_with_its_error(pages):
    response = pages("support").post("/users/form/fields/postal_code/", {"email": "a@example.com", "address_1": "1 Road"},
                                     HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="field-postal_code"' in html and "Required when any part" in html
    assert "<html" not in html and 'id="field-city"' not in html


def test_create_with_a_good_address_goes_to_the_new_user(pages, sandbox_api, direct_api):
    client = pages("support")
    response = client.post("/users/new/", {"email": "fresh.driver@example.com", **GOOD_ADDRESS, "reason": "TICKET-12"})
    assert response.status_code == 302
    user_id = response["Location"].strip("/").split("/")[-1]
    created = direct_api.users.get(user_id)
    assert created.email == "fresh.driver@example.com"
    assert created.default_location.postal_code == "SW1A 2AA"
    detail = client.get(response["Location"]).content.decode()
    # The address sits in <bdi>, so a right-to-left override inside it cannot turn the sentence around.
    assert "Created <bdi>fresh.driver@example.com</bdi>." in detail
    # The history names the fields as staff know them, one per line, never a raw dict.
    assert "<dt title=\"default_location.postal_code\">Postcode</dt>" in detail and "SW1A 2AA" in detail
    assert "{&#x27;" not in detail and "None" not in detail
    event = AuditEvent.objects.get(action="user.create", target_user_id=user_id)
    assert event.reason == "TICKET-12" and event.actor_username == "support-member"
    assert event.after["default_location"]["city"] == "London"


def test_create_refuses_an_email_that_already_has_an_account(pages, sandbox_api, direct_api):
    existing = direct_api.users.list(page_size=5).items[2]
    sandbox_api.reset()
    response = pages("support").post("/users/new/", {"email": existing.email.upper()})
    assert response.status_code == 422
    assert "already exists" in response.content.decode()
    assert f"/users/{existing.id}/" in response.content.decode()
    assert writes(sandbox_api) == []


def test_api_field_errors_appear_on_the_fields(pages, sandbox_api):
    # The sandbox checks what the form cannot know in advance; its field_errors land on fields.
    sandbox_api.faults(fail_next=[{"status": 400, "method": "POST",
                                   "field_errors": {"default_location.postal_code": ["Unknown postcode."]}}])
    response = pages("support").post("/users/new/", {"email": "checked@example.com", **GOOD_ADDRESS})
    assert response.status_code == 422
    assert response.context["form"].errors["postal_code"] == ["Unknown postcode."]


def test_edit_sends_only_what_changed_and_records_the_diff(pages, sandbox_api, user_with_address):
    client = pages("support")
    data = edit_form_data(client, user_with_address.id)
    sandbox_api.reset()
    response = client.post(f"/users/{user_with_address.id}/edit/", {**data, "city": "Cardiff", "reason": "moved house"})

    assert response.status_code == 302
    [patch] = writes(sandbox_api)
    location = user_with_address.default_location
    # Only the change, plus the fields the API's address rule requires beside it.
    assert json.loads(patch["body"]) == {"default_location": {
        "city": "Cardiff", "address_1": location.address_1, "postal_code": location.postal_code,
        "country_code": location.country_code,
    }}
    event = AuditEvent.objects.get(action="user.update", target_user_id=user_with_address.id)
    assert event.before == {"default_location.city": user_with_address.default_location.city}
    assert event.after == {"default_location.city": "Cardiff"}
    assert event.reason == "moved house"
    detail = client.get(response["Location"]).content.decode()
    assert "Cardiff" in detail and "moved house" in detail  # the change shows in the user's history


def test_after_a_failed_save_the_heading_keeps_the_stored_email(pages, sandbox_api, user_with_address):
    client = pages("support")
    data = edit_form_data(client, user_with_address.id)
    response = client.post(f"/users/{user_with_address.id}/edit/", {**data, "email": "not-an-email",
                                                                     "reason": "typo"})
    html = response.content.decode()
    assert response.status_code == 422
    assert f"<h1>Edit {user_with_address.email}</h1>" in html and "<title>Edit not-an-email" not in html
    assert 'value="not-an-email"' in html  # what was typed stays in the field, to be corrected
    assert "set by the driver in the app" in html  # the full name, which the API keeps read-only


def test_an_odd_postcode_is_warned_about_as_typed_and_after_saving_but_not_refused(
        pages, sandbox_api, user_with_address):
    client = pages("support")
    data = {**edit_form_data(client, user_with_address.id), **GOOD_ADDRESS, "postal_code": "ZZZ"}
    field = client.post("/users/form/fields/postal_code/", data).content.decode()
    assert "“ZZZ” is not in the GB postcode format" in field and "errorlist" not in field
    sandbox_api.reset()
    saved = client.post(f"/users/{user_with_address.id}/edit/", {**data, "reason": "driver insists"}, follow=True)
    [patch] = writes(sandbox_api)
    assert json.loads(patch["body"])["default_location"]["postal_code"] == "ZZZ"  # saved as typed
    assert "“ZZZ” is not in the GB postcode format" in saved.content.decode()  # and still said
    fine = client.post("/users/form/fields/postal_code/", {**data, "postal_code": "LS1 6HD"}).content.decode()
    assert "postcode format" not in fine


def test_edit_conflict_shows_both_versions_and_saves_nothing(pages, sandbox_api, direct_api, user_with_address):
    client = pages("support")
    data = edit_form_data(client, user_with_address.id)
    direct_api.users.update(user_with_address.id, changes={"default_location": {"city": "Swansea"}})  # someone else
    sandbox_api.reset()

    response = client.post(f"/users/{user_with_address.id}/edit/", {**data, "city": "Newport"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this user" in html
    assert "Swansea" in html and "Newport" in html
    assert writes(sandbox_api) == []
    assert not AuditEvent.objects.filter(target_user_id=user_with_address.id).exists()


def test_saving_mine_over_a_conflict_is_a_deliberate_second_step(pages, direct_api, user_with_address):
    client = pages("support")
    data = edit_form_data(client, user_with_address.id)
    direct_api.users.update(user_with_address.id, changes={"default_location": {"city": "Swansea"}})
    conflict = client.post(f"/users/{user_with_address.id}/edit/", {**data, "city": "Newport"})
    retry = {name: conflict.context["retry_form"][name].value() for name in conflict.context["retry_form"].fields}
    retry = {k: v for k, v in retry.items() if v is not None}

    assert client.post(f"/users/{user_with_address.id}/edit/", retry).status_code == 302
    assert direct_api.users.get(user_with_address.id).default_location.city == "Newport"


def test_clear_address_sends_explicit_nulls(pages, sandbox_api, direct_api, user_with_address):
    client = pages("support")
    fingerprint = direct_api.users.get(user_with_address.id).fingerprint
    sandbox_api.reset()
    response = client.post(f"/users/{user_with_address.id}/clear-address/", {"fingerprint": fingerprint, "reason": "GDPR"})

    assert response.status_code == 302
    [patch] = writes(sandbox_api)
    sent_location = json.loads(patch["body"])["default_location"]
    for key in ("address_1", "address_2", "city", "state", "postal_code", "country_code", "coordinates"):
        assert key in sent_location and sent_location[key] is None
    assert not direct_api.users.get(user_with_address.id).default_location.has_address
    event = AuditEvent.objects.get(action="user.clear_address")
    assert event.before["default_location.address_1"] == user_with_address.default_location.address_1
    assert event.after["default_location.address_1"] is None


def test_failed_api_on_save_keeps_the_form(pages, sandbox_api, api_settings):
    client = pages("support")
    client.get("/users/new/")  # the form's tariff and site lists are cached from here on
    api_settings.EVADMIN_API_MAX_RETRIES = 0
    sandbox_api.faults(error_rate=1.0)
    response = client.post("/users/new/", {"email": "later@example.com", **GOOD_ADDRESS})
    assert response.status_code in (502, 503)
    html = response.content.decode()
    assert 'value="later@example.com"' in html and "10 Downing Street" in html
