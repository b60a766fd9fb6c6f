"""The compliance tables and permits in the admin, per persona, with real form POSTs: stewards
edit a regulation's figures (audited, re-judged), officers keep their province's permits, the
leader reads, operators and survey units stay out."""

from __future__ import annotations

import datetime

import pytest

from envhub.accounts.models import AuditEvent
from envhub.compliance.models import LimitValue, Permit, Regulation
from tests.accounts.test_admin_personas import change_url, changelist_rows, post_data, read_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def permits(world):
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    return {key: Permit.objects.create(
        source=source, number=f"{key}/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=regulation, column="B", facility_flow_m3h=10_000, location_class="3")
        for key, source in (("hn", world.stack_hn), ("dn", world.stack_dn))}


def test_a_steward_corrects_a_limit_value_in_the_admin(world):
    row = LimitValue.objects.get(regulation__code="QCVN 19:2009/BTNMT", column="B",
                                 parameter__code="SO2", category="")
    client = world.client("steward")
    page = client.get(change_url(row))
    assert page.status_code == 200
    response = client.post(change_url(row), post_data(read_form(page, "limitvalue_form"),
                                                        value="450", verification="V"))
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert (row.value, row.verification) == (450, "V")
    event = AuditEvent.objects.get(object_type="compliance.limitvalue", object_id=str(row.pk))
    assert event.changes["value"] == [500.0, 450.0]


@pytest.mark.parametrize("persona, allowed", [("leader", False), ("officer", False)])
def test_others_cannot_change_a_regulations_figures(world, persona, allowed):
    row = LimitValue.objects.filter(regulation__code="QCVN 19:2009/BTNMT").first()
    client = world.client(persona)
    page = client.get(change_url(row))
    assert page.status_code == 200  # reference data: readable
    assert b'name="_save"' not in page.content


def test_an_officer_sees_and_edits_only_their_provinces_permits(world, permits):
    client = world.client("officer")
    rows = changelist_rows(client.get("/admin/compliance/permit/"), "compliance/permit")
    assert set(rows) == {permits["hn"].pk}
    assert client.get(change_url(permits["dn"])).status_code in (302, 404)
    page = client.get(change_url(permits["hn"]))
    response = client.post(change_url(permits["hn"]), post_data(
        read_form(page, "permit_form"), location_class="2"))
    assert response.status_code == 302, response.content.decode()[:2000]
    permits["hn"].refresh_from_db()
    assert permits["hn"].location_class == "2"


@pytest.mark.parametrize("persona", ("operator", "survey"))
def test_operators_and_survey_units_stay_out(world, permits, persona):
    response = world.client(persona).get("/admin/compliance/permit/")
    assert response.status_code in (302, 403)
