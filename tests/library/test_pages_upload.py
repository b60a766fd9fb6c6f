"""The keepers' upload page and the new-version form: several files become versions, the
metadata are checked by metadata.check with each problem beside its field in Vietnamese, a bad
or too large file is refused beside the files, and a refused upload stores nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from envhub.core import audit
from envhub.library.models import Document, DocumentFile
from tests.library.sample_files import one_page_pdf

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def _stored(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _pdf(name: str, text: str = "Bao cao") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, one_page_pdf(text), content_type="application/pdf")


def _metadata(**values) -> dict:
    data = {"collection": "bao-cao", "title": "Báo cáo quan trắc môi trường nước 2024",
            "identifier": "BC-2024-01", "type": "monitoring_report", "access_level": "internal",
            "issued_on": "20/12/2024", "issuing_body": "Cục Môi trường", "language": "vi",
            "subjects": "nước mặt; quan trắc", "provinces": ["01"]}
    data.update(values)
    return data


def test_a_librarian_adds_a_document_with_two_files(world, shelf, library_folder):
    client = world.client("librarian")
    assert client.get("/library/upload/?collection=bao-cao").context["form"][
        "collection"].value() == "bao-cao"
    response = client.post("/library/upload/", {
        **_metadata(), "files": [_pdf("Báo cáo.pdf", "v1"), _pdf("Báo cáo (sửa).pdf", "v2")]})
    assert response.status_code == 302
    assert response["Location"] == "/library/documents/BC-2024-01/"
    document = Document.objects.get(identifier="BC-2024-01")
    assert document.issuing_body == "Cục Môi trường" and document.year == 2024
    assert list(document.provinces.values_list("code", flat=True)) == ["01"]
    assert list(document.files.order_by("version").values_list("version", "name")) == [
        (1, "Báo cáo.pdf"), (2, "Báo cáo (sửa).pdf")]
    assert len(_stored(library_folder)) == 2
    actions = list(audit.events().filter(object_type="library.document",
                                         object_id=str(document.pk)).values_list(
        "action", flat=True))
    assert sorted(actions) == ["library.document.add", "library.file.add", "library.file.add"]
    page = client.get(response["Location"])
    assert "Đã thêm tài liệu vào thư viện" in page.content.decode()


def test_the_page_script_gets_the_new_address_in_json(world, shelf, library_folder):
    response = world.client("steward").post("/library/upload/", {
        **_metadata(identifier=""), "files": [_pdf("a.pdf")]}, **XHR)
    assert response.status_code == 201
    answer = json.loads(response.content)
    document = Document.objects.get(identifier=answer["identifier"])
    assert answer["url"] == f"/library/documents/{document.identifier}/"
    assert document.identifier.startswith("TV-")


def test_bad_metadata_are_answered_beside_their_fields(world, shelf, library_folder):
    response = world.client("librarian").post("/library/upload/", {
        **_metadata(title="", issued_on="32/01/2024", identifier="TL-1", provinces=["99"],
                    collection="khong-co"), "files": [_pdf("a.pdf")]})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "issued_on", "identifier", "provinces", "collection"}
    assert errors["title"] == ["Tài liệu cần có tiêu đề."]
    assert "TL-1" in errors["identifier"][0]
    text = response.content.decode()
    assert 'id="field-issued_on"' in text and "Hãy sửa các lỗi dưới đây." in text
    assert 'value="Cục Môi trường"' in text
    assert not Document.objects.filter(title="").exists()
    assert _stored(library_folder) == [] and DocumentFile.objects.count() == 0


@pytest.mark.parametrize("files,problem", [
    ([], "Hãy đính kèm ít nhất một tệp."),
    ([SimpleUploadedFile("gia.pdf", b"<html>khong phai pdf</html>")], "gia.pdf"),
    ([SimpleUploadedFile("rong.pdf", b"")], "rong.pdf"),
    ([SimpleUploadedFile("chuong-trinh.exe", b"MZ...")], "chuong-trinh.exe"),
])
def test_a_bad_file_is_refused_beside_the_files_and_nothing_is_kept(world, shelf, files, problem,
                                                                    library_folder):
    response = world.client("librarian").post("/library/upload/",
                                               {**_metadata(), "files": files})
    assert response.status_code in (400, 413)
    errors = response.context["form"].errors
    assert list(errors) == ["files"] and problem in errors["files"][0]
    assert not Document.objects.filter(identifier="BC-2024-01").exists()
    assert _stored(library_folder) == [] and DocumentFile.objects.count() == 0


def test_a_file_over_the_limit_is_refused_with_its_size(world, shelf, settings,
                                                        library_folder):
    settings.ENVHUB_LIBRARY_MAX_FILE_BYTES = 300
    response = world.client("librarian").post("/library/upload/", {
        **_metadata(), "files": [_pdf("lon.pdf")]})
    assert response.status_code == 400
    message = response.context["form"].errors["files"][0]
    assert "lon.pdf" in message and "300 byte" in message and "không có gì được lưu" in message
    assert _stored(library_folder) == [] and not Document.objects.filter(
        identifier="BC-2024-01").exists()


def test_a_keeper_adds_a_version_and_a_bad_one_is_refused(world, shelf,
                                                          library_folder):
    client = world.client("librarian")
    url = "/library/documents/TL-2/versions/"
    response = client.post(url, {"file": _pdf("Bản mới.pdf")})
    assert response.status_code == 302 and response["Location"].endswith("#versions")
    answer = client.post(url, {"file": _pdf("Bản mới hơn.pdf", "v3")}, **XHR)
    assert answer.status_code == 201 and json.loads(answer.content)["version"] == 2
    assert list(shelf.internal.files.order_by("version").values_list("version", flat=True)) == [
        1, 2]
    refused = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"GIF89a")}, **XHR)
    assert refused.status_code == 400
    error = json.loads(refused.content)["error"]
    assert error["code"] == "invalid_input" and "x.pdf" in error["message"]
    missing = client.post(url, {}, **XHR)
    assert json.loads(missing.content)["error"]["message"] == "Hãy chọn tệp của phiên bản mới."
    plain = client.post(url, {"file": SimpleUploadedFile("y.pdf", b"")})
    assert plain.status_code == 302 and plain["Location"].endswith("#new-version")
    assert shelf.internal.files.count() == 2 and len(_stored(library_folder)) == 2
    assert client.get(url).status_code == 405
