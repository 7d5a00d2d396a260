"""`manage.py apicheck`: is evadmin configured to reach and use the ev.energy API?

It also says which scopes the configured client holds and which evadmin features each missing
scope disables; `--operations` prints the README's table of the operations evadmin uses.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from evadmin.evenergy import errors
from evadmin.evenergy.attribution import SYSTEM, Source, on_behalf_of
from evadmin.evenergy.auth import ClientCredentialsToken
from evadmin.evenergy.client import API_VERSION, build_client
from evadmin.evenergy.collections import operations_table, scopes_by_feature


def _require_migrated_database() -> None:
    """The check records what it spends (the budget and the ledger live in the database): on a database
    never migrated it would end in "no such table"; say what to run instead."""
    try:
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(f"Cannot read evadmin's database ({exc}). Check DATABASE_URL.") from None
    if unapplied:
        raise CommandError(f"evadmin's database is not set up ({len(unapplied)} migrations not applied): run "
                           "`python manage.py migrate` first (`make run` does it), then apicheck again.")


class Command(BaseCommand):
    help = ("Check the ev.energy API configuration: reachability, authentication, version, budget left, "
            "and the scopes each evadmin feature needs.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--operations", action="store_true",
                            help="Print the operations evadmin uses and their scopes, per feature (Markdown), "
                                 "and exit without calling the API.")

    def handle(self, *args, **options) -> None:
        if options["operations"]:
            self.stdout.write(operations_table())
            return
        _require_migrated_database()
        client = build_client()
        mode = "static token" if settings.EVADMIN_API_TOKEN else f"client credentials ({settings.EVADMIN_API_CLIENT_ID})"
        self.stdout.write(f"base URL:        {client.base_url}")
        self.stdout.write(f"authentication:  {mode}")
        try:
            # One authenticated read: proves the token, the user:read scope and the version at once.
            with on_behalf_of(source=Source(SYSTEM, "manage.py apicheck")):
                response = client.request("GET", "/users", params={"page_size": 1})
        except errors.Unauthorized as exc:
            if "invalid_scope" in str(exc):
                raise CommandError(
                    f"The token endpoint refused the scopes asked for (EVADMIN_API_SCOPES={' '.join(settings.EVADMIN_API_SCOPES)}): "
                    "the client lacks at least one. Leave EVADMIN_API_SCOPES empty to be granted every scope the client "
                    "holds; this check then lists the features a missing scope disables.") from None
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
        self._report_scopes(client)
        self.stdout.write(self.style.SUCCESS("API check passed."))

    def _report_scopes(self, client) -> None:
        if not isinstance(client.token, ClientCredentialsToken):
            self.stdout.write("scopes held:     unknown with a static token (a 403 names the scope it lacks)")
            return
        held = client.token.granted_scopes()
        if held is None:
            self.stdout.write("scopes held:     not reported by the token endpoint (a 403 names the scope it lacks)")
            return
        self.stdout.write(f"scopes held:     {' '.join(sorted(held)) or '(none)'}")
        disabled = [(feature, sorted(needed - held)) for feature, needed in scopes_by_feature().items()
                    if needed - held]
        if not disabled:
            self.stdout.write("features:        all available")
            return
        self.stdout.write(self.style.WARNING("features disabled by a missing scope:"))
        for feature, missing in disabled:
            self.stdout.write(f"  - {feature}: needs {', '.join(missing)}")
