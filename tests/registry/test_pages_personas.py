"""Every HTML page against every persona: who sees what, who is sent to sign in, and no leak
across provinces or facilities (the page twins of test_api_personas)."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from envhub.accounts import services as accounts
from envhub.accounts.models import ApiToken
from envhub.core.permissions import system_actor
from envhub.registry import services as registry
from envhub.registry.models import Facility, Parameter, Sector, Station, StationKind
from tests.pages import same_page

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "steward", "leader", "officer", "operator", "survey", "anonymous")
SIGNED_IN = PERSONAS[:-1]

ALL_FACILITIES = {"facility_hn", "facility_hn2", "facility_dn"}
ALL_STATIONS = {"HNKT1", "HNNT1", "HNKT2", "DNKT1", "HNKK1", "DNKK1"}
# The same expectations as the API (tests/registry/test_api_personas.py); None: sign in first.
VISIBLE_FACILITIES = {
    "admin": ALL_FACILITIES,
    "steward": ALL_FACILITIES,
    "leader": ALL_FACILITIES,
    "officer": {"facility_hn", "facility_hn2"},
    "operator": {"facility_hn"},
    "survey": set(),
    "anonymous": None,
}
VISIBLE_STATIONS = {
    "admin": ALL_STATIONS,
    "steward": ALL_STATIONS,
    "leader": ALL_STATIONS,
    "officer": {"HNKT1", "HNNT1", "HNKT2", "HNKK1"},
    "operator": {"HNKT1", "HNNT1"},
    "survey": set(),
    "anonymous": None,
}
# What the home page counts for each persona: facilities, stacks/outfalls, stations.
HOME_COUNTS = {
    "admin": (3, 4, 6),
    "steward": (3, 4, 6),
    "leader": (3, 4, 6),
    "officer": (2, 3, 4),
    "operator": (1, 2, 2),
    "survey": (0, 0, 0),
}
STATIONS_OF_FACILITY = {
    "facility_hn": {"HNKT1", "HNNT1"},
    "facility_hn2": {"HNKT2"},
    "facility_dn": {"DNKT1"},
}
# Anything that would tell a Hà Nội officer about Đồng Nai's registry.
DONG_NAI_MARKS = ("Xi măng Biên Hòa", "XMBH", "3600224423", "DNKT1", "DNKK1", "Đồng Nai")


# --- a small DOM, enough to read what a user sees on a page ----------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag, **attrs):
        def matches(node):
            for key, value in attrs.items():
                actual = node.attrs.get(key.rstrip("_"))
                if key.rstrip("_") == "class":
                    if actual is None or value not in actual.split():
                        return False
                elif actual != value:
                    return False
            return True

        return [node for node in self.iter() if node.tag == tag and matches(node)]

    def find(self, tag, **attrs):
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}> on the page"
        return found[0]

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(response) -> Node:
    builder = _Builder()
    builder.feed(response.content.decode())
    return builder.root


def table_column(root: Node, column: int = 0, table: int = 0) -> list[str]:
    """The texts of one column of the page's n-th data table (none when there is no table)."""
    tables = root.find_all("table", class_="data")
    if not tables:
        return []
    return [row.find_all("td")[column].text for row in tables[table].find("tbody").find_all("tr")]


def options(root: Node, name: str) -> set[str]:
    """The non-empty choices a <select name=...> offers."""
    select = root.find("select", name=name)
    return {o.attrs["value"] for o in select.find_all("option") if o.attrs.get("value")}


def vi(message: str) -> str:
    """A message as the Vietnamese interface (the default language) shows it."""
    with translation.override("vi"):
        return translation.gettext(message)


# --- helpers -------------------------------------------------------------------------------

def facility_names(world, names) -> set[str]:
    return {getattr(world, name).name for name in names}


def login_redirect(path: str) -> str:
    return f"/login/?next={path}"


def assert_sent_to_sign_in(response, path):
    assert response.status_code == 302, response.content[:300]
    assert response["Location"] == login_redirect(path)


def assert_no_dong_nai(html: str, where: str):
    for mark in DONG_NAI_MARKS:
        assert mark not in html, f"{mark!r} leaks into the officer's {where}"


