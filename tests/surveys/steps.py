"""Steps of a submission's road for the stewards' page tests: a household-wells file sent,
approved and loaded through the services (the worker's jobs run in the test)."""

from __future__ import annotations

import io

from envhub.surveys import checking, loading, workflow
from envhub.surveys.models import CheckState, Upload
from tests.surveys.files import csv_bytes

PERSONAS = ("admin", "steward", "leader", "officer", "operator", "survey", "survey2",
            "anonymous")
WELLS = ["Mã giếng", "Mã tỉnh", "Mã xã, phường", "Ngày khảo sát", "Chủ hộ", "Loại giếng",
         "Độ sâu (m)", "Số hộ sử dụng", "Dùng để uống", "pH"]


def well(world, code="HN-0001", depth="12,5", owner="Nguyễn Văn Á", households="3"):
    ward = world.hanoi.wards.order_by("code").first()
    return [code, "01", ward.code, "03/04/2026", owner, "giếng khoan", depth, households,
            "có", "7,1"]


def wells_file(*rows) -> bytes:
    return csv_bytes([WELLS, *rows])


def sent(world, assignment, content: bytes, name="gieng.csv", persona="survey"):
    """A file uploaded by the unit, checked by the worker and sent for review."""
    unit = world.actor(persona)
    item = workflow.upload(unit, assignment.pk, io.BytesIO(content), name)
    checking.run()
    item.refresh_from_db()
    assert item.is_clean, item.report
    return workflow.submit(unit, item.submission_id)


def sent_inventory(world, assignment, plan: dict):
    """An inventory file sent for review, its check and diff set as the worker would store
    them (the registry's planner is another part's)."""
    unit = world.actor("survey")
    item = workflow.upload(unit, assignment.pk, io.BytesIO(b"a,b\n1,2\n"), "nguon.csv")
    Upload.objects.filter(pk=item.pk).update(check_state=CheckState.DONE, rows=1,
                                             error_count=0, rows_with_errors=0,
                                             report={}, plan=plan)
    return workflow.submit(unit, item.submission_id)


def loaded(world, assignment, content: bytes, name="gieng.csv"):
    """A file sent, approved by the steward and loaded: its version."""
    submission = sent(world, assignment, content, name)
    version = workflow.approve(world.actor("steward"), submission.pk)
    loading.run()
    version.refresh_from_db()
    return version
