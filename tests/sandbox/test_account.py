"""Account operations over real HTTP: password reset, the webhook portal, vehicle onboarding links.

What they send is read from the sandbox's outbox (GET /_sandbox/outbox).
"""

import pytest
import requests

from tests import spec
from tests.sandbox.helpers import Api, problem


@pytest.fixture
def anonymous(sandbox_api):
    spec.require_spec()
    return Api(sandbox_api, None)


def outbox(sandbox_api) -> list[dict]:
    response = requests.get(sandbox_api.url("/_sandbox/outbox"), timeout=10)
    response.raise_for_status()
    return response.json()


def test_password_reset_answers_the_same_for_known_and_unknown_emails(api, anonymous, sandbox_api, writes):
    known = api.get("/users", params={"page_size": 1}).json()[0]["email"]
    before = len(outbox(sandbox_api))
    for_known = anonymous.call("POST", "/auth/password_reset", json={"email": known.upper()})
    for_unknown = anonymous.call("POST", "/auth/password_reset", json={"email": "nobody-here@example.com"})
    assert for_known.status_code == for_unknown.status_code == 200
    assert for_known.json() == for_unknown.json() == {"status": "password_reset_email_sent"}
    sent = outbox(sandbox_api)[before:]
    assert [(mail["to"], mail["template"]) for mail in sent] == [(known, "password_reset")]
    assert sent[0]["reset_url"].startswith("https://")


@pytest.mark.parametrize("body, errors", [
    ({}, {"email": ["This field is required."]}),
    ({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
    ({"email": 42}, {"email": ["Not a valid string."]}),
])
def test_password_reset_with_a_bad_body_is_422(anonymous, body, errors):
    found = problem(anonymous.call("POST", "/auth/password_reset", json=body, check_request=False), 422,
                    "Request failed validation.")
    assert found["field_errors"] == errors and found["type"].endswith("/validation-failed-password-reset/")
    malformed = anonymous.call("POST", "/auth/password_reset", data="{", check_request=False,
                               headers={"Content-Type": "application/json"})
    problem(malformed, 422)


def test_webhook_portal_link_is_new_each_time_and_needs_only_a_token(sandbox_api, anonymous):
    sandbox_api.create_client("desk-minimal", "desk-secret", ["user:read"])
    minimal = Api(sandbox_api, sandbox_api.token("desk-minimal", "desk-secret"))
    first, second = (minimal.get("/webhook_portal").json()["url"] for _ in range(2))
    assert first.startswith("https://") and first != second
    problem(anonymous.get("/webhook_portal"), 401)


def test_vehicle_onboarding_link_is_sent_to_the_acting_driver(api, sandbox_api, writes):
    user = api.get("/users", params={"page_size": 1}).json()[0]
    make = next(m for m in api.get("/vehicle_makes").json() if m["name"] == "Kia")
    before = len(outbox(sandbox_api))
    body = {"email": "driver@example.com", "make": make["id"]}
    sent = api.call("POST", "/vehicle_onboarding/onboarding_link", json=body, headers={"EvEnergy-User": user["id"]})
    assert sent.status_code == 204 and sent.content == b""
    [mail] = outbox(sandbox_api)[before:]
    assert mail["to"] == "driver@example.com" and mail["template"] == "vehicle_onboarding_link"
    assert mail["make"] == "Kia" and f"user_id={user['id']}" in mail["onboarding_url"]
    problem(api.call("POST", "/vehicle_onboarding/onboarding_link", json=body), 400,
            "EvEnergy-User header required")
    bad = api.call("POST", "/vehicle_onboarding/onboarding_link", headers={"EvEnergy-User": user["id"]},
                   json={"email": "nope", "make": "vmak01HN2NJ9NMRZBXT1H6FT9N7735"}, check_request=False)
    assert set(problem(bad, 400)["field_errors"]) == {"email", "make"}
    sandbox_api.create_client("desk-reader", "desk-secret", ["vehicle:read"])
    reader = Api(sandbox_api, sandbox_api.token("desk-reader", "desk-secret"))
    refused = reader.call("POST", "/vehicle_onboarding/onboarding_link", json=body,
                          headers={"EvEnergy-User": user["id"]})
    assert "vehicle:write" in problem(refused, 403)["detail"]
    assert len(outbox(sandbox_api)) == before + 1
