"""Who gets a bulletin's draft, its press kit and the page that drafts one, per role: a draft
and its kit are its writers' (editors, stewards, administrators) and do not exist for anyone
else; once an editor publishes it, everyone gets the kit."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from PIL import Image

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from envhub.news import bulletin_jobs, workflow
from envhub.news.bulletin_models import Bulletin, BulletinKind
from tests.conftest import PERSONAS
from tests.news.bulletin_seed import NOW, WEEK, air_world

pytestmark = pytest.mark.django_db

WRITERS = ("admin", "steward", "editor")
OTHERS = ("leader", "officer", "operator", "survey", "librarian", "anonymous")
BASE = "/news/bulletins/air_weekly/2026-11-23/"
FILES = ("days.svg", "daily.svg", "bang-so-lieu.xlsx")


@pytest.fixture
def drafted(world, settings, tmp_path):
    """The seeded week's bulletin, in review; pictures kept in the test's own folder."""
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path / "media")}}}
    air_world(world, settings)
    bulletin_jobs.draft(bulletin_jobs.system_actor("tests"), BulletinKind.AIR_WEEKLY, WEEK,
                        now=NOW)
    return world


def _publish(world) -> Bulletin:
    bulletin = Bulletin.objects.select_related("post").get()
    workflow.publish(world.actor("editor2"), bulletin.post)
    return bulletin


@pytest.mark.parametrize("persona", WRITERS)
def test_writers_get_a_drafts_kit_uncached(drafted, persona):
    client = drafted.client(persona)
    for name in (*FILES, "days.png"):
        response = client.get(BASE + name)
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-store"
    edit = client.get(f"/news/desk/{Bulletin.objects.get().post_id}/")
    assert edit.status_code == 200
    text = edit.content.decode()
    assert "Bộ tài liệu báo chí" in text and BASE + "days.png" in text


@pytest.mark.parametrize("persona", OTHERS)
def test_a_drafts_kit_does_not_exist_for_other_roles(drafted, persona):
    client = drafted.client(persona)
    for name in (*FILES, "days.png"):
        assert client.get(BASE + name).status_code == 404, name
    slug = Bulletin.objects.get().post.slug
    assert client.get(f"/news/{slug}/").status_code == 404


@pytest.mark.parametrize("persona", [*WRITERS, *OTHERS])
def test_once_published_everyone_gets_the_kit(drafted, persona):
    bulletin = _publish(drafted)
    client = drafted.client(persona)
    page = client.get(f"/news/{bulletin.post.slug}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert BASE + "days.svg" in text and BASE + "bang-so-lieu.xlsx" in text
    assert "chi-so-chat-luong-khong-khi-vn-aqi-daily" in text  # the citation's dataset
    svg = client.get(BASE + "days.svg")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert svg["Cache-Control"] == "public, max-age=600"
    assert "Thiếu số liệu" in svg.content.decode()
    workbook = load_workbook(io.BytesIO(client.get(BASE + "bang-so-lieu.xlsx").content))
    assert "Số ngày theo mức VN_AQI" in workbook.sheetnames and "Nguồn" in workbook.sheetnames


def test_the_png_is_drawn_on_the_server_from_the_svg(drafted, tmp_path):
    _publish(drafted)
    response = drafted.client("anonymous").get(BASE + "daily.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    picture = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert picture.width == 1280  # the chart's 640 CSS pixels, twice
    colours = {colour for _count, colour in picture.getcolors(maxcolors=1 << 22)}
    # The cells' category colours are drawn (Kém orange, Rất xấu purple) and the grey of the
    # missing days: the picture is the chart, not an empty page.
    for rgb in ((0xFF, 0x7E, 0x00), (0x8F, 0x3F, 0x97), (0xBC, 0xCC, 0xDC)):
        assert any(sum(abs(a - b) for a, b in zip(rgb, c, strict=True)) < 12
                   for c in colours), rgb
    # Kept once drawn: the second request reads the same bytes back.
    assert len(list((tmp_path / "media" / "presskit").rglob("*.png"))) == 1
    again = drafted.client("leader").get(BASE + "daily.png")
    assert again.content == response.content


def test_without_pdftoppm_the_png_is_a_clear_503_and_the_svg_still_served(drafted,
                                                                          monkeypatch):
    from envhub.news import presskit

    _publish(drafted)
    monkeypatch.setattr(presskit, "PDFTOPPM", "/nonexistent/pdftoppm")
    client = drafted.client("anonymous")
    response = client.get(BASE + "days.png")
    assert response.status_code == 503
    assert "Không vẽ được ảnh PNG lúc này" in response.content.decode()
    assert client.get(BASE + "days.svg").status_code == 200


@pytest.mark.parametrize("path", ["air_weekly/2026-11-30/days.svg", "air_weekly/x/days.svg",
                                  "nothing/2026-11-23/days.svg", "air_weekly/2026-11-23/map.svg",
                                  "air_weekly/2026-11-23/days.gif"])
def test_an_unknown_file_is_not_found(drafted, path):
    assert drafted.client("editor").get("/news/bulletins/" + path).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_writers_open_the_bulletins_desk_and_draft(drafted, persona):
    client = drafted.client(persona)
    response = client.get("/news/desk/bulletins/")
    posted = client.post("/news/desk/bulletins/", {"kind": "emissions_monthly",
                                                  "day": "2026-10-10"})
    if persona in WRITERS:
        assert response.status_code == 200
        assert posted.status_code == 302
        assert Bulletin.objects.filter(kind="emissions_monthly").count() == 1
    elif persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert posted.status_code == 401  # a form sent without signing in
        assert not Bulletin.objects.filter(kind="emissions_monthly").exists()
    else:
        assert response.status_code == posted.status_code == 403
        assert not Bulletin.objects.filter(kind="emissions_monthly").exists()


@pytest.mark.parametrize("form, says", [
    ({"kind": "air_weekly", "day": "2999-01-01"}, "Bản tin chỉ được soạn khi kỳ đã kết thúc"),
    ({"kind": "air_weekly", "day": "hôm qua"}, "Nhập một ngày hợp lệ"),
    ({"kind": "<script>", "day": "2026-11-23"}, "Hãy chọn một lựa chọn hợp lệ"),
])
def test_the_desk_says_why_a_request_is_refused(drafted, form, says):
    before = Bulletin.objects.count()
    response = drafted.client("editor").post("/news/desk/bulletins/", form)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert Bulletin.objects.count() == before


def _token_client(drafted, persona: str) -> Client:
    issued = accounts.create_token(system_actor("tests"), name=persona,
                                   user=drafted.users[persona])
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.plain}")


@pytest.mark.parametrize("persona", WRITERS)
def test_a_drafts_kit_and_desk_page_do_not_exist_for_a_writers_token(drafted, persona):
    # A draft is for people on the desk, as its images are: a program holding a writer's
    # personal token gets neither the unpublished figures nor the draft's text.
    client = _token_client(drafted, persona)
    for name in (*FILES, "days.png"):
        assert client.get(BASE + name).status_code == 404, name
    post_id = Bulletin.objects.get().post_id
    assert client.get(f"/news/desk/{post_id}/").status_code == 404
    _publish(drafted)
    assert client.get(BASE + "days.svg").status_code == 200  # published: as for everyone
