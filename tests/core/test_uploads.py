"""Multipart uploads are bounded on every route: a body over the limit is refused from its
Content-Length before it is read, a file over the limit is only counted, and nothing is ever
written to a temporary file."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from envhub.monitoring.models import Batch
from tests.core.test_api_errors import assert_envelope

URL = "/api/v1/ingest/files"


def token(world) -> str:
    return accounts.create_token(system_actor(), name="logger", facility=world.facility_hn).plain


def temporary_uploads() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("*.upload*"))


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_refused_whole(world, settings):
    settings.ENVHUB_MAX_UPLOAD_BYTES = 10_000
    files = {f"f{i}": SimpleUploadedFile(f"x{i}.txt", b"x" * 4_000) for i in range(3)}
    response = Client().post(URL, data=files, HTTP_AUTHORIZATION=f"Bearer {token(world)}")
    error = assert_envelope(response, 413, "too_large")
    assert "10000" in error["message"]
    assert not Batch.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_file_limit_is_counted_not_kept(world, settings):
    settings.ENVHUB_MAX_FILE_BYTES = 1_000
    before = temporary_uploads()
    big = SimpleUploadedFile("HN_NDSH_HNKT1_20261120080000.txt", b"x" * 5_000_000)
    response = Client().post(URL, data={"a": big}, HTTP_AUTHORIZATION=f"Bearer {token(world)}")
    [report] = response.json()["results"]
    assert report["rejects"][0]["code"] == "too_large"
    assert "5000000" in report["rejects"][0]["message"]
    assert temporary_uploads() == before


@pytest.mark.django_db
def test_an_admin_upload_over_the_dataset_limit_is_refused_back_to_its_form(world, settings):
    from envhub.catalog.models import Dataset

    settings.ENVHUB_MAX_DATASET_FILE_BYTES = 1_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    client = world.client("admin")
    response = client.post("/admin/catalog/dataset/add/",
                           {"upload": SimpleUploadedFile("a.csv", b"a\n" * 5_000)})
    # Not a dead-end error page: the form again, saying why (nothing was received).
    assert response.status_code == 302
    assert response["Location"] == "/admin/catalog/dataset/add/"
    assert "vượt quá 2 KB" in client.get(response["Location"]).content.decode()
    assert not Dataset.objects.exists()


def _receive(connection: socket.socket) -> bytes:
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        answer += chunk
    return answer


@pytest.mark.django_db(transaction=True)
def test_a_huge_streamed_body_is_answered_413_before_it_is_sent(world, live_server):
    """A 50 MB multipart body with a facility's token: the answer comes after its first 64 KB,
    and no temporary file is made."""
    before = temporary_uploads()
    host, port = live_server.url.removeprefix("http://").split(":")
    declared = 50 * 1024 * 1024
    head = (f"POST {URL} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token(world)}\r\n"
            "Content-Type: multipart/form-data; boundary=B\r\n"
            f"Content-Length: {declared}\r\n\r\n").encode()
    part = b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n'
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head + part + b"x" * 65536)
        answer = _receive(connection)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"413"
    assert b'"too_large"' in rest
    assert temporary_uploads() == before
