"""The survey unit's pages, for each role: its assignments, the template, uploading a file,
the submission with its check's progress and report, the annotated copy, sending for review.
A unit sees only its own (another unit's are 404); a steward cannot upload or send for it."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from envhub.surveys import checking
from envhub.surveys.models import State, Submission, Upload
from tests.surveys.unitdata import wells

pytestmark = pytest.mark.django_db

ROLES = ("admin", "steward", "leader", "officer", "operator", "survey", "survey2")


def post_file(client, assignment, data: bytes, name: str = "gieng.csv"):
    return client.post(f"/surveys/assignments/{assignment.pk}/upload/",
                       {"file": SimpleUploadedFile(name, data)})


def uploaded(world, campaign, data: bytes, name: str = "gieng.csv") -> Upload:
    response = post_file(world.client("survey"), campaign.generic, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Upload.objects.order_by("-id").first()


def checked(upload: Upload) -> Upload:
    assert checking.run() >= 1
    upload.refresh_from_db()
    return upload


def test_it_lists_the_units_assignments_by_campaign(world, campaign):
    page = world.client("survey").get("/surveys/").content.decode()
    assert "Điều tra, quan trắc năm 2026" in page
    for assignment in (campaign.periodic, campaign.inventory, campaign.generic):
        assert f"/surveys/assignments/{assignment.pk}/template.xlsx" in page
    assert f"/surveys/assignments/{campaign.other_periodic.pk}/" not in page
    assert "Chưa tải lên" in page and "quá hạn" in page  # 30/11/2026 has passed


@pytest.mark.parametrize("persona", ROLES)
def test_every_role_opens_the_survey_home(world, campaign, persona):
    response = world.client(persona).get("/surveys/")
    assert response.status_code == 200
    page = response.content.decode()
    if persona in ("steward", "leader", "admin"):
        assert "Chờ duyệt" in page and "Điều tra, quan trắc năm 2026" in page
    elif persona in ("officer", "operator"):
        assert "Bạn không có việc điều tra nào" in page
    else:
        mine = campaign.generic if persona == "survey" else campaign.other_periodic
        assert f"/surveys/assignments/{mine.pk}/" in page


def test_anonymous_is_sent_to_sign_in(world, campaign):
    client = world.client("anonymous")
    for path in ("/surveys/", f"/surveys/assignments/{campaign.generic.pk}/",
                 f"/surveys/assignments/{campaign.generic.pk}/template.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = post_file(client, campaign.generic, wells(world, "1"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Upload.objects.exists()


@pytest.mark.parametrize("persona,status", [
    ("survey", 200), ("steward", 200), ("leader", 200), ("admin", 200), ("survey2", 404),
    ("officer", 404), ("operator", 404)])
def test_an_assignment_page_is_seen_by_its_unit_and_the_data_centre(world, campaign, persona,
                                                                     status):
    response = world.client(persona).get(f"/surveys/assignments/{campaign.generic.pk}/")
    assert response.status_code == status
    if status == 200:
        upload_form = 'name="file"' in response.content.decode()
        assert upload_form == (persona == "survey")


def test_the_template_downloads_with_a_vietnamese_name(world, campaign):
    response = world.client("survey").get(
        f"/surveys/assignments/{campaign.periodic.pk}/template.xlsx")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert 'filename="bieu-mau-ket-qua-quan-trac-dinh-ky-2026.xlsx"' in disposition
    assert "filename*=UTF-8''Bi%E1%BB%83u%20m%E1%BA%ABu%20-%20K%E1%BA%BFt%20qu%E1%BA%A3" \
        in disposition
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[0] == "Dữ liệu"
    assert world.client("survey2").get(
        f"/surveys/assignments/{campaign.periodic.pk}/template.xlsx").status_code == 404


def test_a_clean_file_is_checked_with_progress_then_sent(world, campaign):
    upload = uploaded(world, campaign, wells(world, "12,5", "14"))
    client = world.client("survey")
    page = client.get(f"/surveys/submissions/{upload.submission_id}/").content.decode()
    assert "Đang chờ kiểm tra" in page and f"/surveys/uploads/{upload.pk}/progress.json" in page
    assert "survey-progress.js" in page and 'id="submit-button" disabled' in page
    progress = client.get(f"/surveys/uploads/{upload.pk}/progress.json").json()
    assert (progress["check_state"], progress["finished"]) == ("queued", False)
    checked(upload)
    progress = client.get(f"/surveys/uploads/{upload.pk}/progress.json").json()
    assert progress["finished"] and progress["clean"] and progress["rows"] == 2
    assert progress["rows_checked"] == 2 and progress["percent"] == 100
    page = client.get(f"/surveys/submissions/{upload.submission_id}/").content.decode()
    assert "Không có lỗi" in page and 'id="submit-button" disabled' not in page
    response = client.post(f"/surveys/submissions/{upload.submission_id}/submit/",
                           {"comment": "Gửi lần đầu"})
    assert response.status_code == 302
    submission = Submission.objects.get(pk=upload.submission_id)
    assert submission.state == State.SUBMITTED
    page = client.get(f"/surveys/submissions/{submission.pk}/").content.decode()
    assert "Gửi lần đầu" in page and "Cán bộ quản lý dữ liệu" in page
    # Under review, no other file is taken, and nothing is stored.
    response = post_file(client, campaign.generic, wells(world, "15"), "b.csv")
    assert response.status_code == 400 and "đang được duyệt" in response.content.decode()
    assert Upload.objects.count() == 1


def test_a_file_with_errors_shows_its_report_and_cannot_be_sent(world, campaign):
    upload = checked(uploaded(world, campaign, wells(world, "12", "sâu", "13")))
    client = world.client("survey")
    page = client.get(f"/surveys/submissions/{upload.submission_id}/").content.decode()
    assert "Cần một số (được dùng dấu phẩy thập phân, ví dụ 12,5)." in page
    assert '<td class="mono">G3</td>' in page and "sâu" in page
    assert 'id="submit-button" disabled' in page
    assert f"/surveys/uploads/{upload.pk}/annotated.xlsx" in page
    response = client.post(f"/surveys/submissions/{upload.submission_id}/submit/")
    assert response.status_code == 302
    assert Submission.objects.get(pk=upload.submission_id).state == State.DRAFT
    page = client.get(response["Location"]).content.decode()
    assert "Không thể gửi duyệt tệp còn lỗi" in page
    annotated = client.get(f"/surveys/uploads/{upload.pk}/annotated.xlsx")
    assert annotated.status_code == 200
    assert 'filename="gieng-da-kiem-tra.xlsx"' in annotated["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(annotated.streaming_content)))
    cell = workbook.worksheets[0]["G3"]
    assert cell.value == "sâu" and cell.fill.start_color.rgb.endswith("FFC7CE")
    assert "Cần một số" in cell.comment.text
    assert workbook.worksheets[0]["G2"].fill.fill_type is None
    original = client.get(f"/surveys/uploads/{upload.pk}/file")
    assert b"".join(original.streaming_content) == wells(world, "12", "sâu", "13")


def test_a_corrected_file_replaces_the_current_one(world, campaign):
    first = checked(uploaded(world, campaign, wells(world, "sâu")))
    second = checked(uploaded(world, campaign, wells(world, "12")))
    assert second.submission_id == first.submission_id and second.number == 2
    page = world.client("survey").get(f"/surveys/submissions/{second.submission_id}/")
    text = page.content.decode()
    assert "Không có lỗi" in text and 'aria-current="true"' in text


@pytest.mark.parametrize("name,data,message", [
    ("gieng.pdf", b"%PDF-1.7", "Hãy tải bảng lên dưới dạng tệp XLSX hoặc CSV"),
    ("gieng.csv", b"", "Tệp trống."),
])
def test_a_file_refused_before_storing_stores_nothing(world, campaign, name, data, message):
    response = post_file(world.client("survey"), campaign.generic, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Upload.objects.exists() and not Submission.objects.exists()


def test_a_file_over_the_limit_is_refused_and_not_stored(world, campaign, settings):
    settings.ENVHUB_MAX_DATASET_FILE_BYTES = 1000
    # Bytes never sent before (the storage outlives a test), to see that none are stored.
    data = wells(world, *["12"] * 100) + f"{uuid.uuid4()}\r\n".encode()
    response = post_file(world.client("survey"), campaign.generic, data)
    assert response.status_code == 413
    assert "nhiều hơn mức" in response.content.decode() and "không có gì được lưu" in \
        response.content.decode()
    assert not Upload.objects.exists()
    assert not default_storage.exists(
        f"surveys/{hashlib.sha256(data).hexdigest()[:2]}/{hashlib.sha256(data).hexdigest()}.csv")
    # A body over what the form takes is refused from its length, before it is read.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post_file(world.client("survey"), campaign.generic, data)
    assert response.status_code == 413 and "không có gì được lưu" in response.content.decode()
    assert not Upload.objects.exists()


@pytest.mark.parametrize("kind", ["not_spreadsheet", "encrypted", "zip_bomb"])
def test_a_file_the_checker_refuses_is_kept_with_its_report(world, campaign, kind):
    from tests.surveys import unitdata

    data = {"not_spreadsheet": unitdata.NOT_A_SPREADSHEET, "encrypted": unitdata.ENCRYPTED,
            "zip_bomb": unitdata.zip_bomb()}[kind]
    upload = checked(uploaded(world, campaign, data, "gieng.xlsx"))
    assert upload.report["refused"]["code"] == kind and not upload.is_clean
    client = world.client("survey")
    page = client.get(f"/surveys/submissions/{upload.submission_id}/").content.decode()
    assert "Tệp bị từ chối:" in page and upload.report["refused"]["message"] in page
    assert "annotated.xlsx" not in page
    # The files' table says refused, not "checked" with 0 rows.
    uploads = page[page.index('id="uploads"'):]
    row = uploads[uploads.index("<tbody>"):uploads.index("</tbody>")]
    assert "Bị từ chối" in row and "Đã kiểm tra" not in row and "—" in row
    assert client.get(f"/surveys/uploads/{upload.pk}/annotated.xlsx").status_code == 404


def test_only_the_unit_uploads_and_sends_and_others_see_nothing(world, campaign):
    upload = checked(uploaded(world, campaign, wells(world, "12")))
    submission = f"/surveys/submissions/{upload.submission_id}/"
    files = [f"/surveys/uploads/{upload.pk}/{name}"
             for name in ("file", "progress.json", "annotated.xlsx")]
    for persona in ("survey2", "officer", "operator"):
        client = world.client(persona)
        assert client.get(submission).status_code == 404
        assert all(client.get(path).status_code == 404 for path in files)
        assert client.post(submission + "submit/").status_code == 404
    for persona in ("steward", "leader", "admin"):
        client = world.client(persona)
        page = client.get(submission).content.decode()
        assert 'id="submit-button"' not in page and 'name="file"' not in page
        assert all(client.get(path).status_code == 200 for path in files)
    steward = world.client("steward")
    assert steward.post(submission + "submit/").status_code == 403
    assert post_file(steward, campaign.generic, wells(world, "9")).status_code == 403
    assert Submission.objects.get(pk=upload.submission_id).state == State.DRAFT
    assert Upload.objects.count() == 1
    anonymous = world.client("anonymous")
    assert anonymous.get(files[1]).status_code == 302


def test_the_home_page_shows_the_units_work_and_the_menu_its_link(world, campaign):
    page = world.client("survey").get("/").content.decode()
    assert 'id="survey-panel-title"' in page and "/surveys/" in page
    assert "Kết quả quan trắc định kỳ" in page
    steward = world.client("steward").get("/").content.decode()
    assert "bản nộp điều tra chờ duyệt" in steward
    officer = world.client("officer").get("/").content.decode()
    assert 'id="survey-panel-title"' not in officer and 'href="/surveys/"' not in officer
    assert 'href="/surveys/"' in world.client("leader").get("/").content.decode()
    assert 'id="survey-panel-title"' not in world.client("anonymous").get("/").content.decode()


def test_a_check_under_way_shows_how_far_it_is(world, campaign):
    upload = uploaded(world, campaign, wells(world, "12"))
    Upload.objects.filter(pk=upload.pk).update(check_state="running", rows_checked=1500,
                                               rows_expected=3000)
    client = world.client("survey")
    page = client.get(f"/surveys/submissions/{upload.submission_id}/").content.decode()
    assert "Đang kiểm tra" in page and "đã kiểm tra 1.500 / ~3.000 dòng" in page
    assert 'value="50"' in page and 'id="check-refresh"' in page
    progress = client.get(f"/surveys/uploads/{upload.pk}/progress.json").json()
    assert (progress["percent"], progress["finished"], progress["rows_checked"]) == (50, False,
                                                                                   1500)
