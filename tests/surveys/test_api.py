"""`/api/v1/submissions`: a survey unit sends its table with its token, follows the check and
sends the clean file; every error in the envelope, in Vietnamese; another unit's is 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from envhub.surveys import checking
from envhub.surveys.models import State, Submission, Upload
from tests.surveys.unitdata import NOT_A_SPREADSHEET, wells

pytestmark = pytest.mark.django_db


def token_of(world, persona: str) -> dict:
    issued = accounts.create_token(system_actor(), name="survey api",
                                   user=world.users[persona])
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"}


def send(assignment_id, data: bytes, name: str = "gieng.csv", client=None, **headers):
    return (client or Client()).post(
        "/api/v1/submissions", {"assignment": assignment_id,
                                "file": SimpleUploadedFile(name, data)}, **headers)


def submit(url, **headers):
    return Client().post(url, {}, content_type="application/json", **headers)


def error_of(response) -> dict:
    body = response.json()
    assert body["ok"] is False
    return body["error"]


def test_it_takes_a_file_checks_it_and_sends_it(world, campaign):
    headers = token_of(world, "survey")
    response = send(campaign.generic.pk, wells(world, "12,5", "14"), **headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["upload"]["check_state"]) == ("draft", "queued")
    assert body["assignment"]["dataset_kind"] == "generic"
    assert body["links"]["report"] == f"/api/v1/submissions/{body['id']}/report"
    assert body["upload"]["links"]["progress"].endswith("/progress.json")
    report = Client().get(body["links"]["report"], **headers).json()
    assert report["progress"]["finished"] is False
    assert checking.run() == 1
    report = Client().get(body["links"]["report"], **headers).json()
    assert report["progress"]["finished"] and report["report"]["ok"]
    assert report["report"]["rows"] == 2 and report["upload"]["clean"]
    response = Client().post(body["links"]["submit"], {"comment": "Xin duyệt"},
                             content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    assert Submission.objects.get(pk=body["id"]).steps.get().comment == "Xin duyệt"
    listed = Client().get("/api/v1/submissions", **headers).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]] and listed["next"] is None


def test_a_file_with_errors_cannot_be_sent(world, campaign):
    headers = token_of(world, "survey")
    body = send(campaign.generic.pk, wells(world, "sâu"), **headers).json()
    response = submit(body["links"]["submit"], **headers)
    assert response.status_code == 400
    assert error_of(response)["details"] == {"file": ["not_checked"]}
    checking.run()
    report = Client().get(body["links"]["report"], **headers).json()["report"]
    assert report["error_count"] == 1 and report["errors"][0]["cell"] == "G2"
    assert report["errors"][0]["message"].startswith("Cần một số")
    error = error_of(submit(body["links"]["submit"], **headers))
    assert error["code"] == "invalid_input" and "Không thể gửi duyệt tệp còn lỗi" in \
        error["message"]


def test_a_refused_file_is_kept_with_its_report(world, campaign):
    headers = token_of(world, "survey")
    body = send(campaign.generic.pk, NOT_A_SPREADSHEET, "gieng.xlsx", **headers).json()
    checking.run()
    report = Client().get(body["links"]["report"], **headers).json()
    assert report["report"]["refused"]["code"] == "not_spreadsheet"
    assert report["progress"]["refused"].startswith("Tệp này không phải là bảng tính")


@pytest.mark.parametrize("name,data,status,code", [
    ("gieng.pdf", b"%PDF", 400, "invalid_input"),
    ("gieng.csv", b"", 400, "invalid_input"),
])
def test_a_file_refused_before_storing_stores_nothing(world, campaign, name, data, status,
                                                      code):
    response = send(campaign.generic.pk, data, name, **token_of(world, "survey"))
    assert response.status_code == status and error_of(response)["code"] == code
    assert not Upload.objects.exists()


def test_a_file_over_the_limit_is_413(world, campaign, settings):
    settings.ENVHUB_MAX_DATASET_FILE_BYTES = 1000
    headers = token_of(world, "survey")
    response = send(campaign.generic.pk, wells(world, *["12"] * 100), **headers)
    assert response.status_code == 413 and "không có gì được lưu" in error_of(response)["message"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # the body itself over the limit
    response = send(campaign.generic.pk, wells(world, *["12"] * 100), **headers)
    assert response.status_code == 413 and error_of(response)["code"] == "too_large"
    assert not Upload.objects.exists()


def test_the_dataset_file_limit_applies_to_survey_uploads_only(world, campaign, settings):
    # A 2 MB table passes here, where a monitoring file over 1 MB would not.
    settings.ENVHUB_MAX_FILE_BYTES = 1000
    response = send(campaign.generic.pk, wells(world, *["12"] * 100),
                    **token_of(world, "survey"))
    assert response.status_code == 201


def test_roles_and_scopes(world, campaign):
    mine = send(campaign.generic.pk, wells(world, "12"), **token_of(world, "survey")).json()
    checking.run()
    url = f"/api/v1/submissions/{mine['id']}"
    other = token_of(world, "survey2")
    for path in (url, url + "/report"):
        assert Client().get(path, **other).status_code == 404
    assert submit(url + "/submit", **other).status_code == 404
    assert Client().get("/api/v1/submissions", **other).json()["results"] == []
    # Another unit's assignment does not exist for it.
    response = send(campaign.generic.pk, wells(world, "12"), **other)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    for persona in ("steward", "leader", "admin"):
        headers = token_of(world, persona)
        assert Client().get(url, **headers).status_code == 200
        assert [row["id"] for row in Client().get("/api/v1/submissions", **headers).json()[
            "results"]] == [mine["id"]]
    steward = token_of(world, "steward")
    response = submit(url + "/submit", **steward)
    assert response.status_code == 403 and error_of(response)["code"] == "permission_denied"
    response = send(campaign.generic.pk, wells(world, "12"), **steward)
    assert response.status_code == 403
    for persona in ("officer", "operator"):
        assert Client().get(url, **token_of(world, persona)).status_code == 404
    anonymous = Client()
    assert anonymous.get("/api/v1/submissions").status_code == 401
    assert anonymous.get(url).status_code == 401
    response = send(campaign.generic.pk, wells(world, "12"))
    assert response.status_code == 401 and error_of(response)["code"] == "not_authenticated"
    assert Client().get(url, HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert Submission.objects.get(pk=mine["id"]).state == State.DRAFT


def test_a_session_write_needs_the_csrf_token(world, campaign):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["survey"])
    response = send(campaign.generic.pk, wells(world, "12"), client=client)
    assert response.status_code == 403 and not Upload.objects.exists()


def test_a_missing_file_or_assignment_is_invalid_input(world, campaign):
    headers = token_of(world, "survey")
    response = Client().post("/api/v1/submissions", {"assignment": campaign.generic.pk},
                             **headers)
    assert response.status_code == 400 and "file.file" in error_of(response)["details"]
    response = send("x", wells(world, "12"), **headers)
    assert response.status_code == 400 and "form.assignment" in error_of(response)["details"]


def test_the_list_pages_by_keyset(world, campaign):
    headers = token_of(world, "survey")
    for assignment in (campaign.generic, campaign.periodic, campaign.inventory):
        assert send(assignment.pk, wells(world, "12"), **headers).status_code == 201
    first = Client().get("/api/v1/submissions?limit=2", **headers).json()
    second = Client().get(f"/api/v1/submissions?limit=2&cursor={first['next']}",
                          **headers).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3 and second["next"] is None
    drafts = Client().get("/api/v1/submissions?state=submitted", **headers).json()
    assert drafts["results"] == []
