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

from envhub.catalog.models import (
    AccessClass,
    Dataset,
    Distribution,
    MetadataVersion,
)
from envhub.catalog.providers import Provider, discover, provider_of
from envhub.core import audit, permissions, services
from envhub.core.errors import NotFound
from envhub.core.permissions import Actor
from envhub.core.text import search_terms

logger = logging.getLogger("envhub.catalog")

MEDIA_TYPES = {
    "CSV": "text/csv", "JSON": "application/json", "GEOJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "PARQUET": "application/vnd.apache.parquet",
}
CONTACT_EMAIL = "dulieu@moitruong.gov.vn"


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


def sync(now: datetime.datetime | None = None) -> SyncReport:
    """Create the datasets providers offer and do not exist yet (with the provider's metadata,
    which stewards may then edit), recompute every dataset's figures from its data, and
    withdraw built-in datasets whose data is gone (a province without stations any more)."""
    now = now or timezone.now()
    report = SyncReport()
    owner = publisher()
    if owner is None:
        report.problems.append("no ministry unit to publish the catalogue")
        return report
    offered: set[str] = set()
    for provider in discover().values():
        try:
            specs = list(provider.specs())
        except Exception as error:  # noqa: BLE001 - one provider must not stop the others
            logger.exception("provider %s failed to list its datasets", provider.key)
            report.problems.append(f"{provider.key}: {error}")
            continue
        for spec in specs:
            offered.add(spec.identifier)
            with transaction.atomic():
                dataset, created = _ensure(provider, spec, owner, now)
                report.created += created
                _refresh(provider, dataset, now)
                report.refreshed += 1
    stale = Dataset.objects.filter(provider__in=list(discover()), withdrawn=False).exclude(
        identifier__in=offered).exclude(provider="catalog.files")
    report.withdrawn = stale.update(withdrawn=True)
    return report


def _ensure(provider: Provider, spec, owner, now) -> tuple[Dataset, bool]:
    dataset = Dataset.objects.filter(identifier=spec.identifier).first()
    if dataset is not None:
        if dataset.withdrawn:
            dataset.withdrawn = False
            dataset.save(update_fields=["withdrawn", "updated_at"])
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
    _keep_version(dataset, "envhub (catalogue)", {})
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

FACETS = ("theme", "publisher", "format", "province", "access_class", "frequency")
SORTS = {"relevance": None, "modified": ("-modified", "identifier"),
         "title": ("title_vi", "identifier"), "created": ("-created_at", "identifier")}


@dataclass
class Search:
    q: str = ""
    theme: list[str] = field(default_factory=list)
    publisher: list[str] = field(default_factory=list)
    format: list[str] = field(default_factory=list)
    province: list[str] = field(default_factory=list)
    access_class: list[str] = field(default_factory=list)
    frequency: list[str] = field(default_factory=list)
    sort: str = "relevance"


def visible(actor: Actor) -> QuerySet:
    return permissions.scope(actor, Dataset.objects.select_related("publisher"))


def dataset(actor: Actor, identifier: str) -> Dataset:
    found = visible(actor).filter(Q(identifier=identifier) | Q(
        pk=int(identifier) if str(identifier).isdigit() else None)).first()
    if found is None:
        raise NotFound()
    return found


def _filtered(qs: QuerySet, search: Search, skip: str | None = None) -> QuerySet:
    for term in search_terms(search.q)[:10]:
        qs = qs.filter(Q(search_text__startswith=term) | Q(search_text__contains=f" {term}"))
    if search.theme and skip != "theme":
        condition = Q()
        for theme in search.theme:
            condition |= Q(themes__icontains=f'"{theme}"')
        qs = qs.filter(condition)
    if search.publisher and skip != "publisher":
        qs = qs.filter(publisher_id__in=[p for p in search.publisher if str(p).isdigit()])
    if search.format and skip != "format":
        qs = qs.filter(distributions__format__in=[f.upper() for f in search.format]).distinct()
    if search.province and skip != "province":
        qs = qs.filter(provinces__code__in=search.province).distinct()
    if search.access_class and skip != "access_class":
        qs = qs.filter(access_class__in=search.access_class)
    if search.frequency and skip != "frequency":
        qs = qs.filter(accrual_periodicity__in=search.frequency)
    return qs


