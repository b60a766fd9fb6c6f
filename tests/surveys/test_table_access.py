"""A generic table's rows go to exactly the readers its catalogue dataset's access class admits,
whichever road they take: the catalogue's page and download, the CKAN API (its resource's
address, read with a token as CKAN clients do) and the table's rows page. Open data: everyone;
shared: government accounts (national roles and provincial officers, in any province: the table
belongs to no province); internal: the data centre. The unit that sent the table reads its own
rows on its rows page whatever the class."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import translation

from envhub.accounts import services as accounts
from envhub.accounts.models import Membership, Role, User
from envhub.catalog import services
from envhub.catalog.models import Dataset
from envhub.core.permissions import system_actor
from tests.surveys.steps import loaded, well, wells_file

pytestmark = pytest.mark.django_db

NATIONAL = {"admin", "steward", "leader"}
GOVERNMENT = NATIONAL | {"officer", "officer_dn", "officer_token"}
PEOPLE = ("admin", "steward", "leader", "officer", "officer_dn", "operator", "survey",
          "survey2", "librarian", "anonymous")
TOKENS = ("survey_token", "survey2_token", "officer_token", "facility_token", "station_token")
READERS = PEOPLE + TOKENS
OWN_UNIT = {"survey", "survey_token"}

# Who the catalogue lists the dataset to, by its access class.
LISTED = {"open": set(READERS), "shared": GOVERNMENT, "internal": NATIONAL}


@pytest.fixture
def table(world, campaign):
    officer_dn = User.objects.create(username="officer_dn", full_name="Officer Dong Nai")
    Membership.objects.create(user=officer_dn, organisation=world.dept_dongnai,
                              role=Role.PROVINCIAL_OFFICER)
    world.users["officer_dn"] = officer_dn
    loaded(world, campaign.generic, wells_file(
        well(world, "HN-0001", depth="12,5"), well(world, "HN-0002", depth="3"),
        well(world, "HN-0003", depth="100")))
    services.sync()
    dataset = Dataset.objects.get(provider="surveys.tables",
                                  provider_key=str(campaign.generic.pk))
    return {"dataset": dataset, "rows_url": f"/surveys/assignments/{campaign.generic.pk}/rows/"}


def reader(world, name: str) -> Client:
    if name not in TOKENS:
        return world.client(name)
    owner = {"survey_token": {"user": world.users["survey"]},
             "survey2_token": {"user": world.users.get("survey2")},
             "officer_token": {"user": world.users["officer"]},
             "facility_token": {"facility": world.facility_hn},
             "station_token": {"station": world.station_stack_hn}}[name]
    issued = accounts.create_token(system_actor("tests"), name=name, **owner)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.plain}")


def with_class(world, table, access: str) -> Dataset:
    """The steward's choice of access class, made in the catalogue (audited)."""
    dataset = table["dataset"]
    dataset.access_class = access
    services.save_metadata(world.actor("steward"), dataset)
    return dataset


def downloaded(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(
        b"".join(response.streaming_content).decode("utf-8-sig"))))


def wells_shown(page: str) -> list[str]:
    return re.findall(r"<td>(HN-\d{4})</td>", page)


@pytest.mark.parametrize("access", ["open", "shared", "internal"])
@pytest.mark.parametrize("name", READERS)
def test_the_catalogue_gives_every_row_to_whom_the_access_class_admits(world, table, access,
                                                                         name):
    dataset = with_class(world, table, access)
    client = reader(world, name)
    page = client.get(f"/datasets/{dataset.identifier}/")
    response = client.get(f"/datasets/{dataset.identifier}/download.csv")
    if name not in LISTED[access]:
        # A visitor is asked to sign in for the download, as for every dataset not open.
        assert page.status_code == 404
        assert response.status_code == (302 if name == "anonymous" else 404)
        return
    assert page.status_code == 200
    # The page's preview and the download hold the whole table: it belongs to no record a
    # reader could be out of scope of.
    assert len(wells_shown(page.content.decode())) == 3
    assert [row["well_id"] for row in downloaded(response)] == ["HN-0001", "HN-0002",
                                                                "HN-0003"]


@pytest.mark.parametrize("access", ["open", "shared", "internal"])
@pytest.mark.parametrize("name", READERS)
def test_ckan_lists_the_table_and_its_resource_gives_the_rows(world, table, access, name):
    dataset = with_class(world, table, access)
    client = reader(world, name)
    answer = client.get("/api/3/action/package_show", {"id": dataset.identifier})
    if name not in LISTED[access]:
        assert answer.status_code in (403, 404) and not answer.json()["success"]
        return
    resources = answer.json()["result"]["resources"]
    csv_url = next(item["url"] for item in resources if item["format"].upper() == "CSV")
    response = client.get(urlsplit(csv_url).path)
    assert response.status_code == 200
    assert len(downloaded(response)) == 3


@pytest.mark.parametrize("access", ["open", "shared", "internal"])
@pytest.mark.parametrize("name", READERS)
def test_the_rows_page_follows_the_same_rule(world, table, access, name):
    with_class(world, table, access)
    client = reader(world, name)
    response = client.get(table["rows_url"])
    if name in LISTED[access] or name in OWN_UNIT:
        assert response.status_code == 200
        assert wells_shown(response.content.decode()) == ["HN-0001", "HN-0002", "HN-0003"]
        download = client.get(table["rows_url"], {"format": "csv"})
        assert len(downloaded(download)) == 3
    else:
        assert response.status_code == (302 if name == "anonymous" else 404)


def test_a_reader_admitted_by_the_class_is_led_back_to_the_catalogue_not_the_unit(
        world, table):
    dataset = with_class(world, table, "shared")
    with translation.override("vi"):
        page = world.client("officer").get(table["rows_url"]).content.decode()
    assert f'href="/datasets/{dataset.identifier}/"' in page
    assert "/surveys/campaigns/" not in page and "/surveys/assignments/" not in \
        page.replace(table["rows_url"], "")
    # The unit's own assignment page stays the unit's and the data centre's.
    assert world.client("officer").get(
        table["rows_url"].replace("rows/", "")).status_code == 404


def test_a_withdrawn_table_keeps_its_rows_for_the_unit_and_the_data_centre_only(world, table):
    dataset = with_class(world, table, "open")
    dataset.withdrawn = True
    services.save_metadata(world.actor("steward"), dataset)
    assert world.client("officer").get(table["rows_url"]).status_code == 404
    assert world.client("anonymous").get(table["rows_url"]).status_code == 302
    for name in ("survey", "steward"):
        assert len(wells_shown(world.client(name).get(table["rows_url"]).content.decode())) == 3
