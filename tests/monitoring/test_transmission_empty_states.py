"""The transmission page's empty list says why: no station in the chosen state (with a way back
to every state), filters that match nothing (with a way to clear them), or none in scope."""

from __future__ import annotations

import pytest

from tests.registry.test_empty_states import _operator_without_facilities

pytestmark = pytest.mark.django_db


def test_an_empty_state_filter_says_so_and_leads_back(world):
    page = world.client("admin").get("/transmission/?state=offline").content.decode()
    assert "Hiện không có trạm nào ở trạng thái “Mất kết nối”." in page
    assert ">Xem mọi trạng thái</a>" in page


def test_filters_that_match_nothing_can_be_cleared(world):
    page = world.client("officer").get("/transmission/?province=75").content.decode()
    assert "Không có trạm tự động đang hoạt động nào phù hợp với điều kiện lọc." in page
    assert '<a href="/transmission/">Bỏ điều kiện lọc</a>' in page


def test_nothing_in_scope_is_not_called_a_filter_mismatch(world, client):
    client.force_login(_operator_without_facilities(world))
    page = client.get("/transmission/").content.decode()
    assert "điều kiện lọc" not in page
    assert "Không có trạm tự động đang hoạt động nào trong phạm vi của bạn" in page
