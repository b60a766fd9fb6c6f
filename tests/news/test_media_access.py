"""A post's images and files follow their post: a draft's only to those who may see the draft
on the desk, a published post's to everyone — on every role, tokens included — with their
ETag, caching and a safe name."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from envhub.news import workflow
from envhub.news.models import Post

pytestmark = pytest.mark.django_db

ROLES = ("admin", "steward", "leader", "officer", "operator", "survey", "librarian", "editor",
         "anonymous", "editor_token", "station_token")
DRAFT_READERS = {"admin", "steward", "editor"}


def client_of(world, persona: str) -> Client:
    if not persona.endswith("_token"):
        return world.client(persona)
    owner = {"user": world.users["editor"]} if persona == "editor_token" else \
        {"station": world.air_hn}
    issued = accounts.create_token(system_actor("tests"), name=persona, **owner)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.plain}")


def addresses(attached) -> list[str]:
    image, file = attached.image, attached.file
    return [f"/news/media/{image.pk}/{image.key}", f"/news/media/{image.pk}/phone/{image.key}",
            f"/news/media/{file.pk}/{file.key}"]


@pytest.mark.parametrize("persona", ROLES)
def test_a_drafts_media_only_to_those_who_see_the_draft(world, drafted, persona):
    client = client_of(world, persona)
    expected = 200 if persona in DRAFT_READERS else 404
    for address in addresses(drafted):
        response = client.get(address)
        assert response.status_code == expected, (persona, address)
        if expected == 200:
            assert response["Cache-Control"] == "private, no-cache"
            b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", ROLES)
def test_a_published_posts_media_to_everyone(world, published, persona):
    client = client_of(world, persona)
    for address in addresses(published):
        response = client.get(address)
        assert response.status_code == 200, (persona, address)
        assert response["Cache-Control"] == "public, max-age=3600"


def test_a_post_waiting_for_its_hour_or_taken_down_hides_its_media(world, published):
    anonymous = world.client("anonymous")
    Post.objects.filter(pk=published.post.pk).update(
        published_at=timezone.now() + datetime.timedelta(hours=2))
    assert all(anonymous.get(address).status_code == 404 for address in addresses(published))
    Post.objects.filter(pk=published.post.pk).update(published_at=timezone.now())
    workflow.unpublish(world.actor("editor2"), published.post, "Sai số liệu")
    assert all(anonymous.get(address).status_code == 404 for address in addresses(published))
    assert all(world.client("editor").get(address).status_code == 200
               for address in addresses(published))


def test_the_headers_say_what_it_is_and_how_long_to_keep_it(world, published):
    client = world.client("anonymous")
    image, file = published.image, published.file
    response = client.get(f"/news/media/{image.pk}/{image.key}")
    body = b"".join(response.streaming_content)
    assert len(body) == image.size == int(response["Content-Length"])
    assert response["Content-Type"] == "image/png"
    assert response["ETag"] == f'"{image.sha256}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline;")
    assert quote("Biểu đồ AQI.png") in response["Content-Disposition"]
    phone = client.get(f"/news/media/{image.pk}/phone/{image.key}")
    assert phone["ETag"] == f'"{image.phone_sha256}"' != response["ETag"]
    assert len(b"".join(phone.streaming_content)) == image.phone_size < image.size
    again = client.get(f"/news/media/{image.pk}/{image.key}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and not again.content
    assert again["ETag"] == response["ETag"]
    download = client.get(f"/news/media/{file.pk}/{file.key}")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="bao-cao-tuan-48.pdf"' in download["Content-Disposition"]
    assert "\n" not in download["Content-Disposition"]
    head = client.head(f"/news/media/{file.pk}/{file.key}")
    assert head.status_code == 200 and b"".join(head.streaming_content) == b""


@pytest.mark.parametrize("tail", ["other.png", "../x", "bieu-do-aqi.PNG"])
def test_a_wrong_key_is_not_found(world, published, tail):
    assert world.client("admin").get(
        f"/news/media/{published.image.pk}/{tail}").status_code == 404


def test_a_post_cannot_show_another_posts_image(world, published, drafted):
    editor = world.actor("editor")
    workflow.unpublish(world.actor("editor2"), published.post, "Thêm ảnh")
    workflow.edit(editor, published.post, {"body": f"![x](media:{drafted.image.key})"})
    workflow.submit(editor, published.post)
    workflow.publish(world.actor("editor2"), published.post)
    # the same key in both posts: the post's own image, never the draft's
    html = world.client("anonymous").get(f"/news/{published.post.slug}/").content.decode()
    assert f"/news/media/{drafted.image.pk}/" not in html
    assert f"/news/media/{published.image.pk}/" in html
