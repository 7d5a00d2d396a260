from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evadmin.staff.services import demo_staff_ensure

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Command(BaseCommand):
    help = "Create one demo staff account per role (viewer, support, ...) if missing, and print their logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-real-api",
            action="store_true",
            help="Run even though EVADMIN_API_BASE_URL is not the local sandbox.",
        )

    def handle(self, *args, allow_real_api: bool = False, **options):
        # Demo accounts have well-known passwords: keep them off deployments that talk to
        # the real ev.energy API unless someone insists.
        api_host = urlsplit(settings.EVADMIN_API_BASE_URL).hostname or ""
        if api_host not in _LOCAL_HOSTS and not allow_real_api:
            raise CommandError(
                f"EVADMIN_API_BASE_URL points at {api_host}, not the local sandbox; "
                "demo accounts have public passwords. Use --allow-real-api to create them anyway."
            )
        for account in demo_staff_ensure():
            if account.created:
                self.stdout.write(f"created  {account.role:<14} login: {account.username} / {account.password}")
            else:
                self.stdout.write(
                    f"exists   {account.role:<14} login: {account.username} "
                    f"(password unchanged; demo default {account.password})"
                )
