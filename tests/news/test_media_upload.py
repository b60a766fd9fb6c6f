"""Editors attach images and files to a post on the desk: what is not a real image, or is too
large, is refused with its reason in Vietnamese and nothing of it is kept — not a byte in the
storage, not a row; what is kept is the image as envhub redrew it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from envhub.core import audit
from envhub.library import storage
from envhub.news import workflow
from envhub.news.media_models import PostMedia
from tests.news import media_files as files
from tests.news.conftest import stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(world, library_folder):
    return workflow.create(world.actor("editor"), {"title": "Tin mới", "category": "air",
                                                   "body": "Nội dung"})


def send(client, post, data: bytes, name: str, kind: str = "image",
         alt: str = "Ảnh trạm quan trắc", caption: str = "", **headers):
    return client.post(f"/news/desk/{post.pk}/media/", {
        "file": SimpleUploadedFile(name, data), "kind": kind, "alt": alt, "caption": caption},
        **headers)


@pytest.mark.parametrize("name,data,kind,alt,message", [
    ("logo.svg", files.SVG, "image", "Biểu trưng", "Không nhận ảnh SVG"),
    ("logo.png", files.SVG, "image", "Biểu trưng", "Không nhận ảnh SVG"),
    ("bom.png", files.png_bomb(), "image", "Ảnh", "triệu điểm ảnh"),
    ("anh.jpg", files.png(300, 200), "image", "Ảnh", "không khớp với nội dung"),
    ("rong.png", b"", "image", "Ảnh", "là tệp rỗng"),
    ("bao-cao.png", files.pdf(), "image", "Ảnh", "không phải là ảnh PNG hoặc JPEG"),
    ("hong.png", files.png(300, 200)[:300], "image", "Ảnh", "Không đọc được ảnh"),
    ("anh.png", files.png(300, 200), "image", "", "Hãy mô tả ảnh"),
    ("anh.png", files.png(300, 200), "video", "Ảnh", "Hãy chọn"),
    ("bao-cao.docx", files.pdf(), "file", "", "DOCX"),
])
def test_a_bad_upload_is_refused_and_nothing_is_kept(world, post, library_folder, name, data,
                                                     kind, alt, message):
    response = send(world.client("editor"), post, data, name, kind=kind, alt=alt)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert not PostMedia.objects.exists()
    assert stored_files(library_folder) == []
    assert not audit.events().filter(action="news.media.add").exists()


def test_an_image_over_the_limit_is_refused_by_its_size(world, post, library_folder, settings):
    settings.ENVHUB_NEWS_MAX_IMAGE_BYTES = 20_000
    data = files.png(2000, 2000, colour=(1, 2, 3), compress_level=0)
    assert len(data) > 20_000
    response = send(world.client("editor"), post, data, "lon.png")
    assert response.status_code == 400
    html = response.content.decode()
    assert "bài viết chỉ nhận tối đa 19,5 KB" in html
    assert not PostMedia.objects.exists() and stored_files(library_folder) == []


def test_a_body_over_the_route_limit_is_refused_before_it_is_read(world, post, settings):
    settings.ENVHUB_NEWS_MAX_IMAGE_BYTES = settings.ENVHUB_NEWS_MAX_ATTACHMENT_BYTES = 5_000
    response = send(world.client("editor"), post, b"\x89PNG" + b"\x00" * 400_000, "a.png")
    assert response.status_code == 413
    assert "nhiều hơn mức 4,9 KB bài viết nhận" in response.content.decode()
    assert not PostMedia.objects.exists()


def test_an_image_is_kept_as_envhub_redrew_it(world, post, library_folder):
    response = send(world.client("editor"), post, files.jpeg_with_gps(1200, 800),
                    "Ảnh hiện trường.jpg", alt="Cán bộ lấy mẫu nước sông",
                    caption="Lấy mẫu tại cầu Hóa An", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 201
    image = PostMedia.objects.get()
    assert response.json()["url"] == f"/news/desk/{post.pk}/?added={image.pk}#media"
    assert (image.key, image.kind, image.name) == ("anh-hien-truong.jpg", "image",
                                                   "Ảnh hiện trường.jpg")
    assert (image.width, image.height, image.phone_width, image.phone_height) == \
        (800, 1200, 640, 960)
    assert image.alt == "Cán bộ lấy mẫu nước sông" and image.caption == "Lấy mẫu tại cầu Hóa An"
    assert len(stored_files(library_folder)) == 2  # the image and the phones' copy
    assert all(name.startswith("news/") for name in stored_files(library_folder))
    with storage.open_stored(image.storage_name) as handle:
        kept = handle.read()
    assert b"ENVHUB-SECRET" not in kept and files.SECRET not in kept
    assert len(kept) == image.size
    import hashlib
    assert hashlib.sha256(kept).hexdigest() == image.sha256
    with Image.open(io.BytesIO(kept)) as redrawn:
        assert redrawn.size == (800, 1200) and not redrawn.getexif()
    event = audit.events().get(action="news.media.add")
    assert event.changes["key"] == "anh-hien-truong.jpg"


def test_a_file_passes_the_librarys_checks_and_keeps_its_name(world, post, library_folder):
    client = world.client("editor")
    assert send(client, post, files.pdf(), "Báo cáo quý 3.pdf", kind="file",
                alt="").status_code == 302
    assert send(client, post, files.pdf(), "Báo cáo quý 3.pdf", kind="file",
                alt="").status_code == 302
    keys = list(PostMedia.objects.values_list("key", "media_type", "name"))
    assert keys == [("bao-cao-quy-3.pdf", "application/pdf", "Báo cáo quý 3.pdf"),
                    ("bao-cao-quy-3-2.pdf", "application/pdf", "Báo cáo quý 3.pdf")]
    html = client.get(f"/news/desk/{post.pk}/").content.decode()
    assert "[Báo cáo quý 3.pdf](media:bao-cao-quy-3-2.pdf)" in html


def test_a_published_post_takes_no_new_file_and_keeps_its_own(world, published, library_folder,
                                                              django_capture_on_commit_callbacks):
    before = stored_files(library_folder)
    client = world.client("editor")
    response = send(client, published.post, files.png(300, 200), "moi.png")
    assert response.status_code == 400
    assert "Chỉ sửa được bản nháp" in response.content.decode()
    client.post(f"/news/desk/{published.post.pk}/media/{published.image.pk}/remove/")
    assert PostMedia.objects.filter(pk=published.image.pk).exists()
    assert stored_files(library_folder) == before
    workflow.unpublish(world.actor("editor2"), published.post, "Sửa ảnh")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/news/desk/{published.post.pk}/media/{published.image.pk}/remove/")
    assert response.status_code == 302
    assert not PostMedia.objects.filter(pk=published.image.pk).exists()
    assert len(stored_files(library_folder)) == len(before) - 2
    assert audit.events().filter(action="news.media.remove").count() == 1


@pytest.mark.parametrize("persona,status", [
    ("anonymous", 401), ("leader", 403), ("officer", 403), ("operator", 403), ("survey", 403),
    ("librarian", 403),
])
def test_only_writers_attach(world, post, library_folder, persona, status):
    response = send(world.client(persona), post, files.png(300, 200), "anh.png")
    assert response.status_code == status
    assert not PostMedia.objects.exists() and stored_files(library_folder) == []


def test_a_token_attaches_nothing(world, post, library_folder):
    from envhub.accounts import services as accounts
    from envhub.core.permissions import system_actor

    issued = accounts.create_token(system_actor("tests"), name="editor-script",
                                   user=world.users["editor"])
    response = send(world.client("anonymous"), post, files.png(300, 200), "anh.png",
                    HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    assert response.status_code in (403, 404)
    assert not PostMedia.objects.exists() and stored_files(library_folder) == []


@pytest.mark.parametrize("persona,status", [
    ("anonymous", 401), ("leader", 403), ("officer", 403), ("operator", 403), ("survey", 403),
    ("librarian", 403),
])
def test_only_writers_remove(world, drafted, library_folder, persona, status):
    before = stored_files(library_folder)
    response = world.client(persona).post(
        f"/news/desk/{drafted.post.pk}/media/{drafted.image.pk}/remove/")
    assert response.status_code == status
    assert PostMedia.objects.filter(pk=drafted.image.pk).exists()
    assert stored_files(library_folder) == before


def test_an_image_of_another_post_is_not_removed_through_this_one(world, drafted, post):
    response = world.client("editor").post(
        f"/news/desk/{post.pk}/media/{drafted.image.pk}/remove/")
    assert response.status_code == 404
    assert PostMedia.objects.filter(pk=drafted.image.pk).exists()


def test_a_post_sent_for_review_while_its_file_was_checked_takes_nothing(world, post,
                                                                        library_folder):
    from envhub.core.errors import Conflict
    from envhub.news.models import Post
    from tests.news.conftest import attach

    workflow.submit(world.actor("editor"), Post.objects.get(pk=post.pk))
    assert post.state == "draft"  # what the request had read before
    with pytest.raises(Conflict):
        attach(world, post, files.png(300, 200), "muon.png")
    assert not PostMedia.objects.exists() and stored_files(library_folder) == []
