"""A post's images and files on the library's S3-compatible store (moto's server, on a port of
this worktree's range): stored under news/ beside the documents, served back as they were
kept, nothing left in the bucket by a refused upload or a removed image."""

from __future__ import annotations

import pytest
from django.core.files.storage import storages

from envhub.core import store_url
from envhub.core.errors import InvalidInput
from envhub.news import media, workflow
from tests.moto_s3 import moto_server, worker_port
from tests.news import media_files as files
from tests.news.conftest import attach

pytestmark = pytest.mark.django_db

PORT = worker_port(8150)
ENDPOINT = f"http://127.0.0.1:{PORT}"
BUCKET = "envhub-tin-tuc"
KEYS = {"aws_access_key_id": "envhub", "aws_secret_access_key": "bi-mat-tin-tuc"}


@pytest.fixture(scope="module")
def s3_server():
    with moto_server(PORT, KEYS) as client:
        yield client


@pytest.fixture
def bucket(s3_server, settings):
    s3_server.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "library": store_url.parse(
        f"s3://envhub:bi-mat-tin-tuc@{BUCKET}/kho?endpoint={ENDPOINT}&region=us-east-1",
        settings.BASE_DIR)}
    storages._storages.pop("library", None)
    yield s3_server
    storages._storages.pop("library", None)
    for item in s3_server.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3_server.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3_server.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET)
                  .get("Contents", []))


def test_an_image_goes_to_the_bucket_and_comes_back(world, bucket,
                                                    django_capture_on_commit_callbacks):
    editor = world.actor("editor")
    post = workflow.create(editor, {"title": "Ảnh trên kho S3", "category": "water",
                                    "body": "Chữ"})
    image = attach(world, post, files.jpeg_with_gps(1200, 800), "Ảnh sông.jpg")
    keys = _keys(bucket)
    assert len(keys) == 2 and all(key.startswith("kho/news/") for key in keys)
    kept = bucket.get_object(Bucket=BUCKET, Key=f"kho/{image.storage_name}")["Body"].read()
    assert b"ENVHUB-SECRET" not in kept and len(kept) == image.size
    response = world.client("editor").get(f"/news/media/{image.pk}/{image.key}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == kept
    with pytest.raises(InvalidInput):
        attach(world, post, files.SVG, "logo.svg")
    assert _keys(bucket) == keys
    with django_capture_on_commit_callbacks(execute=True):
        media.remove(editor, image)
    assert _keys(bucket) == []


def test_a_file_is_kept_as_sent(world, bucket):
    post = workflow.create(world.actor("editor"), {"title": "Tệp trên kho S3",
                                                   "category": "water", "body": "Chữ"})
    data = files.pdf()
    kept = attach(world, post, data, "Báo cáo.pdf", kind="file")
    assert bucket.get_object(Bucket=BUCKET, Key=f"kho/{kept.storage_name}")["Body"].read() \
        == data
    assert len(data) == kept.size
