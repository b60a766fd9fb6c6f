"""The catalogue's datasets of disclosed facilities: their exceedance events and their monthly
compliance. Their rows are only those of the facilities a steward opened
(`disclosure.disclosed_facilities`); who reads the dataset is the catalogue's access class,
as for every dataset (open by default, so that what stewards open reaches the public; a
steward may make the dataset shared or internal as any other). Nothing is open by default,
so by default both datasets are empty."""

from __future__ import annotations

import datetime

from django.db.models import Count, Min
from django.utils import timezone

from envhub.compliance import coverage, disclosure
from envhub.compliance.datasets import COLUMNS, EventDataset, judged_until, scoped
from envhub.compliance.models import Assessment, EventStatus, ExceedanceEvent
from envhub.compliance.services import month_bounds
from envhub.core.providers import Column, DatasetSpec, DataStats, Provider, register
from envhub.core.timeutil import VN, local_iso
from envhub.registry.models import Sector

LEGAL_BASIS = "Luật Bảo vệ môi trường 2020 Điều 114 (chưa kiểm chứng); quyết định của cán bộ " \
              "quản lý dữ liệu"
FACILITY_COLUMNS = (
    Column("facility_id", "integer", "Mã cơ sở (envhub)", "Facility id (envhub)"),
    COLUMNS["facility"], COLUMNS["province_code"],
    Column("sector", "string", "Ngành", "Sector", labels=tuple(Sector.choices)),
)


class DisclosedEvents(EventDataset):
    key = "compliance.disclosed_events"

    def specs(self):
        yield DatasetSpec(
            identifier="cong-khai-vuot-quy-chuan", provider_key="",
            title_vi="Sự cố vượt quy chuẩn (cơ sở được công khai)",
            title_en="Exceedance events (disclosed facilities)",
            description_vi="Các đợt vượt giới hạn khí thải, nước thải của các cơ sở mà cán bộ "
                           "quản lý dữ liệu đã quyết định công khai: nguồn thải, thông số, bắt "
                           "đầu, kết thúc, số giờ vượt, số lần vượt cao nhất, mức. Mặc định không "
                           "cơ sở nào được công khai.",
            description_en="Runs over an emission or effluent limit at the facilities that data "
                           "stewards decided to disclose: source, parameter, start, end, hours, "
                           "peak multiple, band. By default no facility is disclosed.",
            keywords=("vượt quy chuẩn", "công khai", "khí thải", "nước thải"),
            themes=("ENVI", "GOVE"), frequency="UPDATE_CONT", access_class="open",
            legal_basis=LEGAL_BASIS,
            provenance="Tính bởi envhub từ trung bình giờ của dữ liệu quan trắc tự động; chỉ "
                       "các cơ sở được công khai.")

    def _chosen(self):
        return ExceedanceEvent.objects.filter(
            source__facility__in=disclosure.disclosed_facilities())

    def columns(self, dataset):
        return [*FACILITY_COLUMNS, *(COLUMNS[name] for name in (
            "source", "parameter", "start", "end", "hours", "peak_multiple", "band",
            "status"))]

    def rows(self, dataset, filters):
        for event in self._events(dataset, filters).iterator(chunk_size=2000):
            facility = event.source.facility
            yield (facility.pk, facility.name, facility.province.code, facility.sector,
                   event.source.code, event.parameter.code, local_iso(event.start),
                   local_iso(event.end), event.hours, event.peak_multiple, event.band,
                   event.status)


