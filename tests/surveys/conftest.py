"""A 2026 campaign in the test world: the survey unit owes periodic results, the inventory
and a generic table; a second unit (with its own person, "survey2") owes periodic results."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from envhub.accounts.models import Membership, Role, User
from envhub.registry.models import Organisation, OrganisationKind
from envhub.surveys.models import Assignment, Campaign, SurveySchema


@dataclass
class Campaign2026:
    campaign: Campaign
    periodic: Assignment
    inventory: Assignment
    generic: Assignment
    other_periodic: Assignment
    other_unit: Organisation


@pytest.fixture
def campaign(world) -> Campaign2026:
    other = Organisation.objects.create(name="Trung tâm Quan trắc Miền Nam",
                                        kind=OrganisationKind.SURVEY_UNIT)
    person = User.objects.create(username="survey2", full_name="Survey Two")
    Membership.objects.create(user=person, organisation=other, role=Role.SURVEY_UNIT)
    world.users["survey2"] = person
    schemas = {schema.kind: schema for schema in SurveySchema.objects.all()}
    campaign = Campaign.objects.create(title="Điều tra, quan trắc năm 2026", year=2026,
                                       created_by="tests")
    due = datetime.date(2026, 11, 30)

    def owe(kind, unit):
        return Assignment.objects.create(campaign=campaign, schema=schemas[kind],
                                         organisation=unit, due_on=due)

    return Campaign2026(
        campaign=campaign, periodic=owe("periodic_results", world.survey_unit),
        inventory=owe("emission_inventory", world.survey_unit),
        generic=owe("generic", world.survey_unit),
        other_periodic=owe("periodic_results", other), other_unit=other)
