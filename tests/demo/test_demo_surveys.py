"""The demo's 2026 survey campaign (`envhub demo`, `demo/surveys.py`): the demo survey unit owes
the three built-in kinds; its periodic results are approved and loaded (their values, arsenic
below detection, on a site's page), its wells table is returned with a comment pointing at a
row, its inventory is a draft with errors — so that the unit's home page shows its work."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from envhub.accounts.models import User
from envhub.core.permissions import system_actor
from envhub.demo import accounts as demo_accounts
from envhub.demo import country
from envhub.demo import surveys as demo_surveys
from envhub.monitoring.models import Observation
from envhub.registry.models import Station, StationKind
from envhub.surveys.models import ReviewStep, SchemaKind, State, Version

pytestmark = pytest.mark.django_db

ACTOR = system_actor("tests")


@pytest.fixture
def demo(reference, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    country.build_country(ACTOR, seed=country.DEFAULT_SEED)
    demo_accounts.ensure_accounts(ACTOR)
    campaign = demo_surveys.ensure_survey_campaign(ACTOR)
    assert campaign is not None
    return campaign


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_campaign_holds_one_submission_in_each_state(demo):
    unit = User.objects.get(username="demo-survey").memberships.get().organisation
    owed = {item.schema.kind: item for item in demo.assignments.select_related("schema")}
    assert set(owed) == set(SchemaKind.values)
    assert {item.organisation_id for item in owed.values()} == {unit.pk}
    states = {kind: item.submissions.get().state for kind, item in owed.items()}
    assert states == {SchemaKind.PERIODIC_RESULTS: State.LOADED,
                      SchemaKind.GENERIC: State.RETURNED,
                      SchemaKind.EMISSION_INVENTORY: State.DRAFT}
    returned = ReviewStep.objects.get(submission__assignment=owed[SchemaKind.GENERIC],
                                      to_state=State.RETURNED)
    assert returned.rows == [3] and "HN-0002" in returned.comment
    draft = owed[SchemaKind.EMISSION_INVENTORY].submissions.get().current_upload
    assert draft.error_count == 4 and not draft.is_clean
    version = Version.objects.get(assignment=owed[SchemaKind.PERIODIC_RESULTS])
    assert version.number == 1 and version.approved_by


def test_the_loaded_results_are_on_the_sites_page_with_arsenic_below_detection(demo):
    sites = Station.objects.filter(kind=StationKind.PERIODIC,
                                   code__in=[site[0] for site in demo_surveys.SITES])
    assert sites.count() == len(demo_surveys.SITES)
    # Arsenic below detection at three sites is a sample, never an observation of zero.
    assert Observation.objects.filter(series__station__in=sites).count() == \
        len(demo_surveys.SITES) * len(demo_surveys.DATES) * len(demo_surveys.PARAMETERS) - 3 * 3
    page = signed_in("demo-steward").get(
        reverse("station-detail", args=["SH-HN-01"])).content.decode()
    assert 'id="samples"' in page and "below-detection" in page
    assert "TCVN 6492:2011" in page and "VIMCERTS 245" in page


def test_the_units_home_page_shows_its_work(demo):
    client = signed_in("demo-survey")
    home = client.get("/").content.decode()
    panel = home[home.index('class="survey-panel"'):]
    panel = panel[:panel.index("</section>")]
    figures = [int(figure) for figure in re.findall(
        r'<span class="figure">(\d+)</span>', panel)]
    # Three datasets owed; two wait for the unit (the returned table, the draft with errors).
    assert figures[:2] == [3, 2]
    surveys = client.get("/surveys/").content.decode()
    assert "Điều tra, quan trắc năm 2026" in surveys
    steward = signed_in("demo-steward").get("/").content.decode()
    assert "survey-panel" in steward
