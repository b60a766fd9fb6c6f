"""The monitoring pages against every persona: a station's data (TT10 prefix, connectivity,
latest values, the chart's choices, recent files with their rejects) and the data-transmission
overview (stations by connectivity state, filters), each scoped as the API is."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import connectivity, ingest, rollups
from envhub.monitoring.formats import tt10
from envhub.monitoring.models import Batch, Connectivity, DeviceStatus
from envhub.registry.models import StationKind
from tests.registry.test_pages_personas import (
    DONG_NAI_MARKS,
    PERSONAS,
    VISIBLE_STATIONS,
    assert_sent_to_sign_in,
    dom,
    vi,
)

pytestmark = pytest.mark.django_db

SIGNED_IN = PERSONAS[:-1]
FIVE_MINUTES = datetime.timedelta(minutes=5)
# The states the `data` fixture leaves each station in.
STATES = {
    "HNKT1": Connectivity.ONLINE,   # sends every 5 minutes, last file just now
    "HNKK1": Connectivity.LATE,     # last file 30 minutes ago (late after 3 intervals)
    "DNKT1": Connectivity.OFFLINE,  # last file 3 hours ago (offline after 12 intervals)
    "DNKK1": Connectivity.ONLINE,
    "HNNT1": Connectivity.NEVER,
    "HNKT2": Connectivity.NEVER,
}
# The parameters each station has sent (their latest values are listed on its page).
SENT = {"HNKT1": {"PM", "SO2", "O2"}, "HNKK1": {"PM10"}, "DNKT1": {"SO2"}, "DNKK1": {"PM2_5"},
        "HNNT1": set(), "HNKT2": set()}
WORST_FIRST = [Connectivity.OFFLINE, Connectivity.LATE, Connectivity.NEVER, Connectivity.ONLINE]


def _local_slot(moment: datetime.datetime) -> datetime.datetime:
    """The naive Viet Nam wall-clock time of the last 5-minute mark at or before `moment`."""
    local = moment.astimezone(VN).replace(tzinfo=None, second=0, microsecond=0)
    return local - datetime.timedelta(minutes=local.minute % 5)


def _file(station, at: datetime.datetime, lines: list[tuple], extra: str = ""):
    """A TT10 file named for `station` at local time `at`: (symbol, value, unit, status) lines,
    then any raw text (bad lines)."""
    readings = [tt10.Reading.of(symbol, value, unit, at, status)
                for symbol, value, unit, status in lines]
    content = tt10.format_file(readings) + extra.encode("utf-8")
    return ingest.IncomingFile(f"{station.tt10_prefix}{at:%Y%m%d%H%M%S}.txt", content)


def _stack_lines(slot: int) -> list[tuple]:
    """Two hours of a stack, every 5 minutes: PM calibrating in slots 10–11 and failing (no
    value) in slot 15; O2 calibrating in the very last file."""
    pm_status = 1 if slot in (10, 11) else 2 if slot == 15 else 0
    pm_value = None if pm_status == 2 else 20.0 + slot % 7
    return [("Dust", pm_value, "mg/Nm3", pm_status), ("SO2", 100.0 + slot, "mg/Nm3", 0),
            ("O2", 6.5, "%", 1 if slot == 23 else 0)]


BAD_LINES = "XYZ\t1\tmg/Nm3\t{t}\t00\nSO2\tabc\tmg/Nm3\t{t}\t00\n"


@pytest.fixture
def data(world):
    """Files from four stations, received at different times: HNKT1 (24 files, the last with two
    bad lines) and DNKK1 just now, HNKK1 half an hour ago, DNKT1 three hours ago."""
    ingest.directory.forget()  # stations of an earlier test may be cached under the same prefix
    actor = system_actor("tests")
    now = timezone.now()
    last = _local_slot(now)
    files = []
    for slot in range(24):
        at = last - (23 - slot) * FIVE_MINUTES
        extra = BAD_LINES.format(t=f"{at:%Y%m%d%H%M%S}") if slot == 23 else ""
        files.append(_file(world.station_stack_hn, at, _stack_lines(slot), extra))
    files += [_file(world.air_dn, last - n * FIVE_MINUTES, [("PM2,5", 31.5 + n, "ug/m3", 0)])
              for n in range(6)]
    ingest.ingest(actor, "folder", files, now=now, live=True)

    half_hour_ago = now - datetime.timedelta(minutes=30)
    ingest.ingest(actor, "ftp", [
        _file(world.air_hn, _local_slot(half_hour_ago) - n * FIVE_MINUTES,
              [("PM10", 40.0 + n, "ug/m3", 0)]) for n in range(3)], now=half_hour_ago)
    three_hours_ago = now - datetime.timedelta(hours=3)
    ingest.ingest(actor, "http", [
        _file(world.station_stack_dn, _local_slot(three_hours_ago), [("SO2", 250.0, "mg/Nm3", 0)])
    ], now=three_hours_ago)
    rollups.process_queue()
    connectivity.evaluate(now=now)
    world.now = now
    return world


def visible(persona: str) -> set[str]:
    return VISIBLE_STATIONS[persona] or set()


def rows_of(table) -> list[list]:
    """The cells of a table's own body rows (not of tables nested in them)."""
    body = table.find("tbody")
    return [[cell for cell in row.children if getattr(cell, "tag", None) == "td"]
            for row in body.children if getattr(row, "tag", None) == "tr"]


