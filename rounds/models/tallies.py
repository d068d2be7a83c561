"""The rollups the commission overview reads for stations and rounds held."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from supervision.models import Unit

from .core import Batch


class StationTally(models.Model):
    """Stations held (every state but 方案待确认) per month their round starts, batch and township. Kept by
    rounds.tallies on every save or delete of a station or round and every move of a unit; rebuilt nightly."""

    month = models.DateField(_("月份"))
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="+")
    town = models.ForeignKey(Unit, verbose_name=_("乡镇（街道）"), on_delete=models.CASCADE, related_name="+")
    stations = models.PositiveIntegerField(_("驻点数"), default=0)
    rounds = models.PositiveIntegerField(_("轮次数"), default=0)  # rounds with a station held here

    class Meta:
        verbose_name = _("驻点汇总")
        verbose_name_plural = _("驻点汇总")
        constraints = [models.UniqueConstraint(fields=["month", "batch", "town"], name="station_tally_unique_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.batch_id}/{self.town_id}: {self.stations}"


class RoundTally(models.Model):
    """Rounds held (with at least one station held) per month the round starts and batch: the overview's 驻点轮次
    for the whole city. A round's stations may lie in several townships, so the per-township figure is kept beside
    the stations (StationTally.rounds) and this one is not their sum. Kept and rebuilt with the station tally."""

    month = models.DateField(_("月份"))
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="+")
    rounds = models.PositiveIntegerField(_("轮次数"), default=0)

    class Meta:
        verbose_name = _("轮次汇总")
        verbose_name_plural = _("轮次汇总")
        constraints = [models.UniqueConstraint(fields=["month", "batch"], name="round_tally_unique_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.batch_id}: {self.rounds}"
