from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "evadmin.tickets"
    verbose_name = "Ticket desk"
