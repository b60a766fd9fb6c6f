"""Reading monitoring data through the API: observations (raw, hourly, daily; JSON and CSV),
latest values, received files — every persona sees its own scope only."""

from __future__ import annotations

import csv
import io

import pytest

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from envhub.monitoring import connectivity, ingest, rollups
from tests.monitoring.files import local, raw_file, tt10_file

pytestmark = pytest.mark.django_db

HANOI = {"HNKT1", "HNNT1", "HNKT2", "HNKK1"}
ALL = HANOI | {"DNKT1", "DNKK1"}
VISIBLE = {
    "admin": ALL, "steward": ALL, "leader": ALL, "officer": HANOI,
    "operator": {"HNKT1", "HNNT1"}, "survey": set(),
}


@pytest.fixture
def data(world):
    """An hour of PM10 at the Hà Nội and Đồng Nai air stations, and a bad file for each."""
    files = []
    for station in (world.air_hn, world.air_dn):
        for slot in range(1, 13):
            at = local(2026, 11, 20, 7, 0).replace(minute=0) + slot * (
                local(2026, 11, 20, 7, 5) - local(2026, 11, 20, 7, 0))
            status = 1 if slot == 6 else 0
            files.append(tt10_file(station, at, [("PM10", 10.0 * slot, "ug/m3", status)]))
        files.append(raw_file(station, local(2026, 11, 20, 9, 0),
                              "PM10\tabc\tug/m3\t20261120090000\t00\n"))
    ingest.ingest(system_actor("tests"), "folder", files)
    rollups.process_queue()
    connectivity.evaluate()
    return world


def get(world, persona, url, **params):
    return world.client(persona).get(url, params)


@pytest.mark.parametrize("persona", [*VISIBLE, "anonymous"])
def test_observations_follow_the_station_scope(data, persona):
    for code in ("HNKK1", "DNKK1"):
        response = get(data, persona, "/api/v1/observations", station=code, parameter="PM10",
                       **{"from": "2026-11-20", "to": "2026-11-20"})
        if persona == "anonymous":
            assert response.status_code == 401
        elif code in VISIBLE[persona]:
            assert response.status_code == 200
            assert len(response.json()["results"]) == 12
        else:
            assert response.status_code == 404


def test_raw_values_carry_their_status_and_local_time(data):
    body = get(data, "officer", "/api/v1/observations", station="hnkk1", parameter="pm10",
               **{"from": "2026-11-20", "to": "2026-11-20"}).json()
    assert (body["station"], body["parameter"], body["unit"]) == ("HNKK1", "PM10", "µg/m3")
    first = body["results"][0]
    assert first == {**first, "time": "2026-11-20T07:05:00+07:00", "value": 10.0, "status": 0}
    assert body["results"][5]["status"] == 1
    assert body["results"][5]["status_label"]


def test_raw_values_page_with_cursors(data):
    seen, cursor = [], None
    while True:
        params = {"station": "HNKK1", "parameter": "PM10", "from": "2026-11-20",
                  "to": "2026-11-20", "limit": 5}
        if cursor:
            params["cursor"] = cursor
        body = get(data, "admin", "/api/v1/observations", **params).json()
        seen.extend(row["time"] for row in body["results"])
        cursor = body["next"]
        if not cursor:
            break
    assert len(seen) == 12 and seen == sorted(seen)


def test_hourly_and_daily_rollups(data):
    hour = get(data, "admin", "/api/v1/observations", station="HNKK1", parameter="PM10",
               interval="hour", **{"from": "2026-11-20", "to": "2026-11-20"}).json()
    [row] = hour["results"]
    assert row["hour_end"] == "2026-11-20T08:00:00+07:00"
    assert (row["count"], row["valid_count"], row["calibrating_count"]) == (12, 11, 1)
    assert row["mean"] == pytest.approx((sum(range(1, 13)) - 6) * 10 / 11)
    assert row["coverage"] == pytest.approx(91.7, abs=0.05)
    day = get(data, "admin", "/api/v1/observations", station="HNKK1", parameter="PM10",
              interval="day", **{"from": "2026-11-20", "to": "2026-11-20"}).json()
    assert [r["day"] for r in day["results"]] == ["2026-11-20"]


