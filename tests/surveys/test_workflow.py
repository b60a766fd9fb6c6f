"""A submission's road through the services, for each role: a unit uploads and sends its own
files only; a steward returns and approves; a file with errors cannot be sent; approval makes
an immutable version that the worker loads."""

from __future__ import annotations

import io

import pytest

from envhub.accounts.models import AuditEvent
from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from envhub.surveys import checking, loading, workflow
from envhub.surveys.models import LoadState, State, TableRow, Version
from tests.surveys.files import csv_bytes

pytestmark = pytest.mark.django_db

WELLS = ["Mã giếng", "Mã tỉnh", "Mã xã, phường", "Ngày khảo sát", "Chủ hộ", "Loại giếng",
         "Độ sâu (m)", "Số hộ sử dụng", "Dùng để uống", "pH"]


def wells(*rows) -> io.BytesIO:
    return io.BytesIO(csv_bytes([WELLS, *rows]))


def good_well(world, code="HN-0001", depth="12,5"):
    ward = world.hanoi.wards.order_by("code").first()
    return [code, "01", ward.code, "03/04/2026", "Nguyễn Văn Á", "giếng khoan", depth, "3",
            "có", "7,1"]


def checked(item):
    assert checking.run() >= 1
    item.refresh_from_db()
    return item


def test_it_takes_a_clean_file_from_upload_to_loaded_rows(world, campaign):
    unit, steward = world.actor("survey"), world.actor("steward")
    item = workflow.upload(unit, campaign.generic.pk, wells(good_well(world)), "gieng.csv")
    checked(item)
    assert item.is_clean and item.rows == 1
    submission = workflow.submit(unit, item.submission_id)
    assert submission.state == State.SUBMITTED
    version = workflow.approve(steward, submission.pk, "Đạt")
    assert (version.number, version.sha256, version.load_state) == (1, item.sha256, "waiting")
    assert loading.run() == 1
    version.refresh_from_db()
    assert version.load_state == LoadState.LOADED
    row = TableRow.objects.get(version=version)
    assert row.data["depth"] == 12.5 and row.data["survey_date"] == "2026-04-03"
    submission.refresh_from_db()
    assert submission.state == State.LOADED
    assert [step.action for step in submission.steps.all()] == ["submit", "approve", "load"]


def test_a_file_with_errors_cannot_be_sent(world, campaign):
    unit = world.actor("survey")
    item = workflow.upload(unit, campaign.generic.pk,
                           wells(good_well(world, depth="sâu")), "gieng.csv")
    checked(item)
    assert item.error_count == 1 and not item.is_clean
    with pytest.raises(InvalidInput):
        workflow.submit(unit, item.submission_id)


def test_roles_take_only_their_own_steps(world, campaign):
    unit, steward = world.actor("survey"), world.actor("steward")
    with pytest.raises(Forbidden):  # a steward does not upload for a unit
        workflow.upload(steward, campaign.generic.pk, wells(good_well(world)), "g.csv")
    with pytest.raises(NotFound):  # another unit's assignment does not exist for it
        workflow.upload(world.actor("survey2"), campaign.generic.pk,
                        wells(good_well(world)), "g.csv")
    item = checked(workflow.upload(unit, campaign.generic.pk, wells(good_well(world)), "g.csv"))
    with pytest.raises(Forbidden):
        workflow.submit(steward, item.submission_id)
    with pytest.raises(NotFound):
        workflow.submission(world.actor("survey2"), item.submission_id)
    for persona in ("operator", "officer", "librarian", "editor"):
        with pytest.raises(NotFound):
            workflow.submission(world.actor(persona), item.submission_id)
    with pytest.raises(NotAuthenticated):
        workflow.submission(world.actor("anonymous"), item.submission_id)
    workflow.submit(unit, item.submission_id)
    with pytest.raises(Forbidden):  # a unit cannot approve its own
        workflow.approve(unit, item.submission_id)
    with pytest.raises(Forbidden):  # a leader reads, does not decide
        workflow.approve(world.actor("leader"), item.submission_id)


