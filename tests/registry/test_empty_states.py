"""An empty list says why it is empty and what to do: filters that match nothing (with a link
that clears them) are not "nothing in your scope" (with who can change that), and a facility
without stations says what that means."""

from __future__ import annotations

import pytest

from envhub.accounts.models import Membership, Role, User
from envhub.core.permissions import system_actor
from envhub.registry import services as registry
from envhub.registry.models import Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


def _operator_without_facilities(world):
    enterprise = registry.save(system_actor("tests"), Organisation(
        name="Công ty chưa có cơ sở", kind=OrganisationKind.ENTERPRISE, province=world.hanoi,
        tax_code="0100233488"))
    user = User.objects.create(username="lonely", full_name="Lonely")
    Membership.objects.create(user=user, organisation=enterprise, role=Role.FACILITY_OPERATOR)
    return user


def test_filters_that_match_nothing_say_so_and_can_be_cleared(world):
    page = world.client("admin").get("/facilities/?q=khong-co-co-so-nay").content.decode()
    assert "Không có cơ sở nào phù hợp với điều kiện lọc." in page
    assert '<a href="/facilities/">Bỏ điều kiện lọc</a>' in page


def test_no_facility_without_a_filter_is_not_called_a_filter_mismatch(world, client):
    client.force_login(_operator_without_facilities(world))
    page = client.get("/facilities/").content.decode()
    assert "điều kiện lọc" not in page
    assert "Tài khoản của bạn không thấy cơ sở nào" in page
    assert "quản trị viên" in page


def test_stations_filtered_and_unfiltered(world, client):
    page = world.client("admin").get("/stations/?q=khong-co-tram-nay").content.decode()
    assert "Không có trạm nào phù hợp với điều kiện lọc." in page
    assert '<a href="/stations/">Bỏ điều kiện lọc</a>' in page
    client.force_login(_operator_without_facilities(world))
    page = client.get("/stations/").content.decode()
    assert "điều kiện lọc" not in page and "Tài khoản của bạn không thấy trạm nào" in page


def test_a_facility_without_stations_says_what_it_means(world):
    page = world.client("admin").get(f"/facilities/{world.facility_dn.id}/").content.decode()
    assert "Không có trạm nào" not in page
    world.station_stack_dn.delete()
    page = world.client("admin").get(f"/facilities/{world.facility_dn.id}/").content.decode()
    assert "Chưa có trạm quan trắc nào được ghi nhận cho các ống khói, cửa xả" in page
