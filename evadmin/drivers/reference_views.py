"""The API's reference lists for people: every tariff (with its supplier) and EVSE site (with its
operator), searchable and exportable, so a bulk file or a form can name the right one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from evadmin.core.exports import csv_download, neutralise_row
from evadmin.evenergy import reference
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required

TARIFF_COLUMNS = ("name", "supplier", "currency", "time_zone", "valid_from", "valid_until", "id", "as_a_bulk_file_names_it")
SITE_COLUMNS = ("operator", "chargers", "id")


def _tariff_row(tariff) -> list:
    supplier = tariff.supplier.name if tariff.supplier else ""
    named = f"{tariff.name} · {supplier}" if supplier else tariff.name
    return [tariff.name, supplier, tariff.currency, tariff.timezone_name or "", tariff.valid_from or "",
            tariff.valid_until or "", tariff.id, named]


def _site_row(site) -> list:
    return [site.cpms_connection_display_name or site.cpms_connection or "", len(site.evse_urls), site.id]


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def reference_lists(request: HttpRequest) -> HttpResponse:
    """Both lists from evadmin's cache of them (a request a page of the API's list when the cache is
    cold, then none for ten minutes); ?export=tariffs|sites downloads one as CSV."""
    query = request.GET.get("q", "").strip()
    tariffs = reference.tariffs_matching(query, limit=None)
    needle = query.casefold()
    sites = [site for site in reference.evse_site_choices() if not needle or needle in site.label.casefold()]
    export = request.GET.get("export")
    if export == "tariffs":
        rows = (neutralise_row(row) for row in [list(TARIFF_COLUMNS), *map(_tariff_row, tariffs)])
        return csv_download(rows, "evadmin-tariffs.csv")
    if export == "sites":
        rows = (neutralise_row(row) for row in [list(SITE_COLUMNS), *map(_site_row, sites)])
        return csv_download(rows, "evadmin-evse-sites.csv")
    context = {"query": query, "tariffs": [_tariff_row(tariff) for tariff in tariffs],
               "sites": [_site_row(site) for site in sites], "problems": reference.reference_problems()}
    return render(request, "drivers/reference.html", context)
