"""The site map: every page of envhub as each role uses it, with real objects from the test world.

`furnish` fills the world with what the pages show on a normal day (an hour of ambient air, a
stack over its limit with its exceedance and notification, a station's data transmission, API
tokens, the catalogue); `site_map` lists, for each role, the pages that role opens. The browser
tests walk this map (tests/browser/test_site_map.py).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.utils import timezone

from envhub.accounts import services as accounts
from envhub.catalog import services as catalog
from envhub.catalog.models import Dataset
from envhub.compliance import assess, disclosure
from envhub.compliance.models import Permit, Regulation
from envhub.core.permissions import actor_for_user, system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from tests.monitoring.files import tt10_file

ROLES = ("anonymous", "leader", "officer", "operator", "steward", "admin", "survey")
WIDTHS = ({"width": 390, "height": 844}, {"width": 1366, "height": 900})


@dataclass(frozen=True)
class Page:
    name: str  # a slug: the screenshot's name
    path: str


def furnish(world) -> dict:
    """What the pages of the map show; returns the objects the map's detail pages need."""
    ingest.directory.forget()
    Permit.objects.create(
        source=world.stack_hn, number="35/GPMT-BTNMT", valid_from=datetime.date(2024, 1, 1),
        regulation=Regulation.objects.get(code="QCVN 19:2009/BTNMT"), column="B",
        facility_flow_m3h=54_000, location_class="3")
    now = timezone.now().astimezone(VN).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    day = (now - datetime.timedelta(days=1)).date()
    files = [tt10_file(world.air_hn, now - datetime.timedelta(hours=h),
                       [("PM2,5", 30.0 + h, "ug/m3"), ("CO", 900.0, "ug/m3")]) for h in (3, 2, 1)]
    for hour in range(1, 7):
        for slot in range(1, 13):
            at = datetime.datetime.combine(day, datetime.time(hour - 1)) + \
                datetime.timedelta(minutes=5 * slot)
            files.append(tt10_file(world.station_stack_hn, at, [
                ("SO2", 600 if hour in (3, 4) else 200, "mg/Nm3"), ("PM", 40, "mg/Nm3")]))
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    assess.process_queue()
    catalog.sync()
    disclosure.decide(actor_for_user(world.users["steward"]), world.facility_hn.pk, True,
                      "Công khai theo đề nghị của báo chí")
    officer = actor_for_user(world.users["officer"])
    accounts.create_token(officer, name="Trạm HNKT1", station=world.station_stack_hn)
    accounts.create_token(officer, name="Cổng dữ liệu Sở", user=world.users["officer"])
    operator = actor_for_user(world.users["operator"])
    accounts.create_token(operator, name="Nhà máy", facility=world.facility_hn)
    assignment, submission = _survey_work(world)
    return {
        "day": day,
        "survey_assignment": assignment,
        "survey_submission": submission,
        "permit": Permit.objects.get(number="35/GPMT-BTNMT"),
        "air_dataset": Dataset.objects.filter(
            identifier__startswith="quan-trac-kk-hourly-01").get(),
        "events_dataset": Dataset.objects.get(identifier="su-co-vuot-quy-chuan"),
        "registry_dataset": Dataset.objects.get(identifier="co-so-va-nguon-thai"),
    }


def _survey_work(world):
    """A 2026 campaign with the survey unit's household wells, a file with an error checked."""
    from envhub.surveys import checking, workflow
    from envhub.surveys.models import Assignment, Campaign, SurveySchema
    from tests.surveys.unitdata import wells

    campaign = Campaign.objects.create(title="Điều tra, quan trắc năm 2026", year=2026,
                                       created_by="tests")
    assignment = Assignment.objects.create(
        campaign=campaign, schema=SurveySchema.objects.get(kind="generic"),
        organisation=world.survey_unit, due_on=datetime.date(2026, 11, 30))
    upload = workflow.upload(actor_for_user(world.users["survey"]), assignment.pk,
                             io.BytesIO(wells(world, "12,5", "sâu")), "gieng-2026.csv")
    checking.run()
    return assignment, upload.submission


