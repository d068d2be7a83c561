"""Keeps the rectification tally (see rectification.tallies) in step with the writes that change it, however they
are made: a letter issued, an item saved or deleted, a handed-off sheet's category corrected, a unit moved.
bulk_create and queryset.update() send no signals: letter_draft creates the items of a draft (not counted until
the letter is issued); other bulk writers rebuild the tally."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from findings.models import Finding
from supervision.signals import unit_moved

from .models import HandoffLetter, LetterState, RectificationItem
from .tallies import item_key, item_tallies_refresh, item_tallies_unit_moved, letter_keys


@receiver(post_save, sender=HandoffLetter, dispatch_uid="item_tally_letter_saved")
def _letter_saved(sender, instance: HandoffLetter, raw=False, **kwargs):
    if not raw and instance.state == LetterState.ISSUED:
        item_tallies_refresh(*letter_keys([instance.pk]))


@receiver(post_save, sender=RectificationItem, dispatch_uid="item_tally_item_saved")
def _item_saved(sender, instance: RectificationItem, raw=False, **kwargs):
    if not raw:
        item_tallies_refresh(item_key(instance.pk))


@receiver(pre_delete, sender=RectificationItem, dispatch_uid="item_tally_item_before_delete")
def _item_before_delete(sender, instance: RectificationItem, **kwargs):
    instance._tally_key_before = item_key(instance.pk)


@receiver(post_delete, sender=RectificationItem, dispatch_uid="item_tally_item_deleted")
def _item_deleted(sender, instance: RectificationItem, **kwargs):
    item_tallies_refresh(getattr(instance, "_tally_key_before", None))


@receiver(pre_save, sender=Finding, dispatch_uid="item_tally_sheet_before_save")
def _sheet_before_save(sender, instance: Finding, raw=False, **kwargs):
    instance._item_category_before = (None if raw or instance.pk is None else
                                      Finding.objects.filter(pk=instance.pk).values_list("category", flat=True).first())


@receiver(post_save, sender=Finding, dispatch_uid="item_tally_sheet_saved")
def _sheet_saved(sender, instance: Finding, raw=False, **kwargs):
    before = getattr(instance, "_item_category_before", None)
    if raw or before is None or before == instance.category:
        return
    item = RectificationItem.objects.filter(finding=instance).values_list("pk", flat=True).first()
    key = item_key(item) if item else None
    if key:
        item_tallies_refresh(key, (*key[:3], before))


@receiver(unit_moved, dispatch_uid="item_tally_unit_moved")
def _unit_moved(sender, unit, kind_before, parent_before, **kwargs):
    item_tallies_unit_moved(unit, kind_before=kind_before, parent_before=parent_before)
