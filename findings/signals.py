"""Keeps the problem tally in step with every save and delete of a sheet, however it is made (services, the admin,
fixtures): the sheet's tally key is read before the change and recounted, with the key after it, once it is
written — in the same transaction (see findings.tallies); a unit that moves between townships recounts its
sheets' keys. bulk_create and queryset.update() send no signals: their
callers rebuild the tally."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from supervision.signals import unit_moved

from .models import Finding, FindingState
from .tallies import finding_key, tallies_refresh, tallies_unit_moved


@receiver(pre_save, sender=Finding, dispatch_uid="finding_tally_before_save")
def _key_before_save(sender, instance: Finding, raw=False, **kwargs):
    instance._tally_key_before = None if raw or instance.pk is None else finding_key(instance.pk)


@receiver(post_save, sender=Finding, dispatch_uid="finding_tally_after_save")
def _recount_after_save(sender, instance: Finding, raw=False, **kwargs):
    if raw:  # loaddata: the fixture's tally rows come with it, or rebuild_tallies
        return
    after = finding_key(instance.pk) if instance.state == FindingState.CONFIRMED else None
    tallies_refresh(getattr(instance, "_tally_key_before", None), after)


@receiver(pre_delete, sender=Finding, dispatch_uid="finding_tally_before_delete")
def _key_before_delete(sender, instance: Finding, **kwargs):
    instance._tally_key_before = finding_key(instance.pk)


@receiver(post_delete, sender=Finding, dispatch_uid="finding_tally_after_delete")
def _recount_after_delete(sender, instance: Finding, **kwargs):
    tallies_refresh(getattr(instance, "_tally_key_before", None))



@receiver(unit_moved, dispatch_uid="finding_tally_unit_moved")
def _unit_moved(sender, unit, kind_before, parent_before, **kwargs):
    tallies_unit_moved(unit, kind_before=kind_before, parent_before=parent_before)
