"""`unit_moved`: sent after a unit is saved under another parent or as another kind, so the rollups that count by
township (findings, rectification, rounds tallies) recount what the unit carried. Sent by the receivers below for
every save of a Unit (services, the admin, fixtures); bulk imports create units, they do not move them."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal, receiver

from .models import Unit

# kwargs: unit, kind_before, parent_before
unit_moved = Signal()


@receiver(pre_save, sender=Unit, dispatch_uid="unit_place_before_save")
def _place_before_save(sender, instance: Unit, raw=False, **kwargs):
    instance._place_before = (None if raw or instance.pk is None else
                              Unit.objects.filter(pk=instance.pk).values_list("kind", "parent_id").first())


@receiver(post_save, sender=Unit, dispatch_uid="unit_place_after_save")
def _place_after_save(sender, instance: Unit, raw=False, **kwargs):
    before = getattr(instance, "_place_before", None)
    if before and before != (instance.kind, instance.parent_id):
        unit_moved.send(sender=Unit, unit=instance, kind_before=before[0], parent_before=before[1])
