"""The stewards' review: the queue, the decisions posted from the submission page (return with
comments pointing at rows, approve; the inventory's changes shown and approved by their
fingerprint) for every role, and a version's file downloaded exactly as it was approved."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from envhub.registry.inventory import plan_inventory
from envhub.surveys.models import LoadState, ReviewStep, State, Submission, Version
from tests.surveys.steps import PERSONAS, loaded, sent, sent_inventory, well, wells_file

pytestmark = pytest.mark.django_db

REVIEWERS = {"admin", "steward"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_queue_to_stewards_only_oldest_first(world, campaign, persona):
    first = sent(world, campaign.generic, wells_file(well(world)))
    response = world.client(persona).get("/surveys/review/")
    if persona in REVIEWERS:
        assert response.status_code == 200
        page = response.content.decode()
        assert f'data-submission="{first.pk}"' in page
        assert "Viện Quan trắc Thử nghiệm" in page and "Khảo sát giếng" in page
    elif persona == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == 403


def test_it_orders_the_queue_by_the_time_sent(world, campaign):
    from envhub.surveys.models import Assignment

    theirs = Assignment.objects.create(campaign=campaign.campaign,
                                       schema=campaign.generic.schema,
                                       organisation=campaign.other_unit,
                                       due_on=campaign.generic.due_on)
    first = sent(world, campaign.generic, wells_file(well(world)))
    second = sent(world, theirs, wells_file(well(world)), persona="survey2")
    Submission.objects.filter(pk=second.pk).update(
        submitted_at=first.submitted_at - datetime.timedelta(days=3))
    page = world.client("steward").get("/surveys/review/").content.decode()
    assert page.index(f'data-submission="{second.pk}"') < page.index(
        f'data-submission="{first.pk}"')
    assert "<td>3 ngày 0 giờ</td>" in page  # how long it has waited


def _actions(world, persona, submission) -> str:
    request = RequestFactory().get("/")
    request.user = world.users[persona]
    submission = Submission.objects.select_related("current_upload", "assignment__schema") \
        .get(pk=submission.pk)
    return render_to_string("surveys/_review_actions.html", {
        "submission": submission, "current_upload": submission.current_upload},
        request=request)


def test_the_actions_offer_return_and_approve_while_waiting(world, campaign):
    submission = sent(world, campaign.generic, wells_file(well(world)))
    html = _actions(world, "steward", submission)
    assert 'id="return-form"' in html and 'id="approve-form"' in html
    assert f"/surveys/submissions/{submission.pk}/return/" in html
    assert 'name="fingerprint"' not in html  # only the inventory's approval names its changes


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_stewards_return_a_submission(world, campaign, persona):
    submission = sent(world, campaign.generic, wells_file(well(world)))
    response = world.client(persona).post(f"/surveys/submissions/{submission.pk}/return/",
                                          {"comment": "Độ sâu sai", "rows": "2, 4-5"})
    submission.refresh_from_db()
    if persona in REVIEWERS:
        assert response.status_code == 302
        assert response["Location"] == f"/surveys/submissions/{submission.pk}/"
        assert submission.state == State.RETURNED
        step = submission.steps.get(action="return")
        assert (step.comment, step.rows) == ("Độ sâu sai", [2, 4, 5])
    else:
        # A unit and a leader see it and may not decide; others do not see it at all.
        expected = {"survey": 403, "leader": 403, "anonymous": 401}.get(persona, 404)
        assert response.status_code == expected
        assert submission.state == State.SUBMITTED


def test_a_return_needs_a_comment_and_rows_as_numbers(world, campaign):
    submission = sent(world, campaign.generic, wells_file(well(world)))
    client = world.client("steward")
    for data, message in (({"comment": "  "}, "Hãy nêu"),
                          ({"comment": "Sai", "rows": "mười hai"}, "12, 15-18")):
        response = client.post(f"/surveys/submissions/{submission.pk}/return/", data,
                               follow=False)
        assert response.status_code == 302
        shown = [str(m) for m in response.wsgi_request._messages]
        assert any(message in text for text in shown), shown
    submission.refresh_from_db()
    assert submission.state == State.SUBMITTED and not submission.steps.filter(
        action="return").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_stewards_approve(world, campaign, persona):
    submission = sent(world, campaign.generic, wells_file(well(world)))
    response = world.client(persona).post(f"/surveys/submissions/{submission.pk}/approve/",
                                          {"comment": "Đạt"})
    submission.refresh_from_db()
    if persona in REVIEWERS:
        assert response.status_code == 302 and submission.state == State.APPROVED
        assert Version.objects.get(submission=submission).number == 1
    else:
        expected = {"survey": 403, "leader": 403, "anonymous": 401}.get(persona, 404)
        assert response.status_code == expected and submission.state == State.SUBMITTED


def test_a_get_does_not_decide(world, campaign):
    submission = sent(world, campaign.generic, wells_file(well(world)))
    assert world.client("steward").get(
        f"/surveys/submissions/{submission.pk}/approve/").status_code == 405


def test_the_inventory_is_approved_by_the_changes_shown(world, campaign):
    plan = {**plan_inventory([]).as_dict(), "fingerprint": "f1e2d3"}
    submission = sent_inventory(world, campaign.inventory, plan)
    html = _actions(world, "steward", submission)
    assert 'class="inventory-diff"' in html and 'value="f1e2d3"' in html
    client = world.client("steward")
    response = client.post(f"/surveys/submissions/{submission.pk}/approve/", {"comment": ""})
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any("thay đổi" in text for text in shown), shown
    submission.refresh_from_db()
    assert submission.state == State.SUBMITTED
    client.post(f"/surveys/submissions/{submission.pk}/approve/", {"fingerprint": "f1e2d3"})
    submission.refresh_from_db()
    assert submission.state == State.APPROVED


def test_a_failed_loading_is_explained_and_may_be_returned(world, campaign):
    version = loaded(world, campaign.generic, wells_file(well(world)))
    assert version.load_state == LoadState.LOADED
    submission = sent(world, campaign.generic, wells_file(well(world, depth="14")))
    client = world.client("steward")
    client.post(f"/surveys/submissions/{submission.pk}/approve/")
    second = Version.objects.get(submission=submission)
    Version.objects.filter(pk=second.pk).update(load_state=LoadState.FAILED,
                                                load_error="Dòng 2 không còn hợp lệ")
    html = _actions(world, "steward", submission)
    assert "Dòng 2 không còn hợp lệ" in html and 'id="return-form"' in html
    assert 'id="approve-form"' not in html
    client.post(f"/surveys/submissions/{submission.pk}/return/", {"comment": "Kiểm tra lại"})
    submission.refresh_from_db()
    assert submission.state == State.RETURNED
    assert ReviewStep.objects.filter(submission=submission, action="return").exists()


def _download(client, version):
    response = client.get(f"/surveys/versions/{version.pk}/download")
    return response, b"".join(response.streaming_content) if response.status_code == 200 \
        else b""


def test_each_version_downloads_exactly_as_it_was_approved(world, campaign):
    first_bytes = wells_file(well(world))
    second_bytes = wells_file(well(world, depth="15"))
    v1 = loaded(world, campaign.generic, first_bytes, "gieng-2026.csv")
    v2 = loaded(world, campaign.generic, second_bytes, "gieng-2026-sua.csv")
    assert (v1.number, v2.number) == (1, 2)
    client = world.client("steward")
    for version, content in ((v1, first_bytes), (v2, second_bytes)):
        response, body = _download(client, version)
        assert body == content
        assert response["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'
        assert response["X-Checksum-SHA256"] == hashlib.sha256(content).hexdigest()
        assert response["Content-Type"].startswith("text/csv")
        assert f"-v{version.number}.csv" in response["Content-Disposition"]
    again = client.get(f"/surveys/versions/{v1.pk}/download",
                       HTTP_IF_NONE_MATCH=f'"{v1.sha256}"')
    assert again.status_code == 304


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_version_downloads_for_whoever_may_see_it(world, campaign, persona):
    version = loaded(world, campaign.generic, wells_file(well(world)))
    response = world.client(persona).get(f"/surveys/versions/{version.pk}/download")
    if persona in {"admin", "steward", "leader", "survey"}:
        assert response.status_code == 200
        b"".join(response.streaming_content)
    elif persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404
