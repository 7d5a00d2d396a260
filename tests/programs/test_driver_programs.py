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
