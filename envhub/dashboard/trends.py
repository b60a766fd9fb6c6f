"""Twelve months of the dashboard's figures, ending with the month of the view's period (its last
day's): hours over the limit by province (the top N and the rest) and by sector, and the main
cities' VN_AQI days per category. Every month is present, with zeros when it holds nothing.

One query per trend: each month is a conditional sum over the monthly summaries (the judged
windows per source and local month, `SourceMonth`: hour-ending windows in the month's (start,
end]), so both databases compute the same without date functions of their own."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.airquality import vn_aqi
from envhub.compliance.models import SourceMonth
from envhub.dashboard import periods, tables
from envhub.dashboard.filters import View
from envhub.dashboard.reading import Reading
from envhub.registry.models import Province, Sector

MONTHS = 12
TOP_PROVINCES = 5
REST = "rest"


def months(view: View) -> list[periods.Period]:
    return periods.months_back(view.period.last, MONTHS)


def _monthly_hours(view: View, by: str, spans: list[periods.Period]) -> dict:
    """{value of `by`: [hours over the limit in each month]} over the view's scope: the judged
    windows' monthly summary (`SourceMonth`: the windows whose end is in the month's local
    days, those over the limit and their hours), the months that had some."""
    sums = {f"m{index}": Sum("exceeded_hours", filter=Q(month=month.first))
            for index, month in enumerate(spans)}
    rows = (SourceMonth.objects.filter(tables.facility_q(view, "source__facility__"),
                                       month__in=[month.first for month in spans],
                                       exceeded__gt=0)
            .order_by().values(by).annotate(**sums))
    return {row[by]: [row[f"m{index}"] or 0 for index in range(len(spans))] for row in rows}


def _labels(spans: list[periods.Period]) -> list[dict]:
    return [{"month": month.first.strftime("%Y-%m"), "first": month.first.isoformat(),
             "last": month.last.isoformat()} for month in spans]


def hours_by_province(view: View, top: int = TOP_PROVINCES) -> dict:
    """{months: [{month "YYYY-MM", first, last}], series: [{key (province code or "rest"), name,
    total, values (12 numbers)}]} — the `top` provinces by hours over the 12 months (most first,
    then by code), then the rest summed (only when there is a rest)."""
    spans = months(view)
    by_province = _monthly_hours(view, "source__facility__province__code", spans)
    ranked = sorted(by_province.items(), key=lambda item: (-sum(item[1]), item[0]))
    shown, rest = ranked[:top], ranked[top:]
    names = dict(Province.objects.filter(code__in=[code for code, _values in shown])
                 .values_list("code", "name"))
    series = [{"key": code, "name": names[code], "total": sum(values), "values": values}
              for code, values in shown]
    if rest:
        values = [sum(values[index] for _code, values in rest) for index in range(len(spans))]
        series.append({"key": REST, "name": _("Other provinces (%(count)d)") % {
            "count": len(rest)}, "total": sum(values), "values": values})
    return {"months": _labels(spans), "series": series}


def hours_by_sector(view: View) -> dict:
    """{months, series: [{key (sector code), name, total, values}]} — every sector with hours
    over the limit in the 12 months, most first."""
    spans = months(view)
    by_sector = _monthly_hours(view, "source__facility__sector", spans)
    labels = dict(Sector.choices)
    series = [{"key": sector, "name": str(labels.get(sector, sector)), "total": sum(values),
               "values": values} for sector, values in by_sector.items()]
    series.sort(key=lambda row: (-row["total"], row["key"]))
    return {"months": _labels(spans), "series": series}


def aqi_days(view: View, reading: Reading | None = None) -> dict:
    """{months, cities: [codes], series: [{key (category code), name, colour, total, values}]} —
    city-days per VN_AQI category in each month over the main cities in the view (a city's day
    in the category of its worst station); every category present, in the index's order."""
    spans = months(view)
    codes = tables.cities(view)
    counts = {category.code: [0] * len(spans) for category in vn_aqi.CATEGORIES}
    index_of = {(month.first.year, month.first.month): index for index, month in enumerate(spans)}
    for (_code, day), category in tables.city_day_categories(codes, spans[0].first,
                                                             spans[-1].last, reading).items():
        counts[category][index_of[day.year, day.month]] += 1
    english = (get_language() or "vi").startswith("en")
    series = [{"key": category.code,
               "name": category.name_en if english else category.name_vi,
               "colour": category.hex, "total": sum(counts[category.code]),
               "values": counts[category.code]} for category in vn_aqi.CATEGORIES]
    return {"months": _labels(spans), "cities": codes, "series": series}
