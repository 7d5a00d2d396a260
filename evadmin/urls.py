from django.contrib import admin
from django.urls import include, path

from evadmin.accounts import views as accounts_views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("accounts/", include("evadmin.accounts.urls")),
    path("audit/reports/", include("evadmin.audit_reports.urls")),
    path("audit/", include("evadmin.audit.urls")),
    path("users/", include("evadmin.users.urls")),
    path("bulk/", include("evadmin.bulk.urls")),
    path("", include("evadmin.directory.urls")),  # /locations/ and /directory/
    path("admin/", admin.site.urls),
]

# A database outage answers 503 "try again shortly", even when raised outside a view (evadmin/core/db_errors.py).
handler500 = "evadmin.core.db_errors.server_error"
