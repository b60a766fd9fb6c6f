"""Doing an inventory plan (`inventory.plan_inventory`) through the registry's services: each
facility, stack and annual record the plan calls new or changed is saved by `services.save`,
validated and audited, as the actor; unchanged ones are not touched."""

from __future__ import annotations

from django.utils.translation import gettext as _

from envhub.core.errors import InvalidInput
from envhub.core.permissions import Actor
from envhub.registry import services
from envhub.registry.inventory import (
    ANNUAL,
    CHANGED,
    FACILITY,
    KINDS,
    NEW,
    STACK,
    UNCHANGED,
    InventoryDiff,
    Item,
    failed,
)
from envhub.registry.models import (
    AnnualInventory,
    Facility,
    Organisation,
    OrganisationKind,
    Source,
    SourceKind,
)


def _attrs(columns: dict) -> dict[str, str]:
    """Model attribute -> schema field, to find the line of a refused value."""
    return {column.attr: name for name, column in columns.items()}


def _save(actor: Actor, obj, item: Item, columns: dict):
    try:
        return services.save(actor, obj)
    except InvalidInput as error:
        raise failed(item, error, _attrs(columns) | {"tax_code": "tax_code"}) from None


def _set(obj, item: Item, columns: dict, lookups: dict) -> None:
    """Put the plan's values on the object: all filled ones for a new row, the changed ones
    for an existing row."""
    names = item.values if item.status == NEW else (item.changes or {})
    for name in names:
        value, attr = item.values[name], columns[name].attr
        if attr == "province":
            value = lookups["provinces"][value]
        elif attr == "ward":
            value = lookups["wards"][value]
        setattr(obj, attr, value)


def apply_plan(actor: Actor, plan: InventoryDiff, survey_version: int) -> dict:
    summary = {"rows": plan.rows, "survey_version": survey_version,
               "fingerprint": plan.fingerprint, "enterprises_created": 0}
    for kind in KINDS:
        summary[kind] = {"created": plan.count(kind, NEW), "updated": plan.count(kind, CHANGED),
                         "unchanged": plan.count(kind, UNCHANGED)}
    facilities: dict[str, Facility] = {}
    for item in plan.items["facilities"]:
        tax = item.key[0]
        if item.status == UNCHANGED:
            facilities[tax] = item.obj
            continue
        obj = item.obj
        if item.status == NEW:
            extra = item.extra or {}
            operator = extra.get("operator_obj")
            if operator is None:
                # The enterprise is known only by its tax code: named after the facility until
                # a steward corrects it.
                operator = _save(actor, Organisation(
                    name=item.values.get("facility_name", ""),
                    kind=OrganisationKind.ENTERPRISE, tax_code=tax,
                    province=plan.lookups["provinces"].get(item.values.get("province_code")),
                ), item, {"facility_name": FACILITY["facility_name"]})
                summary["enterprises_created"] += 1
            obj = Facility(tax_code=tax, abbreviation=extra.get("abbreviation", ""),
                           operator=operator, address="")
        _set(obj, item, FACILITY, plan.lookups)
        facilities[tax] = _save(actor, obj, item, FACILITY)
    stacks: dict[tuple, Source] = {}
    for item in plan.items["stacks"]:
        tax, code = item.key
        obj = item.obj
        if item.status == NEW:
            obj = Source(facility=facilities[tax], kind=SourceKind.STACK, code=code,
                         name=_("Stack %(code)s") % {"code": code})
        if item.status != UNCHANGED:
            _set(obj, item, STACK, plan.lookups)
            _save(actor, obj, item, STACK)
        stacks[(tax, code)] = obj
    for item in plan.items["annual"]:
        if item.status == UNCHANGED:
            continue
        tax, code, year = item.key
        obj = item.obj or AnnualInventory(source=stacks[(tax, code)], year=year)
        _set(obj, item, ANNUAL, plan.lookups)
        obj.survey_version = survey_version
        _save(actor, obj, item, ANNUAL)
    return summary
