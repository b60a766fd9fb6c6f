"""In a real browser: the facility operator opens their plant's compliance page after an
exceedance and sees, per parameter, the hourly averages against the limit line with the hours
over the limit marked, the limits with their derivation and verification, and the event — with
no script error and no CSP violation; the XLSX report downloads."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from envhub.compliance import assess
from envhub.compliance.models import Permit, Regulation
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from tests.browser.pages import open_page, wait_for_charts
from tests.browser.test_station_chart import PASSWORD
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
HOURS = 12
OVER = {6, 7, 8}  # local hours of yesterday whose SO2 is over 450 mg/Nm3


@pytest.fixture
def plant(world):
    ingest.directory.forget()
    Permit.objects.create(
        source=world.stack_hn, number="35/GPMT-BTNMT", valid_from=datetime.date(2024, 1, 1),
        regulation=Regulation.objects.get(code="QCVN 19:2009/BTNMT"), column="B",
        facility_flow_m3h=54_000, location_class="3")
    day = (timezone.now().astimezone(VN) - datetime.timedelta(days=1)).date()
    files = []
    for hour in range(1, HOURS + 1):
        for slot in range(1, 13):
            at = datetime.datetime.combine(day, datetime.time(hour - 1)) + \
                datetime.timedelta(minutes=5 * slot)
            so2 = 600 if hour in OVER else 200 + 10 * hour
            files.append(tt10_file(world.station_stack_hn, at, [
                ("SO2", so2, "mg/Nm3"), ("PM", 40, "mg/Nm3")]))
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    assess.process_queue()
    user = world.users["operator"]
    user.set_password(PASSWORD)
    user.save()
    return day


def test_the_operator_sees_the_limit_line_and_the_exceedance(plant, world, live_server, browser):
    context, page, errors = open_page(browser, live_server, accept_downloads=True)
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form.stacked")
    form.locator("#id_username").fill("operator")
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/facilities/{world.facility_hn.pk}/compliance/"
              f"?from={plant:%Y-%m-%d}&to={plant:%Y-%m-%d}")
    wait_for_charts(page, ".compliance-chart")
    so2 = ".compliance-chart[data-parameter='SO2']"
    assert page.get_attribute(so2, "data-state") == "ready"
    option = f"echarts.getInstanceByDom(document.querySelector(\"{so2}\")).getOption()"
    kinds = page.evaluate(f"{option}.series.map(s => [s.type, s.data.length])")
    assert kinds == [["line", HOURS], ["line", HOURS], ["scatter", len(OVER)]]
    assert page.evaluate(f"{option}.series[1].data.every(d => d[1] === 450)")
    # The chart writes numbers as the page does (static/envhub/numbers.js): "2.100", not
    # ECharts' "2,100"; a multiple reads "1,73 lần".
    assert page.evaluate(f"{option}.yAxis[0].axisLabel.formatter(2100)") == "2.100"
    assert page.evaluate(f"{option}.yAxis[0].axisLabel.formatter(0.5)") == "0,5"
    assert page.evaluate("EnvhubNumbers.multiple(1.734)") == "1,73 lần"
    text = page.locator("main").inner_text()
    assert "C = 500 × Kp 0,9 × Kv 1 = 450 mg/Nm3" in text
    assert "chưa kiểm chứng" in text  # the QCVN 19:2009 table is unverified
    events = page.locator("main table.data").last.locator("tbody tr")
    assert events.count() == 1
    assert "SO2" in events.first.inner_text()

    with page.expect_download() as download:
        page.locator("a[download]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "facility-compliance.png"), full_page=True)
    assert errors == []
    context.close()