# --- the station page --------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_station_data_in_scope_and_404_outside(data, persona):
    client = data.client(persona)
    for code in sorted(STATES):
        path = f"/stations/{code}/"
        response = client.get(path)
        if persona == "anonymous":
            assert_sent_to_sign_in(response, path)
            continue
        if code not in visible(persona):
            assert response.status_code == 404
            html = response.content.decode()
            assert f"Trạm {code}" not in html and "_" + code + "_" not in html
            continue
        assert response.status_code == 200
        root = dom(response)
        station = next(s for s in (data.station_stack_hn, data.station_outfall_hn,
                                   data.station_stack_hn2, data.station_stack_dn, data.air_hn,
                                   data.air_dn) if s.code == code)
        # The TT10 prefix, prominently, with an example file name.
        assert root.find("code", id="tt10-prefix").text == station.tt10_prefix
        assert station.tt10_prefix.endswith(f"_{code}_")
        help_text = root.find("p", class_="tt10-help").text
        assert f"{station.tt10_prefix}20" in help_text and ".txt" in help_text
        # The connectivity state.
        state = root.find("span", id="connectivity-state")
        assert state.attrs["class"] == f"badge state-{STATES[code]}"
        assert state.text == vi(Connectivity(STATES[code]).label)
        # Its JSON twin.
        assert root.find("a", id="latest-json").attrs["href"] == f"/api/v1/stations/{code}/latest"
        # The latest value of each parameter sent, and the files received with their rejects.
        tables = root.find_all("table", id="latest-values")
        assert {cells[0].text for t in tables for cells in rows_of(t)} == SENT[code]
        files = root.find_all("table", id="batches")
        assert bool(files) == bool(SENT[code])
        rejects = [[c.text for c in row][:2] for t in files for d in t.find_all("details")
                   for row in rows_of(d.find("table"))]
        assert rejects == ([["4", "unknown_parameter"], ["5", "bad_value"]]
                           if code == "HNKT1" else [])


def test_it_shows_the_latest_values_with_their_device_status(data):
    root = dom(data.client("officer").get("/stations/HNKT1/"))
    table = root.find("table", id="latest-values")
    latest = {cells[0].text: cells for cells in rows_of(table)}
    assert set(latest) == {"PM", "SO2", "O2"}
    # The newest SO2 is that of the last file (slot 23), measuring; O2 was calibrating then.
    assert latest["SO2"][2].text == "123"
    assert latest["SO2"][3].text == "mg/Nm3"
    assert latest["SO2"][5].find("span").attrs["class"] == "badge device-0"
    assert latest["SO2"][5].text == "00 · " + vi(DeviceStatus.MEASURING.label)
    assert latest["O2"][2].text == "6,5"  # the Vietnamese decimal comma
    assert latest["O2"][5].find("span").attrs["class"] == "badge device-1"
    assert latest["O2"][5].text == "01 · " + vi(DeviceStatus.CALIBRATING.label)
    # Times in Viet Nam time.
    last = _local_slot(data.now)
    assert latest["SO2"][4].text == f"{last:%d/%m/%Y %H:%M}"
    assert latest["SO2"][4].find("time").attrs["datetime"].endswith("+07:00")
    assert root.find("dd", id="last-received").find("time").attrs["datetime"].endswith("+07:00")


