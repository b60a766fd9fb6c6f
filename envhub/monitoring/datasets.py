"""Monitoring data in the catalogue: automatic stations' hourly and daily means, one dataset per
province and station kind; and the periodic monitoring results loaded from approved survey
versions, two datasets (ambient sites, and facilities' sources)."""

from __future__ import annotations

from django.db.models import Count, Max, Min

from envhub.core.providers import (
    STATION_COLUMNS,
    Column,
    DatasetSpec,
    DataStats,
    Provider,
    days_of,
    in_scope,
    period_bounds,
    register,
    sees_all_rows,
    time_column,
)
from envhub.core.spreadsheets import postgresql_csv_text
from envhub.core.text import slug
from envhub.core.timeutil import day_bounds, local_iso
from envhub.registry.models import Station, StationKind

KIND_WORDS = {
    StationKind.AUTO_AIR: ("không khí xung quanh", "ambient air", "kk"),
    StationKind.AUTO_SURFACE_WATER: ("nước mặt", "surface water", "nm"),
    StationKind.AUTO_EMISSION: ("khí thải", "stack emissions", "kt"),
    StationKind.AUTO_WASTEWATER: ("nước thải", "wastewater", "nt"),
}
# Ambient air and surface water are public information; what a facility's own stations
# measure is shared with state agencies unless a steward opens it.
ACCESS = {StationKind.AUTO_AIR: "open", StationKind.AUTO_SURFACE_WATER: "open",
          StationKind.AUTO_EMISSION: "shared", StationKind.AUTO_WASTEWATER: "shared"}
PERIODS = {"hourly": ("giờ", "hourly", "HOURLY"), "daily": ("ngày", "daily", "DAILY")}


def _copy_out(sql: str, params: list):
    """The rows of a query as CSV, written by PostgreSQL (COPY … TO STDOUT), block by block."""
    from django.db import connection

    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params)
        buffer = bytearray()
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
            # COPY hands out blocks of a few kilobytes; the response gets fewer, larger ones.
            for block in copy:
                buffer += block
                if len(buffer) >= 256 * 1024:
                    yield bytes(buffer)
                    buffer.clear()
        if buffer:
            yield bytes(buffer)


