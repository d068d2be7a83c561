from django.core.management.base import BaseCommand

from supervision.demo import DEMO_PASSWORD, load_demo
from supervision.roles import ROLE_LABELS


class Command(BaseCommand):
    help = "Load the demo organisation, cadre pool and one login per role (idempotent)."

    def handle(self, *args, **options):
        summary = load_demo()
        self.stdout.write(f"Demo data: {summary['units']} units, {summary['people']} people.")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, roles in summary["accounts"]:
            labels = "、".join(str(ROLE_LABELS[r.strip()]) for r in roles.split(",") if r.strip() in ROLE_LABELS)
            self.stdout.write(f"  {username:<12} {labels or '无角色'}")
