"""GET /tariffs/{tariff_id}/prices: a tariff's half-hourly prices (computed by prices.py), newest first.

The spec asks for two scopes, tariff:read and tariff:prices:read; a token missing either gets a
403 naming the one it lacks. Number paging (page, page_size), as the spec declares.
"""

from __future__ import annotations

from datetime import UTC, datetime

from evadmin.sandbox import prices
from evadmin.sandbox.models import Tariff
from evadmin.sandbox.pagination import number_page
from evadmin.sandbox.resources import Endpoint, parse_datetime
from evadmin.sandbox.responses import ApiError, json_response, not_found
from evadmin.sandbox.views.base import ApiContext, Operation

PRICES_SCOPE = "tariff:prices:read"


def list_prices(context: ApiContext, tariff_id: str):
    if not context.has_scope(PRICES_SCOPE):
        raise ApiError(403, "Forbidden", f"This action requires the scope: {PRICES_SCOPE}", "insufficient-scope")
    tariff = Tariff.objects.filter(pk=tariff_id).first()
    if tariff is None:
        raise not_found(f"No tariff found with id {tariff_id}.")
    params = context.request.GET
    bounds = {name: parse_datetime(name, params[name]) for name in ("started_at__gte", "started_at__lte")
              if name in params}
    series = prices.price_series(tariff, now=datetime.now(UTC), **bounds)
    page = number_page(context.request, series)
    response = json_response(page.items)
    response["Link"] = page.link
    return response


TARIFF_PRICES = Endpoint(r"tariffs/(?P<tariff_id>[^/]+)/prices", {"GET": Operation(list_prices, "tariff:read")})

DECLARATIONS = (TARIFF_PRICES,)
