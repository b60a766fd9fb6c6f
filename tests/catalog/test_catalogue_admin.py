"""What stays of the catalogue in the admin reads in Vietnamese: versions named, never
"object (1)"; keywords, themes and languages picked from lists, never typed as JSON; a change
told field by field in words; the error note translated."""

from __future__ import annotations

import re

import pytest

from envhub.catalog import files, services
from envhub.catalog.models import Dataset
from tests.accounts.test_admin_personas import change_url, post_data, read_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(world):
    dataset = Dataset.objects.create(
        identifier="bao-cao-hien-trang", provider=files.FileDatasets.key,
        title_vi="Số liệu báo cáo hiện trạng môi trường", description_vi="Các bảng số liệu.",
        publisher=world.ministry, contact_name="Phòng Dữ liệu", contact_email="dl@example.vn",
        accrual_periodicity="ANNUAL", access_class="open", themes=["ENVI"],
        keywords=["đất"], language=["vi"])
    steward = world.actor("steward")
    files.publish_version(steward, dataset, "bang.csv", b"a,b\n1,2\n")
    dataset.themes = ["ENVI", "HEAL"]
    services.save_metadata(steward, dataset)
    return dataset


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_it_shows_the_dataset_in_words_not_json_or_object_names(world, edited):
    page = world.client("steward").get(change_url(edited))
    html = page.content.decode()
    text = visible_text(html)
    assert page.status_code == 200
    assert "object (" not in text.lower() and "Object (" not in text
    assert '["' not in text and "['" not in text
    for english in ("Dataset versions", "Metadata versions", "Provider key", "DATASET VERSIONS",
                    "catalog.files", "user:steward"):
        assert english not in text, english
    assert "Các phiên bản bộ dữ liệu" in text and "Các phiên bản siêu dữ liệu" in text
    assert "tệp do cán bộ quản lý dữ liệu công bố" in text  # the provider, in words
    assert "Chủ đề: Môi trường → Môi trường, Sức khỏe" in text
    # Pickers: a checkbox per theme, keyword and language, the licence a list.
    assert 'type="checkbox" name="themes" value="HEAL"' in html
    assert re.search(r'type="checkbox" name="keywords" value="đất"[^>]*checked', html)
    assert '<select name="licence"' in html


def test_it_saves_through_the_pickers_and_says_what_is_wrong_in_vietnamese(world, edited):
    client = world.client("steward")
    url = change_url(edited)
    data = post_data(read_form(client.get(url), "dataset_form"))
    data["title_vi"] = [""]
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Hãy sửa lỗi dưới đây." in refused.content.decode()
    assert "Please correct" not in refused.content.decode()
    data = post_data(read_form(client.get(url), "dataset_form"))
    data["keywords"] = ["đất", "nước mặt"]
    assert client.post(url, data).status_code == 302
    edited.refresh_from_db()
    assert edited.keywords == ["đất", "nước mặt"]
    assert edited.themes == ["ENVI", "HEAL"]


def test_an_upload_refused_from_its_length_goes_back_to_the_form(world, edited, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import MULTIPART_CONTENT, encode_multipart

    settings.ENVHUB_MAX_DATASET_FILE_BYTES = 2048
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client = world.client("steward")
    url = change_url(edited)
    body = encode_multipart("BoUnDaRy", {"title_vi": "x", "upload": SimpleUploadedFile(
        "lon.csv", b"a\n" + b"1\n" * 600_000)})
    response = client.generic("POST", url, body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "Tệp tải lên có dung lượng 1,1 MB, vượt quá 99,7 KB" in page
    assert edited.versions.count() == 1

