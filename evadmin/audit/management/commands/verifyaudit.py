from django.core.management.base import BaseCommand, CommandError

from evadmin.audit.services import audit_chain_check


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exits 1 naming the first broken event."

    def handle(self, *args, **options):
        # Stored like the periodic check's, so a passing run clears the banner and a failing one raises it.
        check = audit_chain_check()
        if not check.ok:
            raise CommandError(check.describe(), returncode=1)
        self.stdout.write(check.describe())