@pytest.mark.parametrize("interval, field, pages", [("hour", "hour_end", 5), ("day", "day", 2)])
def test_rollups_page_with_cursors_across_days(world, interval, field, pages):
    start = local(2026, 11, 20, 21, 5)
    files = [tt10_file(world.air_hn, start.replace(day=20 + (21 + h) // 24, hour=(21 + h) % 24),
                       [("PM10", 10.0 + h, "ug/m3", 0)]) for h in range(5)]
    ingest.ingest(system_actor("tests"), "folder", files)
    rollups.process_queue()
    seen, cursor, asked = [], None, 0
    while True:
        params = {"station": "HNKK1", "parameter": "PM10", "interval": interval,
                  "from": "2026-11-20", "to": "2026-11-21", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        body = get(world, "admin", "/api/v1/observations", **params).json()
        asked += 1
        seen.extend(row[field] for row in body["results"])
        cursor = body["next"]
        if not cursor:
            break
    assert len(seen) == pages and seen == sorted(seen) and asked in (pages, pages + 1)
    assert seen[0] == ("2026-11-20T22:00:00+07:00" if interval == "hour" else "2026-11-20")


def test_observations_as_csv(data):
    response = get(data, "officer", "/api/v1/observations", station="HNKK1", parameter="PM10",
                   format="csv", **{"from": "2026-11-20", "to": "2026-11-20"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["station", "parameter", "unit", "time", "value", "status", "status_label"]
    assert len(rows) == 13
    assert rows[1][:6] == ["HNKK1", "PM10", "µg/m3", "2026-11-20T07:05:00+07:00", "10.0", "0"]


@pytest.mark.parametrize("params, field", [
    ({"station": "HNKK1", "parameter": "PM10", "interval": "minute"}, "interval"),
    ({"station": "HNKK1", "parameter": "PM10", "from": "yesterday"}, "from"),
    ({"station": "HNKK1", "parameter": "PM10", "from": "2026-11-21", "to": "2026-11-20"},
     "from"),
    ({"station": "HNKK1", "parameter": "PM10", "format": "xml"}, "format"),
])
def test_observations_explain_bad_queries(data, params, field):
    response = get(data, "admin", "/api/v1/observations", **params)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_an_unknown_parameter_for_the_station_is_404(data):
    response = get(data, "admin", "/api/v1/observations", station="HNKK1", parameter="COD")
    assert response.status_code == 404


@pytest.mark.parametrize("persona", VISIBLE)
def test_latest_values_follow_the_scope(data, persona):
    body = get(data, persona, "/api/v1/latest", limit=5000).json()
    assert {row["station"] for row in body["results"]} == VISIBLE[persona]
    for row in body["results"]:
        if row["station"] in ("HNKK1", "DNKK1"):
            [value] = row["values"]
            assert (value["parameter"], value["value"]) == ("PM10", 120.0)


def test_a_stations_latest_values(data):
    body = get(data, "operator", "/api/v1/stations/HNKT1/latest").json()
    assert body["values"] == [] and body["state"] == "never"
    body = get(data, "officer", "/api/v1/stations/HNKK1/latest").json()
    assert body["values"][0]["time"] == "2026-11-20T08:00:00+07:00"
    assert get(data, "officer", "/api/v1/stations/DNKK1/latest").status_code == 404


@pytest.mark.parametrize("persona", VISIBLE)
def test_received_files_follow_the_scope(data, persona):
    body = get(data, persona, "/api/v1/batches", limit=500).json()
    stations = {row["station"] for row in body["results"]}
    assert stations == VISIBLE[persona] & {"HNKK1", "DNKK1"}


def test_a_received_file_shows_its_rejects(data):
    rows = get(data, "officer", "/api/v1/batches", station="HNKK1", status="rejected").json()
    [row] = rows["results"]
    detail = get(data, "officer", f"/api/v1/batches/{row['id']}").json()
    assert detail["rejects"][0]["code"] == "bad_value"
    assert detail["rejects"][0]["line"] == 1


def test_a_sender_sees_the_files_that_named_no_station_of_theirs(world):
    issued = accounts.create_token(system_actor(), name="x", facility=world.facility_hn)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"}
    client = world.client("anonymous")
    client.post("/api/v1/ingest/files", data=b"junk", content_type="text/plain",
                HTTP_X_FILENAME="nonsense.txt", **headers)
    rows = client.get("/api/v1/batches", **headers).json()["results"]
    assert [row["file_name"] for row in rows] == ["nonsense.txt"]
    # ... which nobody else but the staff sees.
    assert world.client("officer").get("/api/v1/batches").json()["results"] == []


def test_a_page_of_observations_takes_five_queries_with_a_token(data):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    issued = accounts.create_token(system_actor(), name="x", user=data.users["officer"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"}
    params = {"station": "HNKK1", "parameter": "PM10", "interval": "hour",
              "from": "2026-11-20", "to": "2026-11-20"}
    Client().get("/api/v1/observations", params, **headers)  # writes the token's use
    with CaptureQueriesContext(connection) as queries:
        body = Client().get("/api/v1/observations", params, **headers).json()
    assert len(body["results"]) == 1
    # The token with its user, the memberships with the provinces they list, the station in
    # scope, the parameter with its series, the page.
    assert len(queries) == 5, [q["sql"][:80] for q in queries]


def test_a_parameter_named_by_a_datalogger_symbol(data):
    for symbol, code, rows in (("PM2.5", "PM2_5", 0), ("pm10", "PM10", 12)):
        body = get(data, "admin", "/api/v1/observations", station="HNKK1", parameter=symbol,
                   **{"from": "2026-11-20", "to": "2026-11-20"}).json()
        assert (body["parameter"], len(body["results"])) == (code, rows)


def test_a_parameter_code_is_matched_whatever_its_case_and_never_as_a_pattern(data):
    """The code is compared as `iexact` compares it: `_` and `%` are letters, not wildcards."""
    period = {"from": "2026-11-20", "to": "2026-11-20"}
    for asked, code in (("pm10", "PM10"), ("Pm2_5", "PM2_5")):
        body = get(data, "officer", "/api/v1/observations", station="hnkk1", parameter=asked,
                   **period).json()
        assert body["parameter"] == code
    for pattern in ("PM2%5", "PM_0", "%"):
        assert get(data, "officer", "/api/v1/observations", station="HNKK1",
                   parameter=pattern, **period).status_code == 404
