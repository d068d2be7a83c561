"""Rollups the commission overview adds up instead of counting every problem sheet per request."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import Batch
from supervision.models import Unit


class FindingTally(models.Model):
    """Confirmed problem sheets counted per month found, batch, township and category.

    The township is the station target's township or street for a village or community, else the target itself:
    exactly what the overview's township filter matches. At 1,000,000 sheets this table holds a few thousand rows
    (months × townships × categories), so the overview reads the same few rows whatever the number of sheets.
    Kept by findings.tallies in the transaction of every sheet save or delete, rebuilt whole by
    `manage.py rebuild_tallies`, after bulk loads, and nightly (a township's villages can move)."""

    month = models.DateField(_("月份"))
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="+")
    town = models.ForeignKey(Unit, verbose_name=_("乡镇（街道）"), on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("问题类别"), max_length=30)
    sheets = models.PositiveIntegerField(_("问题数"), default=0)
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("问题汇总")
        verbose_name_plural = _("问题汇总")
        constraints = [models.UniqueConstraint(fields=["month", "batch", "town", "category"],
                                               name="finding_tally_unique_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.batch_id}/{self.town_id}/{self.category}: {self.sheets}"


class CategoryUnitTally(models.Model):
    """Per problem category and unit (a sheet's responsible unit, else its station's target): how many confirmed
    sheets and the latest date one was found. The special-campaign signal (a category found at ≥ N units within
    the last D days) reads these few thousand rows instead of the window's sheets. Kept with FindingTally."""

    category = models.CharField(_("问题类别"), max_length=30)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    sheets = models.PositiveIntegerField(_("问题数"), default=0)
    last_found_on = models.DateField(_("最近发现日期"))

    class Meta:
        verbose_name = _("类别单位汇总")
        verbose_name_plural = _("类别单位汇总")
        constraints = [models.UniqueConstraint(fields=["category", "unit"], name="category_unit_tally_unique_key")]
        indexes = [models.Index(fields=["category", "last_found_on"], name="category_unit_tally_recent_idx")]

    def __str__(self) -> str:
        return f"{self.category}/{self.unit_id}: {self.sheets} (≤ {self.last_found_on})"
