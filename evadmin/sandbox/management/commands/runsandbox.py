"""python manage.py runsandbox [--host 127.0.0.1] [--port 8001] [--seed-users N] [--seed S] [--quiet]

Serves the fake ev.energy API in this process: threaded, no autoreload, with the sandbox's own
URLconf and no middleware (no sessions, CSRF or auth: the API authenticates with its own tokens).
--port 0 picks a free port; the ready line names the one bound.
"""

import logging

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.servers.basehttp import WSGIServer, run
from django.urls import clear_url_caches, set_urlconf

from evadmin.sandbox import webhooks
from evadmin.sandbox.auth import ensure_dev_client
from evadmin.sandbox.seed import sandbox_has_data, seed_sandbox
from evadmin.sandbox.sqlite import tune_sandbox_sqlite


class SandboxServer(WSGIServer):
    # Django's default backlog is 10; benchmarks open more connections than that at once.
    request_queue_size = 128


class Command(BaseCommand):
    help = "Run the sandbox ev.energy API (a fake of the v2 API) on its own port."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--seed-users", type=int, default=0, help="Seed this many users if the DB is empty.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed for --seed-users (default 1).")
        parser.add_argument("--quiet", action="store_true", help="Don't log each request.")

    def handle(self, *args, host: str, port: int, seed_users: int, seed: int, quiet: bool, **options):
        tune_sandbox_sqlite()
        call_command("migrate", "sandbox", database="sandbox", interactive=False, verbosity=0)
        ensure_dev_client()
        if seed_users and not sandbox_has_data():
            summary = seed_sandbox(users=seed_users, seed=seed)
            self.stdout.write(f"seeded {summary.users} users (seed {seed})")
        if quiet:
            logging.getLogger("django.server").setLevel(logging.WARNING)

        # This process serves only the sandbox: its URLconf, no middleware, any Host header.
        settings.ROOT_URLCONF = "evadmin.sandbox.urls"
        settings.MIDDLEWARE = []
        settings.ALLOWED_HOSTS = ["*"]
        clear_url_caches()
        set_urlconf(None)
        handler = WSGIHandler()

        def announce(bound_port: int) -> None:
            # Until an endpoint is configured (which takes the origin clients use), webhook bodies
            # link to the address bound.
            webhooks.set_api_base(f"http://{host}:{bound_port}/v2")
            self.stdout.write(f"sandbox API on http://{host}:{bound_port}/v2")
            self.stdout.flush()

        try:
            run(host, port, handler, ipv6=":" in host, threading=True, on_bind=announce, server_cls=SandboxServer)
        except KeyboardInterrupt:
            pass


