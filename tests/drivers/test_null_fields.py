"""A missing value reads the same on every page (a dash or words), never Python's "None" (issue 11).

Every field the published spec lets be null is set to null in the sandbox's answers (its
`overrides` fault, by id prefix: users, vehicles, chargers, tariffs, suppliers, sites, makes,
models...), then each page that shows API data is rendered. A null address_1 or city on its own
is tried too: the driver's page once printed "None" for it.
"""

import re

import pytest

from evadmin.driver_directory.sync import directory_sync_step
from tests import spec

# A "None" that is a word on the page, not part of one (e.g. "Nonesuch Road").
PYTHON_NONE = re.compile(r"(?<![\w-])None(?![\w-])")


def null_overrides(only: dict[str, set[str]] | None = None) -> list[dict]:
    fields = only or spec.nullable_fields_by_id_prefix()
    return [{"match": prefix, "set": dict.fromkeys(paths)} for prefix, paths in sorted(fields.items()) if paths]


def pages_showing(user, client) -> dict[str, str]:
    """Every page and fragment that shows this driver's API data, by name."""
    urls = {
        "users list": "/users/?page_size=100",
        "email lookup": f"/users/?email={user.email}",
        "driver's page": f"/users/{user.id}/",
        "devices fragment": f"/users/{user.id}/devices/",
        "edit form": f"/users/{user.id}/edit/",
        "new user form": "/users/new/",
    }
    html = {}
    for name, url in urls.items():
        response = client.get(url, HTTP_HX_REQUEST="true") if "fragment" in name else client.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        html[name] = response.content.decode()
    return html


def assert_no_none(html: dict[str, str]) -> None:
    found = {name: PYTHON_NONE.findall(page) for name, page in html.items()}
    assert not any(found.values()), {name: len(hits) for name, hits in found.items() if hits}


def test_every_nullable_field_null_shows_no_none(pages, sandbox_api, direct_api):
    user = next(u for u in direct_api.users.list(page_size=100) if u.vehicle_urls and u.evse_urls)
    sandbox_api.faults(overrides=null_overrides())
    client = pages("support")
    html = pages_showing(user, client)
    assert_no_none(html)
    assert "No address on record." in html["driver's page"]  # the nulls did reach the page

    directory_sync_step(kind="full")  # the directory's copies of the same nulls
    local = {
        "directory search": client.get("/users/?directory=1&page_size=100").content.decode(),
        "locations": client.get("/locations/?page_size=100").content.decode(),
    }
    assert user.email in local["directory search"]
    assert_no_none(local)


@pytest.mark.parametrize("field", ["address_1", "city", "postal_code", "country_code"])
def test_one_null_address_field_shows_as_missing(pages, sandbox_api, user_with_address, field):
    sandbox_api.faults(overrides=null_overrides({user_with_address.id: {f"default_location.{field}"}}))
    html = pages_showing(user_with_address, pages("support"))
    assert_no_none(html)
    assert "not set" in html["driver's page"]
