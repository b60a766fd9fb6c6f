"""In a real browser (Debian's Chromium through Playwright): the Hà Nội officer opens a stack
station with a day of data and sees its chart drawn by ECharts from the JSON API — raw values
with calibration and device errors marked and a gap left open, then hourly means — in Viet Nam
time whatever the browser's zone, with no script error and no CSP violation."""

from __future__ import annotations

import datetime
import math
from pathlib import Path

import pytest
from django.utils import timezone

from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import connectivity, ingest, rollups
from envhub.monitoring.formats import tt10

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "Tram-quan-trac-2025!"
TIMEOUT_MS = 15_000
SLOTS = 24 * 12 - 2  # a day of 5-minute values, less a margin at the window's start
GAP = range(150, 162)  # an hour without data
CALIBRATION = range(100, 106)  # half an hour of calibration
ERRORS = {200, 201, 230}  # device errors: two with a value, one without


def _reading(slot: int, at: datetime.datetime) -> list[tt10.Reading]:
    """A stack's dust, SO2 and O2: a daily cycle with some noise, calibration and errors."""
    hour = at.hour + at.minute / 60
    dust = 22 + 9 * math.sin((hour - 8) / 24 * 2 * math.pi) + 2.5 * math.sin(slot * 1.7)
    so2 = 140 + 35 * math.sin((hour - 10) / 24 * 2 * math.pi) + 6 * math.cos(slot * 2.3)
    status, value = 0, round(dust, 2)
    if slot in CALIBRATION:
        status, value = 1, 80.0 + (slot - CALIBRATION.start) * 4  # the span gas
    elif slot in ERRORS:
        status, value = 2, (None if slot == 230 else 3.0)
    return [tt10.Reading.of("Dust", value, "mg/Nm3", at, status),
            tt10.Reading.of("SO2", round(so2, 1), "mg/Nm3", at, 0),
            tt10.Reading.of("O2", 6.8, "%", at, 0)]


@pytest.fixture
def station_day(world):
    """A day of 5-minute files from the Hà Nội stack HNKT1, ending now, with an hour missing;
    and the officer's password. (All database work is done before the browser starts.)"""
    ingest.directory.forget()
    now = timezone.now()
    last = now.astimezone(VN).replace(tzinfo=None, second=0, microsecond=0)
    last -= datetime.timedelta(minutes=last.minute % 5)
    station = world.station_stack_hn
    files = []
    for slot in range(SLOTS):
        if slot in GAP:
            continue
        at = last - (SLOTS - 1 - slot) * datetime.timedelta(minutes=5)
        content = tt10.format_file(_reading(slot, at))
        if slot == SLOTS - 1:  # the newest file has two lines the datalogger garbled
            garbled = (f"NOx\t12,3,4\tmg/Nm3\t{at:%Y%m%d%H%M%S}\t00\n"
                       f"CO\t15\tmg/Nm3\t{at:%Y%m%d}\t00\n")
            content += garbled.encode()
        files.append(ingest.IncomingFile(f"{station.tt10_prefix}{at:%Y%m%d%H%M%S}.txt", content))
    ingest.ingest(system_actor("tests"), "folder", files, now=now, live=True)
    # The Hà Nội air station's last file came half an hour ago: it is late.
    then = last - datetime.timedelta(minutes=30)
    ingest.ingest(system_actor("tests"), "ftp", [ingest.IncomingFile(
        f"{world.air_hn.tt10_prefix}{then:%Y%m%d%H%M%S}.txt",
        tt10.format_file([tt10.Reading.of("PM2,5", 35.2, "ug/m3", then, 0)]))],
        now=now - datetime.timedelta(minutes=30))
    rollups.process_queue()
    connectivity.evaluate(now=now)
    user = world.users["officer"]
    user.set_password(PASSWORD)
    user.save()
    return {"station": station, "last": last, "files": len(files)}


@pytest.fixture
def page(transactional_db, live_server, browser):
    """A page that may only reach the live server, in a browser whose clock is in UTC (so that
    the chart must put Viet Nam time on its axis itself)."""
    context = browser.new_context(locale="vi-VN", timezone_id="UTC",
                                  viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))

    def console(message):
        where = (message.location or {}).get("url", "")
        outside = where and not where.startswith(live_server.url)  # refused map tiles
        if "Content Security Policy" in message.text or (
                message.type == "error" and not outside):
            page.errors.append(message.text)

    page.on("console", console)
    yield page
    context.close()


def sign_in(page, base_url):
    page.goto(f"{base_url}/login/")
    form = page.locator("form.stacked")
    form.locator("#id_username").fill("officer")
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")


OPTION = "echarts.getInstanceByDom(document.querySelector('#chart')).getOption()"


def wait_for_chart(page, interval: str):
    page.wait_for_function(
        "([interval]) => { const c = document.querySelector('#chart');"
        " return c.dataset.state === 'ready' &&"
        " new URLSearchParams(location.search).get('interval') === interval; }",
        arg=[interval])


