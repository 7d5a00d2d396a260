from django.urls import path

from evadmin.driver_directory import views

app_name = "directory"

urlpatterns = [
    path("locations/", views.location_list, name="locations"),
    path("locations/export.csv", views.location_export, {"file_format": "csv"}, name="export_csv"),
    path("locations/export.xlsx", views.location_export, {"file_format": "xlsx"}, name="export_xlsx"),
    path("locations/exports/", views.location_export_start, name="exports"),
    path("locations/exports/<int:export_id>/", views.location_export_detail, name="export"),
    path("locations/exports/<int:export_id>/download", views.location_export_download, name="export_download"),
    path("directory/", views.sync_state, name="sync_state"),
    path("directory/sync/", views.sync_now, name="sync_now"),
]
