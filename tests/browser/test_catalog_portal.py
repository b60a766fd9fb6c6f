"""In a real browser, without signing in: the catalogue's search finds a dataset without
diacritics, a facet narrows it, and the dataset page draws its time series and offers its
downloads — with no script error and no CSP violation."""

from __future__ import annotations

import pytest

from envhub.catalog import services
from tests.browser.pages import open_page
from tests.catalog.test_portal import send_air

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(world):
    send_air(world, [5, 4, 3, 2, 1])
    services.sync()


def test_search_facet_and_dataset_page(catalogue, live_server, browser):
    context, page, errors = open_page(browser, live_server)
    page.goto(f"{live_server.url}/datasets/?q=khong+khi+ha+noi")
    cards = page.locator("article.dataset-card")
    assert cards.count() >= 2  # hourly and daily means of Hà Nội's ambient air
    page.locator("section.facet[data-facet='frequency'] input[value='HOURLY']").check()
    page.wait_for_url("**frequency=HOURLY**")
    assert page.locator("article.dataset-card").count() == 1
    page.locator("article.dataset-card h2 a").first.click()
    page.wait_for_function("() => document.querySelector('#dataset-chart').dataset.state")
    assert page.get_attribute("#dataset-chart", "data-state") == "ready"
    assert page.locator("#preview tbody tr").count() == 5
    formats = page.locator("#download-filters button[data-format]").evaluate_all(
        "buttons => buttons.map(b => b.dataset.format)")
    assert set(formats) == {"csv", "json", "xlsx", "parquet", "geojson"}
    with page.expect_download() as download:
        page.locator("#download-filters button[data-format='csv']").click()
    assert download.value.suggested_filename.endswith(".csv")
    assert errors == []
    context.close()
