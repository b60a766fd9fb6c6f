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
