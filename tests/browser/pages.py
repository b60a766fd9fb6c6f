"""A browser page for tests: Viet Nam locale, a UTC clock (pages must show Viet Nam time
themselves), only the live server reachable, and every script error or CSP violation recorded."""

from __future__ import annotations

import re

TIMEOUT_MS = 15_000


def open_page(browser, live_server, **options):
    """(context, page, errors): close the context at the end; `errors` must stay empty."""
    options = {"viewport": {"width": 1280, "height": 1000}, **options}
    context = browser.new_context(locale="vi-VN", timezone_id="UTC", **options)
    context.set_default_timeout(TIMEOUT_MS)
    # A pattern (not a Python predicate) is matched in the browser: the live server's own
    # requests then never make the round trip to this process.
    elsewhere = re.compile("^(?!" + re.escape(live_server.url) + ")")
    context.route(elsewhere, lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message):
        where = (message.location or {}).get("url", "")
        if "Content Security Policy" in message.text or (
                message.type == "error" and (not where or where.startswith(live_server.url))):
            errors.append(message.text)

    page.on("console", console)
    return context, page, errors


def wait_for_charts(page, selector: str) -> None:
    """Wait until the page has charts matching `selector` and each has drawn or said why not
    (`data-state`). An empty match does not count: right after a click the old page may still
    be there, and "every chart of none" is true at once."""
    page.wait_for_function(
        "(selector) => { const charts = [...document.querySelectorAll(selector)];"
        " return charts.length > 0 && charts.every(c => c.dataset.state); }", arg=selector)
