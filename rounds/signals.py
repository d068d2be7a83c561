"""Keeps the station tally (see rounds.tallies) in step with every save and delete of a station, a round's start
date, and a unit's move. Planning creates proposals with bulk_create (not counted); confirming them saves each."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from supervision.signals import unit_moved

from .models import Round, Station
from .tallies import station_keys, station_tallies_refresh, station_tallies_unit_moved


@receiver(pre_save, sender=Station, dispatch_uid="station_tally_before_save")
def _station_before_save(sender, instance: Station, raw=False, **kwargs):
    instance._tally_keys_before = (set() if raw or instance.pk is None
                                   else station_keys(Station.objects.filter(pk=instance.pk)))


@receiver(post_save, sender=Station, dispatch_uid="station_tally_after_save")
def _station_after_save(sender, instance: Station, raw=False, **kwargs):
    if not raw:
        station_tallies_refresh(*getattr(instance, "_tally_keys_before", set()),
                                *station_keys(Station.objects.filter(pk=instance.pk)))


@receiver(pre_delete, sender=Station, dispatch_uid="station_tally_before_delete")
def _station_before_delete(sender, instance: Station, **kwargs):
    instance._tally_keys_before = station_keys(Station.objects.filter(pk=instance.pk))


@receiver(post_delete, sender=Station, dispatch_uid="station_tally_after_delete")
def _station_after_delete(sender, instance: Station, **kwargs):
    station_tallies_refresh(*getattr(instance, "_tally_keys_before", set()))


@receiver(pre_save, sender=Round, dispatch_uid="station_tally_round_before_save")
def _round_before_save(sender, instance: Round, raw=False, **kwargs):
    instance._start_before = (None if raw or instance.pk is None else
                              Round.objects.filter(pk=instance.pk).values_list("start_date", flat=True).first())


@receiver(post_save, sender=Round, dispatch_uid="station_tally_round_after_save")
def _round_after_save(sender, instance: Round, raw=False, **kwargs):
    before = getattr(instance, "_start_before", None)
    if before is None or (before.year, before.month) == (instance.start_date.year, instance.start_date.month):
        return
    keys = station_keys(Station.objects.filter(round=instance))
    month = before.replace(day=1)
    station_tallies_refresh(*keys, *((month, b, t) for _m, b, t in keys))


@receiver(unit_moved, dispatch_uid="station_tally_unit_moved")
def _unit_moved(sender, unit, kind_before, parent_before, **kwargs):
    station_tallies_unit_moved(unit, kind_before=kind_before, parent_before=parent_before)
