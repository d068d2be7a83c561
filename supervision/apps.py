from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("组织与系统")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import auth_events, signals  # noqa: F401  (audit of logins; unit_moved)
        from .roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
