"""An editor attaches an image on the desk in a real Chromium, on a phone (390 px): without
its alternative text the server's refusal comes back beside the field, with it the upload
goes (progress shown) and the desk lists the image with the Markdown to paste."""

from __future__ import annotations

import pytest

from envhub.news import workflow
from tests.browser.pages import open_page
from tests.news import media_files as files

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desk(world, library_folder, tmp_path):
    from django.conf import settings
    from django.test import Client

    post = workflow.create(world.actor("editor"), {"title": "Tin có ảnh mới",
                                                   "category": "air", "body": "Chữ"})
    client = Client()
    client.force_login(world.users["editor"])
    picture = tmp_path / "Ảnh trạm Hà Nội.png"
    picture.write_bytes(files.png(1600, 900))
    return post, (settings.SESSION_COOKIE_NAME,
                  client.cookies[settings.SESSION_COOKIE_NAME].value), picture


def test_an_editor_attaches_an_image_on_a_phone(desk, live_server, browser):
    post, session, picture = desk
    context, page, errors = open_page(browser, live_server, viewport=PHONE)
    context.add_cookies([{"name": session[0], "value": session[1], "url": live_server.url}])
    page.goto(f"{live_server.url}/news/desk/{post.pk}/")
    form = page.locator("#media-form")
    form.locator("input[type=file]").set_input_files(str(picture))
    assert "Ảnh trạm Hà Nội.png" in form.locator(".upload-chosen").inner_text()
    form.locator("button[type=submit]").click()
    refusal = page.locator("#media-form .field-error")
    refusal.first.wait_for()
    assert "Hãy mô tả ảnh" in refusal.first.inner_text()
    form = page.locator("#media-form")
    form.locator("input[type=file]").set_input_files(str(picture))
    form.locator("input[name=alt]").fill("Trạm quan trắc không khí Hà Nội")
    form.locator("input[name=caption]").fill("Trạm HNKK1")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert f"/news/desk/{post.pk}/?added=" in page.url
    listed = page.locator(".media-list li")
    assert listed.count() == 1
    assert "![Trạm quan trắc không khí Hà Nội](media:anh-tram-ha-noi.png)" in \
        listed.inner_text()
    page.wait_for_function("() => document.querySelector('.media-thumb').naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the one refusal above is the server's 400, which Chromium reports as a console error
    assert [error for error in errors if "status of 400" not in error] == []
    assert len(errors) <= 1
    context.close()
