"""The checklist library's version 1 (published), as data: rounds/checklist_data.py."""

from django.db import migrations

from rounds.checklist_data import checklist_ensure


def seed(apps, schema_editor):
    checklist_ensure(apps.get_model("rounds", "ChecklistVersion"), apps.get_model("rounds", "ChecklistItem"))


class Migration(migrations.Migration):
    dependencies = [("rounds", "0003_checklistversion_checklistitem_fieldrecord_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
