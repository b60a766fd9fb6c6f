"""Each exceedance event carries its Decree 45/2022 classification: loaded from the reference
data, shown on the facility's compliance page, in the event's API and in the XLSX export alike,
following a steward's edit at once, and only on the events each persona may see."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from envhub.compliance import reference, sanctioning
from envhub.compliance.models import EventStatus, ExceedanceEvent, Permit, Regulation
from envhub.compliance.sanction_models import (
    FlowBand,
    ParameterClass,
    SanctionClause,
    SanctionRule,
)
from envhub.registry.models import Parameter
from tests.accounts.test_admin_personas import change_url, post_data, read_form
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

SEES = {"admin": {"hn", "dn"}, "steward": {"hn", "dn"}, "leader": {"hn", "dn"},
        "officer": {"hn"}, "operator": {"hn"}, "survey": set(), "anonymous": set()}
START = datetime.datetime(2026, 3, 10, 1, tzinfo=datetime.timezone.utc)


def make_event(source, parameter, permit, *, start=START, hours=2, multiple=1.333):
    return ExceedanceEvent.objects.create(
        source=source, parameter=parameter, permit=permit, start=start,
        end=start + datetime.timedelta(hours=hours), peak_value=600, peak_multiple=multiple,
        peak_at=start + datetime.timedelta(hours=1), band="2", hours=hours, limit=450,
        unit="mg/Nm3", status=EventStatus.CLOSED)


@pytest.fixture
def events(world):
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    found = {}
    for key, source in (("hn", world.stack_hn), ("dn", world.stack_dn)):
        permit = Permit.objects.create(
            source=source, number=f"{key}/GPMT", valid_from=datetime.date(2024, 1, 1),
            regulation=regulation, column="B", facility_flow_m3h=54_000, location_class="3")
        found[key] = make_event(source, so2, permit)
    return found


def api(world, persona, event):
    return world.client(persona).get(f"/api/v1/exceedances/{event.pk}")


def test_it_loads_the_sanction_reference_data(world):
    assert reference.data_files()[-1].name == "sanctions.json"
    rules = {rule.medium: rule for rule in SanctionRule.objects.all()}
    assert (rules["water"].flow_unit, rules["emission"].flow_unit) == ("m3/day", "m3/h")
    assert rules["water"].organisation_multiplier == 2
    assert (rules["water"].aggravated_from, rules["water"].aggravated_to) == ("1", "2")
    assert FlowBand.objects.filter(medium="water").count() == 8
    assert FlowBand.objects.get(medium="emission", code="E1").upper == 500
    assert FlowBand.objects.get(medium="emission", code="E22").upper is None
    so2 = ParameterClass.objects.get(parameter__medium="emission", parameter__code="SO2")
    assert (so2.kind, so2.verification) == ("ordinary", "R")
    assert ParameterClass.objects.get(parameter__medium="water", parameter__code="Cd").kind \
        == "hazardous"
    first = SanctionClause.objects.get(band__medium="water", band__code="2",
                                       flow_band__code="W1")
    assert (first.article, first.fine_min, first.fine_max, first.verification) == (
        "Điều 18", 300_000, 500_000, "T")
    # Nothing invented: no emission clause holds an amount.
    assert not SanctionClause.objects.filter(band__medium="emission",
                                             fine_min__isnull=False).exists()


def test_the_api_shows_the_classification_of_an_event(world, events):
    body = api(world, "steward", events["hn"]).json()
    sanction = body["sanction"]
    assert sanction["band"] == {"code": "2", "label": "Vượt từ 1,1 đến dưới 1,5 lần"}
    assert sanction["flow"] == 50_000 and sanction["flow_unit"] == "m3/h"
    assert sanction["flow_band"]["label"] == "Từ 50.000 đến dưới 55.000 m³/giờ"
    assert sanction["parameter_class"] == "ordinary"
    assert sanction["clause"]["text"] == "Điều 20"
    assert sanction["penalty"] == "fine" and sanction["fine_individual"] is None
    assert sanction["aggravation"] == [] and sanction["verified"] is False
    assert any("chưa được nhập" in reason for reason in sanction["reasons"])
    # The list stays as it was (additive field on the event only).
    listed = world.client("steward").get("/api/v1/exceedances").json()["results"]
    assert "sanction" not in listed[0]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_it_only_on_events_they_may_see(world, events, persona):
    client = world.client(persona)
    for key in ("hn", "dn"):
        response = api(world, persona, events[key])
        if persona == "anonymous":
            assert response.status_code == 401
        elif key in SEES[persona]:
            assert response.json()["sanction"]["clause"]["text"] == "Điều 20"
        else:
            assert response.status_code == 404
        facility = events[key].source.facility
        page = client.get(f"/facilities/{facility.pk}/compliance/?from=2026-03-09&to=2026-03-11")
        if key in SEES[persona]:
            assert page.status_code == 200
            html = page.content.decode()
            assert "Nghị định 45/2022" in html and "Điều 20" in html
            assert "chưa kiểm chứng" in html
        else:
            assert page.status_code in (302, 404)


def test_a_steward_edits_a_clause_and_the_page_api_and_export_follow(world, events):
    row = SanctionClause.objects.get(band__medium="emission", band__code="2",
                                     parameter_class="ordinary", flow_band=None)
    steward = world.client("steward")
    form = steward.get(change_url(row))
    assert form.status_code == 200
    response = steward.post(change_url(row), post_data(
        read_form(form, "sanctionclause_form"), point="a", clause="Khoản 2",
        fine_min="50000000", fine_max="70000000"))
    assert response.status_code == 302, response.content.decode()[:2000]

    sanction = api(world, "officer", events["hn"]).json()["sanction"]
    assert sanction["clause"]["text"] == "a, Khoản 2, Điều 20"
    assert sanction["fine_individual"] == {"min": 50_000_000, "max": 70_000_000}
    assert sanction["fine_organisation"] == {"min": 100_000_000, "max": 140_000_000}
    page = world.client("officer").get(
        f"/facilities/{world.facility_hn.pk}/compliance/?from=2026-03-09&to=2026-03-11")
    html = page.content.decode()
    assert "a, Khoản 2, Điều 20" in html and "50.000.000" in html and "140.000.000" in html

    book = openpyxl.load_workbook(io.BytesIO(world.client("officer").get(
        f"/facilities/{world.facility_hn.pk}/compliance.xlsx?from=2026-03-09&to=2026-03-11"
    ).content))
    rows = list(book["Sự cố vượt"].values) if "Sự cố vượt" in book.sheetnames else \
        list(book.worksheets[3].values)
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "Điều khoản" in header
    assert first["Điều khoản"] == "a, Khoản 2, Điều 20"
    assert first["Phạt tổ chức, từ (VND)"] == 100_000_000
    assert first["Dữ liệu xử phạt đã kiểm chứng"] == "không"


def test_a_repeated_exceedance_under_1_1_times_takes_the_next_band(world, events):
    so2 = events["hn"].parameter
    earlier = make_event(world.stack_hn, so2, events["hn"].permit,
                         start=START - datetime.timedelta(days=40))
    later = make_event(world.stack_hn, so2, events["hn"].permit,
                       start=START + datetime.timedelta(days=5), multiple=1.05)
    found = sanctioning.classify_event(later)
    assert found.band.code == "1" and found.applied_band.code == "2"
    assert found.aggravation == ("repeated",)
    assert sanctioning.classify_event(earlier).aggravation == ()
    # Beyond the window it no longer counts.
    SanctionRule.objects.filter(medium="emission").update(repeat_window_days=1)
    assert sanctioning.classify_event(later).aggravation == ()
    assert sanctioning.classify_event(later).penalty == "warning"


def test_several_parameters_at_once_make_it_multiple(world, events):
    nox = Parameter.objects.get(medium="emission", code="NOx")
    make_event(world.stack_hn, nox, events["hn"].permit, start=START + datetime.timedelta(hours=1))
    assert sanctioning.classify_event(events["hn"]).aggravation == ("multiple",)
    assert sanctioning.classify_event(events["dn"]).aggravation == ()


def test_without_a_flow_or_a_class_it_says_so(world, events):
    source = world.stack_hn
    source.design_flow_m3h = None
    source.save()
    hg = Parameter.objects.get(medium="emission", code="HCl")
    event = make_event(source, hg, events["hn"].permit, start=START + datetime.timedelta(days=3))
    shown = sanctioning.as_dict(sanctioning.classify_event(ExceedanceEvent.objects.get(
        pk=event.pk)))
    assert shown["flow"] is None and shown["flow_band"] is None
    assert shown["parameter_class"] is None and shown["clause"] is None
    text = " ".join(shown["reasons"])
    assert "lưu lượng" in text and "phân loại" in text


def test_an_outfall_is_read_by_its_permits_daily_discharge(world):
    regulation = Regulation.objects.get(code="QCVN 40:2011/BTNMT")
    cod = Parameter.objects.get(medium="water", code="COD")
    permit = Permit.objects.create(
        source=world.outfall_hn, number="nt/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=regulation, column="B", discharge_m3d=7)
    event = make_event(world.outfall_hn, cod, permit, multiple=1.2)
    found = sanctioning.classify_event(event)
    assert (found.flow, found.flow_band.code, found.clause.article) == (7, "W2", "Điều 18")
    assert (found.fine_individual.minimum, found.fine_individual.maximum) == (500_000, 2_000_000)
    assert (found.fine_organisation.minimum, found.fine_organisation.maximum) == (
        1_000_000, 4_000_000)
    columns = sanctioning.sanction_columns(event)
    assert columns["Phạt cá nhân, từ (VND)"] == 500_000


def test_it_reads_in_english_too(world, events):
    client = world.client("leader")
    client.cookies["django_language"] = "en"
    body = client.get(f"/api/v1/exceedances/{events['hn'].pk}",
                      HTTP_ACCEPT_LANGUAGE="en").json()
    assert "The fine amounts of this clause are not entered yet." in body["sanction"]["reasons"]
    assert body["sanction"]["penalty_label"] == "fine"
    html = client.get(f"/facilities/{world.facility_hn.pk}/compliance/?from=2026-03-09"
                      "&to=2026-03-11", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Decree 45/2022" in html and "not verified" in html
    assert "Additional sanctions and remedies" in html  # Art. 20 cl. 8 remedies
