"""Campaign pages for every role: the list, a new campaign with its assignments (stewards,
audited), the progress per unit and dataset kind (a unit sees its own rows only; overdue when
the deadline passed with nothing approved), its JSON twin, and a deadline moved."""

from __future__ import annotations

import datetime

import pytest

from envhub.accounts.models import AuditEvent
from envhub.surveys import campaigns
from envhub.surveys.models import Assignment, Campaign, SurveySchema
from tests.surveys.steps import PERSONAS, loaded, sent, well, wells_file

pytestmark = pytest.mark.django_db

SEE_ALL = {"admin", "steward", "leader"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_the_campaigns_each_role_may_see(world, campaign, persona):
    response = world.client(persona).get("/surveys/campaigns/")
    if persona == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    page = response.content.decode()
    listed = campaign.campaign.title in page
    assert listed == (persona in SEE_ALL | {"survey", "survey2"})
    if listed:  # the assignments the reader sees: a unit its own
        count = {"survey": 3, "survey2": 1}.get(persona, 4)
        assert f'<td class="num">{count}</td></tr>' in page
    assert ('id="new-campaign"' in response.content.decode()) == (
        persona in {"admin", "steward"})


def _form(world, **changes):
    schemas = SurveySchema.objects.filter(kind="generic").values_list("pk", flat=True)
    data = {"title": "Điều tra năm 2027", "year": "2027", "description": "Đợt thử",
            "schemas": list(schemas), "units": [world.survey_unit.pk],
            "due_on": "2027-10-31", "access_class": "open"}
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_stewards_create_a_campaign(world, campaign, persona):
    client = world.client(persona)
    response = client.post("/surveys/campaigns/new/", _form(world))
    created = Campaign.objects.filter(title="Điều tra năm 2027").first()
    if persona in {"admin", "steward"}:
        assert response.status_code == 302 and created is not None
        assignment = created.assignments.get()
        assert (assignment.organisation, assignment.due_on, assignment.access_class) == (
            world.survey_unit, datetime.date(2027, 10, 31), "open")
        assert AuditEvent.objects.filter(object_type="surveys.campaign",
                                         object_id=str(created.pk), action="create").exists()
        assert AuditEvent.objects.filter(object_type="surveys.assignment",
                                         object_id=str(assignment.pk)).exists()
    else:
        assert created is None
        assert response.status_code == (401 if persona == "anonymous" else 403)


def test_a_campaign_needs_kinds_and_survey_units(world, campaign):
    client = world.client("steward")
    assert client.get("/surveys/campaigns/new/").status_code == 200
    page = client.post("/surveys/campaigns/new/", _form(
        world, schemas=[], units=[world.enterprise_hn.pk])).content.decode()
    assert not Campaign.objects.filter(title="Điều tra năm 2027").exists()
    assert page.count('class="field-error"') >= 2


def _rows(page: str) -> set[str]:
    import re

    return set(re.findall(r'data-unit="([^"]+)"', page))


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_progress_shows_each_role_its_rows(world, campaign, persona):
    response = world.client(persona).get(f"/surveys/campaigns/{campaign.campaign.pk}/")
    mine, theirs = world.survey_unit.name, campaign.other_unit.name
    if persona in SEE_ALL:
        assert _rows(response.content.decode()) == {mine, theirs}
    elif persona == "survey":
        assert _rows(response.content.decode()) == {mine}
    elif persona == "survey2":
        assert _rows(response.content.decode()) == {theirs}
    elif persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


def test_the_progress_counts_states_rows_versions_and_overdue(world, campaign):
    loaded(world, campaign.generic, wells_file(well(world), well(world, code="HN-0002")))
    # The deadline has passed for the other unit's periodic results, with nothing approved;
    # the others' deadlines are far ahead, whatever the day the test runs.
    Assignment.objects.update(due_on=datetime.date(2100, 1, 1))
    Assignment.objects.filter(pk=campaign.other_periodic.pk).update(
        due_on=datetime.date(2020, 1, 1))
    Assignment.objects.filter(pk=campaign.generic.pk).update(due_on=datetime.date(2020, 1, 1))
    progress = campaigns.progress(world.actor("leader"), campaign.campaign.pk)
    rows = {row.assignment.pk: row for row in progress.rows}
    generic = rows[campaign.generic.pk]
    assert (generic.state, generic.rows, generic.errors, generic.loaded) == ("loaded", 2, 0, 1)
    assert not generic.overdue  # late, but approved
    assert rows[campaign.other_periodic.pk].overdue
    assert rows[campaign.other_periodic.pk].state == "none"
    assert progress.totals["loaded"] == 1 and progress.totals["none"] == 3
    assert progress.totals["overdue"] == 1
    data = world.client("steward").get(
        f"/surveys/campaigns/{campaign.campaign.pk}/?format=json").json()
    assert data["totals"]["overdue"] == 1
    by_id = {row["assignment"]: row for row in data["results"]}
    assert by_id[campaign.generic.pk]["versions"][0]["number"] == 1
    assert by_id[campaign.other_periodic.pk]["overdue"] is True
    unit = world.client("survey").get(
        f"/surveys/campaigns/{campaign.campaign.pk}/?format=json").json()
    assert {row["unit"] for row in unit["results"]} == {world.survey_unit.name}


def test_a_sent_file_shows_its_state_on_the_progress(world, campaign):
    sent(world, campaign.generic, wells_file(well(world)))
    page = world.client("steward").get(f"/surveys/campaigns/{campaign.campaign.pk}/")
    assert "Đã gửi duyệt" in page.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_assignment_page_lists_versions_for_whoever_sees_it(world, campaign, persona):
    version = loaded(world, campaign.generic, wells_file(well(world)))
    response = world.client(persona).get(f"/surveys/assignments/{campaign.generic.pk}/")
    if persona in SEE_ALL | {"survey"}:
        page = response.content.decode()
        assert f"/surveys/versions/{version.pk}/download" in page
        assert f"/surveys/assignments/{campaign.generic.pk}/rows/?version=1" in page
        assert ('id="deadline-form"' in page) == (persona in {"admin", "steward"})
    elif persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


def test_a_steward_moves_a_deadline_and_others_cannot(world, campaign):
    url = f"/surveys/assignments/{campaign.generic.pk}/deadline/"
    assert world.client("survey").post(url, {"due_on": "2026-12-31"}).status_code == 403
    assert world.client("leader").post(url, {"due_on": "2026-12-31"}).status_code == 403
    assert world.client("steward").post(url, {"due_on": "2026-12-31"}).status_code == 302
    campaign.generic.refresh_from_db()
    assert campaign.generic.due_on == datetime.date(2026, 12, 31)
    assert AuditEvent.objects.filter(object_type="surveys.assignment",
                                     object_id=str(campaign.generic.pk),
                                     action="change").exists()
