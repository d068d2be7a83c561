"""The two team formulas of the seed, as data: "1+2+N" for villages and "2+5" for a dispatched group."""

from django.db import migrations

from rounds.formulas import formulas_ensure


def seed(apps, schema_editor):
    formulas_ensure(apps.get_model("rounds", "TeamFormula"), apps.get_model("rounds", "FormulaSlot"))


class Migration(migrations.Migration):
    dependencies = [("rounds", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
