"""In a real browser, charts that hide no data (static/envhub/charts.js): an average alone
between two missing ones has its marker drawn, a missing hour is a gap (a null the line does
not bridge), lines in different units never share a y-axis and each axis names its unit, and
the time axis names December in the page's language — read back from the ECharts instance
(option and drawn elements), on a catalogue dataset page and a facility compliance page, in
Vietnamese and English, at a phone's and a desktop's width."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from envhub.catalog import services
from envhub.compliance import assess
from envhub.compliance.models import Permit, Regulation
from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, rollups
from tests.browser.pages import open_page
from tests.browser.test_station_chart import PASSWORD
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                  "Dec")
# Local hours (Viet Nam) with data across the first of December: a line on the evening of the
# 30th, then 08:00 alone (07:00 and 09:00 missing), then 10:00–12:00.
LONE = datetime.datetime(2025, 12, 1, 8)
AIR_HOURS = [datetime.datetime(2025, 11, 30, 20), datetime.datetime(2025, 11, 30, 21), LONE,
             *[datetime.datetime(2025, 12, 1, h) for h in (10, 11, 12)]]
# The stack's SO2 hours (the hour ending at each), on 1 December: 02:00 alone, 04:00–06:00.
STACK_DAY = datetime.date(2025, 12, 1)
STACK_HOURS = [2, 4, 5, 6]


def vn_ms(local: datetime.datetime) -> int:
    """A local time as the charts place it: Viet Nam wall-clock time read as UTC."""
    return int(local.replace(tzinfo=datetime.UTC).timestamp() * 1000)


@pytest.fixture
def december(world):
    """Hà Nội's air station with PM2.5, temperature and humidity at AIR_HOURS (the hourly
    dataset), and the Hà Nội stack's SO2 at STACK_HOURS under a permit; the operator's
    password. All database work before the browser starts."""
    ingest.directory.forget()
    files = [tt10_file(world.air_hn, at, [("PM2,5", 30.0 + at.hour, "ug/m3"),
                                          ("CO", 1200.0 + at.hour, "ug/m3"),
                                          ("Temp", 18.5, "oC"), ("RH", 80.0, "%")])
             for at in AIR_HOURS]
    Permit.objects.create(
        source=world.stack_hn, number="35/GPMT-BTNMT", valid_from=datetime.date(2024, 1, 1),
        regulation=Regulation.objects.get(code="QCVN 19:2009/BTNMT"), column="B",
        facility_flow_m3h=54_000, location_class="3")
    for hour in STACK_HOURS:
        start = datetime.datetime.combine(STACK_DAY, datetime.time(hour - 1))
        files += [tt10_file(world.station_stack_hn, start + datetime.timedelta(minutes=5 * slot),
                            [("SO2", 200 + 10 * hour, "mg/Nm3")]) for slot in range(1, 13)]
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    assess.process_queue()
    services.sync()
    user = world.users["operator"]
    user.set_password(PASSWORD)
    user.save()


def option(selector: str) -> str:
    return f"echarts.getInstanceByDom(document.querySelector(\"{selector}\")).getOption()"


# Whether a line's point at `x` has a marker: ECharts' own drawn element for it, or a markPoint
# of the series there (how a long series marks its lone values).
MARKER = """([selector, name, x]) => {
  const chart = echarts.getInstanceByDom(document.querySelector(selector));
  const series = chart.getOption().series;
  const index = series.findIndex(s => s.name === name);
  const at = series[index].data.findIndex(d => (Array.isArray(d) ? d : d.value)[0] === x);
  const el = chart.getModel().getSeriesByIndex(index).getData().getItemGraphicEl(at);
  const marked = ((series[index].markPoint || {}).data || []).some(p => p.coord[0] === x);
  return {found: at >= 0,
          shown: (series[index].showSymbol !== false && Boolean(el) && !el.invisible) || marked};
}"""

# The values of a line between two times, in order (null for a gap).
BETWEEN = """([selector, name, low, high]) => {
  const option = echarts.getInstanceByDom(document.querySelector(selector)).getOption();
  const series = option.series.find(s => s.name === name);
  return {connectNulls: series.connectNulls, values: series.data
    .map(d => Array.isArray(d) ? d : d.value).filter(v => v[0] > low && v[0] < high)
    .map(v => v[1])};
}"""

# The time axis's labels as drawn (the first grid's), rich-text markup removed.
LABELS = """(selector) => echarts.getInstanceByDom(document.querySelector(selector)).getModel()
  .getComponent("xAxis", 0).axis.getViewLabels()
  .map(l => l.formattedLabel.replace(/^\\{primary\\|(.*)\\}$/, "$1"))"""


def open_as(browser, live_server, size: str, language: str):
    context, page, errors = open_page(browser, live_server, viewport=SIZES[size])
    if language == "en":
        context.add_cookies([{"name": "django_language", "value": "en",
                              "url": live_server.url}])
    return context, page, errors


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_it_charts_a_dataset_one_axis_per_unit_with_lone_values_and_gaps(
        december, live_server, browser, language, size):
    context, page, errors = open_as(browser, live_server, size, language)
    page.goto(f"{live_server.url}/datasets/?q=khong+khi+ha+noi&frequency=HOURLY")
    page.locator("article.dataset-card h2 a").first.click()
    page.wait_for_function("() => document.querySelector('#dataset-chart').dataset.state")
    chart = "#dataset-chart"
    assert page.get_attribute(chart, "data-state") == "ready"

    # A y-axis per unit, named with it; each line on the axis of its unit. CO, forty times
    # PM2.5 in the same unit, has an axis of its own, and each of the two says what it holds.
    lines = page.evaluate(f"{option(chart)}.series.map(s => [s.name, s.yAxisIndex])")
    axes = page.evaluate(f"{option(chart)}.yAxis.map(a => a.name)")
    assert sorted(axes) == ["%", "°C", "µg/m3 · CO", "µg/m3 · PM2_5"]
    units = {name: axes[index or 0] for name, index in lines}
    assert units == {"HNKK1 · PM2_5": "µg/m3 · PM2_5", "HNKK1 · CO": "µg/m3 · CO",
                     "HNKK1 · Temp": "°C", "HNKK1 · RH": "%"}
    grids = page.evaluate(f"{option(chart)}.yAxis.map(a => a.gridIndex)")
    assert sorted(grids) == list(range(len(axes)))  # one grid each: no axis shares a plot

    # 08:00 alone between two missing hours: its marker is drawn; 09:00 is a gap.
    lone = page.evaluate(MARKER, [chart, "HNKK1 · PM2_5", vn_ms(LONE)])
    assert lone == {"found": True, "shown": True}
    gap = page.evaluate(BETWEEN, [chart, "HNKK1 · PM2_5", vn_ms(LONE),
                                  vn_ms(LONE + datetime.timedelta(hours=2))])
    assert gap == {"connectNulls": False, "values": [None]}

    # The first of December on the time axis, in the page's language.
    labels = page.evaluate(LABELS, chart)
    month = page.evaluate("(lang) => new Intl.DateTimeFormat(lang, {timeZone: 'UTC', "
                          "month: 'short', year: 'numeric'}).format(Date.UTC(2025, 11, 1))",
                          "vi-VN" if language == "vi" else "en-GB")
    assert month in labels, labels
    if language == "vi":
        assert "thg 12" in month
        assert not [label for label in labels if any(m in label for m in ENGLISH_MONTHS)]
    else:
        assert month == "Dec 2025"
    page.locator(chart).scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(chart).screenshot(path=str(SCREENSHOTS / f"dataset-chart-{language}-{size}.png"))
    # The legend can hide a line.
    page.evaluate(f"echarts.getInstanceByDom(document.querySelector('{chart}'))"
                  ".dispatchAction({type: 'legendUnSelect', name: 'HNKK1 · RH'})")
    assert page.evaluate(f"{option(chart)}.legend[0].selected['HNKK1 · RH']") is False
    assert errors == []
    context.close()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_it_marks_a_lone_judged_average_and_leaves_missing_hours_as_gaps(
        december, world, live_server, browser, language, size):
    context, page, errors = open_as(browser, live_server, size, language)
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form.stacked")
    form.locator("#id_username").fill("operator")
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/facilities/{world.facility_hn.pk}/compliance/"
              f"?from={STACK_DAY:%Y-%m-%d}&to={STACK_DAY:%Y-%m-%d}")
    so2 = ".compliance-chart[data-parameter='SO2']"
    page.wait_for_function(f"() => document.querySelector(\"{so2}\").dataset.state")
    assert page.get_attribute(so2, "data-state") == "ready"
    name = page.evaluate(f"{option(so2)}.series[0].name")

    def at(hour: int) -> int:
        return vn_ms(datetime.datetime.combine(STACK_DAY, datetime.time(hour)))

    # The hour ending 02:00 is alone (01:00 and 03:00 have no average): its marker is drawn.
    assert page.evaluate(MARKER, [so2, name, at(2)]) == {"found": True, "shown": True}
    gap = page.evaluate(BETWEEN, [so2, name, at(2), at(4)])
    assert gap == {"connectNulls": False, "values": [None]}
    # The axis is in mg/Nm3, named so; its times in the page's language, on a 24-hour clock.
    assert page.evaluate(f"{option(so2)}.yAxis.map(a => a.name)") == ["mg/Nm3"]
    labels = page.evaluate(LABELS, so2)
    assert "04:00" in labels, labels
    assert not [label for label in labels if "AM" in label or "PM" in label]
    page.locator(so2).scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(so2).screenshot(
        path=str(SCREENSHOTS / f"compliance-chart-{language}-{size}.png"))
    assert errors == []
    context.close()