def test_it_offers_the_stations_series_to_the_chart_without_inline_script(data):
    response = data.client("officer").get("/stations/HNKT1/")
    root = dom(response)
    select = root.find("select", name="parameter")
    assert [o.attrs["value"] for o in select.find_all("option")] == ["O2", "PM", "SO2"]
    # The chart opens on dust, the parameter people ask about.
    assert [o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs] == ["PM"]
    assert {o.attrs["value"] for o in root.find("select", name="interval").find_all("option")} \
        == {"raw", "hour", "day"}
    assert {o.attrs["value"] for o in root.find("select", name="range").find_all("option")} \
        == {"24h", "7d", "30d", "custom"}
    chart = root.find("div", id="chart")
    config = root.find("script", id=chart.attrs["data-config"])
    assert config.attrs["type"] == "application/json"
    scripts = root.find_all("script")
    assert all(s.attrs.get("src") or s.attrs.get("type") == "application/json" for s in scripts)
    assert any(s.attrs.get("src", "").endswith("envhub/chart.js") for s in scripts)
    assert any(s.attrs.get("src", "").endswith("echarts.min.js") for s in scripts)
    # The data links point at the API for the same choice.
    assert root.find("a", id="chart-json").attrs["href"].startswith(
        "/api/v1/observations?station=HNKT1&parameter=PM&interval=raw&from=")
    # A choice in the address is kept.
    root = dom(data.client("officer").get(
        "/stations/HNKT1/?parameter=SO2&interval=hour&range=custom&from=2026-11-01&to=2026-11-02"))
    options = root.find("select", name="parameter").find_all("option")
    assert [o.attrs["value"] for o in options if "selected" in o.attrs] == ["SO2"]
    assert root.find("a", id="chart-json").attrs["href"] == (
        "/api/v1/observations?station=HNKT1&parameter=SO2&interval=hour&from=2026-11-01"
        "&to=2026-11-02")


def test_the_chart_data_link_answers_with_the_values(data):
    client = data.client("officer")
    root = dom(client.get("/stations/HNKT1/"))
    body = client.get(root.find("a", id="chart-json").attrs["href"]).json()
    assert body["parameter"] == "PM" and len(body["results"]) == 24
    assert [row["status"] for row in body["results"]].count(1) == 2
    # The hourly link reaches the end of the hour in progress, so that it is drawn too.
    root = dom(client.get("/stations/HNKT1/?interval=hour"))
    hourly = client.get(root.find("a", id="chart-json").attrs["href"]).json()
    assert sum(row["count"] for row in hourly["results"]) == 24
    assert sum(row["valid_count"] for row in hourly["results"]) == 21


