"""A document's metadata as people send them, checked field by field: every problem of a
record at once, by field, and nothing saved."""

from __future__ import annotations

import datetime

import pytest

from envhub.core.errors import InvalidInput
from envhub.library import metadata
from envhub.library.models import AccessLevel, Document

pytestmark = pytest.mark.django_db


def test_it_reads_a_whole_record(world, shelf):
    checked = metadata.check({
        "collection": "bao-cao", "identifier": "BC-2022-01", "title": "Báo cáo hiện trạng",
        "subjects": "không khí; nước mặt", "date": "2022", "issued_on": "15/03/2023",
        "retention": "Vĩnh viễn", "type": "state_of_environment", "provinces": ["01", "75"],
        "access_level": "restricted", "allowed_organisations": str(world.dept_hanoi.pk),
        "page_count": "120", "number": "45", "symbol": "BC-BTNMT"})
    document = checked.document
    assert document.collection == shelf.collection
    assert document.subjects == ["không khí", "nước mặt"]
    assert (document.date, document.issued_on) == (None, datetime.date(2023, 3, 15))
    assert document.retention_permanent and document.retention_years is None
    assert [p.code for p in checked.provinces] == ["01", "75"]
    assert checked.allowed_organisations == [world.dept_hanoi]
    assert document.number_and_symbol == "45/BC-BTNMT"
    document.save()
    assert document.year == 2023  # the date of issue's, not the bare year of `date`
    assert Document.objects.filter(identifier="BC-2022-01").exists()


@pytest.mark.parametrize("data,fields", [
    ({"collection": "bao-cao"}, {"title"}),
    ({"collection": "khong-co", "title": "A"}, {"collection"}),
    ({"collection": "bao-cao", "title": "A", "issued_on": "31/02/2023"}, {"issued_on"}),
    ({"collection": "bao-cao", "title": "A", "date": "2023/13/01"}, {"date"}),
    ({"collection": "bao-cao", "title": "A", "identifier": "TL-1"}, {"identifier"}),  # taken
    ({"collection": "bao-cao", "title": "A", "identifier": "có dấu cách"}, {"identifier"}),
    ({"collection": "bao-cao", "title": "A", "provinces": "01;99"}, {"provinces"}),
    ({"collection": "bao-cao", "title": "A", "access_level": "secret"}, {"access_level"}),
    ({"collection": "bao-cao", "title": "A", "access_level": "restricted",
      "allowed_organisations": ""}, {"allowed_organisations"}),
    ({"collection": "bao-cao", "title": "A", "retention": "mãi mãi"}, {"retention"}),
    ({"collection": "bao-cao", "title": "x" * 501, "page_count": "-3"}, {"title", "page_count"}),
    ({"collection": "bao-cao", "title": "A", "colour": "red"}, {"fields"}),
])
def test_it_reports_every_problem_by_field(world, shelf, data, fields):
    with pytest.raises(InvalidInput) as refused:
        metadata.check(data)
    assert set(refused.value.details) == fields


def test_it_changes_only_the_fields_given(world, shelf):
    checked = metadata.check({"title": "Tên mới", "access_level": "public"}, shelf.internal)
    assert checked.document.title == "Tên mới"
    assert checked.document.access_level == AccessLevel.PUBLIC
    assert checked.document.identifier == "TL-2"
