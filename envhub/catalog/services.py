"""Catalogue operations: keeping datasets in step with their providers (`sync`), scoped reads
with faceted, diacritic-insensitive search, and audited metadata edits kept as versions."""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from envhub.catalog import changes
from envhub.catalog.models import (
    ALLOWED_AGE,
    AccessClass,
    Dataset,
    Distribution,
    MetadataVersion,
)
from envhub.core import audit, permissions, services
from envhub.core.errors import NotFound
from envhub.core.permissions import Actor
from envhub.core.providers import Provider, discover, provider_of, sees_all_rows
from envhub.core.text import search_terms

logger = logging.getLogger("envhub.catalog")
LATENESS = {"late": _("late"), "on_time": _("up to date")}

MEDIA_TYPES = {
    "CSV": "text/csv", "JSON": "application/json", "GEOJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "PARQUET": "application/vnd.apache.parquet",
}
CONTACT_EMAIL = "dulieu@moitruong.gov.vn"
SYNC_ACTOR = "envhub (catalogue)"  # who the metadata versions written by `sync` name


# --- keeping the catalogue current ----------------------------------------------------------

def publisher():
    """The organisation that publishes the built-in datasets: the data centre (the first
    ministry unit), or None in an installation that has none yet."""
    from envhub.registry.models import Organisation, OrganisationKind

    return Organisation.objects.filter(kind=OrganisationKind.MINISTRY_UNIT).order_by("id").first()


@dataclass
class SyncReport:
    created: int = 0
    refreshed: int = 0
    withdrawn: int = 0
    problems: list[str] = field(default_factory=list)


def sync(now: datetime.datetime | None = None, full: bool = False) -> SyncReport:
    """Create the datasets providers offer and do not exist yet (with the provider's metadata,
    which stewards may then edit), recompute every dataset's figures from its data, and
    withdraw built-in datasets whose data is gone (a province without stations any more).
    An incremental provider's datasets are refreshed only where it noted a change
    (`catalog/changes.py`), unless `full`."""
    now = now or timezone.now()
    report = SyncReport()
    owner = publisher()
    if owner is None:
        report.problems.append("no ministry unit to publish the catalogue")
        return report
    offered: set[str] = set()
    failed: set[str] = set()
    noted: dict[str, int | None] = {}
    for provider in discover().values():
        if provider.incremental and not full:
            changes.sync_changes(provider, owner, now, report, _ensure, _refresh, _withdraw)
            continue
        noted[provider.key] = changes.newest(provider.key)  # this full pass covers them
        try:
            specs = list(provider.specs())
        except Exception as error:  # noqa: BLE001 - one provider must not stop the others
            logger.exception("provider %s failed to list its datasets", provider.key)
            report.problems.append(f"{provider.key}: {error}")
            failed.add(provider.key)  # its datasets are not gone: it could not say
            continue
        for spec in specs:
            offered.add(spec.identifier)
            try:
                with transaction.atomic():
                    dataset, created = _ensure(provider, spec, owner, now)
                    report.created += created
                    _refresh(provider, dataset, now)
                    report.refreshed += 1
            except Exception as error:  # noqa: BLE001 - nor one dataset the others
                logger.exception("dataset %s could not be refreshed", spec.identifier)
                report.problems.append(f"{spec.identifier}: {error}")
    withdrawing = [key for key, provider in discover().items()
                   if provider.withdraws_missing and key not in failed and key in noted]
    for dataset in Dataset.objects.filter(provider__in=withdrawing, withdrawn=False).exclude(
            identifier__in=offered):
        _withdraw(dataset)
        report.withdrawn += 1
    for key, upto in noted.items():
        if key not in failed:
            changes.forget(key, upto)
    return report


def _withdraw(dataset: Dataset) -> None:
    dataset.withdrawn = True
    dataset.save(update_fields=["withdrawn", "updated_at"])
    _keep_version(dataset, SYNC_ACTOR, {"withdrawn": [False, True]})


def _ensure(provider: Provider, spec, owner, now) -> tuple[Dataset, bool]:
    dataset = Dataset.objects.filter(identifier=spec.identifier).first()
    if dataset is not None:
        last = dataset.metadata_versions.order_by("-number").first()
        # Back when its data is back, unless a steward withdrew it.
        if dataset.withdrawn and last is not None and last.actor == SYNC_ACTOR:
            dataset.withdrawn = False
            dataset.save(update_fields=["withdrawn", "updated_at"])
            _keep_version(dataset, SYNC_ACTOR, {"withdrawn": [True, False]})
        return dataset, False
    dataset = Dataset(
        identifier=spec.identifier, provider=provider.key, provider_key=spec.provider_key,
        title_vi=spec.title_vi, title_en=spec.title_en, description_vi=spec.description_vi,
        description_en=spec.description_en, keywords=list(spec.keywords),
        themes=list(spec.themes), issued=now.date(), language=["vi", "en"],
        accrual_periodicity=spec.frequency, conforms_to=spec.conforms_to,
        provenance=spec.provenance, publisher=owner, owning_agency=owner,
        contact_name=owner.name, contact_email=owner.email or CONTACT_EMAIL,
        data_code=spec.data_code, access_class=spec.access_class,
        legal_basis=spec.legal_basis)
    dataset.save()
    for code in provider.all_formats():
        Distribution.objects.create(dataset=dataset, format=code,
                                    title=f"{spec.title_vi} ({code})",
                                    media_type=MEDIA_TYPES[code])
    _keep_version(dataset, SYNC_ACTOR, {})
    return dataset, True


