"""Monitoring: what automatic stations send, and what is computed from it.

Terms: `Series` (chuỗi số liệu: one parameter at one station), `Observation` (giá trị đo),
`Batch` (lô: one received file, with its provenance and rejects), `HourlyRollup` and
`DailyRollup` (trung bình giờ, ngày), `LatestValue` (giá trị mới nhất), `StationStatus` and
`ConnectivityChange` (trạng thái truyền dữ liệu).

Time convention (docs/time.md): a value stamped t covers the interval ending at t, so it belongs
to the hour (h, h+1] and is labelled by the hour's end; the local day runs from 00:00
(exclusive) to 24:00 (inclusive) in UTC+7.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _


class DeviceStatus(models.IntegerChoices):
    """TT10 device status codes; only MEASURING values count in averages."""

    MEASURING = 0, _("Measuring")
    CALIBRATING = 1, _("Calibrating")
    ERROR = 2, _("Device error")


class Series(models.Model):
    """The values of one parameter at one station, with the analyser's measuring range when a
    steward has entered it (values outside it are refused)."""

    station = models.ForeignKey(
        "registry.Station", on_delete=models.PROTECT, related_name="series",
        verbose_name=_("station"),
    )
    parameter = models.ForeignKey(
        "registry.Parameter", on_delete=models.PROTECT, related_name="series",
        verbose_name=_("parameter"),
    )
    range_min = models.FloatField(_("lowest value the analyser measures"), null=True, blank=True)
    range_max = models.FloatField(_("highest value the analyser measures"), null=True,
                                  blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        constraints = [
            models.UniqueConstraint(fields=["station", "parameter"],
                                    name="one_series_per_parameter"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}/{self.parameter_id}"


class Channel(models.TextChoices):
    FTP = "ftp", _("FTP")
    HTTP = "http", _("HTTP")
    FOLDER = "folder", _("Folder")


class BatchStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTIAL = "partial", _("Accepted in part")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE_FILE = "duplicate_file", _("Same file already received")


# Hexadecimal digits of a received file's SHA-256 in the index that finds files received before.
SHA256_INDEXED_DIGITS = 16


class Batch(models.Model):
    """One received file: who sent it, how, what it held, and what became of each line."""

    # No index of its own: `batch_station_recent` (station, -id) serves every lookup by
    # station, and one index less is one page less to write per station and slice. No
    # reference check in the database either: ingestion checks a slice's stations in one
    # statement and holds them until it commits (`storage.hold_stations`), and Django keeps
    # PROTECT itself; the database's check cost a lookup and a row lock per received file.
    station = models.ForeignKey(
        "registry.Station", on_delete=models.PROTECT, null=True, blank=True,
        related_name="batches", verbose_name=_("station"), db_index=False,
        db_constraint=False,
    )
    sender = models.CharField(_("sender"), max_length=200)
    # Who sent it, so that a sender also sees the files that named no station they may use.
    # Indexed below only where set: a backfill from the server console has neither, a
    # station's token no user, and an index entry per such file would be written for nothing.
    sender_user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False, db_index=False,
    )
    sender_token = models.ForeignKey(
        "accounts.ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False, db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    # Indexed by its first 16 hexadecimal digits (`batch_sha256_head` below): a digest is
    # random, so each received file writes its index entry on a page of its own, and a
    # shorter key means fewer pages to write back per transaction. 64 bits still tell files
    # apart; the lookup (`storage.earlier_batches`) compares the whole digest too.
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    received_at = models.DateTimeField(_("received"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=BatchStatus.choices)
    lines = models.PositiveIntegerField(_("data lines"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    conflicts = models.PositiveIntegerField(_("conflicts"), default=0)
    # [{"line": 3, "code": "bad_value", "message": "...", "text": "..."}], capped in size.
    rejects = models.JSONField(_("rejected lines"), default=list, blank=True)
    # [{"line": 4, "parameter": "SO2", "time": "...", "kept": 12.0, "sent": 13.0}]
    conflict_details = models.JSONField(_("conflicting values"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    replaced = models.BooleanField(_("re-ingested with replace"), default=False)
    # The earlier batch this file repeats byte for byte (its bytes are not kept twice).
    duplicate_of = models.BigIntegerField(_("repeats received file"), null=True, blank=True)
    first_time = models.DateTimeField(_("first value time"), null=True, blank=True)
    last_time = models.DateTimeField(_("last value time"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("received file")
        verbose_name_plural = _("received files")
        indexes = [models.Index(fields=["station", "-id"], name="batch_station_recent"),
                   models.Index(Substr("sha256", 1, SHA256_INDEXED_DIGITS),
                                name="batch_sha256_head"),
                   models.Index(fields=["sender_user"], name="batch_sender_user",
                                condition=models.Q(sender_user__isnull=False)),
                   models.Index(fields=["sender_token"], name="batch_sender_token",
                                condition=models.Q(sender_token__isnull=False))]

    def __str__(self) -> str:
        return self.file_name


class BatchFile(models.Model):
    """The raw bytes of a received file, kept apart from the batch so lists stay light.

    Written only by `storage.insert_batches`, in the transaction that writes the batch itself,
    and deleted with it (Django cascades the deletion): the database's own reference check
    would only repeat that, at the cost of a lookup (and on PostgreSQL a row lock) per file.
    """

    batch = models.OneToOneField(Batch, on_delete=models.CASCADE, primary_key=True,
                                 related_name="raw", db_constraint=False)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("raw file")
        verbose_name_plural = _("raw files")


class Observation(models.Model):
    """One value of a series at one time (UTC), with the device status sent with it.

    Keyed by (series, time) with no surrogate id: 1.7 billion rows a year at national load. On
    PostgreSQL the table is partitioned by month (see the migration and `monitoring.partitions`).
    """

    pk = models.CompositePrimaryKey("series", "time")
    # No index of its own: the primary key (series, time) serves every lookup by series.
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    time = models.DateTimeField()
    value = models.FloatField(null=True)
    status = models.PositiveSmallIntegerField(choices=DeviceStatus.choices)
    # Provenance: the received file this value came from (no constraint: batches may be pruned;
    # no index: an index per value would cost more than the rare lookup by batch).
    batch = models.ForeignKey(Batch, on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+", db_index=False)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")


class RollupQueue(models.Model):
    """A (series, hour) whose rollups must be recomputed: new, late or replaced data arrived."""

    pk = models.CompositePrimaryKey("series", "hour_end")
    # No reference check in the database: a key is queued in the transaction that writes the
    # series' observations, which hold the series (they protect it from deletion), and a series
    # deleted through Django takes its keys with it. The check would cost the ingestion a
    # lookup and on PostgreSQL a row lock per queued hour.
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+",
                               db_index=False, db_constraint=False)
    hour_end = models.DateTimeField()
    queued_at = models.DateTimeField(auto_now_add=True)


class StackConditionsHour(models.Model):
    """An hour of a series that holds values sent at stack conditions (mg/m3 for a parameter
    kept in mg/Nm3, say) by a station that does not declare that its datalogger reports at
    normal conditions. The values are kept as sent; the compliance judgement normalises the
    hour's mean with the stack's temperature and pressure, or leaves the hour unjudged."""

    pk = models.CompositePrimaryKey("series", "hour_end")
    # No reference check in the database, as for `RollupQueue`: written with the observations.
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+",
                               db_index=False, db_constraint=False)
    hour_end = models.DateTimeField()

    class Meta:
        verbose_name = _("hour at stack conditions")
        verbose_name_plural = _("hours at stack conditions")


class HourlyRollup(models.Model):
    """Aggregates of one series over the hour (hour_end − 1 h, hour_end]."""

    pk = models.CompositePrimaryKey("series", "hour_end")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    hour_end = models.DateTimeField()
    count = models.PositiveIntegerField()
    valid_count = models.PositiveIntegerField()
    calibrating_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    expected_count = models.PositiveIntegerField()
    # Sum of valid values, so that daily means are exact (weighted by valid counts).
    total = models.FloatField(null=True)
    mean = models.FloatField(null=True)
    minimum = models.FloatField(null=True)
    maximum = models.FloatField(null=True)
    coverage = models.FloatField()  # valid / expected × 100, capped at 100
    # Enough valid values for the hour to count (`core.completeness`): the VN_AQI, the QCVN 05
    # comparison and the day's mean use valid hours only.
    valid = models.BooleanField(default=False, db_default=False)
    computed_at = models.DateTimeField(auto_now=True)


class DailyRollup(models.Model):
    """Aggregates of one series over a local day (00:00, 24:00] UTC+7. Its mean is the mean of
    the means of the day's valid hours (the 24-hour average of Decision 1459/QĐ-TCMT); the day
    is valid when enough of its hours are (`core.completeness`). Counts and extremes are of
    every valid value."""

    pk = models.CompositePrimaryKey("series", "day")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    day = models.DateField()
    count = models.PositiveIntegerField()
    valid_count = models.PositiveIntegerField()
    calibrating_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    expected_count = models.PositiveIntegerField()
    total = models.FloatField(null=True)
    mean = models.FloatField(null=True)
    minimum = models.FloatField(null=True)
    maximum = models.FloatField(null=True)
    coverage = models.FloatField()
    # The day's valid hours (those the mean averages), and whether they make a valid day.
    valid_hours = models.PositiveSmallIntegerField(default=0, db_default=0)
    valid = models.BooleanField(default=False, db_default=False)
    computed_at = models.DateTimeField(auto_now=True)


class RollupProblem(models.Model):
    """An hour the rollup worker could not compute (the error is logged too); kept so that a
    steward sees it and can queue it again once the cause is fixed."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    hour_end = models.DateTimeField()
    error = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]


