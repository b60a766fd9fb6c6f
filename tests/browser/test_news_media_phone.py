"""A post with an image and a file, read on a phone (390 px) in a real Chromium: the image
is the phones' copy, drawn in its proportions within the screen, its caption under it, the
file listed; printed, the image stays whole on the page."""

from __future__ import annotations

import pytest

from tests.browser.pages import open_page
from tests.news.conftest import with_media

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def post(world, library_folder):
    return with_media(world, "Chất lượng không khí tuần 48", publish=True)


def test_the_post_shows_its_image_on_a_phone_and_in_print(post, live_server, browser):
    context, page, errors = open_page(browser, live_server, viewport=PHONE)
    page.goto(f"{live_server.url}/news/{post.post.slug}/")
    image = page.locator(".post-body figure img")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.post-body figure img');"
        " return i && i.complete && i.naturalWidth > 0; }")
    drawn = image.evaluate(
        "i => ({src: i.currentSrc, natural: i.naturalWidth, width: i.clientWidth,"
        " height: i.clientHeight, alt: i.alt})")
    assert drawn["src"].endswith(f"/news/media/{post.image.pk}/phone/{post.image.key}")
    # srcset's density: the 640 px copy fills the 390 px column (naturalWidth is in CSS px)
    assert drawn["natural"] == 390
    assert 300 <= drawn["width"] <= 390
    assert abs(drawn["height"] - drawn["width"] * 900 / 1600) <= 2  # its proportions kept
    assert drawn["alt"] == "Biểu đồ chỉ số chất lượng không khí"
    assert page.locator(".post-body figcaption").inner_text() == "Chỉ số AQI tuần 48"
    assert "Báo cáo tuần 48.pdf" in page.locator(".attachments").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.emulate_media(media="print")
    assert image.is_visible()
    box = image.bounding_box()
    assert box["width"] > 0 and box["x"] + box["width"] <= page.evaluate(
        "document.documentElement.clientWidth") + 1
    assert page.locator(".attachments").is_visible()
    assert errors == []
    context.close()
