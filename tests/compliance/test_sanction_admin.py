"""Decree 45/2022's sanction data in the admin, per persona: stewards keep it (audited), the
leader and officers read it, operators and survey units stay out; a row a steward deleted is
not loaded again."""

from __future__ import annotations

import datetime

import pytest

from envhub.accounts.models import AuditEvent
from envhub.compliance.models import EventStatus, ExceedanceEvent
from envhub.compliance.sanction_models import (
    FlowBand,
    ParameterClass,
    SanctionClause,
    SanctionRule,
)
from envhub.core import services
from envhub.core.models import ReferenceVersion
from envhub.core.permissions import system_actor
from envhub.core.reference import load_all
from envhub.registry.models import Parameter
from tests.accounts.test_admin_personas import change_url, post_data, read_form

pytestmark = pytest.mark.django_db

PAGES = ("sanctionrule", "flowband", "parameterclass", "sanctionclause")


@pytest.mark.parametrize("persona, status", [
    ("admin", 200), ("steward", 200), ("leader", 200), ("officer", 200), ("operator", 302),
    ("survey", 302), ("anonymous", 302)])
def test_each_persona_reaches_the_sanction_tables_or_not(world, persona, status):
    client = world.client(persona)
    for page in PAGES:
        assert client.get(f"/admin/compliance/{page}/").status_code == status


@pytest.mark.parametrize("persona", ["leader", "officer"])
def test_only_stewards_change_them(world, persona):
    row = SanctionClause.objects.first()
    page = world.client(persona).get(change_url(row))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_a_steward_changes_the_rule_audited(world):
    rule = SanctionRule.objects.get(medium="water")
    client = world.client("steward")
    page = client.get(change_url(rule))
    response = client.post(change_url(rule), post_data(
        read_form(page, "sanctionrule_form"), repeat_window_days="180",
        repetition_verification="V"))
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert (rule.repeat_window_days, rule.repetition_verification) == (180, "V")
    event = AuditEvent.objects.get(object_type="compliance.sanctionrule", object_id=str(rule.pk))
    assert event.changes["repeat_window_days"] == [365, 180]


def test_a_clause_with_a_fine_above_its_end_is_refused(world):
    row = SanctionClause.objects.get(band__medium="water", band__code="2",
                                     flow_band__code="W1")
    client = world.client("steward")
    page = client.get(change_url(row))
    response = client.post(change_url(row), post_data(
        read_form(page, "sanctionclause_form"), fine_min="900000", fine_max="500000"))
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.fine_min == 300_000


def test_a_row_a_steward_deleted_is_not_loaded_again(world):
    steward = world.actor("steward")
    cd = ParameterClass.objects.get(parameter__medium="water", parameter__code="Cd")
    band = FlowBand.objects.get(medium="emission", code="E22")
    services.delete(steward, cd)
    services.delete(steward, band)
    ReferenceVersion.objects.all().delete()  # as after an upgrade of the data files
    load_all(system_actor("tests"))
    assert not ParameterClass.objects.filter(parameter__code="Cd",
                                             parameter__medium="water").exists()
    assert not FlowBand.objects.filter(medium="emission", code="E22").exists()
    load_all(system_actor("tests"), update=True)
    assert FlowBand.objects.filter(medium="emission", code="E22").exists()


def test_the_event_page_of_the_admin_shows_it(world):
    start = datetime.datetime(2026, 3, 10, 1, tzinfo=datetime.timezone.utc)
    event = ExceedanceEvent.objects.create(
        source=world.stack_hn, parameter=Parameter.objects.get(medium="emission", code="SO2"),
        start=start, end=start + datetime.timedelta(hours=2), peak_value=900, peak_multiple=2.0,
        peak_at=start, band="4", hours=2, limit=450, unit="mg/Nm3", status=EventStatus.OPEN)
    html = world.client("steward").get(change_url(event)).content.decode()
    assert "Nghị định 45/2022" in html
    assert "Điều 20 · phạt tiền · Vượt từ 2 đến dưới 3 lần" in html