class MonitoringMeans(Provider):
    key = "monitoring.means"
    has_time = True
    has_province = True
    has_coordinates = True

    def specs(self):
        pairs = Station.objects.filter(kind__in=list(KIND_WORDS)).values_list(
            "province__code", "province__name", "kind").distinct().order_by(
                "province__code", "kind")
        for province_code, province_name, kind in pairs:
            vi, en, short = KIND_WORDS[kind]
            for period, (period_vi, period_en, frequency) in PERIODS.items():
                yield DatasetSpec(
                    identifier=f"quan-trac-{short}-{period}-{province_code}-{slug(province_name)}",
                    provider_key=f"{province_code}:{kind}:{period}",
                    title_vi=f"Quan trắc tự động {vi} — trung bình {period_vi}, {province_name}",
                    title_en=f"Automatic monitoring of {en} — {period_en} means, "
                             f"{province_name}",
                    description_vi=f"Giá trị trung bình {period_vi} của các trạm quan trắc tự động "
                                   f"{vi} tại {province_name}, tính từ các giá trị hợp lệ (trạng "
                                   "thái 00), kèm giá trị nhỏ nhất, lớn nhất, số giá trị và tỷ lệ "
                                   "dữ liệu. Giờ ghi theo thời điểm kết thúc (giờ Việt Nam).",
                    description_en=f"{period_en.capitalize()} means of the automatic {en} "
                                   f"stations of {province_name}, from valid values (status 00), "
                                   "with minimum, maximum, counts and coverage. Hours are "
                                   "labelled by their end (Viet Nam time).",
                    keywords=("quan trắc tự động", vi, province_name, f"trung bình {period_vi}"),
                    themes=("ENVI",), frequency=frequency, access_class=ACCESS[kind],
                    data_code=f"TNMT-QT-{short.upper()}-{province_code}",
                    legal_basis="Thông tư 10/2021/TT-BTNMT; Nghị định 08/2022/NĐ-CP Điều 97, 98",
                    provenance="Dữ liệu truyền từ trạm theo định dạng TT10 (FTP/HTTP), kiểm tra và "
                               "lưu bởi envhub; trung bình tính từ các giá trị hợp lệ.")

    def _parts(self, dataset):
        province_code, kind, period = dataset.provider_key.split(":")
        return province_code, kind, period

    def _rollups(self, dataset):
        from envhub.monitoring.models import DailyRollup, HourlyRollup

        province_code, kind, period = self._parts(dataset)
        model = HourlyRollup if period == "hourly" else DailyRollup
        return model.objects.filter(series__station__province__code=province_code,
                                    series__station__kind=kind), period

    def stats(self, dataset):
        rows, period = self._rollups(dataset)
        field = "hour_end" if period == "hourly" else "day"
        found = rows.aggregate(first=Min(field), last=Max(field), n=Count("pk"),
                               changed=Max("computed_at"))
        province_code, _kind, _period = self._parts(dataset)
        from envhub.registry.models import Province

        start, end = found["first"], found["last"]
        if period == "daily" and start is not None:
            start, end = day_bounds(start)[0], day_bounds(end)[1]
        return DataStats(modified=found["changed"] if found["n"] else None,
                         temporal_start=start, temporal_end=end, row_count=found["n"],
                         current_until=end,
                         province_ids=set(Province.objects.filter(code=province_code)
                                          .values_list("id", flat=True)))

    def columns(self, dataset):
        _province, _kind, period = self._parts(dataset)
        return [
            *STATION_COLUMNS,
            Column("parameter", "string", "Thông số", "Parameter"),
            Column("unit", "string", "Đơn vị", "Unit"),
            time_column(period == "hourly"),
            Column("mean", "number", "Trung bình", "Mean"),
            Column("minimum", "number", "Nhỏ nhất", "Minimum"),
            Column("maximum", "number", "Lớn nhất", "Maximum"),
            Column("count", "integer", "Số giá trị nhận", "Values received"),
            Column("valid_count", "integer", "Số giá trị hợp lệ", "Valid values"),
            Column("expected_count", "integer", "Số giá trị cần có", "Values expected"),
            Column("coverage", "number", "Tỷ lệ dữ liệu (%)", "Coverage (%)"),
        ]

    def chart(self, dataset):
        period = self._parts(dataset)[2]
        return {"time": "hour_end" if period == "hourly" else "day", "value": "mean",
                "series": ["station", "parameter"], "unit": {"column": "unit"}}

    def copy_csv(self, dataset, filters):
        """PostgreSQL: the CSV rows written by the database itself (COPY … TO STDOUT), the
        same columns and text as `rows` gives the CSV writer (text escaped as it escapes it);
        None elsewhere."""
        from django.db import connection

        from envhub.monitoring.models import DailyRollup, HourlyRollup

        if connection.vendor != "postgresql":
            return None
        province_code, kind, period = self._parts(dataset)
        model, field = (HourlyRollup, "hour_end") if period == "hourly" else (DailyRollup, "day")
        when = _local_text_postgresql(f'r."{field}"', period)
        where, params = _period_conditions(f'r."{field}"', period, filters)
        where, params = ['p."code" = %s', 'st."kind" = %s', *where], [province_code, kind, *params]
        if not sees_all_rows(filters.reader, dataset):
            # The reader's series only: the policy's scope as a subquery.
            from django.core.exceptions import EmptyResultSet

            from envhub.monitoring.models import Series

            allowed = in_scope(dataset, filters.reader, Series.objects.all())
            try:
                subquery, subparams = allowed.values("id").query.sql_with_params()
            except EmptyResultSet:  # nothing in scope
                return iter(())
            where, params = [*where, f's."id" IN ({subquery})'], [*params, *subparams]
        texts = [postgresql_csv_text(column) for column in
                 ('st."code"', 'st."name"', 'p."code"', 'pa."code"', 'pa."unit"')]
        sql = (
            f'SELECT {texts[0]}, {texts[1]}, {texts[2]}, COALESCE(st."latitude", f."latitude"), '
            f'COALESCE(st."longitude", f."longitude"), {texts[3]}, {texts[4]}, {when}, r."mean", '
            f'r."minimum", r."maximum", r."count", r."valid_count", r."expected_count", '
            f'r."coverage" '
            f'FROM "{model._meta.db_table}" r JOIN "monitoring_series" s ON s."id" = r."series_id" '
            f'JOIN "registry_station" st ON st."id" = s."station_id" '
            f'JOIN "registry_province" p ON p."id" = st."province_id" '
            f'LEFT JOIN "registry_facility" f ON f."id" = st."facility_id" '
            f'JOIN "registry_parameter" pa ON pa."id" = s."parameter_id" '
            f'WHERE {" AND ".join(where)} ORDER BY r."series_id", r."{field}"')
        return _copy_out(sql, params)

    def _readable(self, dataset, filters):
        """The series whose rows the reader may have (the one rule, `in_scope`)."""
        from envhub.monitoring.models import Series

        province_code, kind, _period = self._parts(dataset)
        return in_scope(dataset, filters.reader, Series.objects.filter(
            station__province__code=province_code, station__kind=kind))

    def _model(self, dataset):
        from envhub.monitoring.models import DailyRollup, HourlyRollup

        period = self._parts(dataset)[2]
        return (HourlyRollup, "hour_end") if period == "hourly" else (DailyRollup, "day")

    def count(self, dataset, filters):
        """COUNT(*) with the conditions `rows` reads with: an index-only scan of the rollup's
        (series, time) index."""
        from django.db import connection

        model, field = self._model(dataset)
        ids = list(self._readable(dataset, filters).values_list("pk", flat=True))
        if not ids:
            return 0
        where, params = _period_conditions(f'"{field}"', self._parts(dataset)[2], filters)
        where = [f'"series_id" IN ({", ".join(["%s"] * len(ids))})', *where]
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}" '
                           f'WHERE {" AND ".join(where)}', [*ids, *params])
            return cursor.fetchone()[0]

    def span(self, dataset, filters):
        model, field = self._model(dataset)
        found = model.objects.filter(series__in=self._readable(dataset, filters)).aggregate(
            first=Min(field), last=Max(field))
        return days_of(found["first"], found["last"], hourly=field == "hour_end")

    def rows(self, dataset, filters):
        """Straight from the rollup table with a cursor: the per-series columns are built once,
        each distinct time is formatted once (every series shares the same hours)."""
        from django.db import connection

        from envhub.core.timeutil import from_db
        from envhub.monitoring.models import DailyRollup, HourlyRollup

        province_code, kind, period = self._parts(dataset)
        model, field = (HourlyRollup, "hour_end") if period == "hourly" else (DailyRollup, "day")
        series = {}
        for item in self._readable(dataset, filters).select_related(
                "parameter", "station", "station__facility"):
            station = item.station
            # Each coordinate falls back to the facility's, as COALESCE does in copy_csv.
            facility = station.facility
            latitude = station.latitude if station.latitude is not None else \
                getattr(facility, "latitude", None)
            longitude = station.longitude if station.longitude is not None else \
                getattr(facility, "longitude", None)
            series[item.pk] = (station.code, station.name, province_code, latitude, longitude,
                               item.parameter.code, item.parameter.unit)
        if not series:
            return
        where, params = _period_conditions(f'"{field}"', period, filters)
        where = [f'"series_id" IN ({", ".join(["%s"] * len(series))})', *where]
        params = [*series, *params]
        # The time is read as text, never as a datetime per row: PostgreSQL writes it in Viet
        # Nam time itself; on SQLite each distinct UTC text is converted once below.
        if connection.vendor == "postgresql":
            selected = _local_text_postgresql(f'"{field}"', period)
        else:
            selected = f'CAST("{field}" AS TEXT)'
        sql = (f'SELECT "series_id", {selected}, "mean", "minimum", "maximum", "count", '
               f'"valid_count", "expected_count", "coverage" '
               f'FROM "{model._meta.db_table}" '
               f'WHERE {" AND ".join(where)} ORDER BY "series_id", "{field}"')
        times: dict = {}
        ready = connection.vendor == "postgresql"  # the text is already what is written
        # A server-side cursor on PostgreSQL (a plain one would fetch every row at once).
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while True:
                block = cursor.fetchmany(5000)
                if not block:
                    break
                for row in block:
                    moment = row[1]
                    when = moment if ready else times.get(moment)
                    if when is None:
                        if period == "hourly":
                            when = local_iso(from_db(moment))
                        else:
                            when = moment if isinstance(moment, str) else moment.isoformat()
                        times[moment] = when
                    yield series[row[0]] + (when,) + row[2:]


