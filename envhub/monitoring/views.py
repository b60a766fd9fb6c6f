"""Monitoring pages: the station's data (latest values, chart, received files), reached from the
registry's station page, and the data-transmission overview. Thin: read through the services
(which scope everything by the permission policy) and shape what the templates show. Each page
links its JSON twin in the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from envhub.core.numbers import format_number
from envhub.core.timeutil import VN, hour_end
from envhub.monitoring import connectivity, services
from envhub.monitoring.late_help import late_help
from envhub.monitoring.models import Connectivity, DeviceStatus, StationStatus
from envhub.registry import services as registry
from envhub.registry.models import StationKind

# The worst states first: a station that stopped sending needs attention before one that is late.
STATE_ORDER = (Connectivity.OFFLINE, Connectivity.LATE, Connectivity.NEVER, Connectivity.ONLINE)

# The chart's choices. Ranges are counted back from now; "custom" reads two dates.
CHART_INTERVALS = ("raw", "hour", "day")
CHART_RANGES = {"24h": datetime.timedelta(hours=24), "7d": datetime.timedelta(days=7),
                "30d": datetime.timedelta(days=30)}
# The parameter the chart opens on when the page does not name one: the one people ask about.
PREFERRED_PARAMETERS = ("PM2_5", "PM", "TSS", "COD", "SO2", "NOx", "PM10")


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None




def age_in_words(moment: datetime.datetime | None, now: datetime.datetime) -> str:
    """How long ago, in words ("12 phút trước"). Django's `naturaltime` up to a day (its
    Vietnamese wording is complete there); whole days beyond that."""
    if moment is None:
        return ""
    days = (now - moment) // datetime.timedelta(days=1)
    if days < 1:
        return naturaltime(moment)
    return ngettext("%(count)s day ago", "%(count)s days ago", days) % {
        "count": format_number(days, get_language())}


def _status_badges() -> dict[int, str]:
    """TT10 device status codes as shown: "00 · Measuring"."""
    return {code: f"{code:02d} · {label}" for code, label in DeviceStatus.choices}


# --- the station page --------------------------------------------------------------------------

@dataclass
class LatestRow:
    code: str
    name: str
    unit: str
    value: str
    time: datetime.datetime
    status: int
    status_label: str


def _parameter_name(parameter) -> str:
    return parameter.name_en if get_language() == "en" else parameter.name_vi


def _chart_choice(request, series: list[LatestRow]) -> dict:
    """What the chart opens on: from the query string when it names valid choices."""
    codes = [row.code for row in series]
    parameter = _clean(request.GET.get("parameter"))
    if parameter not in codes:
        parameter = next((code for code in PREFERRED_PARAMETERS if code in codes),
                         codes[0] if codes else None)
    interval = request.GET.get("interval")
    interval = interval if interval in CHART_INTERVALS else "raw"
    span = request.GET.get("range")
    span = span if span in CHART_RANGES or span == "custom" else "24h"
    start, end = "", ""
    if span == "custom":
        try:
            start = datetime.date.fromisoformat(request.GET.get("from") or "").isoformat()
            end = datetime.date.fromisoformat(request.GET.get("to") or "").isoformat()
        except ValueError:
            span, start, end = "24h", "", ""
        if start > end:
            start, end = end, start
    return {"parameter": parameter, "interval": interval, "range": span,
            "from": start, "to": end}


def _chart_end(now: datetime.datetime, interval: str) -> datetime.datetime:
    """Where a range counted back from now ends: for hourly means, the end of the hour in
    progress (hours are labelled by their end), so that the hour under way is drawn too."""
    return hour_end(now) if interval == "hour" else now.replace(microsecond=0)


def _api_links(station, choice: dict, now: datetime.datetime) -> dict:
    """The JSON and CSV of what the chart first shows (the script keeps them up to date)."""
    if not choice["parameter"]:
        return {}
    query = {"station": station.code, "parameter": choice["parameter"],
             "interval": choice["interval"]}
    if choice["range"] == "custom":
        query.update({"from": choice["from"], "to": choice["to"]})
    else:
        end = _chart_end(now, choice["interval"])
        start = end - CHART_RANGES[choice["range"]]
        query.update({"from": start.astimezone(VN).isoformat(timespec="seconds"),
                      "to": end.astimezone(VN).isoformat(timespec="seconds")})
    base = reverse("api:observations")
    return {"json": f"{base}?{urlencode(query)}",
            "csv": f"{base}?{urlencode({**query, 'format': 'csv'})}"}


def chart_labels() -> dict:
    """The words the chart script shows, translated here (the script holds no text)."""
    return {
        "measuring": _("Measured value (00)"),
        "calibrating": _("Calibrating (01)"),
        "error": _("Device error (02)"),
        "hourly_mean": _("Hourly mean"),
        "daily_mean": _("Daily mean"),
        "band": _("Minimum–maximum"),
        "coverage": _("Coverage (%)"),
        "valid": _("Valid values"),
        "loading": _("Loading…"),
        "empty": _("No values in this range."),
        "newest": _("The newest value is from %(time)s."),
        "show_newest": _("Show the days up to it"),
        "error_loading": _("The values could not be loaded; reload the page."),
        "truncated": _("Only the first %(count)s values are drawn: choose a shorter range or "
                       "the hourly interval."),
        "summary": _("%(parameter)s at %(station)s: %(count)s points from %(start)s to %(end)s "
                     "(Viet Nam time)."),
        "status": {str(code): label for code, label in _status_badges().items()},
    }


def station_context(request, station) -> dict:
    """What the station page shows beside the registry's facts: the TT10 file-name prefix, the
    connectivity, the latest value of each parameter, the chart's choices and the recent
    received files with their rejects."""
    actor = request.actor
    now = timezone.now()
    _station, values, status = services.station_latest(actor, station.code)
    badges = _status_badges()
    latest = [
        LatestRow(code=v.series.parameter.code, name=_parameter_name(v.series.parameter),
                  unit=v.series.parameter.unit, time=v.time,
                  value=format_number(v.value, get_language(), unit=v.series.parameter.unit),
                  status=v.status, status_label=badges.get(v.status, str(v.status)))
        for v in values
    ]
    choice = _chart_choice(request, latest)
    state = connectivity.shown_state(station.active, status.state if status else None)
    label = _("Not followed: the station is marked inactive") \
        if state == connectivity.NOT_FOLLOWED else Connectivity(state).label
    batches = services.recent_batches(actor, station)
    example_time = now.astimezone(VN).replace(second=0, microsecond=0)
    example_time -= datetime.timedelta(minutes=example_time.minute % 5)
    return {
        "tt10_example": f"{station.tt10_prefix}{example_time:%Y%m%d%H%M%S}.txt",
        "connectivity": {
            "state": state,
            "label": label,
            "since": status.state_since if status and station.active else None,
            "last_data_at": status.last_data_at if status else None,
            "last_data_age": age_in_words(status.last_data_at if status else None, now),
            "last_received_at": status.last_received_at if status else None,
            "last_received_age": age_in_words(status.last_received_at if status else None,
                                              now),
        },
        "latest": latest,
        "chart": {
            "choice": choice,
            "intervals": [("raw", _("Raw values")),
                          ("hour", _("Hourly mean, with minimum–maximum")),
                          ("day", _("Daily mean"))],
            "ranges": [("24h", _("Last 24 hours")), ("7d", _("Last 7 days")),
                       ("30d", _("Last 30 days")), ("custom", _("From date to date"))],
            "links": _api_links(station, choice, now),
            "config": {
                "station": station.code,
                "interval_minutes": station.expected_interval_minutes,
                "observations_url": reverse("api:observations"),
                "last_data_at": status.last_data_at.isoformat() if status and
                status.last_data_at else None,
                "lang": get_language(),
                "labels": chart_labels(),
            },
        },
        "batches": batches,
        "late_help": late_help(actor, station, state, status, batches),
        "latest_api_url": reverse("api:station_latest", args=[station.code]),
    }


# --- the data-transmission page ------------------------------------------------------------------

@dataclass
class TransmissionRow:
    station: object
    state: str
    state_label: str
    last_data_at: datetime.datetime | None
    last_received_at: datetime.datetime | None
    age: str


def _status_of(station) -> StationStatus | None:
    try:
        return station.status
    except StationStatus.DoesNotExist:
        return None


def _transmission_rows(stations, now) -> list[TransmissionRow]:
    labels = dict(Connectivity.choices)
    rows = []
    for station in stations:
        status = _status_of(station)
        state = status.state if status else Connectivity.NEVER
        received = status.last_received_at if status else None
        rows.append(TransmissionRow(
            station=station, state=state, state_label=labels[state],
            last_data_at=status.last_data_at if status else None, last_received_at=received,
            age=age_in_words(received, now)))
    # Worst first; within a state, the longest silent first (never-seen stations by code).
    oldest = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)
    rows.sort(key=lambda row: (STATE_ORDER.index(row.state), row.last_received_at or oldest,
                               row.station.code))
    return rows


@login_required
def transmission(request):
    """Stations in the actor's scope by connectivity state, worst first (JSON twin:
    /api/v1/latest)."""
    actor = request.actor
    kind = request.GET.get("kind")
    state = request.GET.get("state")
    filters = registry.StationFilters(
        province=_clean(request.GET.get("province")),
        kind=kind if kind in StationKind.values else None,
        active=True,
    )
    state = state if state in Connectivity.values else None
    # The scoped stations, each with its status row (one query: status follows its station).
    stations = registry.stations(actor, filters).select_related("status")
    rows = _transmission_rows(stations, timezone.now())
    counts = {value: 0 for value in STATE_ORDER}
    for row in rows:
        counts[row.state] += 1
    labels = dict(Connectivity.choices)
    base = {key: value for key, value in (("province", filters.province),
                                           ("kind", filters.kind)) if value}
    api_query = urlencode(base)
    return render(request, "monitoring/transmission.html", {
        "rows": [row for row in rows if state is None or row.state == state],
        "total": len(rows),
        "counts": [{"state": value, "label": labels[value], "count": counts[value],
                    "url": "?" + urlencode({**base, "state": value}),
                    "current": value == state} for value in STATE_ORDER],
        "all_url": "?" + urlencode(base),
        "filters": filters,
        "state": state,
        "state_label": labels.get(state, ""),
        "provinces": registry.provinces(actor).filter(
            id__in=registry.stations(actor).values("province_id")),
        "kinds": StationKind.choices,
        "states": [(value, labels[value]) for value in STATE_ORDER],
        "api_url": reverse("api:latest") + (f"?{api_query}" if api_query else ""),
    })
