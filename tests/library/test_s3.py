"""The library on an S3-compatible object store: a real S3 server (moto's, started here on a
port of its own) behind ENVHUB_LIBRARY_STORAGE_URL. Files go up in parts and come back as a
stream, memory holding a few parts and chunks, never the file; refused files leave nothing in
the bucket; `envhub check` says whether the store answers."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import tracemalloc

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from envhub.core import store_url
from envhub.core.errors import InvalidInput, TooLarge
from envhub.library import health, intake, storage, sweep
from envhub.library.models import Document
from tests.library.sample_files import pdf
from tests.moto_s3 import moto_server, worker_port
from tests.said import Said

pytestmark = pytest.mark.django_db

# One port per pytest-xdist worker (gw0, gw1…): two workers never share a server.
PORT = worker_port(8121)
ENDPOINT = f"http://127.0.0.1:{PORT}"
UNREACHABLE = "http://127.0.0.1:8120"  # nothing listens there
BUCKET = "envhub-thu-vien"
KEYS = {"aws_access_key_id": "envhub", "aws_secret_access_key": "bi-mat-thu-vien"}


@pytest.fixture(scope="module")
def s3_server():
    with moto_server(PORT, KEYS) as client:
        yield client


def _use(settings, url: str) -> None:
    settings.STORAGES = {**settings.STORAGES, "library": store_url.parse(url, settings.BASE_DIR)}
    storages._storages.pop("library", None)


@pytest.fixture
def bucket(s3_server, settings):
    s3_server.create_bucket(Bucket=BUCKET)
    _use(settings, f"s3://envhub:bi-mat-thu-vien@{BUCKET}/tai-lieu?endpoint={ENDPOINT}"
                   "&region=us-east-1&part_mb=5")
    yield s3_server
    storages._storages.pop("library", None)
    for item in s3_server.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3_server.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3_server.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def _big_pdf(megabytes: int) -> bytes:
    """A real PDF of about `megabytes` MB: a page and an attached file of random bytes."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("so-lieu.bin", os.urandom(megabytes << 20))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class Unseekable(io.RawIOBase):
    """A stream read once, as a socket or a pipe: the intake must copy it to disk itself."""

    def __init__(self, data: bytes):
        self.data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self.data.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)


def _upload_and_read_back(world, shelf, identifier: str, content: bytes):
    """(the file, its bytes' digest as streamed back, the chunks streamed, the memory peaks
    of the upload and of the download)."""
    document = Document(collection=shelf.collection, identifier=identifier, title="Báo cáo lớn")
    stream = io.BufferedReader(Unseekable(content), 1 << 20)
    tracemalloc.start()
    try:
        intake.add_document(world.actor("librarian"), document,
                            [intake.Incoming("Báo cáo hiện trạng.pdf", stream)])
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        file = document.files.get()
        response = storage.stream(file)
        digest, pieces = hashlib.sha256(), 0
        for piece in response.streaming_content:
            digest.update(piece)
            pieces += 1
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return file, response, digest.hexdigest(), pieces, upload_peak, download_peak


def test_a_big_file_goes_up_in_parts_and_comes_back_as_a_stream(world, shelf, bucket):
    big = _big_pdf(40)
    storage.library_storage().exists("khoi-dong")  # boto3 loads its models once, not per file
    file, response, digest, pieces, upload_peak, download_peak = _upload_and_read_back(
        world, shelf, "TL-S3-2", big)
    print(f"upload peak {upload_peak / 1e6:.1f} MB, download peak {download_peak / 1e6:.1f} MB "
          f"({len(big) / 1e6:.1f} MB file)")

    assert file.sha256 == hashlib.sha256(big).hexdigest() == digest
    assert file.size == len(big) and pieces >= 40
    assert response["Content-Length"] == str(len(big))
    assert "filename*=utf-8''B%C3%A1o" in response["Content-Disposition"]
    head = bucket.head_object(Bucket=BUCKET, Key=f"tai-lieu/{file.storage_name}")
    assert head["ContentLength"] == len(big)
    assert head["ETag"].strip('"').endswith("-9")  # 40 MB and more in parts of 5 MB
    # Memory held a few parts on the way up (two sent, two read ahead) and a chunk or two on
    # the way down: never the file.
    assert upload_peak < 5 * (5 << 20) < len(big), upload_peak
    assert download_peak < 4 << 20, download_peak


