"""A hostile steward's or unit's input: what used to hang a worker or answer a 500 is refused
with a clear Vietnamese message, in linear time, and nothing is stored."""

from __future__ import annotations

import json
import re

import pytest

from envhub.surveys.cells import CellError, checker
from envhub.surveys.models import SurveySchema
from envhub.surveys.tableschema import SchemaError, compile_schema

pytestmark = pytest.mark.django_db


def schema_with(pattern) -> dict:
    return {"name": "codes", "fields": [
        {"name": "code", "type": "string", "constraints": {"pattern": pattern}}]}


def test_it_checks_a_backtracking_pattern_on_a_long_cell_in_linear_time():
    # With Python's `re`, `(a+)+$` on 40 `a`s and a `b` backtracks 2**40 times: the worker
    # would never finish the file. RE2 answers at once.
    (field,) = compile_schema(schema_with("(a+)+$")).fields
    check = checker(field)
    for cell in ("a" * 40 + "b", "a" * 100_000 + "!"):
        with pytest.raises(CellError) as refused:
            check(cell)
        assert refused.value.code == "pattern"
    check("a" * 100_000)


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)a", r"(?<!b)a", 5, ["a"]])
def test_it_refuses_a_pattern_that_needs_backtracking_or_is_not_text(pattern):
    with pytest.raises(SchemaError):
        compile_schema(schema_with(pattern))


def test_it_still_reads_a_pattern_with_vietnamese_letters():
    (field,) = compile_schema(schema_with(r"[A-ZĐ]{2}-\d{4}")).fields
    checker(field)("ĐN-0001")
    with pytest.raises(CellError):
        checker(field)("dn-0001")


@pytest.mark.parametrize("text", [
    "[" * 100_000,
    '{"fields": [{"name": "a", "description": ' + "[" * 5000 + "]" * 5000 + "}]}",
])
def test_it_refuses_a_deeply_nested_descriptor_in_vietnamese(world, text):
    response = world.client("steward").post("/surveys/schemas/new/", {
        "slug": "long-sau", "descriptor": text, "action": "save"})
    html = response.content.decode()
    error = re.search(r'class="field-error"[^>]*>([^<]*)<', html)
    assert response.status_code == 200 and error, html[-2000:]
    assert "sâu quá 12 cấp" in error.group(1)
    assert not SurveySchema.objects.filter(slug="long-sau").exists()


def test_it_refuses_a_backtracking_pattern_in_the_editor_with_its_reason(world):
    response = world.client("steward").post("/surveys/schemas/new/", {
        "slug": "lui", "descriptor": json.dumps(schema_with(r"(x)\1")), "action": "save"})
    html = response.content.decode()
    assert response.status_code == 200 and "bad pattern" in html
    assert not SurveySchema.objects.filter(slug="lui").exists()


def test_it_refuses_a_comment_with_a_nul_character_on_every_road(world, campaign):
    # PostgreSQL cannot store NUL in text: it was a 500 there, and stored as is on SQLite.
    from django.test import Client

    from envhub.accounts import services as accounts
    from envhub.core.permissions import system_actor
    from envhub.surveys.models import ReviewStep, State, Submission, Version
    from tests.surveys.steps import sent, well, wells_file

    submission = sent(world, campaign.generic, wells_file(well(world)))
    steward = world.client("steward")
    for action in ("return", "approve"):
        response = steward.post(f"/surveys/submissions/{submission.pk}/{action}/",
                                {"comment": "Sai\x00 dòng 3", "rows": "3"}, follow=True)
        assert response.status_code == 200
        assert "ký tự NUL" in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).state == State.SUBMITTED
    assert not ReviewStep.objects.filter(comment__contains="Sai").exists()
    assert not Version.objects.filter(submission=submission).exists()
    # The unit's API: returned first (a clean comment), then sent with a NUL.
    from envhub.surveys import workflow

    workflow.return_to_unit(world.actor("steward"), submission.pk, "Sửa dòng 3")
    token = accounts.create_token(system_actor(), name="t", user=world.users["survey"]).plain
    response = Client().post(f"/api/v1/submissions/{submission.pk}/submit",
                             {"comment": "x\x00"}, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["error"]["message"]
    assert Submission.objects.get(pk=submission.pk).state == State.RETURNED


def test_a_report_quotes_a_long_cell_briefly_in_every_message(world):
    # A steward's schema with a code list and a key but no maxLength: 200 rows naming a
    # 20,000-character code, twice each. Each message quoted the code whole: 8 MB of report
    # JSON from a 4 MB file, kept in the database and shown on the page.
    import io

    from envhub.surveys.codes import RegistryCodes
    from envhub.surveys.validation import validate
    from tests.surveys.files import csv_bytes

    schema = compile_schema({
        "fields": [{"name": "province", "type": "string", "title": "Mã tỉnh"}],
        "primaryKey": "province",
        "foreignKeys": [{"fields": "province",
                         "reference": {"resource": "registry:province", "fields": "code"}}]})
    rows = [[f"{number}" + "X" * 20_000] for number in range(100) for _twice in (1, 2)]
    report = validate(io.BytesIO(csv_bytes([["Mã tỉnh"], *rows])), schema,
                      RegistryCodes.load(), max_rows=1000)
    assert {issue.code for issue in report.errors} == {"unknown_code", "duplicate_key"}
    assert report.error_count == 300
    stored = json.dumps([issue.as_dict() for issue in report.errors], ensure_ascii=False)
    assert len(stored) < 300 * 1000, len(stored)
    assert all(len(issue.message) < 400 for issue in report.errors)


@pytest.mark.parametrize("params, lines", [
    ({"độ sâu": "12,5"}, [101]), ({"min_độ sâu": "10"}, [101, 103]),
    ({"tên 'x' --": "Bích"}, [102]), ({"a__b": "có"}, [101, 103]),
    ({"sort": "-độ sâu"}, [103, 101, 102]), ({"sort": "tên 'x' --"}, [101, 102, 103]),
    ({"x__y": "sâu"}, [103]),
])
def test_it_filters_and_sorts_columns_whose_names_have_spaces_quotes_or_dunders(
        world, campaign, params, lines):
    # Django refuses such names as aliases (a 500), and reads "a__b" as a path of two keys.
    # (A double quote in a name is not tried: SQLite's JSON paths cannot escape it.)
    from envhub.surveys import tables
    from envhub.surveys.models import TableRow
    from tests.surveys.steps import loaded, well, wells_file

    version = loaded(world, campaign.generic, wells_file(well(world)))
    schema = compile_schema({"fields": [
        {"name": "độ sâu", "type": "number"}, {"name": "tên 'x' --", "type": "string"},
        {"name": "a__b", "type": "boolean"}, {"name": "x__y", "type": "string"}]})
    for line, data in ((101, {"độ sâu": 12.5, "tên 'x' --": "An", "a__b": True, "x__y": "n"}),
                       (102, {"độ sâu": 3, "tên 'x' --": "Bích", "a__b": False, "x__y": "n"}),
                       (103, {"độ sâu": 30, "tên 'x' --": "Cúc", "a__b": True, "x__y": "sâu"})):
        TableRow.objects.create(version=version, line=line, data=data)
    query = tables.parse_query(schema, params)
    found = tables.rows(world.actor("steward"), version, schema, query)
    assert [row.line for row in found if row.line > 100] == lines
