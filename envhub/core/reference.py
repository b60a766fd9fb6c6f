"""Reference data: the tables each app loads from the data files it ships (the registry's
provinces, wards and parameters; compliance's regulations; air quality's QCVN 05 limits), applied
together by `envhub reference`.

An app registers its part in its `reference.py` module (`register(app, files, load)`); the parts
run in the order of INSTALLED_APPS, which lists an app after those it builds on (the limits of a
regulation name the registry's parameters).

Stewards edit reference data in the admin (a parameter's names, unit and range, its aliases), so
loading never reverts their work:
- the checksum of the data files last applied is kept (`core.ReferenceVersion`); while the files
  are unchanged, `envhub reference` (run by every `envhub setup`) does nothing;
- when the files changed (an upgrade of envhub or of `vietnam-provinces`), only what is missing is
  created: existing rows are left as they are, and what a steward deleted (an alias, a parameter,
  a regulation: the audit log says so) is not created again;
- `envhub reference --update` is the deliberate exception: it overwrites from the files, with one
  audit event per changed object, and re-creates what was deleted.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from envhub.core import audit, services
from envhub.core.apps import import_app_modules
from envhub.core.permissions import Actor

VERSION_NAME = "reference"


@dataclass(frozen=True)
class Part:
    """One app's reference data: the files it comes from and the function that applies them."""

    app: str
    files: Callable[[], list[Path]]
    load: Callable[[Loader], None]


_PARTS: dict[str, Part] = {}


def register(app: str, files: Callable[[], list[Path]], load: Callable[[Loader], None]) -> None:
    _PARTS[app] = Part(app, files, load)


def parts() -> list[Part]:
    """Every app's part, in the order of INSTALLED_APPS."""
    from django.apps import apps

    import_app_modules("reference")
    order = [config.label for config in apps.get_app_configs()]
    return sorted(_PARTS.values(), key=lambda part: order.index(part.app))


def data_files() -> list[Path]:
    """Every file the reference data comes from, in a fixed order."""
    return [path for part in parts() for path in part.files()]


def checksum() -> str:
    digest = hashlib.sha256()
    for path in data_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    up_to_date: bool = False

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


@dataclass
class Loader:
    """What every app's part loads with: the actor, the report and the `--update` choice."""

    actor: Actor
    report: LoadReport
    update: bool
    changed: bool = False  # set when a row is created or changed; callers reset it

    def refresh(self, obj, values: dict, kind: str) -> bool:
        """With --update, bring an existing row in line with the files (audited); else leave it
        as it is: it may carry a steward's edit. Returns whether it changed."""
        if not self.update:
            return False
        if all(getattr(obj, key) == value for key, value in values.items()):
            return False
        for key, value in values.items():
            setattr(obj, key, value)
        services.save(self.actor, obj, validate=False)
        self.report.count(kind, False)
        return True

    def upsert(self, model, lookup: dict, values: dict, kind: str, *,
               deleted: set[tuple] = frozenset(), key: tuple | None = None):
        """(row, created) for the row `lookup` names: an existing one is refreshed with `values`
        (see `refresh`), a missing one created unless a steward deleted it (`key` in
        `deleted`: then (None, False))."""
        existing = model.objects.filter(**lookup).first()
        if existing is not None:
            if self.refresh(existing, values, kind):
                self.changed = True
            return existing, False
        if key is not None and key in deleted:
            return None, False
        created = model.objects.create(**lookup, **values)
        self.report.count(kind, True)
        self.changed = True
        return created, True

    def deleted(self, object_type: str, *fields: str) -> set[tuple]:
        """The keys of rows of this type deleted through the audited services: a steward's
        decision that loading respects (except with --update)."""
        if self.update:
            return set()
        keys = set()
        events = audit.events().filter(action="delete", object_type=object_type)
        for changes in events.values_list("changes", flat=True):
            try:
                keys.add(tuple(changes[name][0] for name in fields))
            except (KeyError, IndexError, TypeError):
                continue
        return keys


def date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def load_all(actor: Actor, *, update: bool = False) -> LoadReport:
    """Apply the reference data files: nothing when they are the ones applied last; what is
    missing when they changed; everything, overwriting, with `update`."""
    from envhub.core.models import ReferenceVersion

    report = LoadReport()
    current = checksum()
    with transaction.atomic():
        version = ReferenceVersion.objects.select_for_update().filter(name=VERSION_NAME).first()
        if version is not None and version.checksum == current and not update:
            report.up_to_date = True
            return report
        loader = Loader(actor=actor, report=report, update=update)
        for part in parts():
            part.load(loader)
        ReferenceVersion.objects.update_or_create(
            name=VERSION_NAME, defaults={"checksum": current, "applied_at": timezone.now()})
        audit.record(actor, "reference_load", object_type="reference",
                     object_repr="reference data", changes={
                         "checksum": [version.checksum if version else None, current],
                         "created": report.created, "updated": report.updated,
                         "update": update,
                     })
    return report
