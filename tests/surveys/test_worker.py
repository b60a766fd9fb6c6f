"""The worker's side of surveys: checking a file with its progress stored, taking over a check
whose worker died, loading a version in one transaction (a failure leaves nothing), streaming
the typed rows without holding the file, and the notifications each step sends."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from envhub.compliance import alerts
from envhub.compliance.models import Delivery, Notification
from envhub.core.errors import InvalidInput
from envhub.registry.models import Ward
from envhub.surveys import checking, loading, workflow
from envhub.surveys.models import CheckState, LoadState, State, TableRow, Upload
from tests.surveys.files import csv_bytes
from tests.surveys.test_workflow import WELLS, checked, good_well

pytestmark = pytest.mark.django_db


def many_wells(world, count: int, ward_code: str | None = None) -> io.BytesIO:
    rows = []
    for number in range(1, count + 1):
        row = good_well(world, code=f"HN-{number:04d}")
        if ward_code:
            row[2] = ward_code
        rows.append(row)
    return io.BytesIO(csv_bytes([WELLS, *rows]))


def test_it_stores_the_rows_checked_as_it_goes(world, campaign, monkeypatch):
    monkeypatch.setattr(checking, "PROGRESS_EVERY", 100)
    seen = []
    real_update = Upload.objects.filter

    item = workflow.upload(world.actor("survey"), campaign.generic.pk,
                           many_wells(world, 350), "g.csv")

    def spy(*args, **kwargs):
        qs = real_update(*args, **kwargs)
        seen.append(Upload.objects.values_list("rows_checked", flat=True).get(pk=item.pk))
        return qs

    monkeypatch.setattr(Upload.objects, "filter", spy)
    checking.run()
    monkeypatch.undo()
    item.refresh_from_db()
    assert (item.check_state, item.rows, item.rows_checked, item.rows_expected) == (
        CheckState.DONE, 350, 350, 350)
    assert {100, 200, 300} <= set(seen)


def test_a_check_whose_worker_died_is_taken_over(world, campaign):
    item = workflow.upload(world.actor("survey"), campaign.generic.pk,
                           many_wells(world, 3), "g.csv")
    assert checking.claim("gone-worker").pk == item.pk
    assert checking.claim("other") is None  # claimed, heartbeat fresh
    Upload.objects.filter(pk=item.pk).update(
        heartbeat_at=timezone.now() - checking.STALE - datetime.timedelta(seconds=1))
    assert checking.run() == 1
    item.refresh_from_db()
    assert item.check_state == CheckState.DONE and item.is_clean


def test_a_refused_file_is_kept_with_its_reason(world, campaign):
    item = workflow.upload(world.actor("survey"), campaign.generic.pk,
                           io.BytesIO(b"\x00\x01binary"), "g.csv")
    checked(item)
    assert item.check_state == CheckState.DONE and not item.is_clean
    assert item.report["refused"]["code"] == "not_spreadsheet"
    assert item.report["refused"]["message"] == (
        "Tệp này không phải là bảng tính: hãy tải lên biểu mẫu XLSX đã điền, hoặc một tệp CSV.")


def test_a_loading_that_fails_midway_leaves_nothing(world, campaign):
    unit, steward = world.actor("survey"), world.actor("steward")
    ward = world.hanoi.wards.order_by("code").last()
    item = checked(workflow.upload(unit, campaign.generic.pk,
                                   many_wells(world, 2500, ward.code), "g.csv"))
    workflow.submit(unit, item.submission_id)
    version = workflow.approve(steward, item.submission_id)
    Ward.objects.filter(pk=ward.pk).delete()  # the registry changed after the check
    assert loading.run() == 1
    version.refresh_from_db()
    assert version.load_state == LoadState.FAILED
    assert "Dòng 2 " in version.load_error
    assert TableRow.objects.count() == 0
    item.submission.refresh_from_db()
    assert item.submission.state == State.APPROVED
    workflow.return_to_unit(steward, item.submission_id, "Mã xã không còn trong danh mục")


def test_typed_rows_stop_when_the_reader_stops(world, campaign):
    item = checked(workflow.upload(world.actor("survey"), campaign.generic.pk,
                                   many_wells(world, 5000), "g.csv"))
    rows = checking.typed_rows(item)
    first = [next(rows) for _ in range(3)]
    rows.close()  # the producing thread sees the stop and ends
    assert [line for line, _values in first] == [2, 3, 4]
    assert sum(1 for _ in checking.typed_rows(item)) == 5000


def test_each_step_tells_the_people_concerned(world, campaign):
    world.users["survey"].email = "unit@example.vn"
    world.users["survey"].save()
    unit, steward = world.actor("survey"), world.actor("steward")
    item = checked(workflow.upload(unit, campaign.generic.pk, many_wells(world, 2), "g.csv"))
    workflow.submit(unit, item.submission_id)
    workflow.return_to_unit(steward, item.submission_id, "Sửa độ sâu", rows=[2])
    alerts.plan()
    submitted, returned = Notification.objects.order_by("id")
    to = {note.pk: set(Delivery.objects.filter(notification=note, channel="inapp")
                       .values_list("user__username", flat=True))
          for note in (submitted, returned)}
    assert to[submitted.pk] == {"steward"}
    assert to[returned.pk] == {"survey"}
    assert Delivery.objects.filter(notification=returned, channel="email").count() == 1
    subject, body = alerts.wording(returned, "vi")
    assert subject == "“Khảo sát giếng nước hộ gia đình” đã bị trả lại kèm ý kiến"
    assert body.splitlines()[1:3] == ["Ý kiến: Sửa độ sâu", "Người thực hiện: Steward"]
    assert alerts.wording(returned, "en")[0] == (
        "“Household well survey (example)” was returned to you with comments")


def test_a_refused_file_cannot_be_sent_and_the_page_says_why(world, campaign):
    unit = world.actor("survey")
    item = checked(workflow.upload(unit, campaign.generic.pk,
                                   io.BytesIO(b"\x00\x01binary"), "g.csv"))
    with pytest.raises(InvalidInput) as refused:
        workflow.submit(unit, item.submission_id)
    assert refused.value.details == {"file": ["refused"]}
    html = world.client("survey").get(f"/surveys/submissions/{item.submission_id}/") \
        .content.decode()
    assert "Tệp bị từ chối toàn bộ (báo cáo nêu lý do)" in html
    assert "Tệp bị từ chối toàn bộ: đơn vị tải lên biểu mẫu đã điền" in html


def test_the_later_steps_tell_the_people_concerned_too(world, campaign):
    """Sent again: the stewards; approved and loaded: the unit's people (in-app and e-mail);
    nobody else — not the other unit, a leader or an officer."""
    world.users["survey"].email = "unit@example.vn"
    world.users["survey"].save()
    world.users["steward"].email = "steward@example.vn"
    world.users["steward"].save()
    unit, steward = world.actor("survey"), world.actor("steward")
    item = checked(workflow.upload(unit, campaign.generic.pk, many_wells(world, 2), "g.csv"))
    workflow.submit(unit, item.submission_id)
    workflow.return_to_unit(steward, item.submission_id, "Sửa độ sâu", rows=[2])
    again = checked(workflow.upload(unit, campaign.generic.pk, many_wells(world, 3), "g.csv"))
    workflow.submit(unit, again.submission_id)
    workflow.approve(steward, again.submission_id, "Đạt")
    assert loading.run() == 1
    alerts.plan()
    events = {note.payload["event"]: note for note in Notification.objects.all()}
    assert set(events) == {"submitted", "returned", "resubmitted", "approved", "loaded"}

    def told(event: str, channel: str) -> set[str]:
        return set(Delivery.objects.filter(notification=events[event], channel=channel)
                   .values_list("user__username", flat=True))

    assert told("resubmitted", "inapp") == told("resubmitted", "email") == {"steward"}
    for event in ("approved", "loaded"):
        assert told(event, "inapp") == told(event, "email") == {"survey"}
    assert alerts.wording(events["approved"], "vi")[0] == \
        "“Khảo sát giếng nước hộ gia đình” đã được phê duyệt"
