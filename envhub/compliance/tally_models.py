"""The summary of judged windows per source and local day (`daily_tallies`)."""

from django.db import models


class JudgedCounts(models.Model):
    """What a day's or a month's summary counts of a source's judged windows: those with
    data, the valid ones, those over the limit and their hours."""

    with_data = models.IntegerField(default=0)
    valid = models.IntegerField(default=0)
    exceeded = models.IntegerField(default=0)
    exceeded_hours = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyTally(JudgedCounts):
    """The judged windows of one source whose end is in one local day, counted: kept by
    triggers on `Assessment` (never written by Python), read by the dashboard for whole days.
    No foreign key constraint: the windows' own cascades empty it (a day whose count falls to
    zero is removed), in whatever order a deletion takes them."""

    pk = models.CompositePrimaryKey("source", "day")
    source = models.ForeignKey("registry.Source", on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="+")
    day = models.DateField()

    class Meta:
        # The days a period leaves out of a month it reads whole (`period_sums`): usually
        # the days still to come, which hold nothing — found at once by day.
        indexes = [models.Index(fields=["day"], name="tally_day")]


class SourceMonth(JudgedCounts):
    """`DailyTally` summed per calendar month (`month`: its first day): kept by triggers on
    `DailyTally` (`daily_tallies`), so a month of the country is one row per source."""

    pk = models.CompositePrimaryKey("source", "month")
    source = models.ForeignKey("registry.Source", on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="+")
    month = models.DateField()
