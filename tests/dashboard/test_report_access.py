"""Each persona on every road to a report: the list page, the downloads, the JSON twin and the
request form. Admins, stewards and leaders: every report; the Hà Nội officer: Hà Nội's only
(another province's and the country's are 404); operators and survey units: 403; anonymous:
sent to sign in (401 in the API)."""

from __future__ import annotations

import datetime

import pytest

from envhub.dashboard import reports
from envhub.dashboard.models import Report, ReportStatus

pytestmark = pytest.mark.django_db

NATIONAL_ROLES = ("admin", "steward", "leader")
NO_REPORTS = ("operator", "survey")


@pytest.fixture
def made(world, report_storage):
    """A ready national report, a ready Hà Nội one and a ready Đồng Nai one (files stored)."""
    rows = {}
    for key, province in (("vn", None), ("hn", world.hanoi), ("dn", world.dongnai)):
        pdf_name, pdf_size, pdf_sha = reports._keep(f"%PDF-1.7 {key}".encode(), "pdf")
        xlsx_name, xlsx_size, xlsx_sha = reports._keep(f"PK {key}".encode(), "xlsx")
        rows[key] = Report.objects.create(
            province=province, period_kind="month", first_day=datetime.date(2026, 11, 1),
            last_day=datetime.date(2026, 11, 30), requested_by="tests",
            status=ReportStatus.DONE, pdf_name=pdf_name, pdf_size=pdf_size, pdf_sha256=pdf_sha,
            xlsx_name=xlsx_name, xlsx_size=xlsx_size, xlsx_sha256=xlsx_sha)
    return rows


def _visible(world, persona: str, made) -> set[str]:
    response = world.client(persona).get("/api/v1/reports")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    return {key for key, report in made.items() if report.pk in ids}


@pytest.mark.parametrize("persona", NATIONAL_ROLES)
def test_it_shows_every_report_to_the_national_roles(world, made, persona):
    assert _visible(world, persona, made) == {"vn", "hn", "dn"}
    page = world.client(persona).get("/dashboard/reports/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Việt Nam (cả nước)" in text and "Đồng Nai" in text
    for report in made.values():
        assert f"/dashboard/reports/{report.pk}.pdf" in text
        download = world.client(persona).get(f"/dashboard/reports/{report.pk}.pdf")
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_it_shows_the_officer_their_provinces_reports_only(world, made):
    assert _visible(world, "officer", made) == {"hn"}
    client = world.client("officer")
    text = client.get("/dashboard/reports/").content.decode()
    assert f"report-{made['hn'].pk}" in text and f"report-{made['dn'].pk}" not in text
    response = client.get(f"/dashboard/reports/{made['hn'].pk}.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == \
        'attachment; filename="bao-cao-01-2026-11.xlsx"'
    for key in ("vn", "dn"):
        assert client.get(f"/dashboard/reports/{made[key].pk}.pdf").status_code == 404
        assert client.get(f"/api/v1/reports/{made[key].pk}").status_code == 404
    detail = client.get(f"/api/v1/reports/{made['hn'].pk}").json()
    assert detail["province"] == "01" and detail["links"]["pdf"].endswith(".pdf")


@pytest.mark.parametrize("persona", NO_REPORTS)
def test_it_refuses_operators_and_survey_units(world, made, persona):
    client = world.client(persona)
    assert client.get("/dashboard/reports/").status_code == 403
    assert client.get(f"/dashboard/reports/{made['hn'].pk}.pdf").status_code == 403
    response = client.get("/api/v1/reports")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client.get(f"/api/v1/reports/{made['hn'].pk}").status_code == 403
    assert client.post("/dashboard/reports/new", {"period": "month"}).status_code == 403
    assert client.post("/api/v1/reports", {"period": "month"},
                       content_type="application/json").status_code == 403
    assert Report.objects.count() == 3


def test_it_sends_the_anonymous_visitor_to_sign_in(world, made):
    client = world.client("anonymous")
    for path in ("/dashboard/reports/", f"/dashboard/reports/{made['vn'].pk}.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "login" in response["Location"]
    response = client.get("/api/v1/reports")
    assert response.status_code == 401
    assert response.json()["ok"] is False
    assert client.post("/api/v1/reports", {}, content_type="application/json"
                       ).status_code == 401
    assert Report.objects.count() == 3


def test_it_answers_404_for_an_unknown_report_or_file_kind(world, made):
    client = world.client("leader")
    assert client.get("/dashboard/reports/999999.pdf").status_code == 404
    assert client.get(f"/dashboard/reports/{made['vn'].pk}.docx").status_code == 404
    assert client.get("/api/v1/reports/999999").json()["error"]["code"] == "not_found"


def test_it_lists_by_scope_and_status(world, made):
    client = world.client("leader")
    only_vn = client.get("/api/v1/reports", {"province": "VN"}).json()["results"]
    assert [item["id"] for item in only_vn] == [made["vn"].pk]
    only_dn = client.get("/api/v1/reports", {"province": "75"}).json()["results"]
    assert [item["id"] for item in only_dn] == [made["dn"].pk]
    assert client.get("/api/v1/reports", {"status": "failed"}).json()["results"] == []
    assert client.get("/api/v1/reports", {"status": "nonsense"}).status_code == 400
    page = client.get("/dashboard/reports/", {"status": "nonsense"})
    assert page.status_code == 400


def test_it_queues_a_report_asked_for_on_the_page(world, made):
    client = world.client("officer")
    response = client.post("/dashboard/reports/new",
                           {"period": "month", "at": "2026-10-01", "province": "01",
                            "language": "en"})
    assert response.status_code == 302
    report = Report.objects.latest("id")
    assert (report.province, report.first_day, report.last_day, report.language,
            report.status, report.scheduled) == (
        world.hanoi, datetime.date(2026, 10, 1), datetime.date(2026, 10, 31), "en",
        ReportStatus.QUEUED, False)
    text = client.get(response["Location"]).content.decode()
    assert "Đang chờ" in text  # its state, on the list
    # An officer asking for the country's report, or another province's.
    before = Report.objects.count()
    assert client.post("/dashboard/reports/new", {"period": "month", "province": "75"}
                       ).status_code == 404
    assert Report.objects.count() == before


def test_it_queues_a_report_asked_for_in_the_api(world, made):
    client = world.client("steward")
    response = client.post("/api/v1/reports",
                           {"period": "custom", "from": "2026-11-03", "to": "2026-11-09"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["province"], body["period_kind"], body["first_day"], body["last_day"],
            body["status"]) == (None, "custom", "2026-11-03", "2026-11-09", "queued")
    assert "pdf" not in body["links"]
    bad = client.post("/api/v1/reports", {"period": "custom", "from": "2026-11-09",
                                          "to": "2026-11-03"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["ok"] is False
    assert client.post("/api/v1/reports", {"period": "fortnight"},
                       content_type="application/json").status_code == 400
    assert client.post("/api/v1/reports", {"language": "fr"},
                       content_type="application/json").status_code == 400
    assert client.post("/api/v1/reports", [1], content_type="application/json"
                       ).status_code == 400
