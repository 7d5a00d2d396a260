"""The API root and the reference collections: tariffs, suppliers, EVSE sites."""

from datetime import date

from django.db.models import Prefetch

from evadmin.sandbox import ids, serializers
from evadmin.sandbox.models import Evse, EvseSite, Supplier, Tariff, User
from evadmin.sandbox.pagination import link_header, number_page
from evadmin.sandbox.responses import ApiError, json_response, not_found
from evadmin.sandbox.views.base import ApiContext, Operation, api_view

TARIFF_EXPANDS = ("supplier", "scheduler_tariff", "prices")
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
# The spec's root lists 14 collections; the sandbox advertises those it serves
# (dispatch_coordinators and support_tickets join when they are served).
ROOT_COLLECTIONS = (
    "users", "evses", "evse_models", "evse_makes", "vehicles", "vehicle_trims", "vehicle_models",
    "vehicle_makes", "suppliers", "tariffs", "carbon_feeds", "grid_feeds",
)


def root(context: ApiContext):
    return json_response({name: f"{context.base}/{name}" for name in ROOT_COLLECTIONS})


def _country_of_user(user_id: str | None) -> str | None:
    """available_for_user_id narrows to the user's country (the sandbox's notion of region)."""
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).only("country_code").first() if ids.is_id(user_id, ids.USER) else None
    if user is None:
        raise ApiError(400, "Invalid parameter", f"No user found with id {user_id}.", "invalid-parameter",
                       field_errors={"available_for_user_id": ["Object does not exist."]})
    return user.country_code or ""


def list_tariffs(context: ApiContext):
    expand = context.expand(TARIFF_EXPANDS)
    params = context.request.GET
    queryset = Tariff.objects.select_related("supplier").order_by("id")
    # The spec's parameter is `supplier_id`; its description says `supplier`: accept both.
    supplier = params.get("supplier_id") or params.get("supplier")
    if supplier:
        queryset = queryset.filter(supplier_id=supplier)
    if params.get("gsp_group"):
        queryset = queryset.filter(gsp_group=params["gsp_group"])
    # The one optional part the spec names; the sandbox has no daily prices to include.
    if params.get("include_optional") not in (None, "daily_prices"):
        raise ApiError(400, "Invalid parameter", f"Cannot include {params['include_optional']}.", "invalid-parameter",
                       field_errors={"include_optional": ['"daily_prices" is the only choice.']})
    valid = params.get("valid")
    if valid is not None:
        if valid.lower() not in BOOLEANS:
            raise ApiError(400, "Invalid parameter", f"valid must be true or false, not {valid}.", "invalid-parameter",
                           field_errors={"valid": ["Must be true or false."]})
        today = date.today()
        currently = Tariff.objects.filter(valid_from__lte=today).exclude(valid_until__lt=today).values("pk")
        queryset = queryset.filter(pk__in=currently) if BOOLEANS[valid.lower()] else queryset.exclude(pk__in=currently)
    country = _country_of_user(params.get("available_for_user_id"))
    if country is not None:
        queryset = queryset.filter(country_code=country)
    page = number_page(context.request, queryset)
    response = json_response([serializers.tariff_json(tariff, context.base, expand) for tariff in page.items])
    response["Link"] = page.link
    return response


def retrieve_tariff(context: ApiContext, tariff_id: str):
    expand = context.expand(TARIFF_EXPANDS)
    prices_visible = context.has_scope("tariff:prices:read")
    if "prices" in expand and not prices_visible:
        raise ApiError(403, "Forbidden", "Expanding prices requires the scope: tariff:prices:read",
                       "insufficient-scope")
    tariff = Tariff.objects.select_related("supplier").filter(pk=tariff_id).first()
    # As on the list: a tariff outside the user's region is not there for that user.
    country = _country_of_user(context.request.GET.get("available_for_user_id"))
    if tariff is None or country not in (None, tariff.country_code):
        raise not_found(f"No tariff found with id {tariff_id}.")
    return json_response(serializers.tariff_json(tariff, context.base, expand, detail=True,
                                                 prices_visible=prices_visible))


def list_suppliers(context: ApiContext):
    queryset = Supplier.objects.order_by("id")
    country = _country_of_user(context.request.GET.get("available_for_user_id"))
    if country is not None:
        queryset = queryset.filter(country_code=country)
    page = number_page(context.request, queryset)
    response = json_response([serializers.supplier_json(supplier, context.base) for supplier in page.items])
    response["Link"] = page.link
    return response


def retrieve_supplier(context: ApiContext, supplier_id: str):
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None:
        raise not_found(f"No supplier found with id {supplier_id}.")
    return json_response(serializers.supplier_json(supplier, context.base))


def _sites():
    return EvseSite.objects.prefetch_related(
        Prefetch("evses", queryset=Evse.objects.only("id", "evse_site_id").order_by("id"))).order_by("id")


def list_evse_sites(context: ApiContext):
    # The spec gives /evse_sites no pagination parameters: every site in one answer.
    sites = [serializers.evse_site_json(site, context.base, acting_user=context.acting_user) for site in _sites()]
    response = json_response(sites)
    response["Link"] = link_header(None, None)
    return response


def retrieve_evse_site(context: ApiContext, evse_site_id: str):
    site = _sites().filter(pk=evse_site_id).first()
    if site is None:
        raise not_found(f"No EVSE site found with id {evse_site_id}.")
    return json_response(serializers.evse_site_json(site, context.base, acting_user=context.acting_user))


api_root = api_view({"GET": Operation(root, None)})
tariffs_collection = api_view({"GET": Operation(list_tariffs, "tariff:read")})
tariff_detail = api_view({"GET": Operation(retrieve_tariff, "tariff:read")})
suppliers_collection = api_view({"GET": Operation(list_suppliers, "tariff:read")})
supplier_detail = api_view({"GET": Operation(retrieve_supplier, "tariff:read")})
evse_sites_collection = api_view({"GET": Operation(list_evse_sites, "site:read")})
evse_site_detail = api_view({"GET": Operation(retrieve_evse_site, "site:read")})
