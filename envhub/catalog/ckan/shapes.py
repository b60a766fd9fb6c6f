"""Datasets, organisations, themes, tags and distributions in CKAN's shapes, and the request's
context they are written for."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from envhub.catalog import dcat, services, vocabularies
from envhub.catalog.models import AccessClass, Dataset, Distribution, Theme
from envhub.core.permissions import Actor
from envhub.core.text import slug

CKAN_VERSION = "2.10.4"  # the API version whose shapes these answers follow
MAX_ROWS = 1000
DEFAULT_ROWS = 10
DEFAULT_FACET_LIMIT = 50

# Licence URLs and CKAN's classic licence ids: the catalogue's vocabulary.
LICENCES = vocabularies.LICENCES


def licence_of(url: str) -> tuple[str, str, bool]:
    """(CKAN licence id, title, is open) of a licence URL."""
    known = LICENCES.get((url or "").strip().replace("http://", "https://", 1))
    if known:
        return known
    return (url or "notspecified", url or "License not specified", False)


# --- the request's context --------------------------------------------------------------------

def _utc(moment: datetime.datetime | None) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without an offset."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat()


def _date(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def metadata_modified(dataset: Dataset) -> datetime.datetime:
    """When the record last changed: a metadata edit, or new data (which changes the figures)."""
    return max(filter(None, (dataset.updated_at, dataset.modified)))


def organisation_names() -> dict[int, str]:
    """A CKAN name (a slug of the name) for each organisation that publishes datasets; the
    oldest keeps the plain slug if two names fold alike."""
    from envhub.registry.models import Organisation

    names: dict[int, str] = {}
    taken: set[str] = set()
    publishers = Organisation.objects.filter(published_datasets__isnull=False).distinct()
    for pk, name in publishers.order_by("id").values_list("id", "name"):
        candidate = slug(name) or f"organization-{pk}"
        if candidate in taken:
            candidate = f"{candidate}-{pk}"
        taken.add(candidate)
        names[pk] = candidate
    return names


@dataclass
class Context:
    request: Any
    actor: Actor
    base: str  # the site's absolute URL, without a trailing slash

    def url(self, path: str) -> str:
        return self.base + path

    @cached_property
    def organisation_names(self) -> dict[int, str]:
        return organisation_names()

    @cached_property
    def organisations(self) -> dict:
        from envhub.registry.models import Organisation

        return Organisation.objects.in_bulk(list(self.organisation_names))

    def organisation_id(self, name: str) -> int | None:
        text = str(name).strip()
        if text.isdecimal() and int(text) in self.organisation_names:
            return int(text)
        for pk, known in self.organisation_names.items():
            if known == text:
                return pk
        return None

    def listed(self) -> list[Dataset]:
        """The datasets the caller may see and that are not withdrawn, fully loaded."""
        return [item for item in services.visible(self.actor).prefetch_related(
            "distributions", "provinces").order_by("identifier") if not item.withdrawn]


# --- dictionaries in CKAN's shapes --------------------------------------------------------------

def organization_dict(ctx: Context, organisation, package_count: int | None = None) -> dict:
    result = {
        "id": str(organisation.pk),
        "name": ctx.organisation_names.get(organisation.pk, f"organization-{organisation.pk}"),
        "title": organisation.name,
        "display_name": organisation.name,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
    }
    if organisation.website:
        result["url"] = organisation.website
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(code: str, package_count: int | None = None) -> dict:
    label = str(Theme(code).label) if code in Theme.values else code
    result = {
        "id": code.lower(), "name": code.lower(), "title": label, "display_name": label,
        "description": "", "type": "group", "is_organization": False, "state": "active",
        "approval_status": "approved", "image_url": "", "image_display_url": "",
        "uri": f"http://publications.europa.eu/resource/authority/data-theme/{code}",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def tag_dict(word: str) -> dict:
    return {"id": slug(word) or word, "name": word, "display_name": word, "state": "active",
            "vocabulary_id": None}


def download_path(dataset: Dataset, distribution: Distribution) -> str:
    return f"/datasets/{dataset.identifier}/download.{distribution.format.lower()}"


def _resource(ctx: Context, dataset: Dataset, *, resource_id: str, path: str, name: str,
              file_format: str, media_type: str, size, checksum: str, position: int) -> dict:
    """One CKAN resource: a rows' download or a provider's file, the same fields either way;
    the SHA-256 as `hash` with `hash_algorithm` (ckanext-dcat's reading of spdx:checksum)."""
    result = {
        "id": resource_id,
        "package_id": str(dataset.pk),
        "url": ctx.url(path),
        "name": name,
        "description": "",
        "format": file_format,
        "mimetype": media_type,
        "mimetype_inner": None,
        "size": size,
        "hash": checksum or "",
        "position": position,
        "state": "active",
        "created": _utc(dataset.created_at),
        "last_modified": _utc(dataset.modified),
        "metadata_modified": _utc(metadata_modified(dataset)),
        "url_type": None,
        "resource_type": "file",
        "datastore_active": False,
        "cache_url": None,
    }
    if checksum:
        result["hash_algorithm"] = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
    return result


def resource_dict(ctx: Context, dataset: Dataset, distribution: Distribution,
                  position: int = 0) -> dict:
    return _resource(ctx, dataset, resource_id=str(distribution.pk),
                     path=download_path(dataset, distribution), name=distribution.title,
                     file_format=distribution.format, media_type=distribution.media_type,
                     size=distribution.byte_size, checksum=distribution.checksum,
                     position=position)


FILE_RESOURCE = "-file-"  # a file resource's id: `<dataset id>-file-<the provider's key>`


def file_resources(dataset: Dataset) -> list:
    """The files the dataset's provider distributes it as (a library document's PDF), as
    DCAT lists them: the provider gives only files its data's access rule lets anyone get (a
    library dataset's document is public, else none), each downloaded where that rule is
    applied again."""
    from envhub.core.providers import provider_of

    provider = provider_of(dataset)
    return [] if provider is None or dataset.withdrawn else provider.files(dataset)


def file_resource_dict(ctx: Context, dataset: Dataset, item, position: int = 0) -> dict:
    """A provider's file (`core.providers.FileDistribution`) as a CKAN resource."""
    return _resource(ctx, dataset, resource_id=f"{dataset.pk}{FILE_RESOURCE}{item.key}",
                     path=item.path, name=item.title, file_format=item.file_type,
                     media_type=item.media_type, size=item.byte_size, checksum=item.checksum,
                     position=position)


def _extras(ctx: Context, dataset: Dataset) -> list[dict]:
    """What CKAN has no field for (key names as ckanext-dcat uses them where it has one)."""
    provinces = dataset.shown_provinces
    values = {
        "uri": dcat.dataset_uri(ctx.base, dataset),
        "identifier": dataset.identifier,
        "title_en": dataset.title_en,
        "notes_en": dataset.description_en,
        "issued": _date(dataset.issued),
        "modified": _date(dataset.modified),
        "language": ",".join(dataset.language or []),
        "frequency": dcat.FREQUENCY + dataset.accrual_periodicity,
        "access_class": dataset.access_class,
        "access_rights": dcat.ACCESS_RIGHTS[dataset.access_class],
        "conforms_to": dataset.conforms_to,
        "provenance": dataset.provenance,
        "temporal_start": _date(dataset.temporal_start),
        "temporal_end": _date(dataset.temporal_end),
        "current_until": _date(dataset.current_until),
        "row_count": None if dataset.row_count is None else str(dataset.row_count),
        "provinces": ",".join(province.code for province in provinces),
        "spatial_uri": ",".join(dcat.province_uri(ctx.base, province.code)
                                for province in provinces),
        "theme": json.dumps([dcat.THEME + code for code in dataset.themes or []]),
        "data_code": dataset.data_code,
        "legal_basis": dataset.legal_basis,
        "owning_agency": getattr(_organisation(ctx, dataset.owning_agency_id), "name", ""),
        "publisher_uri": dcat.organisation_uri(ctx.base, dataset.publisher_id),
        "contact_email": dataset.contact_email,
        "is_late": "true" if dataset.is_late() else "false",
        # The resources' rows are cut to the caller's scope (and the figures above left out).
        "rows_cut_to_scope": "true" if dataset.rows_cut else None,
    }
    return [{"key": key, "value": value} for key, value in values.items()
            if value not in (None, "", "[]")]


def _organisation(ctx: Context, pk: int | None):
    if pk is None:
        return None
    found = ctx.organisations.get(pk)
    if found is None:
        from envhub.registry.models import Organisation

        found = Organisation.objects.filter(pk=pk).first()
    return found


def package_dict(ctx: Context, dataset: Dataset) -> dict:
    services.as_read_by(ctx.actor, dataset)  # figures the caller may not see are left out
    licence_id, licence_title, is_open = licence_of(dataset.licence)
    publisher = dataset.publisher
    author = _organisation(ctx, dataset.owning_agency_id) or publisher
    distributions = list(dataset.distributions.all())
    resources = [resource_dict(ctx, dataset, item, position)
                 for position, item in enumerate(distributions)]
    resources += [file_resource_dict(ctx, dataset, item, len(resources) + position)
                  for position, item in enumerate(file_resources(dataset))]
    tags = [tag_dict(word) for word in dataset.keywords or []]
    return {
        "id": str(dataset.pk),
        "name": dataset.identifier,
        "title": dataset.title_vi,
        "notes": dataset.description_vi,
        "type": "dataset",
        "state": "deleted" if dataset.withdrawn else "active",
        "private": dataset.access_class != AccessClass.OPEN,
        "isopen": is_open and dataset.access_class == AccessClass.OPEN,
        "url": ctx.url(f"/datasets/{dataset.identifier}/"),
        "version": dataset.version or None,
        "author": author.name if author else None,
        "author_email": (author.email or None) if author else None,
        "maintainer": dataset.contact_name,
        "maintainer_email": dataset.contact_email,
        "license_id": licence_id,
        "license_title": licence_title,
        "license_url": dataset.licence,
        "metadata_created": _utc(dataset.created_at),
        "metadata_modified": _utc(metadata_modified(dataset)),
        "creator_user_id": None,
        "owner_org": str(publisher.pk),
        "organization": organization_dict(ctx, publisher),
        "groups": [group_dict(code) for code in dataset.themes or []],
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": _extras(ctx, dataset),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
