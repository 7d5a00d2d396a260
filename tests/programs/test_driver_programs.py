"""The driver's Programs panel against the sandbox: the seeded case's program shown, one request then
none within the cache time, hostile descriptions as text, and the summary part once opened."""

from django.urls import reverse

from evadmin.programs.summary import programs_part
from tests.conftest import sent

CASE = "program_eligible_not_enrolled"


def _program_gets(sandbox_api) -> list[dict]:
    return [entry for entry in sent(sandbox_api, "GET") if entry["path"].startswith("/v2/programs")]


def test_the_case_driver_panel_shows_the_program_with_one_request_then_none(pages, sandbox_api):
    case = sandbox_api.seed_cases()[CASE]
    user_id = case["user_id"]
    assert programs_part(user_id).known is False
    before = len(_program_gets(sandbox_api))
    client = pages("viewer")
    html = client.get(reverse("programs:driver", args=[user_id])).content.decode()
    assert case["program_name"] in html and "eligible, not enrolled" in html
    assert len(_program_gets(sandbox_api)) == before + 1
    client.get(reverse("programs:driver", args=[user_id]))
    assert len(_program_gets(sandbox_api)) == before + 1
    part = programs_part(user_id)
    assert part.known and case["program_name"] in part.text and part.tone == "warning"
    assert "<script>" not in html


def test_a_programs_parts_load_when_opened_one_request_each(pages, sandbox_api):
    case = sandbox_api.seed_cases()[CASE]
    client = pages("viewer")
    for part, expected in (("tiers", "eligible"), ("agreement", "Version 1"), ("vehicles", "compatible vehicle")):
        before = len(_program_gets(sandbox_api))
        url = reverse("programs:part", args=[case["user_id"], case["program"], part])
        html = client.get(url).content.decode()
        assert expected in html, part
        client.get(url)
        assert len(_program_gets(sandbox_api)) == before + 1, part
        if part == "vehicles":  # each model by its name, expanded in that one request, never its API address
            assert "/vehicle_models/" not in html and "<li" in html, html


def test_vehicle_compatibility_without_vehicle_read_names_the_scope(pages, sandbox_api, api_settings):
    case = sandbox_api.seed_cases()[CASE]
    sandbox_api.create_client("no-vehicles-desk", "no-vehicles-secret", ["user:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "no-vehicles-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "no-vehicles-secret"
    html = pages("viewer").get(reverse("programs:part", args=[case["user_id"], case["program"], "vehicles"]),
                               {"refresh": "1"}).content.decode()
    assert "vehicle:read" in html
