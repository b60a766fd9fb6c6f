"""What a report says, gathered once: `ReportData`, the figures of a scope over a period. The
PDF and the XLSX are both written from it, and it is stored with the report as JSON, so that
making the report again for the same scope and period can be compared figure by figure."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from envhub.dashboard import periods, report_tables, tables
from envhub.dashboard.filters import View
from envhub.dashboard.reading import Reading

FORMAT = 2  # the shape of `as_dict`; a stored report of another shape is read as it was
TOP_FACILITIES = 20
TOP_STATIONS = 15
# Submission states that say nothing was sent for review yet.
UNSENT = (tables.NOT_STARTED, "draft")


@dataclass
class ReportData:
    scope: str  # "" for the country, else the province's code
    scope_name: str
    period_kind: str
    first: str  # ISO dates, local, inclusive
    last: str
    totals: dict = field(default_factory=dict)
    by_province: list[dict] = field(default_factory=list)
    by_sector: list[dict] = field(default_factory=list)
    top_facilities: list[dict] = field(default_factory=list)
    completeness: list[dict] = field(default_factory=list)
    stations_with_gaps: list[dict] = field(default_factory=list)
    aqi_days: list[dict] = field(default_factory=list)
    surveys: list[dict] = field(default_factory=list)
    daily: list[dict] = field(default_factory=list)  # [{"day", "hours", "events"}]
    # The province centres the map places its circles at: [{"code", "name", "lat", "lon"}].
    centres: list[dict] = field(default_factory=list)
    format: int = FORMAT

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ReportData:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})


def _totals(data: ReportData) -> dict:
    expected = sum(row["expected_hours"] for row in data.completeness)
    received = sum(row["received_hours"] for row in data.completeness)
    sent = sum(count for row in data.surveys for state, count in row["states"].items()
               if state not in UNSENT)
    return {
        "hours": sum(row["hours"] for row in data.by_province),
        "events": sum(row["events"] for row in data.by_province),
        "facilities": sum(row["facilities"] for row in data.by_province),
        "stations": sum(row["stations"] for row in data.completeness),
        "completeness": round(received * 100 / expected, 1) if expected else None,
        "outages": sum(row["outages"] for row in data.completeness),
        "submissions": sent,
    }


def _centres(codes: set[str]) -> list[dict]:
    from envhub.airquality.services import province_centres

    return [{"code": row["code"], "name": row["label"], "lat": row["latitude"],
             "lon": row["longitude"]}
            for row in province_centres() if row["code"] in codes or not codes]


def _without(rows: list[dict], *keys: str) -> list[dict]:
    """The rows without what describes the moment they were read rather than the period (a
    station's connectivity now): a report made again must give the same figures."""
    return [{key: value for key, value in row.items() if key not in keys} for row in rows]


def collect(province, period: periods.Period) -> ReportData:
    """The figures of `province` (None: the country) over `period`, from the dashboard's
    tables (`dashboard/tables.py`) and the report's daily series (`report_tables.py`)."""
    codes = (province.code,) if province is not None else None
    view = View(period, codes, province.code if province is not None else None, None)
    reading = Reading(view)  # the tables below share their reads
    data = ReportData(
        scope=province.code if province is not None else "",
        scope_name=province.name if province is not None else "",
        period_kind=period.kind, first=period.first.isoformat(), last=period.last.isoformat(),
        by_province=tables.exceedances_by_province(view, reading=reading),
        by_sector=tables.exceedances_by_sector(view, reading=reading),
        top_facilities=tables.top_facilities(view, TOP_FACILITIES, reading),
        completeness=_without(tables.completeness_by_province(view, reading=reading),
                              "offline_now", "late_now"),
        stations_with_gaps=_without(tables.stations_with_most_gaps(view, TOP_STATIONS, reading),
                                    "state"),
        aqi_days=tables.aqi_days_by_city(view),
        surveys=tables.survey_submissions(view),
        daily=report_tables.daily_exceedances(view),
    )
    data.totals = _totals(data)
    data.centres = _centres(set(codes or ()))
    return data
