"""The hour-ending convention and the local day (00:00, 24:00] UTC+7, from docs/time.md."""

import datetime

import pytest

from envhub.core import timeutil

VN = timeutil.VN


def vn(*args):
    return datetime.datetime(*args, tzinfo=VN)


@pytest.mark.parametrize("moment, hour_end_local", [
    (vn(2026, 11, 26, 7, 5), vn(2026, 11, 26, 8)),
    (vn(2026, 11, 26, 8, 0), vn(2026, 11, 26, 8)),       # exactly on the hour: the hour ending
    (vn(2026, 11, 26, 8, 0, 1), vn(2026, 11, 26, 9)),
    (vn(2026, 11, 26, 0, 0), vn(2026, 11, 26, 0)),
    (vn(2026, 12, 31, 23, 59, 59), vn(2027, 1, 1, 0)),   # across the new year
])
def test_it_labels_a_value_by_the_end_of_its_hour(moment, hour_end_local):
    assert timeutil.hour_end(moment) == hour_end_local


@pytest.mark.parametrize("moment, day", [
    (vn(2026, 11, 26, 0, 0), datetime.date(2026, 11, 25)),   # 00:00 belongs to the day before
    (vn(2026, 11, 26, 0, 0, 1), datetime.date(2026, 11, 26)),
    (vn(2026, 11, 26, 23, 59), datetime.date(2026, 11, 26)),
    (vn(2026, 11, 27, 0, 0), datetime.date(2026, 11, 26)),   # 24:00 closes the day
    # 17:00 UTC is 00:00 in Viet Nam: still the previous local day.
    (datetime.datetime(2026, 11, 25, 17, 0, tzinfo=datetime.timezone.utc),
     datetime.date(2026, 11, 25)),
])
def test_it_puts_midnight_in_the_day_it_closes(moment, day):
    assert timeutil.local_day(moment) == day


def test_a_day_spans_its_24_hour_labels():
    start, end = timeutil.day_bounds(datetime.date(2026, 11, 26))
    assert start == vn(2026, 11, 26, 0) and end == vn(2026, 11, 27, 0)
    labels = []
    hour = start + timeutil.HOUR
    while hour <= end:
        labels.append(hour)
        hour += timeutil.HOUR
    assert len(labels) == 24
    assert all(timeutil.local_day(label) == datetime.date(2026, 11, 26) for label in labels)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-26T08:00:00+07:00", vn(2026, 11, 26, 8)),
    ("2026-11-26T01:00:00Z", vn(2026, 11, 26, 8)),
    ("2026-11-26T08:00:00", vn(2026, 11, 26, 8)),             # no offset: Viet Nam time
    ("2026-11-26", vn(2026, 11, 26, 0)),
])
def test_it_reads_times_from_people_and_programs(text, expected):
    assert timeutil.parse_moment(text) == expected


def test_a_date_as_an_end_means_the_end_of_that_local_day():
    assert timeutil.parse_moment("2026-11-26", end_of_day=True) == vn(2026, 11, 27, 0)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "26/11/2026", ""])
def test_it_refuses_what_is_not_a_time(text):
    with pytest.raises(ValueError):
        timeutil.parse_moment(text)


def test_it_writes_times_with_the_viet_nam_offset():
    moment = datetime.datetime(2026, 11, 26, 1, 0, tzinfo=datetime.timezone.utc)
    assert timeutil.local_iso(moment) == "2026-11-26T08:00:00+07:00"


def test_api_schemas_write_instants_in_viet_nam_time():
    from ninja import Schema

    from envhub.core.schemas import LocalTime

    class Out(Schema):
        at: LocalTime

    moment = datetime.datetime(2026, 1, 1, 1, 0, tzinfo=datetime.UTC)
    assert Out(at=moment).model_dump() == {"at": "2026-01-01T08:00:00+07:00"}
    assert Out.model_json_schema()["properties"]["at"]["type"] == "string"


@pytest.mark.parametrize("stored", [
    "2026-11-26 01:00:00", "2026-12-31 20:30:00.250000", "2026-11-26 01:00:00+00:00",
    datetime.datetime(2026, 11, 26, 1, 0, tzinfo=datetime.timezone.utc),
    # SQLite's column converter gives naive UTC; PostgreSQL aware values, in any zone.
    datetime.datetime(2026, 12, 31, 20, 30, 0, 250000),
    datetime.datetime(2026, 11, 26, 1, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
    datetime.datetime(2026, 11, 26, 17, 0, 0, 1, tzinfo=timeutil.UTC),
])
def test_it_writes_database_times_as_local_iso_does(stored):
    assert timeutil.local_iso_from_db(stored) == timeutil.local_iso(timeutil.from_db(stored))
    assert timeutil.local_iso_from_db(None) is None


# The latest complete hour and how an hour is shown (issue 15, item 6): at 17:45 the hour
# ending 18:00 is still running, so the newest hour that has ended is the one ending 17:00.
@pytest.mark.parametrize("now, latest, label", [
    (vn(2026, 11, 26, 17, 45), vn(2026, 11, 26, 17), "16:00–17:00 26/11/2026"),
    (vn(2026, 11, 26, 18, 0, 0), vn(2026, 11, 26, 18), "17:00–18:00 26/11/2026"),  # just ended
    (vn(2026, 11, 26, 18, 0, 0, 1), vn(2026, 11, 26, 18), "17:00–18:00 26/11/2026"),
    (vn(2026, 11, 26, 17, 59, 59, 999999), vn(2026, 11, 26, 17), "16:00–17:00 26/11/2026"),
    # Midnight closes the local day: the hour ending 00:00 on 27/11 is 23:00–24:00 of 26/11.
    (vn(2026, 11, 27, 0, 0), vn(2026, 11, 27, 0), "23:00–24:00 26/11/2026"),
    (vn(2026, 11, 27, 0, 30), vn(2026, 11, 27, 0), "23:00–24:00 26/11/2026"),
    (vn(2026, 11, 27, 1, 0), vn(2026, 11, 27, 1), "00:00–01:00 27/11/2026"),
    (vn(2027, 1, 1, 0, 10), vn(2027, 1, 1, 0), "23:00–24:00 31/12/2026"),  # across the year
])
def test_the_latest_complete_hour_is_the_last_one_that_has_ended(now, latest, label):
    found = timeutil.latest_complete_hour(now)
    assert found == latest and found.tzinfo == timeutil.UTC
    assert found <= now < found + timeutil.HOUR
    assert timeutil.hour_label(found) == label
    assert timeutil.hour_span(found) == label.split(" ")[0]


def test_an_hour_is_shown_in_viet_nam_time_whatever_the_zone_given():
    utc_end = datetime.datetime(2026, 11, 26, 11, 0, tzinfo=timeutil.UTC)  # 18:00 in Viet Nam
    assert timeutil.hour_label(utc_end) == "17:00–18:00 26/11/2026"
    with pytest.raises(ValueError):
        timeutil.latest_complete_hour(datetime.datetime(2026, 11, 26, 17, 45))  # naive
