from django.urls import path

from evadmin.tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("stats/", views.ticket_stats, name="stats"),
    path("drivers/<str:user_id>/", views.driver_tickets, name="driver"),
    path("<str:ticket_id>/", views.ticket_detail, name="detail"),
    path("<str:ticket_id>/recategorise/", views.ticket_recategorise, name="recategorise"),
]