def test_it_lists_the_recent_files_with_their_rejects(data):
    root = dom(data.client("operator").get("/stations/HNKT1/"))
    table = root.find("table", id="batches")
    batches = list(Batch.objects.filter(station=data.station_stack_hn).order_by("-id"))
    assert len(batches) == 24
    rows = [row for row in table.find("tbody").children
            if getattr(row, "tag", None) == "tr" and row.attrs.get("class") == "batch"]
    assert len(rows) == 20  # the last 20
    newest = batches[0]
    first = rows[0]
    link = first.find("a")
    assert link.text == newest.file_name
    assert link.attrs["href"] == f"/api/v1/batches/{newest.id}"
    cells = first.find_all("td")
    assert cells[3].find("span").attrs["class"] == "badge batch-partial"
    assert [c.text for c in cells[4:9]] == ["5", "3", "2", "0", "0"]
    # Its rejects, one click away, with line number, code and message.
    details = table.find("details")
    assert details.find("summary").text.startswith("2 ")
    rejects = [[c.text for c in row] for row in rows_of(details.find("table"))]
    assert [(r[0], r[1]) for r in rejects] == [("4", "unknown_parameter"), ("5", "bad_value")]
    assert all(r[2] for r in rejects)
    assert rejects[0][3].startswith("XYZ")
    # Only that file had rejects.
    assert len(table.find_all("details")) == 1
    # And the JSON twin of that file says the same.
    body = data.client("operator").get(link.attrs["href"]).json()
    assert [(r["line"], r["code"]) for r in body["rejects"]] == [(4, "unknown_parameter"),
                                                                 (5, "bad_value")]


def test_a_station_without_data_says_so(data):
    root = dom(data.client("officer").get("/stations/HNNT1/"))
    assert root.find("span", id="connectivity-state").attrs["class"] == "badge state-never"
    assert not root.find_all("table", id="latest-values")
    assert not root.find_all("div", id="chart")
    assert not root.find_all("table", id="batches")
    assert len(root.find_all("p", class_="empty")) == 3
    assert not any("chart.js" in s.attrs.get("src", "") for s in root.find_all("script"))


def test_an_inactive_station_that_still_sends_is_said_not_to_be_followed(data):
    station = data.station_stack_hn
    station.active = False
    station.save()
    root = dom(data.client("officer").get(f"/stations/{station.code}/"))
    state = root.find("span", id="connectivity-state")
    assert state.attrs["class"] == "badge state-inactive"
    assert state.text == "Không theo dõi: trạm quan trắc đang ở trạng thái ngừng hoạt động"
    assert root.find("dd", id="last-received").find("time")  # what it sent is still shown
    # The API says the same.
    answer = data.client("officer").get(f"/api/v1/stations/{station.code}/latest").json()
    assert answer["state"] == "inactive" and answer["last_received_at"]


def test_the_station_api_carries_the_tt10_prefix(data):
    client = data.client("officer")
    body = client.get("/api/v1/stations/HNKT1").json()
    assert body["tt10_prefix"] == data.station_stack_hn.tt10_prefix == "HN_NDSH_HNKT1_"
    listed = client.get("/api/v1/stations").json()["results"]
    assert {row["code"]: row["tt10_prefix"] for row in listed}["HNKK1"] == \
        data.air_hn.tt10_prefix


def test_the_hanoi_officer_sees_nothing_of_dong_nai_on_station_pages(data):
    client = data.client("officer")
    for code in sorted(VISIBLE_STATIONS["officer"]):
        html = client.get(f"/stations/{code}/").content.decode()
        for mark in DONG_NAI_MARKS:
            assert mark not in html, (code, mark)


# --- the data-transmission page ----------------------------------------------------------------

def _table_codes(root) -> list[str]:
    tables = root.find_all("table", class_="transmission")
    if not tables:
        return []
    return [cells[0].text for cells in rows_of(tables[0])]


def _counts(root) -> dict[str, int]:
    return {a.attrs["data-state"]: int(a.find("span", class_="figure").text)
            for a in root.find("ul", class_="state-counts").find_all("a")}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_the_stations_in_scope_by_state(data, persona):
    response = data.client(persona).get("/transmission/")
    if persona == "anonymous":
        assert_sent_to_sign_in(response, "/transmission/")
        return
    assert response.status_code == 200
    root = dom(response)
    assert root.find("h1").text == vi("Data transmission")
    codes = _table_codes(root)
    expected = visible(persona)
    assert set(codes) == expected and len(codes) == len(expected)
    html = response.content.decode()
    for code in set(STATES) - expected:
        assert code not in html
    # The counts per state, and the worst states first.
    wanted = {state: sum(1 for code in expected if STATES[code] == state)
              for state in WORST_FIRST}
    assert _counts(root) == wanted
    states = [row.attrs["data-state"] for body in root.find_all("tbody")
              for row in body.find_all("tr")]
    assert states == sorted(states, key=WORST_FIRST.index)
    # Each code links to its station page; the JSON twin is the latest-values API.
    for link in [a for table in root.find_all("table", class_="transmission")
                 for a in table.find_all("a")]:
        assert link.attrs["href"] == f"/stations/{link.text}/"
    assert root.find("a", class_="json-twin").attrs["href"] == "/api/v1/latest"
    if not expected:
        assert root.find("p", class_="empty")