def test_a_refused_file_leaves_nothing_in_the_bucket(world, shelf, bucket, settings):
    actor = world.actor("librarian")

    def add(name, stream):
        intake.add_document(actor, Document(collection=shelf.collection, identifier="TL-X",
                                            title="Tài liệu"), [intake.Incoming(name, stream)])

    with pytest.raises(InvalidInput):
        add("mat.pdf", io.BytesIO(pdf(1, password="khoa")))
    settings.ENVHUB_LIBRARY_MAX_FILE_BYTES = 100_000
    with pytest.raises(TooLarge):
        add("lon.pdf", io.BufferedReader(Unseekable(_big_pdf(1))))
    assert _keys(bucket) == [] and not Document.objects.filter(identifier="TL-X").exists()


def test_a_range_is_asked_of_the_store_and_streamed(world, shelf, bucket):
    """A ranged download reads only its bytes from the store: the GET carries the Range."""
    big = _big_pdf(12)
    shelf.public.save()
    intake.add_version(world.actor("librarian"), shelf.public,
                       intake.Incoming("Bản đồ.pdf", io.BufferedReader(Unseekable(big))))
    file = shelf.public.files.get()
    asked = []
    client = storage.library_storage().connection.meta.client
    def seen(request, **kwargs):
        value = request.headers.get("Range")
        asked.append(value.decode() if isinstance(value, bytes) else value)

    client.meta.events.register("before-send.s3.GetObject", seen)
    url = f"/library/files/{file.pk}/download/"
    start = (7 << 20) + 3  # inside the second part of 5 MB
    response = world.client("anonymous").get(url, HTTP_RANGE=f"bytes={start}-{start + 99_999}")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == big[start:start + 100_000]
    assert response["Content-Range"] == f"bytes {start}-{start + 99_999}/{len(big)}"
    assert asked == [f"bytes={start}-{start + 99_999}"]
    tail = world.client("officer").get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == big[-10:]
    whole = world.client("anonymous").get(url)
    assert hashlib.sha256(b"".join(whole.streaming_content)).hexdigest() == file.sha256
    assert asked[-1] is None  # the whole file: a plain GET
    past = world.client("anonymous").get(url, HTTP_RANGE=f"bytes={len(big)}-")
    assert past.status_code == 416 and past["Content-Range"] == f"bytes */{len(big)}"


def test_the_sweep_lists_orphan_objects_from_the_bucket(world, shelf, bucket, tmp_path,
                                                        monkeypatch):
    monkeypatch.setattr(storage, "upload_folder", lambda: tmp_path)
    intake.add_version(world.actor("librarian"), shelf.public,
                       intake.Incoming("bao-cao.pdf", io.BytesIO(pdf(1))))
    kept = shelf.public.files.get()
    for key in ("tai-lieu/documents/2026/11/mo-coi", "tai-lieu/khac/ghi-chu.txt"):
        bucket.put_object(Bucket=BUCKET, Key=key, Body=b"z" * 10)
    later = timezone.now() + datetime.timedelta(days=2)  # the objects' times are the server's
    found = list(sweep.orphans(now=later))
    assert [(o.where, o.name, o.size) for o in found] == [
        ("storage", "documents/2026/11/mo-coi", 10)]
    assert list(sweep.orphans()) == []  # within the grace period
    assert sweep.delete(world.actor("admin"), found) == (1, 10)
    assert sorted(_keys(bucket)) == sorted([f"tai-lieu/{kept.storage_name}",
                                            "tai-lieu/khac/ghi-chu.txt"])


def test_a_missing_object_is_said_before_the_response_starts(bucket):
    with pytest.raises(FileNotFoundError):
        storage.chunks("documents/2026/12/khong-co")


def test_envhub_check_says_whether_the_store_answers(bucket, settings, monkeypatch):
    said = Said()
    health.library_storage(said)
    assert said == [("ok", f"library storage answers (S3 bucket {BUCKET}/tai-lieu at "
                           f"{ENDPOINT})")]

    _use(settings, f"s3://envhub:x@khong-co-bucket?endpoint={ENDPOINT}")
    said = Said()
    health.library_storage(said)
    assert said == [("error", f"library storage (S3 bucket khong-co-bucket at {ENDPOINT}): "
                              "the bucket does not exist; create it, or correct "
                              "ENVHUB_LIBRARY_STORAGE_URL.")]

    # No keys anywhere boto3 looks: the URL, the environment, files, the machine.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    _use(settings, f"s3://{BUCKET}?endpoint={ENDPOINT}")
    said = Said()
    health.library_storage(said)
    assert said[0][0] == "error" and "no keys" in said[0][1], said

    _use(settings, f"s3://envhub:x@{BUCKET}?endpoint={UNREACHABLE}")
    said = Said()
    health.library_storage(said)
    assert said[0][0] == "error" and "cannot reach the store" in said[0][1], said
