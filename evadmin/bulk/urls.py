from django.urls import path, re_path

from evadmin.bulk import views

app_name = "bulk"

urlpatterns = [
    path("", views.bulk_upload, name="upload"),
    path("template.csv", views.bulk_template, name="template"),
    path("jobs/", views.bulk_job_list, name="jobs"),
    path("jobs/<int:job_id>/", views.bulk_job_detail, name="job"),
    path("jobs/<int:job_id>/estimate/", views.bulk_job_estimate, name="estimate"),
    path("jobs/<int:job_id>/rejected.csv", views.bulk_job_rejected_csv, name="rejected_csv"),
    path("jobs/<int:job_id>/file/", views.bulk_job_file, name="file"),
    path("jobs/<int:job_id>/start/", views.bulk_job_submit, name="submit"),
    path("jobs/<int:job_id>/approve/", views.bulk_job_approve, name="approve"),
    path("jobs/<int:job_id>/progress/", views.bulk_job_progress, name="progress"),
    path("jobs/<int:job_id>/revert/", views.bulk_job_revert, name="revert"),
    path("jobs/<int:job_id>/results.csv", views.bulk_job_results_csv, name="results_csv"),
    re_path(r"^jobs/(?P<job_id>[0-9]+)/(?P<action>pause|resume|cancel|retry_failed)/$", views.bulk_job_control,
            name="control"),
]