# --- who may open which page ---------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_exactly_the_facilities_in_scope(world, persona):
    response = world.client(persona).get("/facilities/")
    expected = VISIBLE_FACILITIES[persona]
    if expected is None:
        assert_sent_to_sign_in(response, "/facilities/")
        return
    assert response.status_code == 200
    html = response.content.decode()
    root = dom(response)
    assert set(table_column(root)) == facility_names(world, expected)
    assert root.find("p", class_="count").text.startswith(f"{len(expected)} ")
    results = root.find("div", id="facility-results").text
    for name in ALL_FACILITIES - expected:
        facility = getattr(world, name)
        assert facility.name not in html
        # (The search box's placeholder happens to quote one of the test tax codes.)
        assert facility.tax_code not in results
        assert f'href="/facilities/{facility.id}/"' not in html
    if not expected:
        assert root.find("p", class_="empty").text
    # The province filter offers only provinces the persona has facilities in.
    offered = options(root, "province")
    assert offered == {getattr(world, name).province.code for name in expected}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_opens_a_facility_in_scope_and_answers_404_for_the_others(world, persona):
    client = world.client(persona)
    expected = VISIBLE_FACILITIES[persona]
    for name in sorted(ALL_FACILITIES):
        facility = getattr(world, name)
        path = f"/facilities/{facility.id}/"
        response = client.get(path)
        if expected is None:
            assert_sent_to_sign_in(response, path)
        elif name in expected:
            assert response.status_code == 200
            root = dom(response)
            assert root.find("h1").text == facility.name
            assert facility.tax_code in root.find("dl", class_="facts").text
            sources = {source.code for source in facility.sources.all()}
            assert set(table_column(root, table=0)) == sources
            visible_here = STATIONS_OF_FACILITY[name] & VISIBLE_STATIONS[persona]
            assert set(table_column(root, table=1)) == visible_here
        else:
            assert response.status_code == 404
            html = response.content.decode()
            assert facility.name not in html and facility.tax_code not in html
            # Indistinguishable from a facility that does not exist.
            missing = client.get("/facilities/999999/")
            assert missing.status_code == 404
            assert same_page(html.replace(path, "/facilities/999999/")) == \
                same_page(missing.content.decode())


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_exactly_the_stations_in_scope(world, persona):
    response = world.client(persona).get("/stations/")
    expected = VISIBLE_STATIONS[persona]
    if expected is None:
        assert_sent_to_sign_in(response, "/stations/")
        return
    assert response.status_code == 200
    html = response.content.decode()
    root = dom(response)
    assert set(table_column(root)) == expected
    assert root.find("p", class_="count").text.startswith(f"{len(expected)} ")
    for code in ALL_STATIONS - expected:
        assert code not in html
    # The map asks the GeoJSON twin for the same scope.
    assert root.find("div", id="map").attrs["data-geojson-url"].startswith(
        "/api/v1/stations.geojson")


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_opens_a_station_in_scope_and_answers_404_for_the_others(world, persona):
    client = world.client(persona)
    expected = VISIBLE_STATIONS[persona]
    for code in sorted(ALL_STATIONS):
        path = f"/stations/{code}/"
        response = client.get(path)
        if expected is None:
            assert_sent_to_sign_in(response, path)
        elif code in expected:
            assert response.status_code == 200
            assert dom(response).find("h1").text == f"Trạm {code} {code}"
        else:
            assert response.status_code == 404
            html = response.content.decode()
            assert f"Trạm {code}" not in html
            assert "Nhà máy" not in html
            missing = client.get("/stations/ZZNONE9/")
            assert same_page(html.replace(code, "ZZNONE9")) == \
                same_page(missing.content.decode())


