"""Opening a driver's device panels as an agent does."""

import re

HTMX = {"HTTP_HX_REQUEST": "true"}


def open_devices(client, user_id: str) -> str:
    """The driver's page, then its devices panel, as an agent opens them (the page reads the driver)."""
    assert client.get(f"/users/{user_id}/").status_code == 200
    return fragment(client, f"/users/{user_id}/devices/")


def fragment(client, path: str) -> str:
    response = client.get(path, **HTMX)
    assert response.status_code == 200, response.content[:2000]
    html = response.content.decode()
    assert "<html" not in html  # the partial, not the page
    return html


def connectivity_path(user_id: str, evse_id: str) -> str:
    return f"/users/{user_id}/devices/evses/{evse_id}/connectivity/"


def errors_path(user_id: str, vehicle_id: str) -> str:
    return f"/users/{user_id}/devices/vehicles/{vehicle_id}/errors/"


def panel_of(html: str, element_id: str) -> str:
    """One device panel's `<section id=…>`, up to its end."""
    start = html.index(f'<section id="{element_id}"')
    return html[start:html.index("</section>", start)]


def text_of(html: str) -> str:
    """What the agent reads: the page without its tags and attributes."""
    return re.sub(r"<[^>]+>", " ", html)
