"""The inventory's diff: what loading survey rows would change in the registry, per facility,
stack and annual record, before anything is written."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from envhub.core.permissions import system_actor
from envhub.registry import services
from envhub.registry.inventory import InventoryPlanner, apply_inventory, plan_inventory
from envhub.registry.models import Facility, Sector
from tests.registry.inventory_rows import lines, row

pytestmark = pytest.mark.django_db

NEW_TAX = "0100233488"  # valid, not in the test world
STEWARD = system_actor("tests")


def counts(diff) -> dict:
    return {kind: tuple(n.values()) for kind, n in diff.as_dict()["counts"].items()}


def changes(diff, kind) -> dict:
    found = {}
    for item in diff.as_dict()[kind]["changed"]:
        for change in item["changes"]:
            found[(item["title"], change["field"])] = (change["before"], change["after"])
    return found


def test_it_shows_a_new_facility_with_its_values_and_what_will_be_made_for_it(world):
    diff = plan_inventory(lines(row(
        world, tax_code=NEW_TAX, facility_name="Nhà máy Giấy Bãi Bằng", sector="pulp_paper",
        stack_code="k1", latitude=21.2, longitude=105.3)))
    assert counts(diff) == {"facilities": (1, 0, 0), "stacks": (1, 0, 0), "annual": (1, 0, 0)}
    new = diff.as_dict()["facilities"]["new"][0]
    assert new["line"] == 2 and new["key"] == {"tax_code": NEW_TAX} and new["id"] is None
    shown = {value["field"]: value["value"] for value in new["values"]}
    assert shown["facility_name"] == "Nhà máy Giấy Bãi Bằng"
    assert shown["province_code"] == "Thành phố Hà Nội (01)"
    assert shown["sector"] == str(Sector.PULP_PAPER.label)
    assert new["proposed"]["abbreviation"] == "NMGBB"
    assert new["proposed"]["operator"] == "Doanh nghiệp mới: Nhà máy Giấy Bãi Bằng"
    stack = diff.as_dict()["stacks"]["new"][0]
    assert stack["key"] == {"tax_code": NEW_TAX, "stack_code": "K1"}  # codes in upper case
    assert diff.problems == []


def test_it_shows_a_changed_stack_height_before_and_after(world):
    diff = plan_inventory(lines(row(world, stack_height=85.5, fuel=None)))
    assert counts(diff)["stacks"] == (0, 1, 0)
    assert counts(diff)["facilities"] == (0, 0, 1)
    assert changes(diff, "stacks") == {("0100109106 · OK1", "stack_height"): (80.0, 85.5)}
    item = diff.as_dict()["stacks"]["changed"][0]
    assert item["id"] == world.stack_hn.id
    assert item["changes"][0]["label"] == "Chiều cao ống khói"


def test_an_empty_cell_never_blanks_a_registry_value(world):
    diff = plan_inventory(lines(row(
        world, ward_code=None, latitude=None, longitude=None, stack_height=None,
        stack_diameter=None, fuel=None)))
    assert counts(diff)["facilities"] == (0, 0, 1)
    assert counts(diff)["stacks"] == (0, 0, 1)


def test_rows_that_match_the_registry_are_unchanged(world):
    rows = lines(row(world), row(world, stack_code="OK2", year=2025))
    apply_inventory(STEWARD, rows, survey_version=7, expected=None)
    diff = plan_inventory(rows)
    assert counts(diff) == {"facilities": (0, 0, 1), "stacks": (0, 0, 2), "annual": (0, 0, 2)}
    assert diff.as_dict()["stacks"] == {"new": [], "new_more": 0, "changed": [],
                                        "changed_more": 0}


def test_a_tax_code_matches_with_or_without_its_dash(world):
    branch = services.save(STEWARD, Facility(
        name="Chi nhánh Giấy", abbreviation="CNG", tax_code="0100233488-002", address="",
        province=world.hanoi, sector=Sector.PULP_PAPER, operator=world.enterprise_hn))
    assert branch.tax_code == "0100233488002"
    for written in ("0100233488-002", "0100233488002"):
        diff = plan_inventory(lines(row(
            world, tax_code=written, facility_name="Chi nhánh Giấy", ward_code=None,
            latitude=None, longitude=None, sector="pulp_paper")))
        assert counts(diff)["facilities"] == (0, 0, 1), written
        assert counts(diff)["stacks"] == (1, 0, 0)  # OK1 is new under the branch
        assert diff.as_dict()["stacks"]["new"][0]["title"] == "0100233488-002 · OK1"


def test_a_new_stack_under_an_existing_facility(world):
    diff = plan_inventory(lines(row(world, stack_code="OK9", stack_height=40.0)))
    assert counts(diff)["facilities"] == (0, 0, 1)
    assert counts(diff)["stacks"] == (1, 0, 0)
    new = diff.as_dict()["stacks"]["new"][0]
    assert new["key"] == {"tax_code": world.facility_hn.tax_code, "stack_code": "OK9"}
    assert {value["field"]: value["value"] for value in new["values"]}["stack_height"] == 40.0


def test_a_changed_annual_record_shows_only_the_figures_that_change(world):
    apply_inventory(STEWARD, lines(row(world)), survey_version=3, expected=None)
    diff = plan_inventory(lines(row(world, fuel_use=125000.0, treatment=None, production=600)))
    assert counts(diff)["annual"] == (0, 1, 0)
    assert changes(diff, "annual") == {
        ("0100109106 · OK1 · 2026", "fuel_use"): (120000.0, 125000.0)}


def test_a_facility_takes_its_values_from_the_latest_year_then_the_last_line(world):
    diff = plan_inventory(lines(
        row(world, year=2026, stack_height=90.0),
        row(world, year=2025, stack_height=70.0, facility_name="Tên cũ"),
        row(world, year=2026, stack_code="OK2", facility_name="Tên mới"),
    ))
    assert changes(diff, "stacks")[("0100109106 · OK1", "stack_height")] == (80.0, 90.0)
    assert changes(diff, "facilities")[
        ("0100109106 — Tên mới", "facility_name")] == (world.facility_hn.name, "Tên mới")


def test_problems_name_their_line_before_anything_is_applied(world):
    diff = plan_inventory(lines(
        row(world),
        row(world, stack_code="XT1"),  # the facility's outfall
        row(world, tax_code="0100233489", facility_name="Sai số kiểm tra"),
    ))
    messages = [message for _line, message in diff.problems]
    assert [line for line, _message in diff.problems] == [3, 4]
    assert messages[0] == "Dòng 3: XT1 là cửa xả nước thải của cơ sở này, không phải ống khói."
    assert messages[1].startswith("Dòng 4: mã số thuế 0100233489:")


def test_the_fingerprint_follows_the_registry_and_the_rows(world):
    rows = lines(row(world, stack_height=85.0))
    first = plan_inventory(rows).fingerprint
    assert plan_inventory(rows).fingerprint == first
    assert plan_inventory(lines(row(world, stack_height=86.0))).fingerprint != first
    stack = world.stack_hn
    stack.stack_height_m = 82.0
    services.save(STEWARD, stack)
    assert plan_inventory(rows).fingerprint != first


def test_the_diff_of_20000_rows_is_bounded_in_size_and_queries(
        world, django_assert_max_num_queries):
    rows = [(line, row(world, stack_code=f"S{line:05d}", stack_height=30.0 + line % 7))
            for line in range(2, 20_002)]
    rows += [(20_002 + n, row(world, tax_code=code, facility_name=f"Nhà máy {n}",
                              stack_code="K1"))
             for n, code in enumerate(("0100233488", "0101248141"))]
    with django_assert_max_num_queries(10):
        diff = plan_inventory(rows)
    as_dict = diff.as_dict()
    assert as_dict["counts"]["stacks"] == {"new": 20_002, "changed": 0, "unchanged": 0}
    assert as_dict["counts"]["facilities"] == {"new": 2, "changed": 0, "unchanged": 1}
    assert len(as_dict["stacks"]["new"]) == 100 and as_dict["stacks"]["new_more"] == 19_902
    assert len(json.dumps(as_dict)) < 300_000


def test_the_plan_reads_the_same_queries_for_few_rows_and_many(world):
    with CaptureQueriesContext(connection) as few:
        plan_inventory(lines(row(world)))
    with CaptureQueriesContext(connection) as many:
        plan_inventory([(n, row(world, stack_code=f"S{n}")) for n in range(2, 2002)])
    assert len(many.captured_queries) == len(few.captured_queries)


def test_problems_are_counted_whole_and_listed_up_to_the_cap(world):
    planner = InventoryPlanner()
    for line in range(2, 252):
        planner.on_row(line, row(world, stack_code=f"S{line}"), ok=line % 2 == 0)
    shown = planner.diff().as_dict()
    assert len(shown["problems"]) == 100 and shown["problems_more"] == 25
    assert shown["problems"][0]["line"] == 3
    assert shown["counts"]["stacks"]["new"] == 125


def test_the_fingerprint_does_not_depend_on_the_language(world):
    from django.utils import translation

    rows = lines(row(world, stack_height=85.0), row(world, stack_code="XT1"))
    with translation.override("en"):
        english = plan_inventory(rows)
    assert english.problems[0][1].startswith("Line 3")
    assert plan_inventory(rows).fingerprint == english.fingerprint
