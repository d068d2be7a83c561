from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = _("整改督办")

    def ready(self):
        from . import signals  # noqa: F401  (the rectification tally follows letters, items, sheets and units)
