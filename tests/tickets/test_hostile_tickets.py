"""Ticket text comes from drivers and the help desk: markup, right-to-left overrides and very long
values render as text on every ticket page (set in the sandbox's database, as the API could serve them)."""

import json
import sqlite3
from contextlib import contextmanager

from django.urls import reverse

from tests.drivers.test_hostile_data import IMG, RAW_MARKUP, RTL, SCRIPT, SVG
from tests.tickets.conftest import case_user

LONG = "Unplugged" + "x" * 9_991  # 10,000 characters, no spaces to break at


@contextmanager
def hostile_ticket(sandbox, ticket_id: str):
    """The ticket and its messages made hostile for the block, then put back as seeded (the sandbox's
    reset re-seeds only after changes made through its API)."""
    with sqlite3.connect(sandbox.db_path) as database:
        seeded = database.execute("SELECT id, data FROM sandbox_record WHERE id = ? OR parent_id = ?",
                                  [ticket_id, ticket_id]).fetchall()
    try:
        make_hostile(sandbox, ticket_id)
        yield
    finally:
        with sqlite3.connect(sandbox.db_path) as database:
            database.executemany("UPDATE sandbox_record SET data = ? WHERE id = ?",
                                 [(data, record_id) for record_id, data in seeded])


def make_hostile(sandbox, ticket_id: str) -> None:
    with sqlite3.connect(sandbox.db_path) as database:
        [(raw,)] = database.execute("SELECT data FROM sandbox_record WHERE id = ?", [ticket_id])
        data = json.loads(raw)
        data.update(subject=f"{SCRIPT} {RTL}", conversation_summary=f"{IMG} {LONG}", tags=[SVG, "ai-categorised"],
                    status=f"<b>Open</b>{RTL}", custom_fields={"car_manufacturer": SCRIPT})
        database.execute("UPDATE sandbox_record SET data = ? WHERE id = ?", [json.dumps(data), ticket_id])
        for message_id, message_raw in database.execute(
                "SELECT id, data FROM sandbox_record WHERE parent_id = ?", [ticket_id]).fetchall():
            message = json.loads(message_raw)
            message.update(message=f"{SCRIPT}{IMG}{RTL} {LONG}", message_clean=SVG)
            database.execute("UPDATE sandbox_record SET data = ? WHERE id = ?", [json.dumps(message), message_id])


def test_hostile_ticket_text_renders_as_text_on_every_page(pages, sandbox_api, offline_ticket):
    viewer = pages("viewer")
    ticket_id, user_id = offline_ticket["ticket"], case_user(offline_ticket)
    with hostile_ticket(sandbox_api, ticket_id):
        shown = {
            "ticket": viewer.get(reverse("tickets:detail", args=[ticket_id]), {"refresh": "1"}),
            "queue": viewer.get(reverse("tickets:list"), {"driver_id": user_id, "refresh": "1"}),
            "driver's tickets": viewer.get(reverse("tickets:driver", args=[user_id]), {"refresh": "1"}),
        }
    for name, response in shown.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert not any(markup in html for markup in RAW_MARKUP), name
        assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in html, name
        assert "<b>Open</b>" not in html, name
    ticket_page = shown["ticket"].content.decode()
    assert LONG in ticket_page  # the whole message, not cut
    assert ticket_page.count("&lt;img src=x onerror=alert(1)&gt;") >= 2  # the summary and each message
