"""Range requests on library downloads: one range of bytes answered 206 with its
Content-Range, a range past the end 416, `Accept-Ranges: bytes` on every download, If-Range
with the file's ETag — for every role exactly where the whole download is allowed (404
elsewhere), streamed, and every ranged GET of a non-public file audited with its range."""

from __future__ import annotations

import pytest

from envhub.core import audit
from tests.library import test_download
from tests.library.test_download import READS

pytestmark = pytest.mark.django_db

stocked = test_download.stocked  # TL-1 public, TL-2 internal, TL-3 restricted; two versions


def _url(file) -> str:
    return f"/library/files/{file.pk}/download/"


def _bytes(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def _whole(client, file) -> bytes:
    return _bytes(client.get(_url(file)))


def _range_events():
    return list(audit.events().filter(action="library.file.download").order_by("id"))


@pytest.mark.parametrize("persona", list(READS))
def test_each_role_gets_ranges_exactly_where_it_may_download(world, stocked, persona):
    client = world.client(persona)
    admin = world.client("admin")
    for identifier, files in stocked.items():
        for file in files:
            response = client.get(_url(file), HTTP_RANGE="bytes=10-19")
            if identifier not in READS[persona]:
                assert response.status_code == 404
                continue
            whole = _whole(admin, file)
            assert response.status_code == 206
            assert _bytes(response) == whole[10:20]
            assert response["Content-Range"] == f"bytes 10-19/{file.size}"
            assert response["Content-Length"] == "10"
            assert response["Accept-Ranges"] == "bytes"
            assert response["ETag"] == f'"{file.sha256}"'
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["X-Content-Type-Options"] == "nosniff"
            if identifier != "TL-1":
                assert response["Cache-Control"] == "private, no-store"


def test_suffixes_open_ends_and_whole_files(world, stocked):
    client = world.client("anonymous")
    file = stocked["TL-1"][1]
    whole = _whole(client, file)
    full = client.get(_url(file))
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    assert full["Content-Length"] == str(file.size) and "Content-Range" not in full
    cases = {"bytes=-7": whole[-7:], f"bytes={file.size - 5}-": whole[-5:],
             "bytes=0-0": whole[:1], f"bytes=3-{file.size * 2}": whole[3:]}
    for header, expected in cases.items():
        response = client.get(_url(file), HTTP_RANGE=header)
        assert response.status_code == 206, header
        assert _bytes(response) == expected, header
        assert response["Content-Length"] == str(len(expected))
    # Several ranges, another unit, a malformed one: the whole file.
    for header in ("bytes=0-9,20-29", "items=0-9", "bytes=9-5", "bytes=x"):
        response = client.get(_url(file), HTTP_RANGE=header)
        assert response.status_code == 200, header
        assert _bytes(response) == whole


def test_a_range_past_the_end_is_416_and_no_download(world, stocked):
    client = world.client("admin")
    file = stocked["TL-3"][0]
    for header in (f"bytes={file.size}-", "bytes=-0", f"bytes={file.size + 10}-{file.size + 20}"):
        response = client.get(_url(file), HTTP_RANGE=header)
        assert response.status_code == 416, header
        assert response["Content-Range"] == f"bytes */{file.size}"
        assert response.content.decode() == "Đoạn dữ liệu yêu cầu nằm ngoài tệp."
    assert _range_events() == []
    hidden = world.client("operator").get(_url(file), HTTP_RANGE=f"bytes={file.size}-")
    assert hidden.status_code == 404  # the access rule before the range


def test_if_range_sends_the_range_only_for_the_same_file(world, stocked):
    client = world.client("anonymous")
    file = stocked["TL-1"][0]
    same = client.get(_url(file), HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE=f'"{file.sha256}"')
    assert same.status_code == 206 and _bytes(same) == b"%PDF"
    for other in ('"' + "0" * 64 + '"', f'W/"{file.sha256}"', "Mon, 07 Dec 2026 08:00:00 GMT"):
        response = client.get(_url(file), HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE=other)
        assert response.status_code == 200, other
        assert len(_bytes(response)) == file.size


def test_every_ranged_get_of_a_non_public_file_is_audited_with_its_range(world, stocked):
    client = world.client("officer")
    restricted = stocked["TL-3"][1]
    client.get(_url(restricted), HTTP_RANGE="bytes=0-99")
    client.get(_url(restricted), HTTP_RANGE="bytes=100-")
    client.head(_url(restricted), HTTP_RANGE="bytes=0-99")  # no bytes: no download
    client.get(_url(stocked["TL-1"][1]), HTTP_RANGE="bytes=0-99")  # public: no trace
    events = _range_events()
    assert [(e.changes["file"], e.changes["range"]) for e in events] == [
        (restricted.pk, f"bytes 0-99/{restricted.size}"),
        (restricted.pk, f"bytes 100-{restricted.size - 1}/{restricted.size}")]
    assert all(e.user == world.users["officer"] for e in events)


def test_a_head_says_ranges_are_accepted_and_sends_nothing(world, stocked):
    file = stocked["TL-2"][1]
    head = world.client("leader").head(_url(file))
    assert head.status_code == 200 and head["Accept-Ranges"] == "bytes"
    assert head["Content-Length"] == str(file.size) and head["ETag"] == f'"{file.sha256}"'
    assert b"".join(head.streaming_content) == b""