def _refresh(provider: Provider, dataset: Dataset, now) -> None:
    stats = provider.stats(dataset)
    dataset.modified = stats.modified
    dataset.temporal_start = stats.temporal_start
    dataset.temporal_end = stats.temporal_end
    dataset.row_count = stats.row_count
    dataset.current_until = stats.current_until
    dataset.refreshed_at = now
    dataset.save(update_fields=["modified", "temporal_start", "temporal_end", "row_count",
                                "current_until", "refreshed_at", "search_text"])
    current = set(dataset.provinces.values_list("id", flat=True))
    if current != stats.province_ids:
        dataset.provinces.set(stats.province_ids)


def refresh(dataset: Dataset) -> None:
    """Recompute one dataset's figures now (after an upload, or on demand)."""
    provider = provider_of(dataset)
    if provider is not None:
        _refresh(provider, dataset, timezone.now())


# --- reading --------------------------------------------------------------------------------

FACETS = ("theme", "publisher", "format", "province", "access_class", "frequency", "late")
SORTS = {"relevance": None, "modified": ("-modified", "identifier"),
         "title": ("title_vi", "identifier"), "created": ("-created_at", "identifier"),
         "late": None}
LATE, ON_TIME = "late", "on_time"  # the values of the "late" facet


@dataclass
class Search:
    q: str = ""
    theme: list[str] = field(default_factory=list)
    publisher: list[str] = field(default_factory=list)
    format: list[str] = field(default_factory=list)
    province: list[str] = field(default_factory=list)
    access_class: list[str] = field(default_factory=list)
    frequency: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    sort: str = "relevance"


def visible(actor: Actor) -> QuerySet:
    return permissions.scope(actor, Dataset.objects.select_related("publisher"))


def dataset(actor: Actor, identifier: str) -> Dataset:
    found = visible(actor).filter(Q(identifier=identifier) | Q(
        pk=int(identifier) if str(identifier).isdecimal() else None)).first()
    if found is None:
        raise NotFound()
    return found


# The search runs over a small in-memory index of the catalogue (a few hundred bytes per
# dataset), rebuilt when the catalogue changes: a search and its facets over thousands of
# datasets then cost a few milliseconds instead of loading every dataset from the database.

@dataclass(frozen=True)
class Entry:
    """What search, facets and sorting need of a dataset."""

    pk: int
    identifier: str
    title_vi: str
    title_en: str
    keywords: tuple
    themes: tuple
    publisher_id: int
    licence: str
    access_class: str
    accrual_periodicity: str
    withdrawn: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    modified: datetime.datetime | None
    current_until: datetime.datetime | None
    search_text: str
    title_fold: str
    keyword_fold: str
    formats: frozenset
    province_codes: frozenset


_INDEX: dict = {"key": None, "entries": ()}


def _index_key() -> tuple:
    from django.db.models import Count, Max

    from envhub.catalog.models import Dataset as Model

    figures = Model.objects.aggregate(n=Count("id"), changed=Max("updated_at"),
                                      refreshed=Max("refreshed_at"))
    return (figures["n"], figures["changed"], figures["refreshed"],
            Distribution.objects.count(), Model.provinces.through.objects.count())


def entries() -> tuple[Entry, ...]:
    """Every dataset as an index entry (rebuilt only when the catalogue changed)."""
    from envhub.core.text import fold

    key = _index_key()
    if _INDEX["key"] == key:
        return _INDEX["entries"]
    formats: dict[int, set] = {}
    for dataset_id, code in Distribution.objects.values_list("dataset_id", "format"):
        formats.setdefault(dataset_id, set()).add(code)
    provinces: dict[int, set] = {}
    for dataset_id, code in Dataset.provinces.through.objects.values_list(
            "dataset_id", "province__code"):
        provinces.setdefault(dataset_id, set()).add(code)
    built = []
    for row in Dataset.objects.values_list(
            "pk", "identifier", "title_vi", "title_en", "keywords", "themes", "publisher_id",
            "licence", "access_class", "accrual_periodicity", "withdrawn", "created_at",
            "updated_at", "modified", "current_until", "search_text"):
        (pk, identifier, title_vi, title_en, keywords, themes, publisher_id, licence, access,
         frequency, withdrawn, created_at, updated_at, modified, current_until, text) = row
        built.append(Entry(
            pk, identifier, title_vi, title_en, tuple(keywords or ()), tuple(themes or ()),
            publisher_id, licence, access, frequency, withdrawn, created_at, updated_at,
            modified, current_until, f" {text} ", f" {fold(title_vi)} {fold(title_en)} ",
            f" {fold(' '.join(keywords or ()))} ", frozenset(formats.get(pk, ())),
            frozenset(provinces.get(pk, ()))))
    _INDEX["key"], _INDEX["entries"] = key, tuple(built)
    return _INDEX["entries"]


