"""In a real browser, every page of the site map (tests/browser/site_map.py) as each role sees it,
on a phone (390×844) and a laptop (1366×900): the page fits the screen, a Vietnamese page shows
no English left over from Django, its admin, Leaflet or ECharts, and no raw code; the main page
types have no serious or critical accessibility violation (axe-core, vendored). The site is
walked once; each check is its own test. Screenshots: var/screenshots/site-map/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.pages import open_page
from tests.browser.site_map import WIDTHS, furnish, site_map

# One worker walks the site once for all the checks (`walked`), not once on every worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site_map")]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots" / "site-map"
AXE = ROOT / "envhub" / "static" / "vendor" / "axe-core" / "axe.min.js"

# Defaults of Django, its admin, Leaflet and ECharts that mean a string escaped translation.
# Whole words and phrases, case-sensitive: none can occur in Vietnamese text.
ENGLISH = re.compile(r"|".join([
    r"\bZoom (?:in|out)\b", r"\bShow counts\b", r"\bHide counts\b", r"\bClear all filters\b",
    r"\bSelect this object for an action\b", r"\bSelect all\b", r"\bPlease correct the error",
    r"\bSave and continue editing\b", r"\bSave and add another\b", r"\bRun the selected action\b",
    r"\bRecent actions\b", r"\bMy actions\b", r"\bView site\b", r"\bChange password\b",
    r"\bobject \(\d+\)", r"\bThis field is required\b", r"\bEnter a valid\b",
    r"\bThis is a chart\b", r"\bSave as [Ii]mage\b", r"\bData View\b",
    r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b",
]))
# Codes that are the program's, not the reader's: owners, foreign keys, role codes.
RAW = re.compile(r"|".join([
    r"\b(?:station|user|facility):", r"_id:", r"\bNone\b",
    r"\b(?:facility_operator|provincial_officer|survey_unit)\b",
]))
# The main page types, checked with axe-core: (role, page).
AXE_PAGES = {("anonymous", "home"), ("anonymous", "login"), ("anonymous", "air-map"),
             ("anonymous", "dataset-air"), ("officer", "facilities"), ("officer", "facility"),
             ("officer", "compliance"), ("officer", "admin-facility")}

# What a reader perceives: the rendered text and the names given to controls and images.
VISIBLE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("[title], [aria-label], [placeholder], img[alt]")) {
    if (el.closest("[hidden], template, noscript")) continue;
    for (const name of ["title", "aria-label", "placeholder", "alt"]) {
      if (el.getAttribute(name)) parts.push(el.getAttribute(name));
    }
  }
  // What sticks out of the screen: the innermost elements past its right edge, for the report.
  const wide = document.documentElement.scrollWidth > innerWidth;
  const past = !wide ? [] : [...document.body.querySelectorAll("*")].filter(
    el => el.getBoundingClientRect().right > innerWidth + 1);
  const outside = past.filter(el => !past.some(other => other !== el && el.contains(other)))
    .slice(0, 3).map(el => el.tagName.toLowerCase() + (typeof el.className === "string"
      && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
  return {lang: document.documentElement.lang, text: parts.join("\\n"), outside,
          width: document.documentElement.scrollWidth};
}"""
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""

_WALKED: dict = {}


def _sessions(world) -> dict[str, str | None]:
    cookies = {}
    for role, user in {**world.users, "anonymous": None}.items():
        if user is None:
            cookies[role] = None
            continue
        client = Client()
        client.force_login(user)
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def _walk(browser, live_server, pages, sessions) -> dict:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    axe_source = AXE.read_text(encoding="utf-8")
    walked = {"pages": [], "errors": [], "axe": []}
    for role, role_pages in pages.items():
        for viewport in WIDTHS:
            context, page, errors = open_page(browser, live_server, viewport=viewport)
            if sessions[role]:
                context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                      "value": sessions[role], "url": live_server.url}])
            for entry in role_pages:
                response = page.goto(live_server.url + entry.path)
                seen = page.evaluate(VISIBLE_TEXT)
                width = viewport["width"]
                walked["pages"].append({"role": role, "page": entry.name, "viewport": width,
                                        "status": response.status, **seen})
                page.screenshot(path=str(SCREENSHOTS / f"{role}-{entry.name}-{width}.png"))
                if (role, entry.name) in AXE_PAGES:
                    page.evaluate(axe_source)
                    for violation in page.evaluate(RUN_AXE):
                        walked["axe"].append({"role": role, "page": entry.name,
                                              "viewport": width, **violation})
                walked["errors"] += [(role, entry.name, width, error) for error in errors]
                errors.clear()
            context.close()
    widths = [{key: p[key] for key in ("role", "page", "viewport", "width")}
              for p in walked["pages"]]
    (SCREENSHOTS / "widths.json").write_text(json.dumps(widths, indent=1), encoding="utf-8")
    return walked


@pytest.fixture
def walked(request, live_server):
    """The site map walked in the browser, once for all the checks of this module."""
    if not _WALKED:
        world = request.getfixturevalue("world")
        pages = site_map(world, furnish(world))
        sessions = _sessions(world)
        browser = request.getfixturevalue("browser")
        _WALKED.update(_walk(browser, live_server, pages, sessions))
    return _WALKED


def _report(rows):
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


def test_it_opens_every_page_of_the_site_map_for_every_role(walked):
    failed = [(p["role"], p["page"], p["viewport"], p["status"])
              for p in walked["pages"] if p["status"] != 200]
    assert not failed, _report(failed)
    assert not walked["errors"], _report(walked["errors"])


def test_it_fits_every_page_in_the_width_of_the_screen(walked):
    too_wide = [(p["role"], p["page"], f"{p['width']} px at", p["viewport"], p["outside"])
                for p in walked["pages"] if p["width"] > p["viewport"]]
    assert not too_wide, _report(too_wide)


def test_it_shows_no_english_default_on_a_vietnamese_page(walked):
    found = sorted({(p["role"], p["page"], repr(match))
                    for p in walked["pages"] if p["lang"] == "vi"
                    for match in ENGLISH.findall(p["text"])})
    assert not found, _report(found)


def test_it_shows_no_raw_code(walked):
    found = sorted({(p["role"], p["page"], repr(match))
                    for p in walked["pages"] for match in RAW.findall(p["text"])})
    assert not found, _report(found)


def test_it_has_no_serious_accessibility_violation(walked):
    checked = {(v["role"], v["page"]) for v in walked["pages"]} & AXE_PAGES
    assert checked == AXE_PAGES
    serious = [(v["role"], v["page"], v["viewport"], v["impact"], v["id"], v["help"], v["nodes"])
               for v in walked["axe"] if v["impact"] in ("serious", "critical")]
    assert not serious, _report(serious)