def test_it_shows_when_each_station_last_sent(data):
    root = dom(data.client("admin").get("/transmission/"))
    rows = {cells[0].text: cells for cells in rows_of(root.find("table", class_="transmission"))}
    assert rows["HNKK1"][4].find("span").attrs["class"] == "badge state-late"
    assert rows["HNKK1"][4].text == vi(Connectivity.LATE.label)
    received = (data.now - datetime.timedelta(minutes=30)).astimezone(VN)
    assert rows["HNKK1"][6].text == f"{received:%d/%m/%Y %H:%M}"
    with translation.override("vi"):
        assert rows["HNKK1"][7].text == "30 phút trước"
        assert rows["DNKT1"][7].text == "3 giờ trước"
    assert rows["HNNT1"][5].text == rows["HNNT1"][6].text == rows["HNNT1"][7].text == "—"
    assert [cells[0].text for cells in rows.values()][:2] == ["DNKT1", "HNKK1"]


def test_it_filters_by_province_kind_and_state(data):
    client = data.client("admin")
    root = dom(client.get("/transmission/", {"province": "01"}))
    assert set(_table_codes(root)) == data.stations_of(data.hanoi)
    assert root.find("a", class_="json-twin").attrs["href"] == "/api/v1/latest?province=01"
    root = dom(client.get("/transmission/", {"kind": StationKind.AUTO_AIR}))
    assert set(_table_codes(root)) == {"HNKK1", "DNKK1"}
    assert _counts(root) == {"offline": 0, "late": 1, "never": 0, "online": 1}
    root = dom(client.get("/transmission/", {"state": "never"}))
    assert set(_table_codes(root)) == {"HNNT1", "HNKT2"}
    # The counts stay those of the whole selection, so that each is a way into its state.
    assert _counts(root) == {"offline": 1, "late": 1, "never": 2, "online": 2}
    current = [a.attrs["data-state"] for a in root.find("ul", class_="state-counts").find_all("a")
               if a.attrs.get("aria-current") == "true"]
    assert current == ["never"]
    root = dom(client.get("/transmission/", {"province": "75", "state": "offline"}))
    assert _table_codes(root) == ["DNKT1"]
    # Nonsense in the filters is ignored, not an error.
    response = client.get("/transmission/", {"kind": "spaceship", "state": "<b>"})
    assert response.status_code == 200
    assert set(_table_codes(dom(response))) == set(STATES)


def test_the_hanoi_officer_cannot_filter_their_way_into_dong_nai(data):
    client = data.client("officer")
    root = dom(client.get("/transmission/"))
    assert {o.attrs["value"] for o in root.find("select", name="province").find_all("option")
            if o.attrs.get("value")} == {"01"}
    for path in ("/transmission/", "/transmission/?province=75",
                 "/transmission/?state=offline", "/transmission/?kind=auto_air"):
        response = client.get(path)
        html = response.content.decode()
        for mark in DONG_NAI_MARKS:
            assert mark not in html, (path, mark)
    root = dom(client.get("/transmission/", {"province": "75"}))
    assert _table_codes(root) == []
    assert set(_counts(root).values()) == {0}
    assert dom(client.get("/transmission/", {"state": "offline"})).find("p", class_="empty")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_navigation_links_the_transmission_page_for_signed_in_users(world, persona):
    root = dom(world.client(persona).get("/"))
    links = [a.attrs.get("href") for a in root.find("nav", class_="main-nav").find_all("a")]
    assert ("/transmission/" in links) == (persona != "anonymous")
