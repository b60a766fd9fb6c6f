"""Each kind's loader: `loader(actor, version, rows, earlier) -> summary`, where `rows` streams
the approved file's `(line, values)` and `earlier` names the dataset's versions already loaded
(which a correction replaces). A loader raises `LoadRefused` to undo everything it did."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator

from django.utils.translation import gettext as _

from envhub.surveys.models import SchemaKind, TableRow, Version

CHUNK = 2000


class LoadRefused(Exception):
    """Why a version cannot be loaded (in the reader's language), naming the row if one is."""


def _plain(value):
    """A typed cell as JSON keeps it: numbers as numbers, dates and times in ISO 8601."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def load_generic(actor, version: Version, rows: Iterable[tuple[int, dict]],
                 earlier: list[int]) -> dict:
    """A generic table's rows, stored typed under their version; the catalogue serves the
    newest loaded version, and every version's rows stay as they were."""
    count, batch = 0, []
    for line, values in rows:
        batch.append(TableRow(version=version, line=line,
                              data={name: _plain(value) for name, value in values.items()}))
        if len(batch) >= CHUNK:
            TableRow.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    TableRow.objects.bulk_create(batch)
    count += len(batch)
    if count == 0:
        raise LoadRefused(_("The file has no rows to load."))
    return {"rows": count, "replaces": earlier}


def load_periodic(actor, version: Version, rows: Iterable[tuple[int, dict]],
                  earlier: list[int]) -> dict:
    from envhub.monitoring import samples

    try:
        summary = samples.load_periodic(
            actor, rows, survey_version=version.pk, replaces=earlier,
            operator_id=version.assignment.organisation_id)
    except samples.LoadRefused as refusal:
        raise LoadRefused(str(refusal)) from refusal
    return summary.as_dict() if hasattr(summary, "as_dict") else dict(summary)


def load_inventory(actor, version: Version, rows: Iterable[tuple[int, dict]],
                   earlier: list[int]) -> dict:
    from envhub.registry import inventory

    try:
        summary = inventory.apply_inventory(
            actor, rows, survey_version=version.pk,
            expected=version.upload.plan.get("fingerprint"))
    except inventory.InventoryRefused as refusal:
        raise LoadRefused(str(refusal)) from refusal
    return summary.as_dict() if hasattr(summary, "as_dict") else dict(summary)


Loader = Callable[[object, Version, Iterator[tuple[int, dict]], list[int]], dict]
LOADERS: dict[str, Loader] = {
    SchemaKind.PERIODIC_RESULTS: load_periodic,
    SchemaKind.EMISSION_INVENTORY: load_inventory,
    SchemaKind.GENERIC: load_generic,
}
