"""A steward's catalogue work on envhub's own pages: who may edit a dataset's metadata or
publish a file dataset's new version (the one policy: admins and stewards), and a change told
in words — each field by its label, each value as a reader reads it (a theme's name, a
licence's title, an organisation's name), never field names or codes."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from envhub.catalog import services, vocabularies
from envhub.catalog.models import AccessClass, Dataset, Frequency, Theme
from envhub.core import permissions
from envhub.core.permissions import Actor


def editable_dataset(actor: Actor, identifier: str) -> Dataset:
    """The dataset, if the actor may change it: 404 outside their sight, 401 for a visitor,
    403 for a reader without the right."""
    dataset = services.dataset(actor, identifier)
    permissions.require(actor, permissions.CHANGE, dataset)
    return dataset


def may_edit(actor: Actor, dataset: Dataset) -> bool:
    return permissions.can(actor, permissions.CHANGE, dataset)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def _organisation(pk) -> str:
    from envhub.registry.models import Organisation

    if pk is None:
        return "—"
    return Organisation.objects.filter(pk=pk).values_list("name", flat=True).first() or "—"


def _words(name: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if name == "themes":
        return ", ".join(str(Theme(code).label) if code in Theme.values else code
                         for code in value)
    if name == "language":
        labels = dict(vocabularies.LANGUAGES)
        return ", ".join(str(labels.get(code, code)) for code in value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if name == "access_class":
        return str(AccessClass(value).label) if value in AccessClass.values else value
    if name == "accrual_periodicity":
        return str(Frequency(value).label) if value in Frequency.values else value
    if name == "licence":
        return vocabularies.licence_title(value)
    if name in ("publisher_id", "owning_agency_id"):
        return _organisation(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def changes(before: dict, after: dict) -> list[Change]:
    """The fields that differ between two snapshots (`services.snapshot`), in words."""
    fields = {field.attname: field for field in Dataset._meta.concrete_fields}
    found = []
    for name, value in after.items():
        old = before.get(name)
        if old == value or name not in fields:
            continue
        label = str(fields[name].verbose_name)
        found.append(Change(name, label[:1].upper() + label[1:],
                            _words(name, old), _words(name, value)))
    return found


def pending_changes(dataset: Dataset) -> list[Change]:
    """What saving the edited (unsaved) dataset would change, against the stored one."""
    stored = Dataset.objects.get(pk=dataset.pk)
    return changes(services.snapshot(stored), services.snapshot(dataset))


def actor_names(labels) -> dict[str, str]:
    """Who an audit label ("user:<name>") names, by the user's full name; other labels (the
    catalogue's own synchronisation) as they are written."""
    from envhub.accounts.models import User

    usernames = {label[5:] for label in labels if label.startswith("user:")}
    names = dict(User.objects.filter(username__in=usernames).values_list("username",
                                                                         "full_name"))
    return {label: names.get(label[5:]) or label[5:] if label.startswith("user:") else label
            for label in labels}


def with_publishers(versions) -> list:
    """The versions, each with `published_by` (who published it, by name)."""
    versions = list(versions)
    names = actor_names({version.created_by for version in versions})
    for version in versions:
        version.published_by = names[version.created_by]
    return versions
