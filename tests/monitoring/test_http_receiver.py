"""POST /api/v1/ingest/files end to end: a program with a station or facility token sends files
(raw body or multipart), gets each file's report, and the database holds exactly what it sent."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envhub.accounts import services as accounts
from envhub.accounts.models import AuditEvent
from envhub.core.permissions import system_actor
from envhub.monitoring.models import Batch, Observation
from tests.monitoring.files import local, tt10_file

pytestmark = pytest.mark.django_db

URL = "/api/v1/ingest/files"


def bearer(world, **owner):
    issued = accounts.create_token(system_actor(), name="logger", **owner)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"}


def post_raw(client, file, headers):
    return client.post(URL, data=file.content, content_type="text/plain",
                        HTTP_X_FILENAME=file.name, **headers)


def stack_file(world, minute=0, so2=100.0):
    return tt10_file(world.station_stack_hn, local(2026, 11, 20, 8, minute), [
        ("SO2", so2, "mg/Nm3"), ("NOx", 250, "mg/Nm3"), ("PM", 20, "mg/Nm3"), ("O2", 7, "%"),
    ])


def test_a_station_sends_a_raw_file_and_gets_its_report(world):
    headers = bearer(world, station=world.station_stack_hn)
    response = post_raw(Client(), stack_file(world), headers)
    assert response.status_code == 200, response.content
    [report] = response.json()["results"]
    assert (report["status"], report["accepted"], report["lines"]) == ("accepted", 4, 4)
    assert report["station"] == "HNKT1"
    assert Observation.objects.count() == 4
    # Sending it again adds nothing and says so.
    again = post_raw(Client(), stack_file(world), headers).json()["results"][0]
    assert (again["status"], again["duplicates"], again["duplicate_of"]) == (
        "duplicate_file", 4, report["batch_id"])
    assert Observation.objects.count() == 4


def test_a_facility_sends_many_files_in_one_multipart_upload(world):
    headers = bearer(world, facility=world.facility_hn)
    files = [stack_file(world, minute) for minute in (0, 5, 10)]
    files.append(tt10_file(world.station_outfall_hn, local(2026, 11, 20, 8, 0),
                           [("COD", 60, "mg/L"), ("pH", 7.2, "")]))
    payload = {f"file{i}": SimpleUploadedFile(f.name, f.content) for i, f in enumerate(files)}
    response = Client().post(URL, data=payload, **headers)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * 4
    assert Observation.objects.count() == 3 * 4 + 2


def answer_without_batch_id(response) -> tuple[int, dict]:
    body = response.json()
    body["error"]["details"]["report"]["batch_id"] = None  # a rejected file has a batch too
    return response.status_code, body


def unknown_station_answer(name: str) -> tuple[int, dict]:
    """What a sender gets for a raw file whose name points at no station."""
    province, facility, station, _time = name.split("_")
    message = (f"No station has the file-name prefix {province}_{facility}_{station}_ or the "
               f"code {station}.")
    return 422, {"ok": False, "error": {
        "code": "file_rejected", "message": "Nothing in this file could be accepted.",
        "details": {"report": {
            "file_name": name, "status": "rejected", "station": None, "batch_id": None,
            "lines": 0, "accepted": 0, "rejected": 1, "duplicates": 0, "conflicts": 0,
            "rejects": [{"line": 0, "code": "unknown_station", "message": message,
                         "text": ""}],
            "conflict_details": [], "notes": [], "duplicate_of": None}}}}


@pytest.mark.parametrize("owner, station", [
    ({"station": "station_stack_hn"}, "station_stack_dn"),  # another station
    ({"station": "station_stack_hn"}, "station_outfall_hn"),  # another station of its facility
    ({"facility": "facility_dn"}, "station_stack_hn"),  # another facility's station
    ({"facility": "facility_hn"}, "station_stack_hn2"),  # another enterprise, same province
])
def test_a_station_the_sender_may_not_send_for_is_answered_as_a_missing_one(world, owner,
                                                                            station):
    headers = bearer(world, **{kind: getattr(world, name) for kind, name in owner.items()})
    headers["HTTP_ACCEPT_LANGUAGE"] = "en"
    target = getattr(world, station)
    refused = tt10_file(target, local(2026, 11, 20, 8, 0), [("SO2", 1, "mg/Nm3")])
    province, facility, _code, stamp = refused.name.split("_")
    missing = tt10_file(target, local(2026, 11, 20, 8, 0), [("SO2", 1, "mg/Nm3")])
    missing.name = f"{province}_{facility}_NOSUCH9_{stamp}"

    assert answer_without_batch_id(post_raw(Client(), refused, headers)) == \
        unknown_station_answer(refused.name)
    assert answer_without_batch_id(post_raw(Client(), missing, headers)) == \
        unknown_station_answer(missing.name)
    assert Observation.objects.count() == 0
    # The server still knows who tried to send for which station.
    [refusal] = AuditEvent.objects.filter(action="ingest_refused")
    assert refusal.changes == {"station": [None, target.code]}


def test_it_answers_422_with_the_reasons_when_nothing_can_be_accepted(world):
    headers = bearer(world, station=world.station_stack_hn)
    bad = tt10_file(world.station_stack_hn, local(2026, 11, 20, 8, 0), [("ZZZ", 1, "mg/Nm3")])
    response = post_raw(Client(), bad, headers)
    assert response.status_code == 422
    report = response.json()["error"]["details"]["report"]
    [reject] = report["rejects"]
    assert (reject["line"], reject["code"]) == (1, "unknown_parameter")
    assert "ZZZ" in reject["message"] and reject["text"].startswith("ZZZ")
    assert Batch.objects.get(pk=report["batch_id"]).status == "rejected"


@pytest.mark.parametrize("headers, status, code", [
    ({}, 401, "not_authenticated"),
    ({"HTTP_AUTHORIZATION": "Bearer envh_0000000000_nope"}, 401, "invalid_token"),
])
def test_it_refuses_anonymous_senders(world, headers, status, code):
    response = post_raw(Client(), stack_file(world), headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_it_needs_a_file_name(world):
    headers = bearer(world, station=world.station_stack_hn)
    response = Client().post(URL, data=b"SO2\t1\tmg/Nm3\t20261120080000\t00\n",
                             content_type="text/plain", **headers)
    assert response.status_code == 400
    assert "X-Filename" in response.json()["error"]["details"]


def test_it_refuses_an_oversized_body_with_413(world, settings):
    settings.ENVHUB_MAX_FILE_BYTES = 2000
    headers = bearer(world, station=world.station_stack_hn)
    file = stack_file(world)
    response = Client().post(URL, data=file.content * 100, content_type="text/plain",
                             HTTP_X_FILENAME=file.name, **headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_an_oversized_part_of_a_multipart_upload_is_rejected_alone(world, settings):
    settings.ENVHUB_MAX_FILE_BYTES = 2000
    headers = bearer(world, facility=world.facility_hn)
    small = stack_file(world)
    big = stack_file(world, minute=5)
    payload = {"a": SimpleUploadedFile(small.name, small.content),
               "b": SimpleUploadedFile(big.name, big.content * 100)}
    results = Client().post(URL, data=payload, **headers).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["rejects"][0]["code"] == "too_large"


def test_a_cookie_session_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["steward"])
    response = post_raw(client, stack_file(world), {})
    assert response.status_code == 403
    assert Observation.objects.count() == 0


def test_a_database_outage_is_a_503_and_stores_nothing(world, monkeypatch):
    from django.db import DatabaseError

    from envhub.monitoring import storage

    def down(pending, batch_ids):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(storage, "insert_observations", down)
    headers = bearer(world, station=world.station_stack_hn)
    response = post_raw(Client(), stack_file(world), headers)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert Batch.objects.count() == 0


def test_a_chunked_body_is_refused_with_411_not_read_as_empty(world):
    headers = bearer(world, station=world.station_stack_hn)
    file = stack_file(world)
    response = Client().generic("POST", URL, data=b"", content_type="text/plain",
                                HTTP_X_FILENAME=file.name, HTTP_TRANSFER_ENCODING="chunked",
                                **headers)
    assert response.status_code == 411
    assert response.json()["error"]["code"] == "length_required"
    assert Batch.objects.count() == 0


def test_too_many_parts_is_a_413_not_a_500(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    headers = bearer(world, facility=world.facility_hn)
    payload = {f"f{i}": SimpleUploadedFile(f"x{i}.txt", b"x") for i in range(5)}
    response = Client().post(URL, data=payload, **headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