def _period_conditions(column: str, period: str, filters) -> tuple[list[str], list]:
    """SQL conditions, with their parameters, keeping a rollup's rows within the filters'
    period (`core.providers.period_bounds`)."""
    from django.db import connection

    hourly = period == "hourly"
    adapt = connection.ops.adapt_datetimefield_value if hourly else \
        connection.ops.adapt_datefield_value
    lower, upper = period_bounds(hourly, filters)
    where, params = [], []
    if lower is not None:
        where.append(f"{column} > %s" if hourly else f"{column} >= %s")
        params.append(adapt(lower))
    if upper is not None:
        where.append(f"{column} <= %s")
        params.append(adapt(upper))
    return where, params


def _local_text_postgresql(column: str, period: str) -> str:
    """PostgreSQL: an hour end as Viet Nam time text (a fixed offset: Viet Nam has no daylight
    saving, and it is cheaper than a zone look-up), or a day as its ISO text."""
    if period != "hourly":
        return f"{column}::text"
    return (f"""to_char({column} AT TIME ZONE INTERVAL '+07:00', """
            """'YYYY-MM-DD"T"HH24:MI:SS"+07:00"')""")


register(MonitoringMeans())


# Periodic results: a site of its own (ambient air, surface or ground water, soil) is public
# information like the automatic ambient stations; what is sampled at a facility's stack or
# outfall is shared with state agencies, like the facilities' automatic stations (`ACCESS`).
PERIODIC_SETS = {
    "ambient": ("môi trường xung quanh", "ambient sites", "open"),
    "sources": ("nguồn thải", "emission and discharge sources", "shared"),
}


