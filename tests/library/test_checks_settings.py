"""ENVHUB_LIBRARY_STORAGE_URL and ENVHUB_LIBRARY_MAX_PAGES read strictly; the local storage's
downloads streamed with a safe Vietnamese file name; `envhub check` on a local folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from envhub.core import config, store_url
from envhub.library import health, intake, storage
from envhub.library.models import Document
from tests.library.sample_files import pdf
from tests.said import Said

VAR = Path("/srv/envhub/var")


def test_unset_is_the_folder_under_var():
    assert store_url.parse(None, VAR) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": "/srv/envhub/var/library"}}
    assert store_url.parse("file:///mnt/thu-vien", VAR)["OPTIONS"] == {
        "location": "/mnt/thu-vien"}


def test_an_s3_url_becomes_the_s3_storage():
    entry = store_url.parse("s3://AKIA%2F1:bi%40mat@envhub-thu-vien/tai-lieu/goc?endpoint="
                            "https://minio.local:9000&region=ap-southeast-1&part_mb=16", VAR)
    assert entry == {"BACKEND": "envhub.library.s3.LibraryS3Storage", "OPTIONS": {
        "bucket_name": "envhub-thu-vien", "location": "tai-lieu/goc",
        "addressing_style": "path", "endpoint_url": "https://minio.local:9000",
        "region_name": "ap-southeast-1", "part_bytes": 16 << 20, "access_key": "AKIA/1",
        "secret_key": "bi@mat"}}
    assert store_url.describe(entry) == ("S3 bucket envhub-thu-vien/tai-lieu/goc at "
                                         "https://minio.local:9000")
    # Without keys boto3 finds its own (environment, machine role); AWS without an endpoint.
    assert store_url.parse("s3://bucket-1", VAR)["OPTIONS"] == {
        "bucket_name": "bucket-1", "location": "", "addressing_style": "path",
        "part_bytes": 8 << 20}


@pytest.mark.parametrize("url,reason", [
    ("ftp://host/x", "expected s3://"),
    ("file://host/x", "file:///absolute/path"),
    ("file:relative", "file:///absolute/path"),
    ("s3://Thu_Vien", "is not a bucket name"),
    ("s3://ab", "is not a bucket name"),
    ("s3://a..b", "is not a bucket name"),
    ("s3://bucket:9000", "?endpoint="),
    ("s3://key@bucket", "both the access key and the secret key"),
    ("s3://bucket?endpont=http://x", "unknown option(s) endpont"),
    ("s3://bucket?region=a&region=b", "given twice"),
    ("s3://bucket?endpoint=minio:9000", "expected http(s)://host[:port]"),
    ("s3://bucket?endpoint=http://minio:port", "the port is not a number"),
    ("s3://bucket?endpoint=http://minio/path", "expected http(s)://host[:port]"),
    ("s3://bucket?addressing=dns", "expected path, virtual, auto"),
    ("s3://bucket?region=Việt Nam", "is not a region name"),
    ("s3://bucket?part_mb=4", "from 5 to 512"),
    ("s3://bucket?part_mb=lots", "from 5 to 512"),
    ("s3://bucket/a/../b", "empty, . or .. part"),
])
def test_a_bad_url_is_refused_with_its_reason(url, reason):
    with pytest.raises(ValueError, match=None) as refusal:
        store_url.parse(url, VAR)
    assert reason in str(refusal.value)


def test_config_reports_a_bad_url_and_page_limit(tmp_path):
    loaded = config.load({"ENVHUB_LIBRARY_STORAGE_URL": "s3://Sai", "SECRET_KEY": "k" * 60,
                          "ENVHUB_LIBRARY_MAX_PAGES": "0", "ENVHUB_VAR_DIR": str(tmp_path)},
                         tmp_path)
    assert any(problem.startswith("ENVHUB_LIBRARY_STORAGE_URL: 'Sai' is not a bucket name")
               for problem in loaded.problems), loaded.problems
    assert "ENVHUB_LIBRARY_MAX_PAGES=0: must be between 1 and 100000." in loaded.problems
    assert loaded.library_storage == store_url.local(tmp_path / "library")
    good = config.load({"ENVHUB_LIBRARY_STORAGE_URL": "s3://thu-vien?region=us-east-1",
                        "ENVHUB_LIBRARY_MAX_PAGES": "300", "SECRET_KEY": "k" * 60,
                        "ENVHUB_VAR_DIR": str(tmp_path)}, tmp_path)
    assert not [p for p in good.problems if "LIBRARY" in p]
    assert good.library_max_pages == 300
    assert good.library_storage["OPTIONS"]["bucket_name"] == "thu-vien"
    assert not [w for w in good.warnings if "LIBRARY" in w]  # both known settings


@pytest.mark.django_db
def test_a_download_streams_with_its_vietnamese_name(world, shelf, library_folder):
    content = pdf(2)
    document = intake.add_document(
        world.actor("librarian"), Document(collection=shelf.collection, identifier="TL-9",
                                           title="Báo cáo"),
        [intake.Incoming("Quyết định số 45/QĐ.pdf".replace("/", "-"), _io(content))])
    file = document.files.get()
    response = storage.stream(file, as_attachment=True)
    assert response.streaming and response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    assert response["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%2045-"
        "Q%C4%90.pdf")
    assert b"".join(response.streaming_content) == content
    inline = storage.stream(file, as_attachment=False)
    assert inline["Content-Disposition"].startswith("inline;")
    inline.close()


@pytest.mark.django_db
def test_a_missing_local_file_is_said_before_the_response(library_folder):
    with pytest.raises(FileNotFoundError):
        storage.chunks("documents/2026/12/khong-co")


def test_envhub_check_on_a_local_folder(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "library": store_url.local(tmp_path / "thu-vien")}
    said = Said()
    health.library_storage(said)
    assert said == [("ok", f"library storage answers (folder {tmp_path / 'thu-vien'})")]
    settings.STORAGES = {**settings.STORAGES,
                         "library": store_url.local(tmp_path / "khong-co" / "thu-vien")}
    said = Said()
    health.library_storage(said)
    assert said == [("error", f"library storage (folder {tmp_path / 'khong-co' / 'thu-vien'}):"
                              " the folder does not exist and cannot be made (its parent is "
                              "missing).")]


def _io(data: bytes):
    import io

    return io.BytesIO(data)
