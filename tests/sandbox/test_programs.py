"""The sandbox's programs over real HTTP: the location filters, a driver's eligible programs, tiers'
eligibility, vehicle compatibility, the current agreement, join (one enrolment), user verification,
incentive schemes (EvEnergy-User required), and the seeded "eligible but not enrolled" case.

Every exchange is checked against the spec by `Api`.
"""

import pytest

from tests.sandbox.helpers import problem

CASE = "program_eligible_not_enrolled"


@pytest.fixture
def case(sandbox_api):
    return sandbox_api.seed_cases()[CASE]


def _names(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {program["name"] for program in response.json()}


def test_programs_filter_by_country_postcode_and_coordinates(api):
    every = _names(api.get("/programs"))
    assert len(every) >= 5
    assert _names(api.get("/programs", params={"country_code": "US"})) == {"CoolCharge", "Bay Area Demand Response"}
    assert _names(api.get("/programs", params={"country_code": "GB", "postal_code": "G1 1AA"})) == {
        "FlexCharge Scotland", "GB Green Hours"}
    assert _names(api.get("/programs", params={"coordinates": "51.5,-0.12"})) >= {"London Peak Saver"}
    problem(api.get("/programs", params={"coordinates": "51.5,-0.12", "postal_code": "G1 1AA", "country_code": "GB"}),
            400)
    problem(api.get("/programs", params={"postal_code": "G1 1AA"}, check_request=False), 400)


def test_the_seeded_case_driver_is_eligible_tiers_say_so_and_join_enrols_once(api, case):
    driver = {"EvEnergy-User": case["user_id"]}
    programs = api.get("/programs", headers=driver).json()
    assert case["program"] in {program["id"] for program in programs}
    tiers = api.get(f"/programs/{case['program']}/tiers", headers=driver).json()
    assert tiers and all(tier["eligible"] is True for tier in tiers)
    assert all(tier["eligible"] is None for tier in api.get(f"/programs/{case['program']}/tiers").json())
    agreement = api.get(f"/programs/{case['program']}/participation_agreement_versions/current").json()
    assert agreement["published"] and agreement["id"].startswith("pagv")
    compatible = api.get(f"/programs/{case['program']}/vehicle_compatibility").json()
    assert compatible and all(item["model"].startswith("http") for item in compatible)
    problem(api.get("/programs/prog01JPRG0XX00000000000000000"), 404)


def test_incentive_schemes_need_the_driver(api, case):
    problem(api.get("/incentive_schemes"), 400)
    assert api.get("/incentive_schemes", headers={"EvEnergy-User": case["user_id"]}).json()


def test_hostile_descriptions_are_served_as_stored(api):
    descriptions = [program["description"] for program in api.get("/programs").json()]
    assert any("<script>" in text and "\u202e" in text and len(text) > 1000 for text in descriptions)
