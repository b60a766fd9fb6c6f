"""A newspaper's page on another origin embeds the air quality widget, as an iframe and by the
script snippet: in a real browser both show the station's value and category."""

from __future__ import annotations

import http.server
import re
import threading

import pytest

from envhub.airquality import vn_aqi
from tests.airquality.test_widgets import index
from tests.browser.pages import TIMEOUT_MS

pytestmark = pytest.mark.browser


@pytest.fixture
def newspaper(live_server):
    """A page served by another server (another origin) with both kinds of embed."""
    page = (f'<!DOCTYPE html><html><body><h1>Báo Tin Tức</h1>'
            f'<iframe id="framed" src="{live_server.url}/widgets/aqi/station/HNKK1/" '
            f'style="width:440px;height:120px;border:0"></iframe>'
            f'<div id="scripted" data-envhub-aqi="station:HNKK1" data-lang="en"></div>'
            f'<script src="{live_server.url}/widgets/aqi.js" async></script></body></html>')

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def current(world):
    return index(world.air_hn, 132)


def test_the_widget_works_inside_another_site(current, newspaper, live_server, browser):
    context = browser.new_context(locale="vi-VN", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    allowed = re.compile("^(" + re.escape(live_server.url) + "|" + re.escape(newspaper.rstrip("/"))
                         + ")")
    context.route(re.compile("^(?!" + allowed.pattern[1:] + ")"), lambda route: route.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.goto(newspaper)
    assert live_server.url.split(":")[-1] != newspaper.split(":")[-1].strip("/")
    category = vn_aqi.category_for(current.aqi)
    framed = page.frame_locator("#framed").locator(".w")
    assert framed.get_attribute("data-aqi") == str(current.aqi)
    assert framed.get_attribute("data-category") == category.code
    assert category.name_vi in framed.inner_text()
    scripted = page.frame_locator("#scripted iframe").locator(".w")
    assert scripted.get_attribute("data-category") == category.code
    assert category.name_en in scripted.inner_text()
    assert errors == []
    context.close()