def search(actor: Actor, search: Search) -> list[Dataset]:
    """The datasets the actor may see that match, ranked: with a query, a match in the title
    counts most, then keywords, then the description; ties by freshness."""
    qs = _filtered(visible(actor), search).prefetch_related("distributions", "provinces")
    order = SORTS.get(search.sort) or ("-modified", "identifier")
    found = list(qs.order_by(*order))
    terms = search_terms(search.q)
    if terms and search.sort in ("relevance", "", None):
        found.sort(key=lambda item: -_score(item, terms))
    return found


def _score(item: Dataset, terms: list[str]) -> float:
    from envhub.core.text import fold

    title = f" {fold(item.title_vi)} {fold(item.title_en)} "
    keywords = f" {fold(' '.join(item.keywords or []))} "
    score = 0.0
    for term in terms:
        score += 3 if f" {term}" in title else 0
        score += 2 if f" {term}" in keywords else 0
        score += 1
    phrase = " ".join(terms)
    if phrase and phrase in title:
        score += 5
    return score


def facets(actor: Actor, search: Search) -> dict[str, list[tuple[str, str, int]]]:
    """For each facet: (value, label, count) over the datasets matching every other filter
    (so that choosing a value never hides its siblings)."""
    from envhub.catalog.models import Frequency, Theme
    from envhub.registry.models import Organisation, Province

    result: dict[str, list[tuple[str, str, int]]] = {}
    base = visible(actor)
    counts = Counter()
    for item in _filtered(base, search, "theme").values_list("themes", flat=True):
        counts.update(item or [])
    result["theme"] = [(code, str(Theme(code).label) if code in Theme.values else code, n)
                       for code, n in counts.most_common()]
    publishers = Counter(_filtered(base, search, "publisher").values_list("publisher_id",
                                                                           flat=True))
    names = dict(Organisation.objects.filter(id__in=publishers).values_list("id", "name"))
    result["publisher"] = [(str(pk), names.get(pk, str(pk)), n)
                           for pk, n in publishers.most_common()]
    formats = Counter(Distribution.objects.filter(
        dataset__in=_filtered(base, search, "format")).values_list("format", flat=True))
    result["format"] = [(code, code, n) for code, n in formats.most_common()]
    provinces = Counter(_filtered(base, search, "province").values_list("provinces__code",
                                                                        flat=True))
    provinces.pop(None, None)
    province_names = dict(Province.objects.filter(code__in=provinces).values_list("code",
                                                                                 "name"))
    result["province"] = [(code, province_names.get(code, code), n)
                          for code, n in provinces.most_common()]
    classes = Counter(_filtered(base, search, "access_class").values_list("access_class",
                                                                          flat=True))
    result["access_class"] = [(code, str(AccessClass(code).label), n)
                              for code, n in classes.most_common()]
    frequencies = Counter(_filtered(base, search, "frequency").values_list(
        "accrual_periodicity", flat=True))
    result["frequency"] = [(code, str(Frequency(code).label), n)
                           for code, n in frequencies.most_common()]
    return result


def late(actor: Actor) -> list[Dataset]:
    """The datasets (in scope) whose data is older than their update frequency promises."""
    now = timezone.now()
    return [item for item in visible(actor).order_by("identifier") if item.is_late(now)]


# --- metadata edits -------------------------------------------------------------------------

EDITABLE = ("title_vi", "title_en", "description_vi", "description_en", "keywords", "themes",
            "issued", "accrual_periodicity", "conforms_to", "provenance", "contact_name",
            "contact_email", "version", "data_code", "access_class", "legal_basis", "licence",
            "publisher", "owning_agency")


def _snapshot(dataset: Dataset) -> dict:
    values = audit.snapshot(dataset)
    values.pop("search_text", None)
    return values


def _keep_version(dataset: Dataset, actor_label: str, changes: dict) -> MetadataVersion:
    number = (dataset.metadata_versions.order_by("-number").values_list(
        "number", flat=True).first() or 0) + 1
    return MetadataVersion.objects.create(dataset=dataset, number=number, actor=actor_label,
                                          snapshot=_snapshot(dataset), changes=changes)


def save_metadata(actor: Actor, dataset: Dataset) -> Dataset:
    """A steward's edit: validated, audited, and kept as a metadata version."""
    with transaction.atomic():
        before = Dataset.objects.filter(pk=dataset.pk).first()
        services.save(actor, dataset)
        changes = audit.diff(_snapshot(before) if before else None, _snapshot(dataset))
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
