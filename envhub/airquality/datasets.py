"""The VN_AQI in the catalogue: hourly and daily, every automatic ambient station."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Count, Max, Min
from django.utils import timezone

from envhub.airquality import vn_aqi
from envhub.airquality.models import DailyAqi, HourlyAqi
from envhub.airquality.services import day_in_progress
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
    time_column,
)
from envhub.core.timeutil import day_bounds, latest_complete_hour, local_iso

DECISION_1459 = ("https://vea.mae.gov.vn/Data/files/"
                 "QD%201459%20TCMT%20ngay%2012_11_2019%20AQI(1).pdf")
PERIODS = {"hourly": (HourlyAqi, "hour_end", "giờ", "hourly", "HOURLY"),
           "daily": (DailyAqi, "day", "ngày", "daily", "DAILY")}


class AirQualityIndex(Provider):
    key = "airquality.vn_aqi"
    has_time = True
    has_province = True
    has_coordinates = True

    def specs(self):
        for period, (_model, _field, vi, en, frequency) in PERIODS.items():
            yield DatasetSpec(
                identifier=f"chi-so-chat-luong-khong-khi-vn-aqi-{period}", provider_key=period,
                title_vi=f"Chỉ số chất lượng không khí Việt Nam (VN_AQI) theo {vi}",
                title_en=f"Viet Nam air quality index (VN_AQI), {en}",
                description_vi=f"VN_AQI {vi} của các trạm quan trắc không khí tự động, tính theo "
                               "Quyết định 1459/QĐ-TCMT: chỉ số, mức, chất ô nhiễm chính và chỉ số "
                               "riêng của PM2,5, PM10, O3, NO2, SO2, CO.",
                description_en=f"The {en} VN_AQI of the automatic ambient air stations, computed "
                               "per Decision 1459/QĐ-TCMT: index, category, dominant pollutant and "
                               "the sub-indices of PM2.5, PM10, O3, NO2, SO2, CO.",
                keywords=("chất lượng không khí", "AQI", "VN_AQI", "bụi mịn", "PM2,5"),
                themes=("ENVI", "HEAL"), frequency=frequency, access_class="open",
                data_code=f"TNMT-KK-AQI-{'H' if period == 'hourly' else 'D'}",
                legal_basis="Quyết định 1459/QĐ-TCMT ngày 12/11/2019",
                conforms_to=DECISION_1459,
                provenance="Tính bởi envhub từ trung bình giờ hợp lệ (≥ 75 % số giá trị) của "
                           "các trạm.")

    def _rows(self, dataset, filters=None):
        model, field, *_ = PERIODS[dataset.provider_key]
        qs = model.objects.filter(aqi__isnull=False).select_related("station",
                                                                   "station__province")
        if field == "hour_end":  # the running hour's index is not an hour of air yet
            qs = qs.filter(hour_end__lte=latest_complete_hour(timezone.now()))
        if filters is not None:
            qs = in_scope(dataset, filters.reader, qs, record="station")
            if filters.province:
                qs = qs.filter(station__province__code=filters.province)
            hourly = field == "hour_end"
            lower, upper = period_bounds(hourly, filters)
            if lower is not None:
                qs = qs.filter(**{f"{field}__gt" if hourly else f"{field}__gte": lower})
            if upper is not None:
                qs = qs.filter(**{f"{field}__lte": upper})
        return qs.order_by("station_id", field), field

    def stats(self, dataset):
        rows, field = self._rows(dataset)
        found = rows.aggregate(first=Min(field), last=Max(field), n=Count("pk"),
                               changed=Max("computed_at"))
        start, end = found["first"], found["last"]
        if field == "day" and start is not None:
            start, end = day_bounds(start)[0], day_bounds(end)[1]
        return DataStats(modified=found["changed"] if found["n"] else None,
                         temporal_start=start, temporal_end=end, row_count=found["n"],
                         current_until=end,
                         province_ids=set(rows.order_by().values_list(
                             "station__province_id", flat=True).distinct()))

    def columns(self, dataset):
        return [
            *STATION_COLUMNS,
            time_column(PERIODS[dataset.provider_key][1] == "hour_end"),
            Column("aqi", "integer", "VN_AQI", "VN_AQI"),
            Column("category", "string", "Mức", "Category",
                   labels=tuple((c.code, (c.name_vi, c.name_en)) for c in vn_aqi.CATEGORIES)),
            Column("dominant", "string", "Chất ô nhiễm chính", "Dominant pollutant"),
            *[Column(f"aqi_{p.lower()}", "integer", f"Chỉ số riêng {p}", f"{p} sub-index")
              for p in vn_aqi.POLLUTANTS],
            # Today's row is what the hours so far give: marked, as the API marks it, so that
            # it never stands in a download looking as final as a whole day.
            *([Column("in_progress", "boolean", "Đang tính (ngày chưa kết thúc)",
                      "In progress (the day has not ended)")]
              if PERIODS[dataset.provider_key][1] == "day" else []),
        ]

    def count(self, dataset, filters):
        return self._rows(dataset, filters)[0].count()

    def span(self, dataset, filters):
        rows, field = self._rows(dataset, replace(filters, start=None, end=None))
        found = rows.aggregate(first=Min(field), last=Max(field))
        return days_of(found["first"], found["last"], hourly=field == "hour_end")

    def chart(self, dataset):
        return {"time": PERIODS[dataset.provider_key][1], "value": "aqi", "series": ["station"],
                "unit": {"value": "AQI", "name": "VN_AQI"}}

    def rows(self, dataset, filters):
        rows, field = self._rows(dataset, filters)
        now = timezone.now()
        for row in rows.iterator(chunk_size=5000):
            station = row.station
            hourly = field == "hour_end"
            when = local_iso(row.hour_end) if hourly else row.day.isoformat()
            mark = () if hourly else (day_in_progress(row.day, now),)
            yield (station.code, station.name, station.province.code, station.latitude,
                   station.longitude, when, row.aqi, row.category, row.dominant,
                   *[row.sub_indices.get(p) for p in vn_aqi.POLLUTANTS], *mark)


register(AirQualityIndex())