class DisclosedMonths(Provider):
    """One row per disclosed facility with a permit in force and month, from the month of the
    first judged average of a disclosed facility to this month: hours over the limit (empty
    where the data do not allow counting them), the completeness of its judged averages, and
    the exceedance events that started in the month."""

    key = "compliance.disclosed_months"
    has_time = True
    has_province = True
    formats = ("CSV", "JSON", "XLSX")

    def specs(self):
        yield DatasetSpec(
            identifier="cong-khai-tuan-thu-hang-thang", provider_key="",
            title_vi="Tuân thủ hằng tháng theo cơ sở (cơ sở được công khai)",
            title_en="Monthly compliance by facility (disclosed facilities)",
            description_vi="Mỗi tháng, mỗi cơ sở được công khai: số giờ vượt giới hạn, tỷ lệ dữ "
                           "liệu đủ để đánh giá và số sự cố vượt bắt đầu trong tháng. Mặc định "
                           "không cơ sở nào được công khai.",
            description_en="Per month and disclosed facility: hours over the limit, the share "
                           "of averages with enough data to judge, and the exceedance events "
                           "that started in the month. By default no facility is disclosed.",
            keywords=("tuân thủ", "công khai", "khí thải", "nước thải"),
            themes=("ENVI", "GOVE"), frequency="MONTHLY", access_class="open",
            legal_basis=LEGAL_BASIS,
            provenance="Tính bởi envhub từ các trung bình đã đánh giá theo quy tắc đầy đủ dữ "
                       "liệu; chỉ các cơ sở được công khai.")

    def _facilities(self, dataset=None, filters=None):
        qs = disclosure.disclosed_facilities()
        return qs if filters is None else scoped(dataset, filters, qs, "province__code")

    def _months(self, facilities, filters=None, now=None):
        """The first days of the months to list, oldest first."""
        now = now or timezone.now()
        first = Assessment.objects.filter(source__facility__in=facilities).aggregate(
            first=Min("window_end"))["first"]
        if first is None:
            return []
        month = first.astimezone(VN).date().replace(day=1)
        last = now.astimezone(VN).date().replace(day=1)
        months = []
        while month <= last:
            start, end = month_bounds(month)
            if filters is None or ((filters.start is None or end > filters.start)
                                   and (filters.end is None or start < filters.end)):
                months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months

    def _rows(self, dataset=None, filters=None):
        now = timezone.now()
        facilities = self._facilities(dataset, filters)
        named = {facility.pk: facility for facility in facilities.select_related("province")}
        for month in self._months(facilities, filters, now):
            start, end = month_bounds(month)
            tallies = coverage.facilities_tally(facilities, start, end, now)
            started = dict(ExceedanceEvent.objects.exclude(status=EventStatus.WITHDRAWN).filter(
                source__facility__in=facilities, start__gt=start, start__lte=end).values(
                "source__facility_id").annotate(n=Count("id")).values_list(
                "source__facility_id", "n"))
            for facility_id in sorted(tallies, key=lambda pk: (named[pk].name, pk)):
                tally = tallies[facility_id]
                told = tally.told(start, end, now)
                facility = named[facility_id]
                yield (facility.pk, facility.name, facility.province.code, facility.sector,
                       f"{month:%Y-%m}", told.shown(tally.exceeded_hours), told.expected,
                       told.valid, told.coverage, told.status,
                       started.get(facility_id, 0))

    def stats(self, dataset):
        facilities = self._facilities()
        months = self._months(facilities)
        rows = sum(1 for _ in self._rows()) if months else 0
        return DataStats(
            modified=judged_until() if rows else None,
            temporal_start=month_bounds(months[0])[0] if months else None,
            temporal_end=month_bounds(months[-1])[1] if months else None,
            row_count=rows, current_until=judged_until(),
            province_ids=set(facilities.filter(sources__permits__isnull=False).values_list(
                "province_id", flat=True).distinct()) if rows else set())

    def columns(self, dataset):
        return [*FACILITY_COLUMNS,
                Column("month", "string", "Tháng (YYYY-MM)", "Month (YYYY-MM)"),
                Column("hours_over", "integer", "Số giờ vượt giới hạn", "Hours over the limit"),
                Column("windows_expected", "integer", "Số khoảng trung bình phải có",
                       "Averaging windows expected"),
                Column("windows_valid", "integer", "Số khoảng đủ dữ liệu",
                       "Windows with enough data"),
                Column("coverage_percent", "number", "Tỷ lệ đủ dữ liệu (%)",
                       "Windows with enough data (%)", shown_as="%"),
                Column("data_status", "string", "Tình trạng dữ liệu", "Data status",
                       labels=tuple((code, label) for code, label in
                                    coverage.STATUS_LABELS.items())),
                Column("events_started", "integer", "Số sự cố bắt đầu trong tháng",
                       "Events started in the month")]

    def rows(self, dataset, filters):
        yield from self._rows(dataset, filters)

    def count(self, dataset, filters):
        return sum(1 for _ in self._rows(dataset, filters))


register(DisclosedEvents())
register(DisclosedMonths())
