"""A large locations export on a real Celery worker: started from the page's form, run to finished, downloaded."""

from __future__ import annotations

import csv
import io

import pytest

from evadmin.driver_directory.models import LocationExport
from tests.driver_directory.export_workers import export_worker  # noqa: F401 - a fixture, asked for by name
from tests.driver_directory.factories import ApiUserFactory
from tests.processes import wait_for

pytestmark = pytest.mark.worker


def test_a_large_export_runs_on_the_worker_to_finished_and_downloads(request, transactional_db, store_accounts, client_as,
                                                                     settings):
    worker = request.getfixturevalue("export_worker")
    settings.EVADMIN_EXPORT_INLINE_ROWS = 5
    store_accounts(*(ApiUserFactory(number=n, full_name="=SUM(A1:A9)" if n == 3 else f"Driver {n}")
                     for n in range(1, 31)))
    client = client_as("viewer")
    response = client.post("/locations/exports/?sort=postcode", {"file_format": "csv"})
    export = LocationExport.objects.get()
    assert response["Location"] == f"/locations/exports/{export.pk}/"

    wait_for(lambda: LocationExport.objects.filter(pk=export.pk, status__in=["finished", "failed"]).exists(),
             timeout=60, message=lambda: "export not finished; worker log:\n" + worker.output()[-3000:])
    export.refresh_from_db()
    assert export.status == "finished", export.error
    assert (export.rows_total, export.rows_written, export.requests_spent) == (30, 30, 0)
    html = client.get(f"/locations/exports/{export.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and f"/locations/exports/{export.pk}/download" in html

    download = client.get(f"/locations/exports/{export.pk}/download")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode().lstrip("\ufeff"))))
    assert len(rows) == 31 and "'=SUM(A1:A9)" in [row[2] for row in rows]