def test_a_returned_file_comes_back_corrected_and_a_correction_is_version_2(world, campaign):
    unit, steward = world.actor("survey"), world.actor("steward")
    first = checked(workflow.upload(unit, campaign.generic.pk, wells(good_well(world)), "a.csv"))
    workflow.submit(unit, first.submission_id)
    with pytest.raises(InvalidInput):  # no comment, no return
        workflow.return_to_unit(steward, first.submission_id, "  ")
    workflow.return_to_unit(steward, first.submission_id, "Độ sâu sai", rows=[2])
    # Each step is audited: who, when, and why (the comment), beside its review step.
    returned = AuditEvent.objects.get(action="return", object_id=str(first.submission_id))
    assert returned.actor == steward.label and returned.user == world.users["steward"]
    assert returned.changes == {"state": ["submitted", "returned"],
                                "comment": [None, "Độ sâu sai"]} and returned.at
    sent = AuditEvent.objects.get(action="submit", object_id=str(first.submission_id))
    assert sent.actor == unit.label and sent.changes["state"] == ["draft", "submitted"]
    second = checked(workflow.upload(unit, campaign.generic.pk,
                                     wells(good_well(world, depth="14")), "b.csv"))
    assert second.submission_id == first.submission_id and second.number == 2
    assert workflow.submit(unit, second.submission_id).state == State.RESUBMITTED
    v1 = workflow.approve(steward, second.submission_id)
    loading.run()
    third = checked(workflow.upload(unit, campaign.generic.pk,
                                    wells(good_well(world, depth="15")), "c.csv"))
    assert third.submission_id != first.submission_id  # a correction is a new submission
    workflow.submit(unit, third.submission_id)
    v2 = workflow.approve(steward, third.submission_id)
    loading.run()
    assert (v1.number, v2.number) == (1, 2) and v1.sha256 != v2.sha256
    depths = {row.version.number: row.data["depth"]
              for row in TableRow.objects.select_related("version")}
    assert depths == {1: 14.0, 2: 15.0}
    v1.refresh_from_db()
    v1.rows = 99
    with pytest.raises(ValueError):
        v1.save()
    assert Version.objects.get(pk=v1.pk).rows == 1


def test_a_file_keeps_the_schema_version_it_was_checked_against(world, campaign):
    """A schema change makes a new version; a file checked before keeps its own and cannot be
    sent until it is checked against the new one; each approved version names its schema's."""
    import copy
    import json

    from envhub.surveys import schemas_admin
    from envhub.surveys.models import Upload
    from envhub.surveys.tableschema import SCHEMAS_DIR

    unit, steward = world.actor("survey"), world.actor("steward")
    schema = campaign.generic.schema
    first_schema = schema.current()
    deep = checked(workflow.upload(unit, campaign.generic.pk,
                                   wells(good_well(world, depth="120")), "a.csv"))
    assert deep.is_clean and deep.schema_version_id == first_schema.pk
    workflow.submit(unit, deep.submission_id)
    v1 = workflow.approve(steward, deep.submission_id)
    loading.run()

    shallower = json.loads((SCHEMAS_DIR / "generic_example.json").read_text(encoding="utf-8"))
    shallower = copy.deepcopy(shallower)
    next(f for f in shallower["fields"] if f["name"] == "depth")["constraints"]["maximum"] = 100
    # A file checked against version 1, waiting to be sent when the schema changes.
    waiting = checked(workflow.upload(unit, campaign.generic.pk,
                                      wells(good_well(world, depth="110")), "b.csv"))
    second_schema = schemas_admin.new_version(steward, schema.slug,
                                              text=json.dumps(shallower), note="≤ 100 m")
    assert second_schema.number == first_schema.number + 1
    assert Upload.objects.get(pk=waiting.pk).schema_version_id == first_schema.pk
    with pytest.raises(InvalidInput) as refused:
        workflow.submit(unit, waiting.submission_id)
    assert str(refused.value.message) == (
        "Lược đồ bảng của dữ liệu đã thay đổi sau khi tệp này được kiểm tra: hãy tải tệp lên "
        "lại để kiểm tra theo phiên bản mới.")
    again = checked(workflow.upload(unit, campaign.generic.pk,
                                    wells(good_well(world, depth="110")), "b.csv"))
    assert again.schema_version_id == second_schema.pk and again.error_count == 1
    fixed = checked(workflow.upload(unit, campaign.generic.pk,
                                    wells(good_well(world, depth="90")), "c.csv"))
    workflow.submit(unit, fixed.submission_id)
    v2 = workflow.approve(steward, fixed.submission_id)
    v1.refresh_from_db()
    assert (v1.schema_version_id, v2.schema_version_id) == (first_schema.pk, second_schema.pk)
