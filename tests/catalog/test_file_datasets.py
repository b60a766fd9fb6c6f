"""File datasets: each upload an immutable version; downloads of any version or of the one in
force on a date; bad files refused with a clear reason and nothing stored."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from envhub.catalog import files, services
from envhub.catalog.models import Dataset, DatasetVersion
from envhub.core.errors import EnvhubError, InvalidInput, TooLarge

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_dataset(world):
    return Dataset.objects.create(
        identifier="bao-cao-hien-trang-moi-truong", provider=files.FileDatasets.key,
        title_vi="Số liệu báo cáo hiện trạng môi trường", description_vi="Các bảng số liệu.",
        publisher=world.ministry, contact_name="Phòng Dữ liệu", contact_email="dl@example.vn",
        accrual_periodicity="ANNUAL", access_class="open")


def test_each_upload_is_a_new_version_and_old_ones_stay(world, file_dataset):
    steward = world.actor("steward")
    first = files.publish_version(steward, file_dataset, "bang 1.csv",
                                  "tỉnh,giá trị\nHà Nội,1\n".encode())
    DatasetVersion.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30))
    second = files.publish_version(steward, file_dataset, "bang 1.csv",
                                   "tỉnh,giá trị\nHà Nội,1\nĐồng Nai,2\n".encode("utf-8-sig"))
    assert (first.number, second.number, second.rows) == (1, 2, 2)
    assert first.file_name == "bang_1.csv"
    client = world.client("anonymous")
    base = f"/datasets/{file_dataset.identifier}/download.csv"
    newest = client.get(base)
    assert newest["X-Dataset-Version"] == "2"
    assert b"".join(newest.streaming_content).decode("utf-8-sig").count("\n") == 3
    assert client.get(f"{base}?version=1")["X-Dataset-Version"] == "1"
    then = (timezone.now() - datetime.timedelta(days=10)).date()
    assert client.get(f"{base}?as_of={then}")["X-Dataset-Version"] == "1"
    assert client.get(f"{base}?version=9").status_code == 404
    page = client.get(f"/datasets/{file_dataset.identifier}/")
    assert "Đồng Nai".encode() in page.content  # the preview shows the newest version
    with pytest.raises(ValueError):
        first.note = "rewritten"
        first.save()


@pytest.mark.parametrize("name, content, error", [
    ("virus.exe", b"MZ", InvalidInput),
    ("empty.csv", b"", InvalidInput),
    ("windows.csv", b"t\xecnh\nH\xe0 N\xf4i\n", InvalidInput),  # a legacy 8-bit code page
    ("bad.csv", b'a,b\n"unterminated\n', InvalidInput),
])
def test_bad_files_are_refused_and_nothing_is_stored(world, file_dataset, name, content, error):
    with pytest.raises(error):
        files.publish_version(world.actor("steward"), file_dataset, name, content)
    assert not file_dataset.versions.exists()


def test_a_file_too_large_is_refused(world, file_dataset, settings):
    settings.ENVHUB_MAX_DATASET_FILE_BYTES = 10
    with pytest.raises(TooLarge):
        files.publish_version(world.actor("steward"), file_dataset, "a.csv", b"a,b\n1,2\n3,4\n")


def test_only_stewards_publish(world, file_dataset):
    for persona in ("officer", "operator", "survey", "leader"):
        with pytest.raises(EnvhubError):
            files.publish_version(world.actor(persona), file_dataset, "a.csv", b"a\n1\n")


def test_a_steward_publishes_through_the_admin(world, file_dataset):
    from tests.accounts.test_admin_personas import change_url, post_data, read_form

    client = world.client("steward")
    page = client.get(change_url(file_dataset))
    data = post_data(read_form(page, "dataset_form"))
    data["upload"] = SimpleUploadedFile("so lieu.csv", "a,b\n1,2\n".encode(), "text/csv")
    data["upload_note"] = "Số liệu năm 2025"
    response = client.post(change_url(file_dataset), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = file_dataset.versions.get()
    assert (version.number, version.note, version.rows) == (1, "Số liệu năm 2025", 1)
    refused = post_data(read_form(client.get(change_url(file_dataset)), "dataset_form"))
    refused["upload"] = SimpleUploadedFile("x.exe", b"MZ")
    response = client.post(change_url(file_dataset), refused)
    assert response.status_code == 200  # the form shows the error
    assert file_dataset.versions.count() == 1


def test_sync_never_withdraws_a_file_dataset(world, file_dataset):
    services.sync()
    file_dataset.refresh_from_db()
    assert not file_dataset.withdrawn