def visible_entries(actor: Actor) -> list[Entry]:
    """The entries the actor may find; a dataset whose rows are cut to their scope covers, for
    them, only their own provinces (so that no facet counts the others')."""
    classes = permissions.catalogue_classes(actor)
    if classes is None:
        return list(entries())
    found = [e for e in entries() if e.access_class in classes and not e.withdrawn]
    if actor.sees_everything or all(e.access_class == AccessClass.OPEN for e in found):
        return found
    from dataclasses import replace

    from envhub.registry.models import Province

    own = frozenset(Province.objects.filter(id__in=actor.province_ids).values_list("code",
                                                                                  flat=True))
    return [e if e.access_class == AccessClass.OPEN else
            replace(e, province_codes=e.province_codes & own) for e in found]


def as_read_by(actor: Actor, dataset: Dataset) -> Dataset:
    """The dataset as this reader may see it, for display only (never saved): when its rows
    are cut to their scope (`providers.sees_all_rows`), the whole dataset's figures are not
    theirs — its row count and period are left out, and the provinces it covers
    (`shown_provinces`) are kept to their own. `rows_cut` tells the page to say so."""
    dataset.rows_cut = not sees_all_rows(actor, dataset)
    provinces = sorted(dataset.provinces.all(), key=lambda province: province.code)
    if dataset.rows_cut:
        dataset.row_count = dataset.temporal_start = dataset.temporal_end = None
        provinces = [province for province in provinces if province.id in actor.province_ids]
    dataset.shown_provinces = provinces
    return dataset


def _matches(entry: Entry, search: Search, terms: list[str], skip: str | None = None) -> bool:
    if any(f" {term}" not in entry.search_text for term in terms):
        return False
    if search.theme and skip != "theme" and not set(search.theme) & set(entry.themes):
        return False
    if search.publisher and skip != "publisher" and \
            str(entry.publisher_id) not in search.publisher:
        return False
    if search.format and skip != "format" and \
            not {f.upper() for f in search.format} & entry.formats:
        return False
    if search.province and skip != "province" and \
            not set(search.province) & entry.province_codes:
        return False
    if search.access_class and skip != "access_class" and \
            entry.access_class not in search.access_class:
        return False
    if search.late and skip != "late" and _lateness(entry) not in search.late:
        return False
    return not (search.frequency and skip != "frequency"
                and entry.accrual_periodicity not in search.frequency)


def overdue(entry: Entry, now: datetime.datetime | None = None) -> datetime.timedelta | None:
    """How far past its promised update a dataset is (`Dataset.is_late`'s rule: a dataset
    without data yet is late from the start); None when its frequency promises none."""
    allowed = ALLOWED_AGE.get(entry.accrual_periodicity)
    if allowed is None:
        return None
    basis = entry.current_until or entry.modified
    if basis is None:
        return datetime.timedelta.max
    return (now or timezone.now()) - basis - allowed


def _lateness(entry: Entry) -> str:
    late = overdue(entry)
    return LATE if late is not None and late > datetime.timedelta(0) else ON_TIME


_EPOCH = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
ORDERS = {
    "modified": lambda e: (-(e.modified or _EPOCH).timestamp(), e.identifier),
    "title": lambda e: (e.title_fold, e.identifier),
    "created": lambda e: (-e.created_at.timestamp(), e.identifier),
}


def search(actor: Actor, search: Search) -> list[Entry]:
    """The datasets the actor may see that match, ranked: with a query, a match in the title
    counts most, then keywords, then the description; ties by freshness. Index entries:
    `load` turns the ones to show into datasets."""
    terms = search_terms(search.q)[:10]
    found = [e for e in visible_entries(actor) if _matches(e, search, terms)]
    found.sort(key=ORDERS.get(search.sort) or ORDERS["modified"])
    if search.sort == "late":  # the most overdue first, then the others by freshness
        now = timezone.now()

        def by_lateness(entry: Entry) -> tuple:
            late = overdue(entry, now)
            if late is not None and late > datetime.timedelta(0):
                return (0, -late.total_seconds())
            return (1, 0.0)

        found.sort(key=by_lateness)
    if terms and search.sort in ("relevance", "", None):
        found.sort(key=lambda e: -_score(e, terms))
    return found


