from django.contrib import admin
from django.urls import include, path

from evadmin.staff import views as accounts_views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("accounts/", include("evadmin.staff.urls")),
    path("audit/reports/", include("evadmin.data_quality.urls")),
    path("audit/", include("evadmin.audit.urls")),
    # A driver's charging, devices and fixes live under the driver's URL, after the driver pages.
    path("users/<str:user_id>/charging/", include("evadmin.charging.urls")),
    path("users/<str:user_id>/devices/", include("evadmin.devices.urls")),
    path("users/<str:user_id>/fixes/", include("evadmin.fixes.urls")),
    path("users/<str:user_id>/rebates/", include("evadmin.rebates.urls")),
    path("users/<str:user_id>/energy/", include("evadmin.energy.urls")),
    path("users/<str:user_id>/notifications/", include("evadmin.notifications.urls")),
    path("users/<str:user_id>/carbon/", include("evadmin.carbon.urls")),
    path("users/", include("evadmin.drivers.urls")),
    path("charging/verdicts/", include("evadmin.charging.verdict_urls")),  # the verdict rules staff read
    path("reference/", include("evadmin.drivers.reference_urls")),  # tariffs and EVSE sites, for people
    path("tickets/", include("evadmin.tickets.urls")),
    path("programs/", include("evadmin.programs.urls")),
    path("playbooks/", include("evadmin.playbooks.urls")),
    path("bulk/", include("evadmin.bulk.urls")),
    path("api-budget/", include("evadmin.api_budget.urls")),
    path("", include("evadmin.driver_directory.urls")),  # /locations/ and /directory/
    path("admin/", admin.site.urls),
]

# A database outage answers 503 "try again shortly", even when raised outside a view (evadmin/core/db_errors.py).
handler500 = "evadmin.core.db_errors.server_error"