def test_it_draws_the_station_chart_raw_then_hourly(station_day, live_server, page):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/stations/HNKT1/")
    assert page.locator("#tt10-prefix").inner_text() == station_day["station"].tt10_prefix

    # Raw values of dust (the default), for the last 24 hours.
    wait_for_chart(page, "raw")
    assert page.get_attribute("#chart", "data-points") == str(station_day["files"])
    series = page.evaluate(f"{OPTION}.series.map(s => [s.type, s.data.length])")
    measured, calibrating, errors = series
    assert measured[0] == "line" and measured[1] > 0
    assert calibrating == ["scatter", len(CALIBRATION)]
    assert errors == ["scatter", len(ERRORS) - 1]  # the error without a value is a band only
    # The gap and the non-measuring values break the line (nulls), which never bridges them.
    assert page.evaluate(f"{OPTION}.series[0].connectNulls") is False
    nulls = page.evaluate(
        f"{OPTION}.series[0].data.filter(d => Array.isArray(d) && d[1] === null).length")
    assert nulls == 1 + len(CALIBRATION) + len(ERRORS)
    marked = page.evaluate(f"{OPTION}.series.map(s => s.markArea ? s.markArea.data.length : 0)")
    assert marked == [0, 1, 2]  # one calibration window; errors at 200–201 and 230
    # Viet Nam time on the chart, though the browser's clock is in UTC.
    last = station_day["last"]
    assert f"{last:%d/%m/%Y %H:%M}" in page.get_attribute("#chart", "aria-label")
    assert page.evaluate(f"{OPTION}.useUTC") is True
    # ECharts in Vietnamese (month names), numbers by the site's rule (numbers.js).
    instance = "echarts.getInstanceByDom(document.querySelector('#chart'))"
    assert page.evaluate(f"{instance}.getModel().getLocaleModel().get('time.month')[0]") \
        == "Tháng 1"
    assert page.evaluate(f"{OPTION}.yAxis[0].axisLabel.formatter(2100)") == "2.100"
    # The data links follow the choice.
    assert "interval=raw" in page.get_attribute("#chart-json", "href")
    page.locator("#chart").scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#chart").hover(position={"x": 900, "y": 200})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "station-chart.png"), full_page=True)
    page.locator("#chart").screenshot(path=str(SCREENSHOTS / "station-chart-raw.png"))

    # Hourly means with their min–max band and coverage.
    page.select_option("#chart-interval", "hour")
    wait_for_chart(page, "hour")
    names = page.evaluate(f"{OPTION}.series.map(s => s.type)")
    assert names == ["line", "line", "line", "bar"]
    hourly = page.evaluate(f"{OPTION}.series[0].data.filter(d => d && d.row).length")
    assert 22 <= hourly <= 25  # 24 hours, or 25 partly, less the one the gap may empty
    coverage = page.evaluate(f"{OPTION}.series[3].data.map(d => d.row.coverage)")
    assert min(coverage) < 100 and max(coverage) == 100
    assert "interval=hour" in page.get_attribute("#chart-csv", "href")
    page.locator("#chart").hover(position={"x": 700, "y": 200})
    page.wait_for_timeout(300)
    page.locator("#chart").screenshot(path=str(SCREENSHOTS / "station-chart-hourly.png"))

    # Another parameter, over seven days, daily: still drawn, still in the address.
    page.select_option("#chart-parameter", "SO2")
    page.select_option("#chart-interval", "day")
    page.select_option("#chart-range", "7d")
    wait_for_chart(page, "day")
    assert page.evaluate(f"{OPTION}.series[0].data.length") >= 1
    assert "parameter=SO2" in page.url and "range=7d" in page.url

    # The received files, the newest first, its rejected lines one click away.
    assert page.locator("#batches tr.batch").count() == 20
    newest = page.locator("#batches tr.batch").first
    assert "batch-partial" in newest.locator(".badge").get_attribute("class")
    assert newest.locator("a").get_attribute("href").startswith("/api/v1/batches/")
    rejects = page.locator("#batches details table.rejects")
    assert not rejects.is_visible()
    page.locator("#batches details summary").click()
    assert rejects.is_visible()
    assert rejects.locator("tbody tr").all_inner_texts()[0].split("\t")[:2] == ["4", "bad_value"]
    page.locator("#batches").scroll_into_view_if_needed()
    page.locator("section:has(#batches)").screenshot(
        path=str(SCREENSHOTS / "station-files.png"))

    # The data-transmission page, from the navigation: the officer's stations, worst first.
    page.locator(".main-nav a[href='/transmission/']").click()
    page.wait_for_url(f"{live_server.url}/transmission/")
    codes = page.locator("table.transmission tbody tr td:first-child").all_inner_texts()
    assert codes == ["HNKK1", "HNKT2", "HNNT1", "HNKT1"]  # late, never (by code), online
    counts = page.locator(".state-counts .figure").all_inner_texts()
    assert counts == ["0", "1", "2", "1"]  # offline, late, never, online
    assert "Đồng Nai" not in page.inner_text("body")
    page.screenshot(path=str(SCREENSHOTS / "transmission.png"), full_page=True)
    page.locator(".state-counts a[data-state=late]").click()
    page.wait_for_url("**/transmission/?state=late")
    assert page.locator("table.transmission tbody tr").count() == 1
    assert page.errors == []
