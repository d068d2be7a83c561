"""The beat schedule of the nightly rollup rebuild: every day at 00:05 Asia/Shanghai, task
"supervision.tallies_rebuild" (the new day's deadline colours; a safety net under the per-row upkeep).
Administrators change it in the admin (django-celery-beat)."""

from django.db import migrations

from supervision.beat import schedule_operation


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_notifications"),
        ("findings", "0006_tally"),
        ("rectification", "0004_tally"),
        ("rounds", "0005_station_tally"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedule_operation(
        name="总览汇总重算", task="supervision.tallies_rebuild",
        crontab={"minute": "5", "hour": "0", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*",
                 "timezone": "Asia/Shanghai"},
        description="每天零点后按原始记录重算总览使用的汇总：问题、驻点、整改事项（含按新日期计算的时限颜色）。")]
