"""The tariffs and EVSE sites page against the sandbox: every tariff with its supplier, searchable,
exported as CSV (formula-safe), read once for ten minutes."""

import csv
import io

from django.urls import reverse

from tests.conftest import sent

PAGE = reverse("reference:lists")


def test_every_tariff_and_site_with_its_supplier_or_operator(pages, sandbox_api, direct_api):
    viewer = pages("viewer")
    sandbox_api.reset()
    html = viewer.get(PAGE).content.decode()
    tariffs = direct_api.tariffs.all()
    assert f"Tariffs ({len(tariffs)})" in html
    first = tariffs[0]
    assert first.name in html and first.id in html and (first.supplier.name if first.supplier else "—") in html
    asked = len(sent(sandbox_api, "GET"))
    viewer.get(PAGE, {"q": first.name[:5]})
    assert len(sent(sandbox_api, "GET")) == asked  # searching reads evadmin's copy, not the API


def test_search_and_csv_export(pages, direct_api):
    viewer = pages("viewer")
    tariff = direct_api.tariffs.all()[0]
    response = viewer.get(PAGE, {"q": tariff.id, "export": "tariffs"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["name", "supplier"] and rows[0][-1] == "as_a_bulk_file_names_it"
    assert [row[6] for row in rows[1:]] == [tariff.id]
    supplier = tariff.supplier.name if tariff.supplier else ""
    assert rows[1][-1] == (f"{tariff.name} · {supplier}" if supplier else tariff.name)  # what a bulk file may give
    sites = viewer.get(PAGE, {"export": "sites"})
    assert list(csv.reader(io.StringIO(b"".join(sites.streaming_content).decode("utf-8-sig"))))[0] == [
        "operator", "chargers", "id"]


def test_the_upload_page_links_the_reference_lists(client_as):
    html = client_as("bulk_operator").get("/bulk/").content.decode()
    assert f'href="{PAGE}"' in html and "Name · Supplier" in html
