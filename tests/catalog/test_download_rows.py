"""Downloads say what they hold before they are asked for: the rows of the chosen period and
province, counted with the download's own scope (a reader learns the count of their own rows
only); an empty selection disables the buttons and names the days that hold data; a period
that ends before it starts is an error beside the field, on the page and in the JSON."""

from __future__ import annotations

import datetime

import pytest

from envhub.core.timeutil import local_day
from envhub.monitoring.models import HourlyRollup
from tests.catalog.test_row_scope import (
    EMISSION_DN,
    EMISSION_HN,
    EXCEEDANCES,
    REGISTRY,
    catalogue,  # noqa: F401 - the fixture
    client_of,
    download,
)

pytestmark = pytest.mark.django_db


def rows_of(client, identifier: str, **query) -> dict:
    response = client.get(f"/datasets/{identifier}/rows.json", query)
    assert response.status_code == 200, response.content
    return response.json()


# How many rows each reader is told the selection holds: exactly what their download holds.
COUNTS = {
    ("leader", EXCEEDANCES): 2, ("officer", EXCEEDANCES): 1,
    ("leader", EMISSION_DN): 2, ("officer", EMISSION_DN): 0, ("officer", EMISSION_HN): 2,
    ("anonymous", REGISTRY): 4, ("operator", REGISTRY): 4,
}


@pytest.mark.parametrize(("persona", "identifier"), list(COUNTS))
def test_it_counts_only_the_rows_the_reader_may_download(catalogue, persona,  # noqa: F811
                                                         identifier):
    client = client_of(catalogue, persona)
    answer = rows_of(client, identifier)
    assert answer["rows"] == COUNTS[persona, identifier]
    status, downloaded = download(client, identifier)
    assert status == 200 and len(downloaded) == answer["rows"]
    page = client.get(f"/datasets/{identifier}/").content.decode()
    assert f'<span id="dl-rows-text">{answer["text"]}</span>' in page
    # The whole dataset, to a reader of every row, is the figure the catalogue counted (and
    # says when); a reader whose rows are cut gets their own rows counted.
    whole = persona == "leader" or identifier == REGISTRY
    assert ("hàng trong toàn bộ dữ liệu (đếm lúc " in answer["text"]) == whole


def test_it_tells_an_officer_nothing_of_rows_outside_their_scope(catalogue):  # noqa: F811
    """Đồng Nai's stack data holds rows, none of them the Hà Nội officer's: no count and no
    period of them is given (whereas the leader is shown their days)."""
    officer = rows_of(client_of(catalogue, "officer"), EMISSION_DN)
    assert officer["rows"] == 0 and officer["from"] is None and officer["to"] is None
    assert officer["hint"] == "Chưa có hàng nào của bộ dữ liệu này mà bạn được tải."
    leader = rows_of(client_of(catalogue, "leader"), EMISSION_DN, **{"from": "2020-01-01",
                                                                      "to": "2020-01-31"})
    assert leader["rows"] == 0 and leader["from"] is not None


def test_an_empty_period_disables_the_buttons_and_names_the_days_with_data(
        catalogue):  # noqa: F811
    client = client_of(catalogue, "leader")
    hours = HourlyRollup.objects.filter(series__station=catalogue.station_stack_hn)
    first = local_day(min(hours.values_list("hour_end", flat=True)))
    last = local_day(max(hours.values_list("hour_end", flat=True)))
    empty = {"from": "2020-01-01", "to": "2020-01-31"}
    answer = rows_of(client, EMISSION_HN, **empty)
    assert answer["rows"] == 0 and answer["text"] == "0 hàng trong khoảng này"
    assert (answer["from"], answer["to"]) == (first.isoformat(), last.isoformat())
    assert answer["hint"] == (f"Có dữ liệu từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}.")
    page = client.get(f"/datasets/{EMISSION_HN}/", empty).content.decode()
    assert "0 hàng trong khoảng này" in page and answer["hint"] in page
    assert page.count('data-format="') == page.count('" disabled>') > 0
    # The days it names hold the rows, and the download of them too.
    whole = rows_of(client, EMISSION_HN, **{"from": answer["from"], "to": answer["to"]})
    assert whole["rows"] == 2
    body = client.get(f"/datasets/{EMISSION_HN}/download.csv",
                      {"from": answer["from"], "to": answer["to"]})
    assert b"".join(body.streaming_content).decode("utf-8-sig").count("\n") == 1 + 2
    page = client.get(f"/datasets/{EMISSION_HN}/", {"from": answer["from"],
                                                    "to": answer["to"]}).content.decode()
    assert "2 hàng trong khoảng này" in page and '" disabled>' not in page


def test_a_reversed_period_is_an_error_beside_the_field(catalogue):  # noqa: F811
    client = client_of(catalogue, "leader")
    reversed_ = {"from": "2026-03-10", "to": "2026-03-01"}
    answer = client.get(f"/datasets/{EMISSION_HN}/rows.json", reversed_)
    assert answer.status_code == 400
    error = answer.json()["error"]
    message = "Ngày kết thúc trước ngày bắt đầu: hãy chọn một ngày sau đó."
    assert error["code"] == "invalid_input" and error["message"] == message
    assert error["details"] == {"to": [message]}
    page = client.get(f"/datasets/{EMISSION_HN}/", reversed_)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<p class="field-error" id="dl-to-error">{message}</p>' in html
    assert 'aria-describedby="dl-to-error"' in html
    assert page.content.decode().count('" disabled>') == html.count('data-format="')
    # The form sent without its script to a download: back to the page, error shown there.
    sent = client.get(f"/datasets/{EMISSION_HN}/download.csv", reversed_,
                      headers={"Sec-Fetch-Mode": "navigate"})
    assert sent.status_code == 302
    assert sent["Location"] == (f"/datasets/{EMISSION_HN}/?from=2026-03-10&to=2026-03-01"
                                "#download-filters")
    # A program keeps its 400.
    assert client.get(f"/datasets/{EMISSION_HN}/download.csv", reversed_).status_code == 400


def test_a_bad_date_is_an_error_beside_its_field(catalogue):  # noqa: F811
    answer = client_of(catalogue, "leader").get(f"/datasets/{EMISSION_HN}/rows.json",
                                                {"from": "10/03/2026"})
    assert answer.status_code == 400 and list(answer.json()["error"]["details"]) == ["from"]


def test_a_dataset_out_of_reach_is_not_counted(catalogue):  # noqa: F811
    answer = client_of(catalogue, "anonymous").get(f"/datasets/{EXCEEDANCES}/rows.json")
    assert answer.status_code == 404 and answer.json()["ok"] is False


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_files_built_before_sending_say_their_length(catalogue, fmt):  # noqa: F811
    """The browser shows how far such a download has come."""
    response = client_of(catalogue, "leader").get(f"/datasets/{EMISSION_HN}/download.{fmt}")
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body) > 0


def test_the_count_is_of_the_period_asked(catalogue):  # noqa: F811
    client = client_of(catalogue, "leader")
    hours = sorted(HourlyRollup.objects.filter(series__station=catalogue.station_stack_hn)
                   .values_list("hour_end", flat=True))
    day = local_day(hours[-1])
    answer = rows_of(client, EMISSION_HN, **{"from": day.isoformat(), "to": day.isoformat()})
    assert answer["rows"] == sum(local_day(hour) == day for hour in hours)
    before = day - datetime.timedelta(days=1)
    answer = rows_of(client, EMISSION_HN, **{"to": before.isoformat()})
    assert answer["rows"] == sum(local_day(hour) <= before for hour in hours)
