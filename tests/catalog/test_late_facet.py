"""The catalogue finds late datasets: a "late" facet, a "most overdue first" sort, and a link
to the stewards' list of late datasets (for those who may open it)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.catalog import files
from envhub.catalog.models import Dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def datasets(world):
    now = timezone.now()

    def dataset(identifier, frequency, age_days):
        return Dataset.objects.create(
            identifier=identifier, provider=files.FileDatasets.key, title_vi=identifier,
            description_vi="Mô tả.", publisher=world.ministry, contact_name="Phòng Dữ liệu",
            contact_email="dl@example.vn", accrual_periodicity=frequency, access_class="open",
            modified=None if age_days is None else now - datetime.timedelta(days=age_days))

    return [dataset("tre-it", "DAILY", 4), dataset("tre-nhieu", "WEEKLY", 40),
            dataset("dung-han", "DAILY", 0), dataset("khong-hen", "IRREG", 400)]


def cards(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-identifier="')[1:]]


def test_it_filters_and_counts_late_datasets(world, datasets):
    client = world.client("anonymous")
    page = client.get("/datasets/?late=late&sort=title")
    assert cards(page) == ["tre-it", "tre-nhieu"]
    html = page.content.decode()
    facet = html[html.index('data-facet="late"'):]
    facet = facet[:facet.index("</section>")]
    assert 'value="late"' in facet and 'value="on_time"' in facet
    assert "chậm cập nhật" in facet and "đúng hạn" in facet
    assert cards(client.get("/datasets/?late=on_time&sort=title")) == ["dung-han", "khong-hen"]


def test_it_sorts_the_most_overdue_first(world, datasets):
    # 40 days against a week's promise (+2 days) is further past it than 4 days against a day's.
    found = cards(world.client("anonymous").get("/datasets/?sort=late"))
    assert found[:2] == ["tre-nhieu", "tre-it"]
    assert set(found[2:]) == {"dung-han", "khong-hen"}


@pytest.mark.parametrize("persona, linked", [
    ("steward", True), ("admin", True), ("leader", False), ("officer", False),
    ("anonymous", False)])
def test_it_links_the_late_list_for_those_who_may_open_it(world, datasets, persona, linked):
    client = world.client(persona)
    page = client.get("/datasets/").content.decode()
    assert ('id="late-list-link"' in page) == linked
    if linked:
        late = client.get("/catalogue/late/").content.decode()
        assert "tre-nhieu" in late and "dung-han" not in late
        assert "?late=late&amp;sort=late" in late
