"""Public air quality pages (no sign-in): the map of ambient stations coloured by their current
VN_AQI, a station's last 48 hours and 30 days with its health advice and the QCVN 05:2023
comparison, and a province's daily indices. Each has a JSON twin in the API."""

from __future__ import annotations

import datetime

from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.airquality import services, vn_aqi
from envhub.airquality.models import Averaging
from envhub.core.errors import NotFound
from envhub.core.share import share
from envhub.core.timeutil import VN, hour_label

PROVINCE_DAYS = 14


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance (WCAG 2.1)."""
    linear = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def dark_text(rgb: tuple[int, int, int]) -> bool:
    """Whether dark text (#111) reads better than white on this colour: the one with more
    contrast (orange and red need dark text, maroon and purple white)."""
    background = _luminance(rgb)
    dark = (background + 0.05) / (_luminance((17, 17, 17)) + 0.05)
    white = 1.05 / (background + 0.05)
    return dark > white


def category_view(code: str | None) -> dict | None:
    """A category's words in the page's language."""
    category = services.CATEGORY_BY_CODE.get(code or "")
    if category is None:
        return None
    en = _english()
    return {"code": category.code, "colour": category.hex, "low": category.low,
            "high": category.high, "dark_text": dark_text(category.rgb),
            "name": category.name_en if en else category.name_vi,
            "health": category.health_en if en else category.health_vi,
            "public": category.general_public_en if en else category.general_public_vi,
            "sensitive": category.sensitive_groups_en if en else category.sensitive_groups_vi}


def legend() -> list[dict]:
    return [category_view(category.code) for category in vn_aqi.CATEGORIES]


def chart_labels() -> dict:
    return {"aqi": _("VN_AQI"), "no_data": _("No index for this period."),
            "error": _("The index could not be loaded; reload the page."),
            "dominant": _("dominant pollutant"), "stale": _("out of date"),
            "station": _("Station page"), "in_progress": _("in progress"),
            "day_in_progress": _("The bar of {day} is in progress: the day has not ended, so "
                                 "its index is what the hours so far give and will change.")}


def map_labels() -> dict:
    """The map's words, for air.js (which has no catalogue of its own)."""
    return {**chart_labels(),
            "outline": _("Viet Nam outline: Natural Earth; Hoàng Sa and Trường Sa: envhub"),
            "cluster": _("{count} stations"),
            "locating": _("Finding where you are…"),
            "refused": _("You did not let this page know where you are, so it cannot find your "
                         "province or the nearest station. Allow location for this site in the "
                         "browser's settings and try again, or choose from the list below."),
            "unavailable": _("Your location could not be found. Try again, or choose from the "
                             "list below."),
            "unsupported": _("This browser cannot tell where you are; choose from the list "
                             "below."),
            "insecure": _("The browser gives your location only to pages opened over HTTPS; "
                          "choose from the list below."),
            "you_are_here": _("You are here"),
            "your_province": _("Your province (estimated from your location):"),
            "no_province": _("No province has a position on the map yet."),
            "nearest_is": _("Nearest station:"),
            "no_station": _("No station has a position on the map."),
            "km_away": _("about {km} km from you")}


def air_map(request):
    now = timezone.now()
    rows = [{"station": station, "row": row, "stale": services.is_stale(row, now),
             "category": category_view(row.category if row else None),
             "dominant": services.pollutant_label(row.dominant if row else None),
             "hour": hour_label(row.hour_end) if row else None}
            for station, row in services.latest(now=now)]
    return render(request, "airquality/map.html", {
        "rows": rows, "legend": legend(),
        "map_config": {"latest_url": reverse("api:aqi_latest"), "labels": map_labels(),
                       "legend": legend(), "english": _english(),
                       "basemap_url": static("envhub/vietnam-basemap.geojson"),
                       "provinces": services.province_centres(),
                       "province_url": reverse("air-province", args=["00"])},
        "api_url": reverse("api:aqi_latest"),
    })


def air_station(request, code: str):
    station = services.ambient_station(code)
    now = timezone.now()
    latest = services.latest_for(station, now)
    year = timezone.now().astimezone(VN).year
    standards = services.standards(station, year)
    for row in standards:
        row["label"] = services.pollutant_label(row["parameter"])
        row["averaging_label"] = Averaging(row["averaging"]).label
    return render(request, "airquality/station.html", {
        "share": share(request, title=station.name,
                       description=_("The air quality index (VN_AQI) of %(station)s, hour by "
                                     "hour and day by day.") % {"station": station.name},
                       image_path=reverse("card-station", args=[station.code])),
        "station": station, "latest": latest, "stale": services.is_stale(latest, now),
        "hour": hour_label(latest.hour_end) if latest else None,
        "dominant": services.pollutant_label(latest.dominant if latest else None),
        "category": category_view(latest.category if latest else None),
        "legend": legend(), "year": year, "standards": standards,
        "completeness": services.rule(),
        "chart_config": {
            "hourly_url": reverse("api:aqi_hourly") + f"?station={station.code}",
            "daily_url": reverse("api:aqi_daily") + f"?station={station.code}",
            "labels": chart_labels(), "legend": legend(), "english": _english(),
        },
        "api_url": reverse("api:aqi_hourly") + f"?station={station.code}",
    })


def air_province(request, code: str):
    from envhub.registry.models import Province

    province = Province.objects.filter(code=code).first()
    if province is None:
        raise NotFound()
    today = timezone.now().astimezone(VN).date()
    days = [today - datetime.timedelta(days=offset) for offset in range(PROVINCE_DAYS, 0, -1)]
    stations = list(services.ambient_stations().filter(province=province).order_by("code"))
    daily = {(row.station_id, row.day): row for row in services.daily_rows(
        stations, days[0], days[-1])}
    table = [{"station": station, "cells": [
        {"day": day, "row": daily.get((station.pk, day)),
         "category": category_view(daily[(station.pk, day)].category)
         if (station.pk, day) in daily else None} for day in days]} for station in stations]
    return render(request, "airquality/province.html", {
        "province": province, "days": days, "table": table, "legend": legend(),
        "api_url": reverse("api:aqi_latest") + f"?province={province.code}",
    })
