"""The sandbox's rebates, subscriptions and payout methods: the seeded case, expand, PATCH and :submit
rules as the spec has them (the fuzzing in test_spec_conformance.py covers the shapes)."""

import pytest

from tests.rebates.conftest import CASE

EXPANDED = {"expand": ["rebate_type", "rebate_type.required_evidence"]}


@pytest.fixture
def get(api):
    def answer(path: str, *, user: str | None = None, **params):
        return api.get(path, params=params, headers={"EvEnergy-User": user} if user else {})
    return answer


def test_the_case_is_served_with_its_applications_evidence_and_what_is_missing(sandbox_api, get):
    case = sandbox_api.seed_cases()[CASE]
    answer = get("/v2/user_rebates", user=case["user_id"],
                  **EXPANDED)
    assert answer.status_code == 200
    by_id = {item["id"]: item for item in answer.json()}
    stuck, waiting = by_id[case["user_rebate"]], by_id[case["waiting_rebate"]]
    assert stuck["status"] == "COMPLETE" and stuck["rebate_type"]["title"] == "Vehicle Enrollment"
    assert all(evidence["file"] for evidence in stuck["rebate_type"]["required_evidence"] if evidence["upload_required"])
    missing = [evidence["title"] for evidence in waiting["rebate_type"]["required_evidence"] if evidence["file"] is None]
    assert missing == case["waiting_missing"]
    # Without the expand: URLs, as the spec's oneOf allows.
    plain = get(f"/v2/user_rebates/{case['user_rebate']}", user=case["user_id"]).json()
    assert plain["rebate_type"].startswith(sandbox_api.base_url + "/rebate_types/rbtt")


def test_another_drivers_application_is_not_found_as_this_driver(sandbox_api, get):
    case = sandbox_api.seed_cases()[CASE]
    assert get(f"/v2/user_rebates/{case['user_rebate']}", user=case["hostile_user_id"]).status_code == 404


def test_subscriptions_expand_the_offering_and_payout_methods_are_null_when_none(sandbox_api, get):
    case = sandbox_api.seed_cases()[CASE]
    [subscription] = get("/v2/subscriptions", user=case["user_id"], expand="offering").json()
    assert subscription["offering"]["name"] == case["subscription_offering"]
    offering = get(f"/v2/subscription_offerings/{subscription['offering']['id']}").json()
    assert offering["name"] == case["subscription_offering"]
    payout = get(f"/v2/users/{case['user_id']}/payout_method").json()
    assert payout["receiver_wallet"] == "BILL_CREDITS" and payout["receiver"].endswith(case["payout_last4"])
    nothing = get(f"/v2/users/{case['user_with_nothing']}/payout_method").json()
    assert (nothing["receiver"], nothing["receiver_type"], nothing["receiver_wallet"]) == (None, None, None)
    assert get("/v2/subscriptions", user=case["user_with_nothing"]).json() == []


def test_submit_refuses_missing_evidence_and_a_second_submission(sandbox_api, api, get, writes):
    case = sandbox_api.seed_cases()[CASE]

    def submit(rebate_id):
        return api.call("POST", f"/v2/user_rebates/{rebate_id}:submit", headers={"EvEnergy-User": case["user_id"]})

    refused = submit(case["waiting_rebate"])
    assert refused.status_code == 400 and "Charger photo" in refused.text
    assert submit(case["user_rebate"]).status_code == 400  # already COMPLETE
    assert submit(case["ready_rebate"]).status_code == 200
    assert get(f"/v2/user_rebates/{case['ready_rebate']}", user=case["user_id"]).json()["status"] == \
        "COMPLETE"


def test_patch_records_an_evidence_types_values(sandbox_api, api, get, writes):
    case = sandbox_api.seed_cases()[CASE]
    headers = {"EvEnergy-User": case["user_id"]}
    waiting = get(f"/v2/user_rebates/{case['waiting_rebate']}", user=case["user_id"],
                   **EXPANDED).json()
    invoice = next(item for item in waiting["rebate_type"]["required_evidence"] if item["evidence_data"])
    body = {"rebate_type": waiting["rebate_type"]["url"], "evidence_type": invoice["url"],
            "evidence_data": [{"id": 1, "value": "1234"}]}
    answer = api.call("PATCH", f"/v2/user_rebates/{case['waiting_rebate']}", json=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["id"] == case["waiting_rebate"]
    missing = api.call("PATCH", f"/v2/user_rebates/{case['waiting_rebate']}", json={"rebate_type": body["rebate_type"]},
                       headers=headers, check_request=False)
    assert missing.status_code == 400
