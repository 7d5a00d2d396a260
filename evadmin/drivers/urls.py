from django.urls import path

from evadmin.drivers import views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="list"),
    path("new/", views.user_create, name="create"),
    path("form/fields/<str:field_name>/", views.user_form_field, name="form_field"),
    path("form/tariffs/", views.tariff_options, name="tariff_options"),
    path("<str:user_id>/", views.user_detail, name="detail"),
    path("<str:user_id>/edit/", views.user_edit, name="edit"),
    path("<str:user_id>/clear-address/", views.user_clear_address, name="clear_address"),
    path("<str:user_id>/summary/", views.user_summary, name="summary"),
    path("<str:user_id>/timeline/", views.user_timeline, name="timeline"),
]