def test_it_never_shows_the_hanoi_officer_anything_of_dong_nai(world):
    client = world.client("officer")
    pages = ["/", "/facilities/", "/stations/", "/parameters/", "/account/tokens/",
             "/facilities/?q=bien hoa", "/stations/?province=75", "/facilities/?province=75"]
    pages += [f"/facilities/{world.facility_hn.id}/", f"/facilities/{world.facility_hn2.id}/"]
    pages += [f"/stations/{code}/" for code in VISIBLE_STATIONS["officer"]]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_no_dong_nai(response.content.decode(), path)
    partial = client.get("/facilities/", HTTP_HX_REQUEST="true")
    assert_no_dong_nai(partial.content.decode(), "facility rows")
    # Asking for Đồng Nai by filter does not widen the scope.
    assert table_column(dom(client.get("/stations/?province=75"))) == []
    assert table_column(dom(client.get("/facilities/?province=75"))) == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_counts_what_is_in_scope_on_the_home_page(world, persona):
    response = world.client(persona).get("/")
    assert response.status_code == 200
    root = dom(response)
    figures = {card.attrs.get("href"): card.find("span", class_="figure").text
               for card in root.find_all("a", class_="card")}
    # The open pages are offered to everyone, signed in or not.
    assert figures.pop("/air/") == "VN_AQI"
    assert figures.pop("/datasets/")
    # The survey work's panel (tests/surveys/test_unit_pages.py) links its cards to /surveys/.
    assert (figures.pop("/surveys/", None) is not None) == (
        persona in ("survey", "admin", "steward", "leader"))
    if persona == "anonymous":
        assert figures == {"/parameters/": str(Parameter.objects.count()),
                           "/api/v1/docs": "34"}
        # No link to the register's facilities (the disclosed ones, /public/facilities/, are
        # everyone's).
        assert 'href="/facilities/' not in response.content.decode()
        return
    facilities, sources, stations = HOME_COUNTS[persona]
    assert figures == {"/facilities/": str(facilities), "/stations/": str(stations)}
    plain_cards = [card.find("span", class_="figure").text
                   for card in root.find_all("div", class_="card")]
    assert plain_cards == [str(sources)]
    by_kind = {row.find_all("td")[0].text: int(row.find_all("td")[1].text)
               for row in root.find_all("tr") if row.find_all("td")}
    assert sum(by_kind.values()) == stations
    if persona == "officer":
        with translation.override("vi"):
            labels = {kind: str(kind.label) for kind in StationKind}
        assert by_kind == {labels[StationKind.AUTO_EMISSION]: 2,
                           labels[StationKind.AUTO_WASTEWATER]: 1,
                           labels[StationKind.AUTO_AIR]: 1}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_parameters_to_everyone(world, persona):
    response = world.client(persona).get("/parameters/")
    assert response.status_code == 200
    root = dom(response)
    codes = table_column(root, 1)
    assert len(codes) == Parameter.objects.count() > 0
    row = next(r for r in root.find("tbody").find_all("tr") if r.find_all("td")[1].text == "PM2_5")
    assert "PM2,5" in row.find_all("td")[4].text.split(", ")


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_sign_in_form_only_to_visitors(world, persona):
    response = world.client(persona).get("/login/")
    if persona == "anonymous":
        assert response.status_code == 200
        root = dom(response)
        assert root.find("input", name="username")
        assert root.find("input", name="password").attrs["type"] == "password"
    else:
        assert response.status_code == 302
        assert response["Location"] == "/"


# --- facility search and the HTMX rows -----------------------------------------------------

@pytest.mark.parametrize("q", ["xi mang", "Xi Măng", "XI MĂNG", "  xi   măng "])
def test_it_finds_a_facility_by_name_with_or_without_diacritics(world, q):
    rows = table_column(dom(world.client("admin").get("/facilities/", {"q": q})))
    assert rows == [world.facility_dn.name]
    # The Hà Nội officer searching for it finds nothing, and is told so.
    officer = dom(world.client("officer").get("/facilities/", {"q": q}))
    assert table_column(officer) == []
    assert officer.find("p", class_="count").text.startswith("0 ")


