"""The sandbox process's URLconf (runsandbox makes it ROOT_URLCONF): /v2, /o and /_sandbox."""

from django.urls import path, re_path

from evadmin.sandbox.collections import DECLARATIONS
from evadmin.sandbox.resources import routes
from evadmin.sandbox.views import catalog, control, devices, oauth, users
from evadmin.sandbox.views.base import unknown_endpoint

# The spec's paths have no trailing slash; a trailing slash is accepted too.
urlpatterns = [
    re_path(r"^v2/?$", catalog.api_root),
    re_path(r"^v2/users/?$", users.users_collection),
    re_path(r"^v2/users/(?P<user_id>[^/]+)/?$", users.user_detail),
    re_path(r"^v2/tariffs/?$", catalog.tariffs_collection),
    re_path(r"^v2/tariffs/(?P<tariff_id>[^/]+)/?$", catalog.tariff_detail),
    re_path(r"^v2/suppliers/?$", catalog.suppliers_collection),
    re_path(r"^v2/suppliers/(?P<supplier_id>[^/]+)/?$", catalog.supplier_detail),
    re_path(r"^v2/evse_sites/?$", catalog.evse_sites_collection),
    re_path(r"^v2/evse_sites/(?P<evse_site_id>[^/]+)/?$", catalog.evse_site_detail),
    re_path(r"^v2/vehicles/?$", devices.vehicles_collection),
    re_path(r"^v2/vehicles/(?P<vehicle_id>[^/]+)/?$", devices.vehicle_detail),
    re_path(r"^v2/evses/?$", devices.evses_collection),
    re_path(r"^v2/evses/(?P<evse_id>[^/]+)/?$", devices.evse_detail),
    *routes(DECLARATIONS),
    re_path(r"^v2/.*$", unknown_endpoint),
    # The token URL's trailing slash matters, as on the real API.
    path("o/token/", oauth.token),
    path("o/revoke_token/", oauth.revoke_token),
    path("_sandbox/", control.index),
    path("_sandbox/faults", control.faults_view),
    path("_sandbox/reset", control.reset),
    path("_sandbox/clients", control.clients),
    path("_sandbox/requests", control.requests_view),
    path("_sandbox/seed/defects", control.seed_defects),
    path("_sandbox/seed/cases", control.seed_cases),
    path("_sandbox/webhooks", control.webhooks_view),
    path("_sandbox/webhooks/trigger", control.webhooks_trigger),
]

handler404 = control.not_found
handler500 = control.server_error
