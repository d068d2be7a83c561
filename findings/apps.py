from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = _("问题与成果")

    def ready(self):
        from . import signals  # noqa: F401  (the problem tally follows every sheet save)
