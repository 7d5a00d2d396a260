from django.core.management.base import BaseCommand, CommandError

from evadmin.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exits 1 naming the first broken event."

    def handle(self, *args, **options):
        result = audit_verify_chain()
        if not result.ok:
            where = f"event {result.first_broken_event_id}" if result.first_broken_event_id else "chain head"
            raise CommandError(
                f"audit chain broken at {where}: {result.problem} "
                f"({result.events_checked} events before it intact)",
                returncode=1,
            )
        self.stdout.write(f"audit chain intact: {result.events_checked} events")