class LatestValue(models.Model):
    """The newest value of each series, for maps and the station pages."""

    series = models.OneToOneField(Series, on_delete=models.CASCADE, primary_key=True,
                                  related_name="latest")
    station = models.ForeignKey("registry.Station", on_delete=models.CASCADE, related_name="+")
    time = models.DateTimeField()
    value = models.FloatField(null=True)
    status = models.PositiveSmallIntegerField(choices=DeviceStatus.choices)


class Connectivity(models.TextChoices):
    ONLINE = "online", _("Online")
    LATE = "late", _("Late")
    OFFLINE = "offline", _("Offline")
    NEVER = "never", _("No data yet")


class StationStatus(models.Model):
    """Where a station stands: when its data last arrived and its connectivity state."""

    station = models.OneToOneField("registry.Station", on_delete=models.CASCADE,
                                   primary_key=True, related_name="status")
    last_data_at = models.DateTimeField(_("newest value"), null=True, blank=True)
    last_received_at = models.DateTimeField(_("last file received"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=Connectivity.choices,
                             default=Connectivity.NEVER)
    state_since = models.DateTimeField(_("in this state since"), null=True, blank=True)
    # The station's latest values as the API writes them (a JSON array), kept by the rollup
    # worker next to `LatestValue`: a map of every station reads 2,000 of these instead of
    # 16,000 rows to format.
    latest_values = models.TextField(_("latest values (JSON)"), default="[]", db_default="[]",
                                     editable=False)


class ConnectivityChange(models.Model):
    """A change of a station's connectivity state (the compliance capability turns these rows
    into alerts)."""

    station = models.ForeignKey("registry.Station", on_delete=models.CASCADE,
                                related_name="connectivity_changes")
    at = models.DateTimeField(_("time"), db_index=True)
    previous = models.CharField(_("from"), max_length=10, choices=Connectivity.choices)
    current = models.CharField(_("to"), max_length=10, choices=Connectivity.choices)
    last_data_at = models.DateTimeField(_("newest value then"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


# The batch id of an observation written by a survey loader: it came from no received file
# (no `Batch` has id 0); its provenance is the `Sample` at the same (series, time).
PERIODIC_BATCH = 0


class Sample(models.Model):
    """A periodic monitoring result (mẫu quan trắc định kỳ): one parameter of a sample taken at
    a periodic station and analysed by a laboratory, as an approved survey version reported it.

    Keyed by (series, time) like `Observation`, with no surrogate id: one result per parameter
    and sampling time, the same key as the observation it wrote (a detected value also goes into
    the series' observations, so charts and latest values read it as any other), one index
    instead of two. A result below the limit of detection keeps its flag and its limit, never a
    value: it is not zero, and it writes no observation (`monitoring/samples.py`).
    """

    pk = models.CompositePrimaryKey("series", "time")
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="+",
                               db_index=False, verbose_name=_("series"))
    # The sampling time (Viet Nam time as written, stored in UTC).
    time = models.DateTimeField(_("sampling time"))
    # In the parameter's canonical unit; None below the limit of detection.
    value = models.FloatField(_("value"), null=True, blank=True)
    below_detection = models.BooleanField(_("below the limit of detection"), default=False)
    # In the parameter's canonical unit; None unless below detection.
    detection_limit = models.FloatField(_("limit of detection"), null=True, blank=True)
    # The figure (the value, or the limit below detection) and its unit as the laboratory wrote
    # them, before conversion.
    written_value = models.FloatField(_("value as written"), null=True, blank=True)
    written_unit = models.CharField(_("unit as written"), max_length=20, blank=True)
    method = models.CharField(_("method"), max_length=100, blank=True)
    laboratory = models.CharField(_("laboratory"), max_length=255, blank=True)
    vimcerts = models.CharField(_("VIMCERTS certificate"), max_length=30, blank=True)
    # Provenance: the approved survey version that loaded it (surveys sits above monitoring:
    # an id, no reference), indexed for a corrected version that replaces it.
    survey_version = models.BigIntegerField(_("survey version"), db_index=True)

    class Meta:
        verbose_name = _("periodic sample")
        verbose_name_plural = _("periodic samples")


class RollupCounts(models.Model):
    """What a day's or a month's summary counts of a station's daily rollups."""

    rollups = models.IntegerField(default=0)  # series-days
    valid_hours = models.IntegerField(default=0)
    reporting = models.IntegerField(default=0)  # series-days with a valid hour

    class Meta:
        abstract = True


class StationDay(RollupCounts):
    """The daily rollups of one station's series on one local day, summed: kept by triggers on
    `DailyRollup` (`station_days`; never written by Python), read by the dashboard. No foreign
    key constraint: the rollups' own cascades empty it."""

    pk = models.CompositePrimaryKey("station", "day")
    station = models.ForeignKey("registry.Station", on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+")
    day = models.DateField()

    class Meta:
        # The days a period leaves out of a month it reads whole (`period_sums`).
        indexes = [models.Index(fields=["day"], name="station_day_day")]


class StationMonth(RollupCounts):
    """`StationDay` summed per calendar month (`month`: its first day): kept by triggers on
    `StationDay` (`station_days`), so a month of the country is one row per station."""

    pk = models.CompositePrimaryKey("station", "month")
    station = models.ForeignKey("registry.Station", on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+")
    month = models.DateField()
