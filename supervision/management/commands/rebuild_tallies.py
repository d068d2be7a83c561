"""manage.py rebuild_tallies: recount every rollup the overview reads (problem tally, rectification tally, station
tally) from the records — after restoring a backup, a bulk import or a raw SQL change. Beat does it nightly."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "按原始记录重算总览使用的全部汇总（问题、整改、驻点）。"

    def handle(self, *args, **options):
        from supervision.tally import tallies_rebuild_all

        for name, rows in tallies_rebuild_all().items():
            self.stdout.write(f"{name}: {rows} rows")
