"""Verify the audit trail's hash chain: `manage.py verify_audit_chain`. Prints the number of events checked and
"OK", or the first broken link; exits with status 1 when the chain is broken (for cron and monitoring)."""

import time

from django.core.management.base import BaseCommand, CommandError

from supervision.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain and name the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=5000, help="events fetched per round trip")
        parser.add_argument("--database", default="default")

    def handle(self, *args, chunk_size: int, database: str, **options):
        started = time.monotonic()
        result = audit_chain_verify(chunk_size=chunk_size, using=database)
        elapsed = time.monotonic() - started
        self.stdout.write(f"checked {result.checked} events in {elapsed:.1f} s")
        if not result.ok:
            raise CommandError(f"BROKEN: {result.problem}", returncode=1)
        self.stdout.write("OK")
