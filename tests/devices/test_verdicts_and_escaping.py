"""A panel's verdicts link into the panel; hostile text from the API is shown as text."""

import sqlite3

from evadmin.charging.evidence import VEHICLE_ERRORS
from evadmin.charging.verdicts import Claim, Verdict
from tests.devices.helpers import errors_path, fragment, open_devices, panel_of
from tests.drivers.test_hostile_data import IMG, LONG, RTL, SCRIPT, SVG, assert_rendered_as_text


def integration_lost(evidence):
    """A stand-in for the rules (charging/verdicts/rules.py): one verdict once the error log is read."""
    if not evidence.has(VEHICLE_ERRORS) or evidence.vehicle is None:
        return []
    return [Verdict(rule="integration_lost", summary=f"{SCRIPT} The integration was lost", claims=[
        Claim(text="401s from the manufacturer", anchor=f"log-{VEHICLE_ERRORS}", query="?logs=vehicle_errors"),
        Claim(text="the vehicle is INACTIVE", anchor="vehicle")])]


def test_verdicts_show_once_their_evidence_is_read_each_claim_a_link_into_the_panel(pages, cases, monkeypatch):
    monkeypatch.setattr("evadmin.devices.panels.verdicts_for", integration_lost)
    case = cases["vehicle_integration_inactive"]
    agent = pages("viewer")
    panel_id = f"vehicle-{case['vehicle_id']}"

    assert 'class="verdicts"' not in open_devices(agent, case["user_id"])  # nothing read yet supports one
    log = fragment(agent, errors_path(case["user_id"], case["vehicle_id"]))

    assert 'class="verdicts"' in log and "The integration was lost" in log
    assert f'<a href="#{panel_id}-log-{VEHICLE_ERRORS}">401s from the manufacturer</a>' in log
    assert f'id="{panel_id}-log-{VEHICLE_ERRORS}"' in log
    assert f'<a href="#{panel_id}">the vehicle is INACTIVE</a>' in log  # evidence the panel has no element for
    assert_rendered_as_text(log, shows=(SCRIPT,))


def test_hostile_api_text_is_shown_as_text(pages, sandbox_api, cases):
    case = cases["vehicle_integration_inactive"]
    with sqlite3.connect(sandbox_api.db_path) as database:
        database.execute("UPDATE sandbox_vehicle SET description = ? WHERE id = ?", [f"{SCRIPT}{RTL}", case["vehicle_id"]])
        database.execute("UPDATE sandbox_evse SET cpid = ? WHERE id = ?", [IMG, case["evse_id"]])
        database.execute(
            "UPDATE sandbox_record SET data = json_set(data, '$.error_detail', ?, '$.error_type', ?, '$.command', ?)"
            " WHERE kind = 'vehicle_error_log' AND parent_id = ?", [LONG, SVG, SCRIPT, case["vehicle_id"]])
    agent = pages("support")

    html = open_devices(agent, case["user_id"])
    log = fragment(agent, errors_path(case["user_id"], case["vehicle_id"]))

    assert_rendered_as_text(panel_of(html, f"vehicle-{case['vehicle_id']}"), shows=(f"{SCRIPT}{RTL}",))
    assert_rendered_as_text(panel_of(html, f"evse-{case['evse_id']}"), shows=(IMG,))
    assert_rendered_as_text(log, shows=(LONG, SVG, SCRIPT))
