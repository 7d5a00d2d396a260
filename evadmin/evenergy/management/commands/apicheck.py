"""`manage.py apicheck`: is evadmin configured to reach and use the ev.energy API?"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evadmin.evenergy import errors
from evadmin.evenergy.attribution import SYSTEM, Source, on_behalf_of
from evadmin.evenergy.client import API_VERSION, build_client


class Command(BaseCommand):
    help = "Check the ev.energy API configuration: reachability, authentication, version and budget left."

    def handle(self, *args, **options) -> None:
        client = build_client()
        mode = "static token" if settings.EVADMIN_API_TOKEN else f"client credentials ({settings.EVADMIN_API_CLIENT_ID})"
        self.stdout.write(f"base URL:        {client.base_url}")
        self.stdout.write(f"authentication:  {mode}")
        try:
            # One authenticated read: proves the token, the user:read scope and the version at once.
            with on_behalf_of(source=Source(SYSTEM, "manage.py apicheck")):
                response = client.request("GET", "/users", params={"page_size": 1})
        except errors.Unauthorized as exc:
            raise CommandError(f"The API refused evadmin's credentials: {exc}. Check EVADMIN_API_CLIENT_ID/SECRET or EVADMIN_API_TOKEN.") from None
        except errors.Forbidden as exc:
            raise CommandError(f"Authenticated, but the client lacks the scope {exc.missing_scope or '(unnamed)'}.") from None
        except errors.TransportError as exc:
            raise CommandError(f"Cannot reach the ev.energy API at {client.base_url}: {exc}. Is EVADMIN_API_BASE_URL right and the API up?") from None
        except errors.ApiError as exc:
            raise CommandError(f"The API answered with an error: {exc}") from None
        echoed = response.headers.get("EvEnergy-Version", "")
        if echoed != API_VERSION:
            raise CommandError(f"The API echoed version {echoed or '(none)'}, expected {API_VERSION}: is this the v2 API?")
        budget = client.budget.snapshot()
        self.stdout.write("authenticated:   yes")
        self.stdout.write(f"version echoed:  {echoed}")
        self.stdout.write(f"budget left:     {budget.remaining} of {budget.limit} requests this hour")
        self.stdout.write(self.style.SUCCESS("API check passed."))
