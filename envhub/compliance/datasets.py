"""Exceedance events in the catalogue."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Count, Max, Min

from envhub.compliance.models import Assessment, EventStatus, ExceedanceEvent
from envhub.core.providers import (
    Column,
    DatasetSpec,
    DataStats,
    Provider,
    days_of,
    in_scope,
    register,
)
from envhub.core.timeutil import local_iso


def scoped(dataset, filters, qs, province: str):
    """`qs` as the catalogue's filters ask: the reader's rows (`in_scope`) of the province
    asked for, if any (`province` is the path to its code)."""
    qs = in_scope(dataset, filters.reader, qs)
    if filters.province:
        qs = qs.filter(**{province: filters.province})
    return qs


def judged_until():
    """Until when the averages are judged: how current a compliance dataset is."""
    return Assessment.objects.aggregate(last=Max("window_end"))["last"]


# Every column an events dataset may have, each written once; a dataset picks its own.
COLUMNS = {column.name: column for column in (
    Column("facility", "string", "Cơ sở", "Facility"),
    Column("province_code", "string", "Mã tỉnh", "Province code"),
    Column("source", "string", "Mã nguồn thải", "Source code"),
    Column("parameter", "string", "Thông số", "Parameter"),
    Column("start", "datetime", "Bắt đầu", "Start"),
    Column("end", "datetime", "Kết thúc", "End"),
    Column("hours", "integer", "Số giờ vượt", "Hours exceeded"),
    Column("peak_value", "number", "Giá trị cao nhất", "Peak value"),
    Column("unit", "string", "Đơn vị", "Unit"),
    Column("peak_multiple", "number", "Số lần vượt cao nhất", "Peak multiple"),
    Column("band", "string", "Mức (NĐ 45/2022)", "Band (Decree 45/2022)"),
    Column("limit", "number", "Giới hạn", "Limit", shown_as="limit"),
    Column("status", "string", "Trạng thái", "Status", labels=tuple(EventStatus.choices)),
    Column("permit", "string", "Giấy phép", "Permit"),
)}


class EventDataset(Provider):
    """What the datasets of exceedance events share: the events not withdrawn among those of
    `_chosen` (all here; the disclosed facilities' in `disclosed_datasets`), in the reader's
    scope, province and period, and their statistics."""

    has_time = True
    has_province = True

    def _chosen(self):
        return ExceedanceEvent.objects.all()

    def _events(self, dataset=None, filters=None):
        qs = self._chosen().exclude(status=EventStatus.WITHDRAWN).select_related(
            "source", "source__facility", "source__facility__province", "parameter", "permit")
        if filters is not None:
            qs = scoped(dataset, filters, qs, "source__facility__province__code")
            if filters.start is not None:
                qs = qs.filter(end__gt=filters.start)
            if filters.end is not None:
                qs = qs.filter(start__lt=filters.end)
        return qs.order_by("start", "id")

    def stats(self, dataset):
        found = self._events().aggregate(first=Min("start"), last=Max("end"),
                                         changed=Max("updated_at"), n=Count("id"))
        return DataStats(modified=found["changed"], temporal_start=found["first"],
                         temporal_end=found["last"], row_count=found["n"],
                         current_until=judged_until(),
                         province_ids=set(self._events().order_by().values_list(
                             "source__facility__province_id", flat=True).distinct()))

    def count(self, dataset, filters):
        return self._events(dataset, filters).count()

    def span(self, dataset, filters):
        found = self._events(dataset, replace(filters, start=None, end=None)).aggregate(
            first=Min("start"), last=Max("end"))
        return days_of(found["first"], found["last"], hourly=True)


class Exceedances(EventDataset):
    key = "compliance.exceedances"

    def specs(self):
        yield DatasetSpec(
            identifier="su-co-vuot-quy-chuan", provider_key="",
            title_vi="Sự cố vượt quy chuẩn khí thải và nước thải",
            title_en="Exceedances of emission and effluent limits",
            description_vi="Các đợt giá trị trung bình của nguồn thải vượt giới hạn trong giấy "
                           "phép hoặc quy chuẩn: bắt đầu, kết thúc, số giờ vượt, giá trị và số lần "
                           "vượt cao nhất, mức theo Nghị định 45/2022/NĐ-CP.",
            description_en="Runs of a source's averages over its permit or regulation limit: "
                           "start, end, hours exceeded, peak value and multiple, Decree 45/2022 "
                           "band.",
            keywords=("vượt quy chuẩn", "tuân thủ", "khí thải", "nước thải", "giấy phép"),
            themes=("ENVI", "GOVE"), frequency="UPDATE_CONT", access_class="shared",
            data_code="TNMT-TT-01",
            legal_basis="Nghị định 45/2022/NĐ-CP; Luật Bảo vệ môi trường 2020 Điều 114",
            provenance="Tính bởi envhub từ trung bình giờ của dữ liệu quan trắc tự động, theo "
                       "giới hạn của giấy phép hiệu lực tại thời điểm dữ liệu.")

    def columns(self, dataset):
        return [COLUMNS[name] for name in (
            "facility", "province_code", "source", "parameter", "start", "end", "hours",
            "peak_value", "unit", "peak_multiple", "band", "limit", "status", "permit")]

    def rows(self, dataset, filters):
        for event in self._events(dataset, filters).iterator(chunk_size=2000):
            facility = event.source.facility
            yield (facility.name, facility.province.code, event.source.code,
                   event.parameter.code, local_iso(event.start), local_iso(event.end),
                   event.hours, event.peak_value, event.unit, event.peak_multiple, event.band,
                   event.limit, event.status, event.permit.number if event.permit else "")


register(Exceedances())

from envhub.compliance import disclosed_datasets  # noqa: E402,F401 - registers its providers
