from django.urls import path

from evadmin.data_quality import views

app_name = "audit_reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("run/", views.report_run, name="run"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/findings.csv", views.report_export_csv, name="export_csv"),
]
