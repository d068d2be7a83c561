from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = _("巡回驻点")

    def ready(self):
        from . import signals  # noqa: F401  (the station tally follows stations, rounds and units)
