"""POST /api/v1/ingest/files end to end: a program with a station or facility token sends files
(raw body or multipart), gets each file's report, and the database holds exactly what it sent."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envhub.accounts import services as accounts
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


def test_a_station_cannot_send_for_another_station(world):
    headers = bearer(world, station=world.station_stack_hn)
    other = tt10_file(world.station_stack_dn, local(2026, 11, 20, 8, 0), [("SO2", 1, "mg/Nm3")])
    response = post_raw(Client(), other, headers)
    assert response.status_code == 403
    body = response.json()
    assert body["error"]["code"] == "station_not_allowed"
    assert body["error"]["details"]["report"]["rejects"][0]["code"] == "station_not_allowed"
    assert Observation.objects.count() == 0


def test_a_facility_cannot_send_for_another_facilitys_station(world):
    headers = bearer(world, facility=world.facility_dn)
    response = post_raw(Client(), stack_file(world), headers)
    assert response.status_code == 403
    assert Observation.objects.count() == 0


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
