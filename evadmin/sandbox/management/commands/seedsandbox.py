"""python manage.py seedsandbox --users N [--seed S] [--reset | --if-empty] [--without-history]"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from evadmin.sandbox.seed import SeedError, sandbox_has_data, seed_sandbox
from evadmin.sandbox.sqlite import tune_sandbox_sqlite


class Command(BaseCommand):
    help = "Fill the sandbox API's database with deterministic, realistic data."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, required=True, help="How many users to create.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: same seed, same data (default 1).")
        parser.add_argument("--reset", action="store_true", help="Delete the existing sandbox data first.")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing (successfully) when the sandbox already has data.")
        parser.add_argument("--without-history", action="store_true",
                            help="Users and devices only: no month of sessions, logs, tickets or support cases.")

    def handle(self, *args, users: int, seed: int, reset: bool, if_empty: bool, without_history: bool, **options):
        tune_sandbox_sqlite()
        call_command("migrate", "sandbox", database="sandbox", interactive=False, verbosity=0)
        if if_empty and not reset and sandbox_has_data():
            self.stdout.write("The sandbox already has data; left as it is.")
            return
        started = time.monotonic()
        try:
            summary = seed_sandbox(users=users, seed=seed, reset=reset, history=not without_history)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        defects = ", ".join(f"{name} {count}" for name, count in summary.defects.items())
        self.stdout.write(
            f"Seeded {summary.users} users, {summary.vehicles} vehicles, {summary.evses} EVSEs, "
            f"{summary.suppliers} suppliers, {summary.tariffs} tariffs, {summary.evse_sites} EVSE sites "
            f"(seed {seed}) in {time.monotonic() - started:.1f}s. Defects: {defects}."
        )
