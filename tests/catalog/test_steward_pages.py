"""A steward's catalogue work on envhub's own pages: the dataset edit page (vocabularies, a
preview, errors beside their fields, every save audited) and a file dataset's "publish a new
version" (a file over the limit answered beside the field, never a 400 page), for the roles
that may and may not."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT, encode_multipart

from envhub.accounts.models import AuditEvent
from envhub.catalog import files
from envhub.catalog.models import Dataset

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "steward", "leader", "officer", "operator", "survey", "anonymous")
MAY_EDIT = {"admin", "steward"}


@pytest.fixture
def file_dataset(world):
    return Dataset.objects.create(
        identifier="bao-cao-hien-trang", provider=files.FileDatasets.key,
        title_vi="Số liệu báo cáo hiện trạng môi trường", description_vi="Các bảng số liệu.",
        publisher=world.ministry, contact_name="Phòng Dữ liệu", contact_email="dl@example.vn",
        accrual_periodicity="ANNUAL", access_class="open", themes=["ENVI"],
        keywords=["hiện trạng môi trường"])


def edit_data(dataset: Dataset, **changes) -> dict:
    data = {"title_vi": dataset.title_vi, "title_en": dataset.title_en,
            "description_vi": dataset.description_vi, "description_en": dataset.description_en,
            "themes": dataset.themes, "keywords": dataset.keywords, "licence": dataset.licence,
            "access_class": dataset.access_class,
            "accrual_periodicity": dataset.accrual_periodicity, "language": dataset.language,
            "contact_name": dataset.contact_name, "contact_email": dataset.contact_email,
            "action": "save"}
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_admins_and_stewards_edit_and_publish(world, file_dataset, persona):
    client = world.client(persona)
    edit = f"/datasets/{file_dataset.identifier}/edit/"
    publish = f"/datasets/{file_dataset.identifier}/publish/"
    page = client.get(f"/datasets/{file_dataset.identifier}/")
    assert page.status_code == 200
    shown = 'id="steward-actions"' in page.content.decode()
    assert shown == (persona in MAY_EDIT)
    for url, data in ((edit, edit_data(file_dataset, title_vi="Tiêu đề mới")),
                      (publish, {"file": SimpleUploadedFile("a.csv", b"a\n1\n")})):
        got, posted = client.get(url), client.post(url, data)
        if persona in MAY_EDIT:
            assert got.status_code == 200
            assert posted.status_code == 302
        elif persona == "anonymous":  # sent to sign in; a form posted is refused (401)
            assert got.status_code == 302
            assert got["Location"].startswith("/login/?next=")
            assert posted.status_code == 401
        else:
            assert (got.status_code, posted.status_code) == (403, 403)
    file_dataset.refresh_from_db()
    edited = persona in MAY_EDIT
    assert (file_dataset.title_vi == "Tiêu đề mới") == edited
    assert file_dataset.versions.count() == (1 if edited else 0)


def test_it_previews_the_change_in_words_and_saves_nothing(world, file_dataset):
    client = world.client("steward")
    response = client.post(f"/datasets/{file_dataset.identifier}/edit/", edit_data(
        file_dataset, themes=["ENVI", "HEAL"], access_class="shared",
        licence="https://creativecommons.org/publicdomain/zero/1.0/", action="preview"))
    html = response.content.decode()
    assert response.status_code == 200
    preview = re.sub(r"<[^>]+>", " ", html[html.index('id="change-preview"'):
                                            html.index("</section>")])
    assert "Chủ đề" in preview and "Môi trường, Sức khỏe" in preview
    assert "Creative Commons CCZero" in preview
    assert "dữ liệu dùng chung" in preview.lower()
    assert "HEAL" not in preview and "access_class" not in preview
    file_dataset.refresh_from_db()
    assert file_dataset.themes == ["ENVI"]
    assert not file_dataset.metadata_versions.exists()


def test_it_saves_an_edit_audited_and_kept_as_a_metadata_version(world, file_dataset):
    client = world.client("steward")
    response = client.post(f"/datasets/{file_dataset.identifier}/edit/", edit_data(
        file_dataset, themes=["ENVI", "REGI"], keywords=["hiện trạng môi trường", "đất"]))
    assert response.status_code == 302
    file_dataset.refresh_from_db()
    assert file_dataset.themes == ["ENVI", "REGI"]
    assert file_dataset.keywords == ["hiện trạng môi trường", "đất"]
    event = AuditEvent.objects.filter(object_type="catalog.dataset",
                                      object_id=str(file_dataset.pk)).latest("id")
    assert event.actor == world.actor("steward").label
    assert event.changes["themes"] == [["ENVI"], ["ENVI", "REGI"]]
    assert file_dataset.metadata_versions.get().changes["keywords"][1] == [
        "hiện trạng môi trường", "đất"]


@pytest.mark.parametrize("changes, field, message", [
    ({"licence": "https://example.com/my-licence"}, "licence",
     "Chọn một giấy phép trong danh sách."),
    ({"title_vi": "   "}, "title_vi", "Bộ dữ liệu cần có tiêu đề."),
    ({"themes": ["ENVI", "XXXX"]}, "themes", "XXXX"),
    ({"contact_email": "not an address"}, "contact_email", "email"),
])
def test_it_answers_bad_input_beside_the_field(world, file_dataset, changes, field, message):
    client = world.client("steward")
    response = client.post(f"/datasets/{file_dataset.identifier}/edit/",
                           edit_data(file_dataset, **changes))
    html = response.content.decode()
    assert response.status_code == 200  # the form again, as the admin does
    assert "Hãy sửa lỗi dưới đây." in html
    box = html[html.index(f'id="field-{field}"'):][:2500]
    assert 'class="field-error"' in box and message in box
    file_dataset.refresh_from_db()
    assert file_dataset.title_vi == "Số liệu báo cáo hiện trạng môi trường"
    assert not file_dataset.metadata_versions.exists()


def test_it_refuses_a_bad_licence_in_the_service_too(world, file_dataset):
    from envhub.catalog import services
    from envhub.core.errors import InvalidInput

    file_dataset.licence = "https://example.com/my-licence"
    with pytest.raises(InvalidInput) as refused:
        services.save_metadata(world.actor("steward"), file_dataset)
    assert "licence" in refused.value.details


def test_it_publishes_a_version_and_lists_it_with_its_checksum(world, file_dataset):
    client = world.client("steward")
    response = client.post(f"/datasets/{file_dataset.identifier}/publish/", {
        "file": SimpleUploadedFile("số liệu.csv", "a,b\n1,2\n3,4\n".encode()),
        "note": "Số liệu năm 2025"}, follow=True)
    version = file_dataset.versions.get()
    html = response.content.decode()
    assert (version.number, version.rows, version.note) == (1, 2, "Số liệu năm 2025")
    assert "Đã công bố phiên bản 1" in html and version.sha256 in html
    row = html[html.index('data-version="1"'):]
    assert version.sha256 in row[:row.index("</tr>")]
    assert "?version=1" in row[:row.index("</tr>")]
    assert "Steward" in row[:row.index("</tr>")] and "user:steward" not in html


def test_it_answers_a_bad_file_beside_the_field(world, file_dataset):
    client = world.client("steward")
    response = client.post(f"/datasets/{file_dataset.identifier}/publish/",
                           {"file": SimpleUploadedFile("virus.exe", b"MZ")})
    html = response.content.decode()
    assert response.status_code == 200  # the form again, as the admin does
    box = html[html.index('id="field-file"'):][:1500]
    assert 'class="field-error"' in box and "CSV, JSON" in box
    assert not file_dataset.versions.exists()


def test_it_answers_a_file_over_the_limit_beside_the_field(world, file_dataset, settings):
    settings.ENVHUB_MAX_DATASET_FILE_BYTES = 2048
    client = world.client("steward")
    url = f"/datasets/{file_dataset.identifier}/publish/"
    # Just over: its bytes are counted, not kept; the form says how large it is.
    response = client.post(url, {"file": SimpleUploadedFile("big.csv", b"a\n" + b"1\n" * 1500)})
    html = response.content.decode()
    assert response.status_code == 200  # the form again, as the admin does
    box = html[html.index('id="field-file"'):][:1500]
    assert 'class="field-error"' in box and "2,9 KB" in box and "2 KB" in box
    # Far over: refused from its length before the body is read, the same form, not a 400 page.
    big = encode_multipart("BoUnDaRy", {"file": SimpleUploadedFile(
        "huge.csv", b"a\n" + b"1\n" * 2_000_000)})
    response = client.generic("POST", url, big,
                              content_type=MULTIPART_CONTENT.replace("BoUnDaRy", "BoUnDaRy"))
    html = response.content.decode()
    assert response.status_code == 413
    box = html[html.index('id="field-file"'):][:1500]
    assert 'class="field-error"' in box and "3,8 MB" in box
    assert not file_dataset.versions.exists()


def test_it_keeps_a_built_in_dataset_as_it_is_when_nothing_is_changed(world):
    from envhub.catalog import services
    from tests.accounts.test_admin_personas import read_form
    from tests.catalog.test_portal import send_air

    send_air(world, [3, 2, 1])
    services.sync()
    dataset = next(item for item in Dataset.objects.order_by("identifier")
                   if item.provider != files.FileDatasets.key and item.issued and item.keywords)
    client = world.client("steward")
    url = f"/datasets/{dataset.identifier}/edit/"
    form = read_form(client.get(url), "dataset-edit-form")
    data: dict[str, list[str]] = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    data["action"] = ["preview"]
    html = client.post(url, data).content.decode()
    assert "Không có gì thay đổi" in html
    data["action"] = ["save"]
    assert client.post(url, data).status_code == 302
    assert not dataset.metadata_versions.filter(actor=world.actor("steward").label).exists()
