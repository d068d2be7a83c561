"""The rollup the commission overview reads for rectification items and hand-off letters."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import Batch
from supervision.models import Unit


class ItemTally(models.Model):
    """Issued hand-off letters and their rectification items counted per month of issue, batch, township and
    problem category, with the items' deadline colours as of `as_of`.

    A row with a category counts the items of that category (total, closed, red, yellow, green) and the letters
    holding at least one of them; the row with an empty category counts every letter of its month, batch and
    township (a letter's items can be of several categories, so letters are not added up over categories). The
    colours move with the calendar: the rows are recoloured each night (beat) and, failing that, on the first read of
    a new day. Kept by rectification.tallies."""

    month = models.DateField(_("月份"))
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="+")
    town = models.ForeignKey(Unit, verbose_name=_("乡镇（街道）"), on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("问题类别"), max_length=30, blank=True)
    items = models.PositiveIntegerField(_("整改事项"), default=0)
    closed = models.PositiveIntegerField(_("已销号"), default=0)
    red = models.PositiveIntegerField(_("已逾期"), default=0)
    yellow = models.PositiveIntegerField(_("临近时限"), default=0)
    green = models.PositiveIntegerField(_("即将到期"), default=0)
    letters = models.PositiveIntegerField(_("交办函"), default=0)
    as_of = models.DateField(_("颜色计算日期"))
    rule = models.CharField(_("颜色阈值"), max_length=20, default="")  # "green/yellow" days the colours used

    class Meta:
        verbose_name = _("整改汇总")
        verbose_name_plural = _("整改汇总")
        constraints = [models.UniqueConstraint(fields=["month", "batch", "town", "category"],
                                               name="item_tally_unique_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.batch_id}/{self.town_id}/{self.category or '*'}: {self.items}"
