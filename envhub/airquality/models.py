"""Air quality: the VN_AQI (chỉ số chất lượng không khí) of each automatic ambient station, hour
by hour and day by day (Decision 1459/QĐ-TCMT), and the ambient limits of QCVN 05:2023/BTNMT as
data."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from envhub.compliance.models import Verification
from envhub.core import periods


class AqiQueue(models.Model):
    """(station, hour) whose hourly rollups changed: the hourly AQI of that hour and the eleven
    after it (the NowCast looks back twelve hours) and the daily AQI of its day (and the next,
    whose first 8-hour O3 means reach back) are computed again. Filled in the rollup
    transaction."""

    pk = models.CompositePrimaryKey("station", "hour_end")
    station = models.ForeignKey("registry.Station", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    hour_end = models.DateTimeField()
    queued_at = models.DateTimeField(auto_now_add=True)


class AqiResult(models.Model):
    """What an index computation gives, for an hour or a day."""

    aqi = models.PositiveSmallIntegerField(null=True)
    category = models.CharField(max_length=20, blank=True)
    dominant = models.CharField(max_length=10, blank=True)
    sub_indices = models.JSONField(default=dict)
    # Per pollutant: the concentration (µg/m3) its sub-index was looked up with, and its basis
    # (see `vn_aqi.SubIndex`).
    inputs = models.JSONField(default=dict)
    note = models.CharField(max_length=300, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class HourlyAqi(AqiResult):
    """A station's VN_AQI for the hour ending at `hour_end` (PM on the NowCast)."""

    pk = models.CompositePrimaryKey("station", "hour_end")
    station = models.ForeignKey("registry.Station", on_delete=models.CASCADE, related_name="+")
    hour_end = models.DateTimeField()


class DailyAqi(AqiResult):
    """A station's VN_AQI for the local day (01:00 … 24:00)."""

    pk = models.CompositePrimaryKey("station", "day")
    station = models.ForeignKey("registry.Station", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        # The dashboard's cities read a year of their stations' days for the index alone: with
        # the index in the key, both databases answer from this index without the wide rows
        # (PostgreSQL: 2,000 pages instead of 65,000 at national scale). Not `include=`: SQLite
        # has no INCLUDE, and Django leaves it out there, so SQLite read every row.
        indexes = [models.Index(fields=["station", "day", "aqi"],
                                name="dailyaqi_station_day_aqi")]


class ProvinceDayAqi(models.Model):
    """A province's stations on one local day: how many had a daily VN_AQI in each category
    (`vn_aqi.CATEGORIES`, by the index's value). Kept by triggers on `DailyAqi` and on a
    station's move to another province (`province_days`; never written by Python), read by
    the dashboard: a main city's day is in the category of its worst station, the highest
    category counted here — one row a city-day instead of one a station-day."""

    pk = models.CompositePrimaryKey("province", "day")
    province = models.ForeignKey("registry.Province", on_delete=models.DO_NOTHING,
                                 related_name="+", db_constraint=False)
    day = models.DateField()
    stations = models.IntegerField(default=0)  # with an index that day
    good = models.IntegerField(default=0)
    moderate = models.IntegerField(default=0)
    poor = models.IntegerField(default=0)
    bad = models.IntegerField(default=0)
    very_bad = models.IntegerField(default=0)
    hazardous = models.IntegerField(default=0)


class Averaging(models.TextChoices):
    HOUR = "1h", _("1 hour")
    EIGHT_HOURS = "8h", _("8 hours")
    DAY = "24h", _("24 hours")
    YEAR = "year", _("year")


class AmbientLimit(models.Model):
    """A limit of an ambient air quality standard (QCVN 05:2023/BTNMT Table 1), µg/Nm3 at
    25 °C and 760 mmHg; a limit may change on a date (PM2.5 24 h: 50, then 45 from 2026)."""

    standard = models.CharField(_("standard"), max_length=60)
    parameter = models.ForeignKey("registry.Parameter", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("parameter"))
    averaging = models.CharField(_("averaging time"), max_length=4, choices=Averaging.choices)
    value = models.FloatField(_("limit"), validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=20, default="µg/m3")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until (inclusive)"), null=True, blank=True)
    verification = models.CharField(_("verification"), max_length=1,
                                    choices=Verification.choices, default=Verification.UNVERIFIED)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["standard", "parameter", "averaging", "valid_from"]
        verbose_name = _("ambient air limit")
        verbose_name_plural = _("ambient air limits")

    def __str__(self) -> str:
        return f"{self.standard} {self.parameter.code} {self.averaging} {self.value:g}"

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.valid_from, self.valid_until)

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("This date is before the start of validity.")})