@pytest.mark.parametrize("q", ["dong nai", "Đồng Nai", "ĐỒNG NAI", "đong nai"])
def test_it_finds_dong_nai_facilities_with_or_without_the_d_with_stroke(world, q):
    """`đ` is a letter of its own, not a diacritic: it must still match a plain `d`. The
    province shown in a facility's address is searched too."""
    extra = registry.save(system_actor("tests"), Facility(
        name="Nhà máy Giấy Tân Mai", abbreviation="GTM", tax_code="3600259560",
        address="Đường Đồng Khởi, phường Tam Hiệp", province=world.dongnai,
        latitude=10.96, longitude=106.86, sector=Sector.PULP_PAPER, operator=world.enterprise_dn,
    ))
    rows = table_column(dom(world.client("admin").get("/facilities/", {"q": q})))
    assert set(rows) == {world.facility_dn.name, extra.name}
    assert table_column(dom(world.client("officer").get("/facilities/", {"q": q}))) == []
    # Every word must match: the address's "Đồng Khởi" alone finds only that facility.
    rows = table_column(dom(world.client("admin").get("/facilities/", {"q": "dong khoi"})))
    assert rows == [extra.name]


def test_it_answers_an_htmx_search_with_just_the_rows(world):
    response = world.client("officer").get("/facilities/", {"q": "det"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<header" not in html and "<form" not in html
    root = dom(response)
    assert table_column(root) == [world.facility_hn2.name]
    assert root.find("p", class_="count").text.startswith("1 ")
    # The full page carries the same rows inside the target the form swaps.
    page = dom(world.client("officer").get("/facilities/", {"q": "det"}))
    target = page.find("div", id="facility-results")
    assert table_column(target) == [world.facility_hn2.name]
    assert page.find("form", class_="filters").attrs["hx-target"] == "#facility-results"


def test_it_tells_caches_and_htmx_history_which_answer_is_which(world):
    client = world.client("officer")
    rows = client.get("/facilities/", {"q": "det"}, HTTP_HX_REQUEST="true")
    page = client.get("/facilities/", {"q": "det"})
    for response in (rows, page):
        assert "HX-Request" in response["Vary"]
    # Going back after the htmx history cache missed: the whole page, not just the rows.
    restored = client.get("/facilities/", {"q": "det"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restored.content.decode()
    assert table_column(dom(restored).find("div", id="facility-results")) == [
        world.facility_hn2.name]


# --- API tokens ----------------------------------------------------------------------------

def _issued_plain(response) -> str | None:
    found = dom(response).find_all("code", id="new-token")
    return found[0].text if found else None


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_it_issues_a_token_once_to_each_persona_for_themselves(world, persona):
    client = world.client(persona)
    response = client.post("/account/tokens/", {"name": "Báo cáo", "owner": "user", "days": 30})
    assert response.status_code == 200
    plain = _issued_plain(response)
    assert plain and plain.startswith("envh_")
    assert response.content.decode().count(plain) == 1
    token = ApiToken.objects.get(user=world.users[persona], name="Báo cáo")
    assert token.matches(plain)
    assert token.expires_at.date() == (token.created_at + datetime.timedelta(days=30)).date()
    # The secret is shown once: never again on the page, which lists the token by its prefix.
    again = client.get("/account/tokens/")
    html = again.content.decode()
    assert plain not in html
    assert _issued_plain(again) is None
    assert f"envh_{token.lookup}_" in html
    # And it works as a bearer token, as that persona.
    me = world.client("anonymous").get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert me.json()["username"] == persona


def test_it_refuses_the_token_page_to_visitors(world):
    client = world.client("anonymous")
    assert_sent_to_sign_in(client.get("/account/tokens/"), "/account/tokens/")
    response = client.post("/account/tokens/", {"name": "x", "owner": "user", "days": 30})
    assert_sent_to_sign_in(response, "/account/tokens/")
    assert not ApiToken.objects.exists()


# What each persona may issue station and facility tokens for: what they look after. A leader
# sees everything but issues nothing; so is the survey unit (it has no registry scope).
TOKEN_TARGETS = {
    persona: (VISIBLE_STATIONS[persona], VISIBLE_FACILITIES[persona])
    for persona in ("admin", "steward", "officer", "operator")
} | {"leader": (set(), set()), "survey": (set(), set())}


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_it_offers_only_the_stations_and_facilities_one_may_issue_a_token_for(world, persona):
    response = world.client(persona).get("/account/tokens/")
    root = dom(response)
    stations, facilities = TOKEN_TARGETS[persona]
    assert options(root, "station") == {
        str(station.id) for station in Station.objects.filter(code__in=stations)}
    assert options(root, "facility") == {str(getattr(world, name).id) for name in facilities}
    # The page can show a new token's secret: it must not be kept by any cache.
    assert "no-store" in response["Cache-Control"]


def test_it_lets_the_operator_issue_a_token_for_their_station_only(world):
    client = world.client("operator")
    root = dom(client.get("/account/tokens/"))
    offered = options(root, "station")
    assert str(world.station_stack_hn.id) in offered
    assert str(world.station_stack_dn.id) not in offered
    assert "DNKT1" not in root.find("select", name="station").text

    response = client.post("/account/tokens/", {
        "name": "Datalogger OK1", "owner": "station", "station": world.station_stack_hn.id,
        "days": 365})
    plain = _issued_plain(response)
    assert plain
    token = ApiToken.objects.get(name="Datalogger OK1")
    assert token.station == world.station_stack_hn and token.user is None
    assert token.matches(plain)

    # A forged POST for a Đồng Nai station is refused by the form; nothing is issued.
    refused = client.post("/account/tokens/", {
        "name": "Stolen", "owner": "station", "station": world.station_stack_dn.id,
        "days": 365})
    assert refused.status_code == 200
    assert _issued_plain(refused) is None
    assert dom(refused).find_all("p", class_="field-error")
    assert not ApiToken.objects.filter(name="Stolen").exists()
    assert not ApiToken.objects.filter(station=world.station_stack_dn).exists()


def test_it_refuses_to_revoke_someone_elses_token(world):
    leaders = accounts.create_token(world.actor("leader"), name="leader's",
                                    user=world.users["leader"])
    admins = accounts.create_token(world.actor("admin"), name="admin's", user=world.users["admin"])

    # Outside the operator's scope: the token does not exist for them.
    response = world.client("operator").post(f"/account/tokens/{leaders.token.id}/revoke")
    assert response.status_code == 404
    # The steward sees every token but may not revoke a token that acts as another person.
    steward = world.client("steward")
    response = steward.post(f"/account/tokens/{admins.token.id}/revoke", follow=True)
    assert response.status_code == 200
    assert dom(response).find("li", class_="error").text == vi("You may not revoke this token.")
    for issued in (leaders, admins):
        issued.token.refresh_from_db()
        assert issued.token.revoked_at is None
        me = world.client("anonymous").get("/api/v1/me",
                                            HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
        assert me.status_code == 200

    # Their owner can.
    response = world.client("leader").post(f"/account/tokens/{leaders.token.id}/revoke",
                                           follow=True)
    leaders.token.refresh_from_db()
    assert leaders.token.revoked_at is not None
    assert dom(response).find("li", class_="success")
    row = next(r for r in dom(response).find("tbody").find_all("tr")
               if r.find_all("td")[0].text == "leader's")
    assert row.find_all("td")[5].text == vi("revoked")


# --- language ------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["anonymous", "officer"])
def test_it_switches_the_language_to_english(world, persona):
    client = world.client(persona)
    page = "/" if persona == "anonymous" else "/facilities/"
    before = dom(client.get(page))
    assert before.find("html").attrs["lang"] == "vi"
    response = client.post("/i18n/setlang/", {"language": "en", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    after = dom(client.get(page))
    assert after.find("html").attrs["lang"] == "en"
    selected = [o.attrs["value"] for o in after.find("select", name="language").find_all("option")
                if "selected" in o.attrs]
    assert selected == ["en"]


def test_it_keeps_the_whole_address_to_come_back_to_after_signing_in(world):
    """A page refused for a bad token sends to the sign-in page with `next` encoded, query
    string included; so does the admin's sign-in link."""
    client = world.client("anonymous")
    response = client.get("/parameters/", {"medium": "air", "x": "1"},
                          HTTP_AUTHORIZATION="Bearer envh_0123456789_nope")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/parameters/%3Fmedium%3Dair%26x%3D1"
    response = client.get("/admin/login/", {"next": "/admin/registry/facility/?sector=cement&o=1"})
    assert response["Location"] == (
        "/login/?next=/admin/registry/facility/%3Fsector%3Dcement%26o%3D1")