def site_map(world, objects: dict) -> dict[str, list[Page]]:
    """role -> the pages that role opens (each answers 200 to it)."""
    hn, hn_facility, hn_stack = world.hanoi, world.facility_hn, world.station_stack_hn
    day = objects["day"]
    period = f"?from={day:%Y-%m-%d}&to={day:%Y-%m-%d}"
    # The public pages; a signed-in role opens those whose content depends on who reads them
    # (the catalogue shows each role its access classes) or that are heavy on a phone.
    public = [
        Page("home", "/"),
        Page("catalogue", "/datasets/"),
        Page("dataset-air", f"/datasets/{objects['air_dataset'].identifier}/"),
        Page("air-map", "/air/"),
    ]
    public_only = [
        Page("catalogue-search", "/datasets/?q=khong+khi"),
        Page("air-station", f"/air/stations/{world.air_hn.code}/"),
        Page("air-province", f"/air/provinces/{hn.code}/"),
        Page("parameters", "/parameters/"),
        Page("login", "/login/"),
        Page("public-facilities", "/public/facilities/"),
        Page("public-facility", f"/public/facilities/{hn_facility.pk}/"),
    ]
    signed_in = [
        Page("facilities", "/facilities/"),
        Page("stations", "/stations/"),
        Page("transmission", "/transmission/"),
        Page("compliance", f"/compliance/{period}"),
        Page("notifications", "/notifications/"),
        Page("notification-preferences", "/notifications/preferences/"),
        Page("tokens", "/account/tokens/"),
    ]
    in_hanoi = [
        Page("facility", f"/facilities/{hn_facility.pk}/"),
        Page("station-stack", f"/stations/{hn_stack.code}/"),
        Page("station-air", f"/stations/{world.air_hn.code}/"),
        Page("facility-compliance", f"/facilities/{hn_facility.pk}/compliance/{period}"),
        Page("dataset-events", f"/datasets/{objects['events_dataset'].identifier}/"),
    ]
    government = [
        Page("province-compliance", f"/provinces/{hn.code}/compliance/{period}"),
        Page("dataset-registry", f"/datasets/{objects['registry_dataset'].identifier}/"),
        Page("admin", "/admin/"),
        Page("admin-facilities", "/admin/registry/facility/"),
        Page("admin-facility", f"/admin/registry/facility/{hn_facility.pk}/change/"),
        Page("admin-stations", "/admin/registry/station/"),
        Page("admin-permit", f"/admin/compliance/permit/{objects['permit'].pk}/change/"),
    ]
    everywhere = [
        Page("late-datasets", "/catalogue/late/"),
        Page("facility-dongnai", f"/facilities/{world.facility_dn.pk}/"),
        Page("admin-datasets", "/admin/catalog/dataset/"),
        Page("admin-dataset", f"/admin/catalog/dataset/{objects['air_dataset'].pk}/change/"),
        Page("admin-batches", "/admin/monitoring/batch/"),
    ]
    deciders = [Page("disclosure", "/disclosure/")]
    surveys = [
        Page("surveys", "/surveys/"),
        Page("survey-submission", f"/surveys/submissions/{objects['survey_submission'].pk}/"),
    ]
    return {
        "anonymous": [*public, *public_only],
        "leader": [*public, *signed_in, *in_hanoi, *government, *everywhere[1:], *surveys],
        "officer": [*public, *signed_in, *in_hanoi, *government],
        "operator": [*public, *signed_in, *in_hanoi[:2], in_hanoi[3]],
        "steward": [*public, *signed_in, *in_hanoi, *government, *everywhere, *surveys,
                    *deciders],
        "admin": [*public, *signed_in, *in_hanoi, *government, *everywhere, *deciders,
                  Page("admin-users", "/admin/accounts/user/"),
                  Page("admin-tokens", "/admin/accounts/apitoken/"),
                  Page("admin-audit", "/admin/accounts/auditevent/")],
        "survey": [*public, *signed_in, *surveys,
                   Page("survey-assignment",
                        f"/surveys/assignments/{objects['survey_assignment'].pk}/")],
    }
