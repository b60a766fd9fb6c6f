"""A seeded month (November 2026) in the two-province world: judged windows over the limit,
exceedance events, daily rollups, a station going offline, daily AQI of both cities and a survey
submission — and independent queries of the figures a report of it must show."""

from __future__ import annotations

import datetime

from django.db import connection

from envhub.core.timeutil import VN

MONTH_FIRST = datetime.date(2026, 11, 1)
MONTH_LAST = datetime.date(2026, 11, 30)
DECEMBER_1ST = datetime.date(2026, 12, 1)


def at(day: int, hour: int, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=VN).astimezone(datetime.UTC)


def seed(world) -> None:
    from envhub.airquality.models import DailyAqi
    from envhub.compliance.models import Assessment, ExceedanceEvent, State
    from envhub.monitoring.models import Connectivity, ConnectivityChange, DailyRollup, Series
    from envhub.registry.models import Parameter
    from envhub.surveys.models import Assignment, Campaign, Submission, SurveySchema
    from envhub.surveys.models import State as SubmissionState

    so2 = Parameter.objects.get(code="SO2", medium="emission")
    pm25 = Parameter.objects.get(code="PM2_5", medium="air")

    def over(source, day, hours):
        for hour in range(1, hours + 1):
            Assessment.objects.create(source=source, parameter=so2, window_end=at(day, hour),
                                      measured=600, value=600, limit=500, multiple=1.2,
                                      coverage=100, state=State.EXCEEDS, band="1-2")
        ExceedanceEvent.objects.create(
            source=source, parameter=so2, start=at(day, 1), end=at(day, hours),
            peak_value=600, peak_multiple=1.2, peak_at=at(day, 1), band="1-2", hours=hours,
            limit=500, unit="mg/Nm3", status="closed")

    over(world.stack_hn, 3, 5)     # Hà Nội, thermal power
    over(world.stack_hn, 17, 2)
    over(world.stack_hn2, 10, 4)   # Hà Nội, textiles
    over(world.stack_dn, 20, 7)    # Đồng Nai, cement
    # Outside the month: neither counted nor shown.
    Assessment.objects.create(source=world.stack_dn, parameter=so2, window_end=at(1, 1, 12),
                              measured=600, value=600, limit=500, multiple=1.2, coverage=100,
                              state=State.EXCEEDS)
    # A compliant window: not an hour over.
    Assessment.objects.create(source=world.stack_dn, parameter=so2, window_end=at(21, 1),
                              measured=100, value=100, limit=500, multiple=0.2, coverage=100,
                              state=State.COMPLIES)

    for station, valid in ((world.station_stack_hn, 20), (world.station_stack_dn, 12),
                           (world.air_hn, 24)):
        parameter = pm25 if station.kind == "auto_air" else so2
        series = Series.objects.create(station=station, parameter=parameter)
        for day in range(1, 31):
            DailyRollup.objects.create(series=series, day=datetime.date(2026, 11, day),
                                       count=valid, valid_count=valid, expected_count=24,
                                       coverage=valid * 100 / 24, valid_hours=valid,
                                       valid=valid >= 18)
    ConnectivityChange.objects.create(station=world.station_stack_dn, at=at(12, 8),
                                      previous=Connectivity.ONLINE,
                                      current=Connectivity.OFFLINE)
    # Hà Nội: 20 good days, 10 poor; Đồng Nai: 30 moderate.
    for day in range(1, 31):
        aqi, category = (40, "good") if day <= 20 else (120, "poor")
        DailyAqi.objects.create(station=world.air_hn, day=datetime.date(2026, 11, day),
                                aqi=aqi, category=category)
        DailyAqi.objects.create(station=world.air_dn, day=datetime.date(2026, 11, day),
                                aqi=70, category="moderate")
    campaign = Campaign.objects.create(title="Điều tra 2026", year=2026, created_by="tests")
    assignment = Assignment.objects.create(campaign=campaign, schema=SurveySchema.objects.first(),
                                           organisation=world.survey_unit,
                                           due_on=datetime.date(2026, 12, 31))
    Submission.objects.create(assignment=assignment, organisation=world.survey_unit,
                              state=SubmissionState.APPROVED, created_by="tests",
                              submitted_at=at(15, 9))


def hours_over(province_code: str | None = None) -> int:
    """Hours over the limit in November, by hand-written SQL (not the report's code)."""
    sql = ("SELECT COALESCE(SUM(a.window_hours), 0) FROM compliance_assessment a "
           "JOIN registry_source s ON s.id = a.source_id "
           "JOIN registry_facility f ON f.id = s.facility_id "
           "JOIN registry_province p ON p.id = f.province_id "
           "WHERE a.state = 'exceeds' AND a.window_end > %s AND a.window_end <= %s")
    params = [at(1, 0), at(1, 0, 12)]
    if province_code:
        sql += " AND p.code = %s"
        params.append(province_code)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def events(province_code: str | None = None) -> int:
    sql = ("SELECT COUNT(*) FROM compliance_exceedanceevent e "
           "JOIN registry_source s ON s.id = e.source_id "
           "JOIN registry_facility f ON f.id = s.facility_id "
           "JOIN registry_province p ON p.id = f.province_id "
           "WHERE e.start > %s AND e.start <= %s")
    params = [at(1, 0), at(1, 0, 12)]
    if province_code:
        sql += " AND p.code = %s"
        params.append(province_code)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])