def _score(entry: Entry, terms: list[str]) -> float:
    score = 0.0
    for term in terms:
        score += 3 if f" {term}" in entry.title_fold else 0
        score += 2 if f" {term}" in entry.keyword_fold else 0
        score += 1
    phrase = " ".join(terms)
    if phrase and f" {phrase}" in entry.title_fold:
        score += 5
    return score


def load(found) -> list[Dataset]:
    """The datasets of these entries, in their order, ready to show."""
    by_pk = {item.pk: item for item in Dataset.objects.filter(
        pk__in=[e.pk for e in found]).select_related("publisher").prefetch_related(
            "distributions", "provinces")}
    return [by_pk[e.pk] for e in found if e.pk in by_pk]


def facets(actor: Actor, search: Search) -> dict[str, list[tuple[str, str, int]]]:
    """For each facet: (value, label, count) over the datasets matching every other filter
    (so that choosing a value never hides its siblings)."""
    from envhub.catalog.models import Frequency, Theme
    from envhub.registry.models import Organisation, Province

    terms = search_terms(search.q)[:10]
    pool = visible_entries(actor)

    def counted(skip: str, values) -> Counter:
        counts: Counter = Counter()
        for entry in pool:
            if _matches(entry, search, terms, skip):
                counts.update(values(entry))
        return counts

    themes = counted("theme", lambda e: e.themes)
    publishers = counted("publisher", lambda e: (e.publisher_id,))
    formats = counted("format", lambda e: e.formats)
    provinces = counted("province", lambda e: e.province_codes)
    classes = counted("access_class", lambda e: (e.access_class,))
    frequencies = counted("frequency", lambda e: (e.accrual_periodicity,))
    lateness = counted("late", lambda e: (_lateness(e),))
    names = dict(Organisation.objects.filter(id__in=publishers).values_list("id", "name"))
    province_names = dict(Province.objects.filter(code__in=provinces).values_list("code",
                                                                                 "name"))
    return {
        "theme": [(code, str(Theme(code).label) if code in Theme.values else code, n)
                  for code, n in themes.most_common()],
        "publisher": [(str(pk), names.get(pk, str(pk)), n) for pk, n in publishers.most_common()],
        "format": [(code, code, n) for code, n in formats.most_common()],
        "province": [(code, province_names.get(code, code), n)
                     for code, n in provinces.most_common()],
        "access_class": [(code, str(AccessClass(code).label), n)
                         for code, n in classes.most_common()],
        "frequency": [(code, str(Frequency(code).label), n)
                      for code, n in frequencies.most_common()],
        "late": [(code, str(LATENESS[code]), lateness[code]) for code in (LATE, ON_TIME)
                 if lateness[code]],
    }


def late(actor: Actor) -> list[Dataset]:
    """The datasets (in scope) whose data is older than their update frequency promises."""
    now = timezone.now()
    return [item for item in visible(actor).order_by("identifier") if item.is_late(now)]


# --- metadata edits -------------------------------------------------------------------------

EDITABLE = ("title_vi", "title_en", "description_vi", "description_en", "keywords", "themes",
            "issued", "accrual_periodicity", "conforms_to", "provenance", "contact_name",
            "contact_email", "version", "data_code", "access_class", "legal_basis", "licence",
            "tax_codes_open", "publisher", "owning_agency")


def snapshot(dataset: Dataset) -> dict:
    values = audit.snapshot(dataset)
    values.pop("search_text", None)
    return values


def _keep_version(dataset: Dataset, actor_label: str, changes: dict) -> MetadataVersion:
    number = (dataset.metadata_versions.order_by("-number").values_list(
        "number", flat=True).first() or 0) + 1
    return MetadataVersion.objects.create(dataset=dataset, number=number, actor=actor_label,
                                          snapshot=snapshot(dataset), changes=changes)


def save_metadata(actor: Actor, dataset: Dataset) -> Dataset:
    """A steward's edit: validated, audited, and kept as a metadata version."""
    with transaction.atomic():
        before = Dataset.objects.filter(pk=dataset.pk).first()
        services.save(actor, dataset)
        changes = audit.diff(snapshot(before) if before else None, snapshot(dataset))
        changes.pop("updated_at", None)
        if changes:
            _keep_version(dataset, actor.label, changes)
    return dataset


# Django's admin and generic writes go through here too.
def save(actor: Actor, obj, *, validate: bool = True):
    if isinstance(obj, Dataset):
        return save_metadata(actor, obj)
    return services.save(actor, obj, validate=validate)


def delete(actor: Actor, obj) -> None:
    services.delete(actor, obj)