def periodic_part(station) -> str:
    """The periodic dataset a station's results are rows of (`PERIODIC_SETS`): the API asks
    the same dataset's access class as the catalogue (`services.station_samples`)."""
    return "sources" if station.facility_id is not None or station.medium == "emission" \
        else "ambient"


class PeriodicResults(Provider):
    key = "monitoring.periodic"
    has_time = True
    has_province = True
    has_coordinates = True

    def _samples(self, dataset):
        from django.db.models import Q

        from envhub.monitoring.models import Sample

        # The rule of `periodic_part`, as a filter.
        of_source = Q(series__station__facility__isnull=False) | Q(
            series__station__medium="emission")
        chosen = of_source if dataset.provider_key == "sources" else ~of_source
        return Sample.objects.filter(chosen)

    def specs(self):
        from types import SimpleNamespace

        for part, (vi, en, access) in PERIODIC_SETS.items():
            if not self._samples(SimpleNamespace(provider_key=part)).exists():
                continue
            yield DatasetSpec(
                identifier=f"quan-trac-dinh-ky-{slug(en)}", provider_key=part,
                title_vi=f"Kết quả quan trắc định kỳ — {vi}",
                title_en=f"Periodic monitoring results — {en}",
                description_vi="Kết quả phân tích mẫu quan trắc định kỳ do các đơn vị quan trắc "
                               "gửi trong các đợt điều tra, quan trắc hằng năm, đã được duyệt: "
                               "thời điểm lấy mẫu (giờ Việt Nam), giá trị theo đơn vị chuẩn của "
                               "thông số, kết quả dưới giới hạn phát hiện kèm giới hạn (không "
                               "ghi là 0), phương pháp, phòng thí nghiệm, số hiệu VIMCERTS và "
                               "phiên bản dữ liệu điều tra.",
                description_en="Laboratory results of periodic monitoring sent by the survey "
                               "units in the yearly campaigns, once approved: sampling time "
                               "(Viet Nam time), value in the parameter's canonical unit, results "
                               "below the limit of detection with their limit (never zero), "
                               "method, laboratory, VIMCERTS certificate and survey version.",
                keywords=("quan trắc định kỳ", vi, "VIMCERTS", "phòng thí nghiệm"),
                themes=("ENVI",), frequency="IRREG", access_class=access,
                data_code=f"TNMT-QTDK-{part.upper()}",
                legal_basis="Luật Bảo vệ môi trường 2020 Điều 111; Thông tư 10/2021/TT-BTNMT",
                provenance="Tệp kết quả do đơn vị quan trắc gửi, kiểm tra theo lược đồ bảng, "
                           "duyệt bởi cán bộ quản lý dữ liệu và nạp vào cơ sở dữ liệu; mỗi dòng "
                           "ghi phiên bản dữ liệu điều tra của nó.")

    def _rows(self, dataset, filters):
        qs = in_scope(dataset, filters.reader, self._samples(dataset), record="series")
        if filters.province:
            qs = qs.filter(series__station__province__code=filters.province)
        if filters.start is not None:
            qs = qs.filter(time__gt=filters.start)
        if filters.end is not None:
            qs = qs.filter(time__lte=filters.end)
        return qs

    def stats(self, dataset):
        found = self._samples(dataset).aggregate(first=Min("time"), last=Max("time"),
                                                 n=Count("pk"))
        provinces = set(self._samples(dataset).order_by().values_list(
            "series__station__province_id", flat=True).distinct())
        return DataStats(temporal_start=found["first"], temporal_end=found["last"],
                         row_count=found["n"], current_until=found["last"],
                         province_ids=provinces)

    def columns(self, dataset):
        return [
            *STATION_COLUMNS,
            Column("parameter", "string", "Thông số", "Parameter"),
            Column("unit", "string", "Đơn vị", "Unit"),
            Column("time", "datetime", "Thời điểm lấy mẫu, giờ Việt Nam",
                   "Sampling time, Viet Nam time"),
            Column("value", "number", "Giá trị", "Value"),
            Column("below_detection", "boolean", "Dưới giới hạn phát hiện", "Below detection"),
            Column("detection_limit", "number", "Giới hạn phát hiện", "Limit of detection"),
            Column("method", "string", "Phương pháp", "Method"),
            Column("laboratory", "string", "Phòng thí nghiệm", "Laboratory"),
            Column("vimcerts", "string", "Số hiệu VIMCERTS", "VIMCERTS certificate"),
            Column("survey_version", "integer", "Phiên bản dữ liệu điều tra", "Survey version"),
        ]

    def count(self, dataset, filters):
        return self._rows(dataset, filters).count()

    def span(self, dataset, filters):
        from dataclasses import replace

        found = self._rows(dataset, replace(filters, start=None, end=None)).aggregate(
            first=Min("time"), last=Max("time"))
        return days_of(found["first"], found["last"], hourly=True)

    def rows(self, dataset, filters):
        from django.db.models.functions import Coalesce

        qs = self._rows(dataset, filters).annotate(
            lat=Coalesce("series__station__latitude", "series__station__facility__latitude"),
            lon=Coalesce("series__station__longitude", "series__station__facility__longitude"),
        ).order_by("series__station__code", "series__parameter__code", "time").values_list(
            "series__station__code", "series__station__name",
            "series__station__province__code", "lat", "lon", "series__parameter__code",
            "series__parameter__unit", "time", "value", "below_detection", "detection_limit",
            "method", "laboratory", "vimcerts", "survey_version")
        for row in qs.iterator(chunk_size=2000):
            yield (*row[:7], local_iso(row[7]), *row[8:])


register(PeriodicResults())
