"""The world a test gets as a copy (tests/world_copy.py) is the world a build gives: the same
rows in every table, the same objects, and times of now."""

from __future__ import annotations

import datetime

from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from tests import world_copy
from tests.conftest import World, build_world


def _rows() -> dict:
    """Every row of every table, times left out (a copy moves them to now)."""
    found = {}
    for model in world_copy._models():
        names = [field.attname for field in model._meta.concrete_fields
                 if not isinstance(field, models.DateTimeField)]
        rows = sorted(model._base_manager.values_list(*names), key=repr)
        if rows:
            found[model._meta.label] = rows
    return found


def _fields(obj) -> dict:
    return {name: value for name, value in model_to_dict(obj).items()
            if not isinstance(value, datetime.datetime)}


def _in_a_savepoint(make):
    point = transaction.savepoint()
    try:
        made = make()
        return made, _rows()
    finally:
        transaction.savepoint_rollback(point)


def test_a_copied_world_is_the_built_world(reference, monkeypatch):
    monkeypatch.setattr(world_copy, "_copy", None)
    builds = []

    def build(provinces):
        builds.append(1)
        return build_world(provinces)

    built, built_rows = _in_a_savepoint(lambda: world_copy.world(reference, build))
    copied, copied_rows = _in_a_savepoint(lambda: world_copy.world(reference, build))
    assert len(builds) == 1, "the second world should have been a copy"
    assert set(copied_rows) >= {"registry.Facility", "registry.Station", "accounts.User",
                                "accounts.Membership", "accounts.AuditEvent"}
    assert copied_rows == built_rows
    assert {p: _fields(u) for p, u in copied.users.items()} == \
        {p: _fields(u) for p, u in built.users.items()}
    for name in World.__dataclass_fields__.keys() - {"users"}:
        one, other = getattr(copied, name), getattr(built, name)
        assert type(one) is type(other) and _fields(one) == _fields(other), name
    # The relations a build leaves loaded are loaded, to the same objects.
    def everything(world):
        return [getattr(world, name) for name in World.__dataclass_fields__.keys() - {"users"}] \
            + list(world.users.values())

    assert world_copy.joined(everything(copied)) == world_copy.joined(everything(built))
    assert copied.station_stack_hn.source is copied.stack_hn
    assert copied.stack_hn.facility is copied.facility_hn


def test_a_copy_carries_times_of_now(reference, monkeypatch):
    from envhub.accounts.models import AuditEvent

    monkeypatch.setattr(world_copy, "_copy", None)
    _in_a_savepoint(lambda: world_copy.world(reference, build_world))
    # As if the copy had been made five hours ago.
    five_hours = datetime.timedelta(hours=5)
    copy = world_copy._copy
    monkeypatch.setattr(copy, "built_at", copy.built_at - five_hours)
    for _, rows in copy.rows:
        for row in rows:
            for name, value in row.items():
                if isinstance(value, datetime.datetime):
                    row[name] = value - five_hours
    start = timezone.now()
    world_copy.world(reference, build_world)
    newest = AuditEvent.objects.order_by("-pk").first()
    assert newest.object_repr  # the world's last event
    assert abs(newest.at - start) < datetime.timedelta(minutes=1)


def test_reference_rows_gone_since_the_copy_make_it_build_again(reference, monkeypatch):
    from envhub.registry.models import Ward

    monkeypatch.setattr(world_copy, "_copy", None)
    _in_a_savepoint(lambda: world_copy.world(reference, build_world))
    assert Ward in world_copy._copy.outside
    monkeypatch.setattr(world_copy._copy, "outside",
                        {**world_copy._copy.outside, Ward: {-1}})
    builds = []
    world_copy.world(reference, lambda p: builds.append(1) or build_world(p))
    assert builds == [1]
