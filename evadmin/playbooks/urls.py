from django.urls import path

from evadmin.playbooks import views

app_name = "playbooks"

urlpatterns = [
    path("", views.playbook_list, name="list"),
    path("<str:subcategory>/", views.playbook_detail, name="detail"),
    path("<str:subcategory>/edit/", views.playbook_edit, name="edit"),
]
