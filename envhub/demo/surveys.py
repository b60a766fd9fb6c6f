"""The demo's 2026 survey campaign: the demo survey unit owes periodic monitoring results, the
emission source inventory and a household-wells table. Its periodic results are approved and
loaded (new river sites, their values on the sites' pages, arsenic below detection), the
wells table was returned with comments, and the inventory is a draft with errors — so that the
unit's home page shows work in each state. Made once, through the same services as real use."""

from __future__ import annotations

import csv
import datetime
import io

from envhub.accounts.models import User
from envhub.core.permissions import actor_for_user
from envhub.registry.models import Organisation, OrganisationKind, Province
from envhub.surveys import checking, loading, workflow
from envhub.surveys.models import Assignment, Campaign, SurveySchema
from envhub.surveys.tableschema import compile_schema

CAMPAIGN = "Điều tra, quan trắc năm 2026"
DEADLINE = datetime.date(2026, 11, 30)

# River and lake sites sampled each quarter: code, name, province code, latitude, longitude.
SITES = (
    ("SH-HN-01", "Sông Hồng tại cầu Long Biên", "01", 21.0437, 105.8594),
    ("TL-HN-02", "Sông Tô Lịch tại cầu Mới", "01", 20.9990, 105.8140),
    ("CA-HP-01", "Sông Cấm tại bến Bính", "31", 20.8690, 106.6820),
    ("HT-HN-03", "Hồ Tây, điểm giữa hồ", "01", 21.0565, 105.8190),
)
DATES = (datetime.date(2026, 3, 16), datetime.date(2026, 6, 15), datetime.date(2026, 9, 14))
# parameter, unit, method, typical value at each site (factor by quarter below); None: below
# detection (limit in the last element).
PARAMETERS = (
    ("pH", "", "TCVN 6492:2011", (7.2, 7.0, 7.4, 7.8)),
    ("TSS", "mg/L", "TCVN 6625:2000", (48.0, 65.0, 36.0, 12.0)),
    ("COD", "mg/L", "SMEWW 5220C:2017", (18.0, 64.0, 22.0, 26.0)),
    ("BOD5", "mg/L", "TCVN 6001-1:2008", (9.0, 35.0, 11.0, 13.0)),
    ("NH4", "mg/L", "SMEWW 4500-NH3.F:2017", (0.42, 6.8, 0.51, 0.35)),
    ("As", "mg/L", "SMEWW 3114B:2017", (None, 0.006, None, None)),
)
QUARTER_FACTOR = (1.0, 1.15, 0.9)
AS_LIMIT = 0.001
LAB = "Phòng thí nghiệm Viện Khoa học Môi trường Trường Sơn"
VIMCERTS = "VIMCERTS 245"


def _csv(schema_version, rows: list[dict]) -> io.BytesIO:
    schema = compile_schema(schema_version.descriptor)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([item.header() for item in schema.fields])
    for row in rows:
        writer.writerow(["" if row.get(item.name) is None else row[item.name]
                         for item in schema.fields])
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def periodic_rows() -> list[dict]:
    rows = []
    for site, (code, name, province, latitude, longitude) in enumerate(SITES):
        for quarter, day in enumerate(DATES):
            for parameter, unit, method, values in PARAMETERS:
                row = {"station_code": code, "site_name": name, "province_code": province,
                       "latitude": _number(latitude), "longitude": _number(longitude),
                       "sampling_date": day.strftime("%d/%m/%Y"), "sampling_time": "09:00",
                       "medium": "water", "parameter": parameter, "unit": unit,
                       "method": method, "laboratory": LAB, "vimcerts": VIMCERTS}
                typical = values[site]
                if typical is None:
                    row.update(detection="<LOD", detection_limit=_number(AS_LIMIT))
                else:
                    factor = 1.0 if parameter == "pH" else QUARTER_FACTOR[quarter]
                    row["value"] = _number(round(typical * factor, 3))
                rows.append(row)
    return rows


def well_rows(ward_code: str) -> list[dict]:
    def well(code, owner, kind, depth, households, drinking, ph):
        return {"well_id": code, "province_code": "01", "ward_code": ward_code,
                "survey_date": "12/05/2026", "owner": owner, "well_type": kind,
                "depth": depth, "households": households, "drinking": drinking, "ph": ph}

    return [well("HN-0001", "Nguyễn Văn Bình", "giếng khoan", "32", "4", "có", "6,9"),
            well("HN-0002", "Trần Thị Lan", "giếng đào", "120", "2", "không", "7,1"),
            well("HN-0003", "Lê Văn Cường", "giếng khoan", "45,5", "6", "có", "6,5")]


def inventory_rows() -> list[dict]:
    return [{"year": "2025", "tax_code": "0109999999",
             "facility_name": "Công ty TNHH Gạch men Kim Lan", "province_code": "01",
             "ward_code": "99999", "sector": "ceramics",
             "stack_code": "OK1", "stack_height": "-25", "fuel": "than cám"}]


def ensure_survey_campaign(actor) -> Campaign | None:
    """Create the campaign and its submissions once; None when it was there already."""
    if Campaign.objects.filter(title=CAMPAIGN).exists():
        return None
    unit_user = User.objects.get(username="demo-survey")
    steward = actor_for_user(User.objects.get(username="demo-steward"))
    unit = actor_for_user(unit_user)
    organisation = Organisation.objects.get(pk=next(iter(unit.organisation_ids)),
                                            kind=OrganisationKind.SURVEY_UNIT)
    campaign = Campaign.objects.create(
        title=CAMPAIGN, year=2026, created_by=actor.label,
        description="Điều tra, quan trắc môi trường định kỳ và kiểm kê nguồn thải năm 2026.")
    schemas = {schema.kind: schema for schema in SurveySchema.objects.all()}
    owed = {kind: Assignment.objects.create(campaign=campaign, schema=schema,
                                            organisation=organisation, due_on=DEADLINE)
            for kind, schema in schemas.items()}

    def upload(kind: str, rows: list[dict], name: str):
        schema_version = owed[kind].schema.current()
        item = workflow.upload(unit, owed[kind].pk, _csv(schema_version, rows), name)
        checking.check(item)
        item.refresh_from_db()
        return item

    results = upload("periodic_results", periodic_rows(), "ket-qua-quan-trac-2026.csv")
    workflow.submit(unit, results.submission_id, "Kết quả quan trắc 3 quý đầu năm 2026.")
    workflow.approve(steward, results.submission_id, "Số liệu đầy đủ, đạt yêu cầu.")
    loading.run()

    ward = Province.objects.get(code="01").wards.order_by("code").first()
    wells = upload("generic", well_rows(ward.code), "gieng-nuoc-2026.csv")
    workflow.submit(unit, wells.submission_id)
    workflow.return_to_unit(
        steward, wells.submission_id,
        "Giếng HN-0002 là giếng đào nhưng độ sâu ghi 120 m: đề nghị kiểm tra lại.", rows=[3])

    upload("emission_inventory", inventory_rows(), "kiem-ke-nguon-thai-2026.csv")
    return campaign
