"""In a real browser: the download form says how many rows the chosen period holds as it
changes, disables its buttons when none and offers the days that hold some, shows a reversed
period beside its field, and a download shows its progress counted in rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from envhub.catalog import services
from envhub.catalog.models import Dataset
from tests.browser.pages import open_page
from tests.catalog.test_portal import send_air

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def dataset(world):
    send_air(world, [5, 4, 3, 2, 1])
    services.sync()
    return Dataset.objects.get(identifier__startswith="quan-trac-kk-hourly-01")


def buttons_disabled(page) -> list[bool]:
    return page.locator("#download-filters button[data-format]").evaluate_all(
        "buttons => buttons.map(b => b.disabled)")


def test_the_form_counts_warns_and_shows_progress(dataset, live_server, browser):
    context, page, errors = open_page(browser, live_server)
    page.goto(f"{live_server.url}/datasets/{dataset.identifier}/")
    rows = page.locator("#dl-rows-text")
    assert rows.inner_text().startswith("5 hàng trong toàn bộ dữ liệu (đếm lúc ")
    assert not any(buttons_disabled(page))
    assert page.locator("#dl-count-button").is_hidden()  # the count follows the form itself

    page.fill("#dl-from", "2026-03-10")
    page.fill("#dl-to", "2026-03-01")
    error = page.locator("#dl-to-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "Ngày kết thúc trước ngày bắt đầu: hãy chọn một ngày sau đó."
    assert page.get_attribute("#dl-to", "aria-invalid") == "true"
    assert all(buttons_disabled(page))

    page.fill("#dl-from", "2020-01-01")
    page.fill("#dl-to", "2020-01-31")
    page.wait_for_function(
        "() => document.querySelector('#dl-rows-text').textContent.startsWith('0 ')")
    assert rows.inner_text() == "0 hàng trong khoảng này"
    assert error.is_hidden() and all(buttons_disabled(page))
    assert page.locator("#dl-rows-hint").inner_text().startswith("Có dữ liệu từ ")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#download-filters").screenshot(path=SCREENSHOTS / "download-form-empty.png")

    page.click("#dl-rows-period")  # choose the days that hold the rows
    page.wait_for_function(
        "() => document.querySelector('#dl-rows-text').textContent.startsWith('5 ')")
    assert not any(buttons_disabled(page))

    for fmt, ending in (("csv", ".csv"), ("json", ".json"), ("xlsx", ".xlsx")):
        with page.expect_download() as download:
            page.locator(f"#download-filters button[data-format='{fmt}']").click()
        assert download.value.suggested_filename.endswith(ending)
        page.wait_for_function(
            "() => document.querySelector('#dl-progress').dataset.state === 'done'")
        assert page.locator("#dl-progress-text").inner_text() == "Đã tải xong: 5 hàng."
        assert page.get_attribute("#dl-progress-bar", "value") == "5"
    page.screenshot(path=SCREENSHOTS / "download-form-done.png", full_page=False,
                    clip={"x": 0, "y": page.locator("#download-filters").bounding_box()["y"] - 40,
                          "width": 1280, "height": 220})
    assert errors == []
    context.close()


def test_without_a_script_the_form_still_counts_and_warns(dataset, live_server, browser):
    context, page, errors = open_page(browser, live_server, java_script_enabled=False)
    page.goto(f"{live_server.url}/datasets/{dataset.identifier}/")
    page.fill("#dl-from", "2026-03-10")
    page.fill("#dl-to", "2026-03-01")
    page.locator("#download-filters button[data-format='csv']").click()
    page.wait_for_url("**/?from=2026-03-10&to=2026-03-01**")
    assert page.locator("#dl-to-error").inner_text() == \
        "Ngày kết thúc trước ngày bắt đầu: hãy chọn một ngày sau đó."
    assert all(buttons_disabled(page))
    page.fill("#dl-to", "2026-03-31")
    page.click("#dl-count-button")
    page.wait_for_url("**to=2026-03-31**")
    assert page.locator("#dl-rows-text").inner_text().endswith("hàng trong khoảng này")
    context.close()


# Rows as the servers write them, cut anywhere: quotes, line ends and braces inside values.
COUNTED = {
    "csv": '\ufeffstation,name\r\nA,"two\nlines"\r\nB,"a ""quoted"" word"\r\nC,x\n',
    "json": '[{"a":"}{,\\"","b":{"c":[1,{"d":2}]}},{"a":"x"},{"a":null}]',
    "geojson": '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,'
               '"properties":{"name":"}]"}},{"type":"Feature","geometry":{"type":"Point",'
               '"coordinates":[105.8,21.0]},"properties":{}}]}',
}


@pytest.mark.parametrize("fmt", list(COUNTED))
def test_rows_are_counted_exactly_as_they_arrive(dataset, live_server, browser, fmt):
    """Whatever the cut between two chunks, the count is of rows, not of lines or braces."""
    context, page, errors = open_page(browser, live_server)
    page.goto(f"{live_server.url}/datasets/{dataset.identifier}/")
    expected = {"csv": 3, "json": 3, "geojson": 2}[fmt]
    counts = page.evaluate("""([fmt, text]) => {
        const bytes = new TextEncoder().encode(text);
        const found = [];
        for (let cut = 0; cut <= bytes.length; cut++) {
            const count = EnvhubDownloads.rowCounter(fmt);
            count(bytes.slice(0, cut));
            found.push(count(bytes.slice(cut)));
        }
        return [...new Set(found)];
    }""", [fmt, COUNTED[fmt]])
    assert counts == [expected]
    assert errors == []
    context.close()
