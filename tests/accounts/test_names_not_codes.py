"""Pages name things, they do not print codes: a token's owner is the station's name with a link
to its page (never `station:HNKT1`), the audit history speaks of fields by their verbose names,
of related objects by their names and of actions by their labels, and a user's roles are their
labels (never `facility_operator`)."""

from __future__ import annotations

import re

import pytest

from envhub.accounts import services
from envhub.accounts.models import AuditEvent
from envhub.registry import services as registry

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def _visible(response) -> str:
    """The page's text as read (no tags, no attributes, no scripts)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", _text(response), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_it_names_a_tokens_station_with_a_link_to_its_page(world):
    station = world.station_stack_hn
    services.create_token(world.actor("operator"), name="logger", station=station)
    page = _text(world.client("operator").get("/account/tokens/"))
    assert f'<a href="/stations/{station.code}/">{station}</a>' in page
    assert "station:" not in page


def test_it_names_the_owner_of_a_token_just_issued(world):
    station = world.station_stack_hn
    client = world.client("operator")
    response = client.post("/account/tokens/", {
        "name": "logger", "owner": "station", "station": station.pk, "days": 30})
    page = _text(response)
    assert "envh_" in page
    assert f'<a href="/stations/{station.code}/">{station}</a>' in page
    assert "station:" not in page


def test_it_names_a_users_token_without_a_code(world):
    services.create_token(world.actor("leader"), name="script", user=world.users["leader"])
    page = _text(world.client("leader").get("/account/tokens/"))
    assert "user:" not in page
    assert world.users["leader"].full_name in page


def test_it_tells_the_history_in_words(world):
    facility = world.facility_hn
    client = world.client("admin")
    facility.province = world.dongnai
    facility.ward = world.dongnai.wards.order_by("code").first()
    registry.save(world.actor("admin"), facility)
    page = _text(client.get(f"/admin/registry/facility/{facility.pk}/history/"))
    assert "province_id" not in page and "ward_id" not in page
    # The verbose name of the field, the names of the provinces, the label of the action.
    assert re.search(r"Tỉnh/thành phố: <a [^>]*>Thành phố Hà Nội</a> → <a [^>]*>Đồng Nai</a>",
                     page), page[-3000:]
    assert "đã thay đổi" in page
    assert "user:" not in page
    assert world.users["admin"].full_name in page


def test_it_names_the_station_that_acted(world):
    station = world.station_stack_hn
    issued = services.create_token(world.actor("admin"), name="logger", station=station)
    page = _text(world.client("admin").get(f"/admin/accounts/apitoken/{issued.token.pk}/history/"))
    assert "station:" not in page and "token_create" not in page
    assert f'<a href="/stations/{station.code}/">{station.name}</a>' in page


def test_the_audit_log_list_shows_labels_not_codes(world):
    services.create_token(world.actor("admin"), name="logger", station=world.station_stack_hn)
    assert AuditEvent.objects.filter(action="token_create").exists()
    response = world.client("admin").get("/admin/accounts/auditevent/")
    page = _visible(response)
    assert "token_create" not in page and "user:admin" not in page
    assert "accounts.apitoken" not in page and "registry.station" not in page
    assert "Mã truy cập API đã cấp" in page


@pytest.mark.parametrize(("persona", "label"), [
    ("operator", "Người vận hành cơ sở"), ("officer", "Cán bộ Sở"), ("admin", "Quản trị viên")])
def test_it_shows_roles_by_their_labels(world, persona, label):
    page = _text(world.client(persona).get("/"))
    assert label in page
    for code in ("facility_operator", "provincial_officer", "survey_unit"):
        assert code not in page
