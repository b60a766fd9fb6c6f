"""The catalogue through CKAN's Action API (`/api/3/action/<name>`), read-only, so that CKAN
harvesters and clients such as `ckanapi` read it unchanged.

Answers use CKAN's envelope: `{"help": <url>, "success": true, "result": ...}`, and on error
`{"help", "success": false, "error": {"__type": "Not Found Error" | "Validation Error" |
"Authorization Error", "message": ...}}` with CKAN's statuses (404, 409, 403). Datasets appear
in CKAN's field names (`name`, `title`, `notes`, `organization`, `tags`, `groups`, `resources`
...); what CKAN has no field for goes in `extras`. Themes are CKAN groups, the publisher is the
organization, keywords are tags, distributions are resources.

Access classes apply to every action through `services.visible`: a dataset the caller may not
see does not exist for them (404, and absent from lists and searches). A caller is who the
session or the `Authorization: Bearer` token says, or — as CKAN clients send it — a token in
`Authorization` (or `X-CKAN-API-Key`) without a scheme.

Search uses `services.search` (diacritic-insensitive, ranked); `fq` (Solr syntax, the subset
harvesters send: `field:value`, `field:"a b"`, `field:(a OR b)`, `-field:value`,
`metadata_modified:[2025-01-01T00:00:00Z TO *]`) is pushed to the service where it has the
filter and checked on the results; facets are counted over the results, as CKAN's Solr does
(the service's facets count each one ignoring its own filter, which is right for the portal but
not what a CKAN client expects).
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from envhub.catalog import dcat, search_query, services, vocabularies
from envhub.catalog.models import AccessClass, Dataset, Distribution, Frequency, Theme
from envhub.core import limits
from envhub.core.errors import EnvhubError, NotAuthenticated, NotFound
from envhub.core.permissions import Actor
from envhub.core.text import fold, slug

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


# --- errors ---------------------------------------------------------------------------------

class ActionError(Exception):
    status = 400
    kind = ""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict:
        error: dict[str, Any] = {"message": self.message}
        if self.kind:
            error["__type"] = self.kind
        error.update(self.fields)
        return error


class ObjectNotFound(ActionError):
    status = 404
    kind = "Not Found Error"


class Invalid(ActionError):
    status = 409
    kind = "Validation Error"

    def __init__(self, name: str, message: str):
        super().__init__(message, {name: [message]})


class NotAuthorized(ActionError):
    status = 403
    kind = "Authorization Error"


class BadRequest(ActionError):
    status = 400


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


def resource_dict(ctx: Context, dataset: Dataset, distribution: Distribution,
                  position: int = 0) -> dict:
    result = {
        "id": str(distribution.pk),
        "package_id": str(dataset.pk),
        "url": ctx.url(download_path(dataset, distribution)),
        "name": distribution.title,
        "description": "",
        "format": distribution.format,
        "mimetype": distribution.media_type,
        "mimetype_inner": None,
        "size": distribution.byte_size,
        "hash": distribution.checksum or "",
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
    if distribution.checksum:
        result["hash_algorithm"] = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
    return result


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
        "resources": [resource_dict(ctx, dataset, item, position)
                      for position, item in enumerate(distributions)],
        "num_resources": len(distributions),
        "extras": _extras(ctx, dataset),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


# --- parameters -------------------------------------------------------------------------------

def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _integer(params: dict, name: str, default: int | None, minimum: int = 0,
             maximum: int | None = None) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise Invalid(name, _("Enter a whole number of at least %(minimum)d.")
                      % {"minimum": minimum})
    return min(number, maximum) if maximum is not None else number


def _required(params: dict, name: str) -> str:
    value = params.get(name)
    if value in (None, "") or not str(value).strip():
        raise Invalid(name, _("Missing value"))
    return str(value).strip()


def _list(params: dict, name: str) -> list[str]:
    value = params.get(name)
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    try:
        parsed = limits.loads_json(value)
    except (TypeError, ValueError):
        parsed = None
    if not isinstance(parsed, list):
        raise Invalid(name, _("Enter a list of field names as JSON, e.g. [\"tags\"]."))
    return [str(item) for item in parsed]


def _page(items: list, params: dict, default_limit: int | None = None) -> list:
    limit = _integer(params, "limit", default_limit, 0, MAX_ROWS)
    offset = _integer(params, "offset", 0)
    if "offset" not in params and params.get("page") not in (None, "") and limit:
        offset = (_integer(params, "page", 1, 1) - 1) * limit
    return items[offset:offset + limit] if limit is not None else items[offset:]


# --- search: fields, fq, sort -------------------------------------------------------------------

def _values_of(ctx: Context, name: str) -> Callable[[Any], Iterable[str]] | None:
    """How to read a search field's values (what fq matches and facets count) from a dataset or
    a search-index entry (`services.Entry`): one function per field, made once and applied to
    thousands of entries when facets are counted. None for a field datasets do not have."""
    if name == "tags":
        return lambda item: item.keywords or ()
    if name == "groups":
        return lambda item: [code.lower() for code in item.themes or ()]
    if name == "organization":
        names = ctx.organisation_names
        return lambda item: (names.get(item.publisher_id, str(item.publisher_id)),)
    if name == "res_format":
        return lambda item: item.formats if isinstance(item, services.Entry) else [
            distribution.format for distribution in item.distributions.all()]
    if name == "province":
        return lambda item: item.province_codes if isinstance(item, services.Entry) else [
            province.code for province in services.as_read_by(ctx.actor, item).shown_provinces]
    if name == "license_id":
        licences: dict[str, tuple] = {}

        def licence(item):
            found = licences.get(item.licence)
            if found is None:
                found = licences[item.licence] = (licence_of(item.licence)[0],)
            return found

        return licence
    single = _SINGLE_VALUES.get(name)
    return (lambda item: (single(item),)) if single is not None else None


# Fields with one value per dataset.
_SINGLE_VALUES: dict[str, Callable[[Any], str]] = {
    "access_class": lambda item: item.access_class,
    "frequency": lambda item: item.accrual_periodicity,
    "name": lambda item: item.identifier,
    "id": lambda item: str(item.pk),
    "dataset_type": lambda item: "dataset",
    "type": lambda item: "dataset",
    "state": lambda item: "deleted" if item.withdrawn else "active",
    "capacity": lambda item: "public" if item.access_class == AccessClass.OPEN else "private",
    "private": lambda item: "false" if item.access_class == AccessClass.OPEN else "true",
}


def _field_values(ctx: Context, dataset, name: str) -> set[str]:
    """The values a dataset (or index entry) has for a search field."""
    read = _values_of(ctx, name)
    return set(read(dataset)) if read is not None else set()


FACET_FIELDS = ("tags", "groups", "organization", "res_format", "license_id", "province",
                "access_class", "frequency")


@dataclass
class Clause:
    field: str
    values: list[str] = field(default_factory=list)  # alternatives (OR)
    negated: bool = False
    low: datetime.datetime | None = None  # ranges: [low TO high], inclusive
    high: datetime.datetime | None = None
    is_range: bool = False

    def matches(self, ctx: Context, dataset: Dataset) -> bool:
        if self.is_range:
            moment = (dataset.created_at if self.field == "metadata_created"
                      else metadata_modified(dataset))
            found = ((self.low is None or moment >= self.low)
                     and (self.high is None or moment <= self.high))
        elif self.field == "tags":
            have = {fold(word) for word in _field_values(ctx, dataset, "tags")}
            found = any(fold(value) in have for value in self.values)
        elif self.field == "organization":
            pks = {ctx.organisation_id(value) for value in self.values}
            found = dataset.publisher_id in pks
        else:
            have = _field_values(ctx, dataset, self.field)
            found = any(value in have for value in self.values)
        return found != self.negated


def _moment(text: str, name: str) -> datetime.datetime | None:
    text = text.strip()
    if text == "*":
        return None
    if text.upper().startswith("NOW"):
        return timezone.now()
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(name, _("Enter a date as YYYY-MM-DD (or an ISO 8601 date and time): "
                              "%(value)s.") % {"value": text}) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)  # CKAN's timestamps are UTC
    return moment


def parse_filters(text: str, parameter: str = "fq", *,
                  leave_text: bool = False) -> tuple[list[Clause], str]:
    """The clauses of a Solr-style filter (`search_query`), and (with `leave_text`) the words
    around them."""
    try:
        query = search_query.parse(text, free_text=leave_text)
    except search_query.QuerySyntaxError as error:
        if error.problem == "unknown_field":
            raise Invalid(parameter, _("Unknown field in the filter: %(field)s.")
                          % {"field": error.field}) from None
        raise Invalid(parameter, _("The filter could not be understood: %(filter)s.")
                      % {"filter": text}) from None
    clauses = [Clause(item.field, list(item.values), item.negated,
                      low=_moment(item.low, parameter) if item.is_range else None,
                      high=_moment(item.high, parameter) if item.is_range else None,
                      is_range=item.is_range)
               for item in query.clauses]
    return clauses, query.text


SORT_FIELDS = {"score", "metadata_modified", "metadata_created", "title_string", "title",
               "name", "id"}


def parse_sort(text: str | None) -> list[tuple[str, bool]]:
    """`score desc, metadata_modified desc` → [(field, descending), ...]."""
    keys: list[tuple[str, bool]] = []
    for part in (text or "score desc, metadata_modified desc").split(","):
        words = part.split()
        if not words:
            continue
        name = words[0]
        direction = words[1].lower() if len(words) > 1 else "asc"
        if name not in SORT_FIELDS or direction not in ("asc", "desc") or len(words) > 2:
            raise Invalid("sort", _("Unknown sort field: %(field)s.") % {"field": part.strip()})
        keys.append((name, direction == "desc"))
    return keys


def _sorted(items: list[Dataset], keys: list[tuple[str, bool]]) -> list[Dataset]:
    rank = {item.pk: position for position, item in enumerate(items)}
    getters: dict[str, Callable[[Dataset], Any]] = {
        # The service's order is its ranking (and freshness when there is no query).
        "score": lambda item: -rank[item.pk],
        "metadata_modified": metadata_modified,
        "metadata_created": lambda item: item.created_at,
        "title_string": lambda item: fold(item.title_vi),
        "title": lambda item: fold(item.title_vi),
        "name": lambda item: item.identifier,
        "id": lambda item: item.pk,
    }
    result = list(items)
    for name, descending in reversed(keys):
        result.sort(key=getters[name], reverse=descending)
    return result


PUSHED = {"groups": "theme", "res_format": "format", "province": "province",
          "access_class": "access_class", "frequency": "frequency"}


def run_search(ctx: Context, q: str, clauses: list[Clause]) -> list[services.Entry]:
    """The visible, not withdrawn datasets matching `q` and every clause, in the service's
    ranking (index entries; `services.load` gives the datasets of a page)."""
    query = services.Search(q=q)
    for clause in clauses:
        if clause.negated or clause.is_range:
            continue
        if clause.field in PUSHED and not getattr(query, PUSHED[clause.field]):
            values = [value.upper() if clause.field == "groups" else value
                      for value in clause.values]
            setattr(query, PUSHED[clause.field], values)
        elif clause.field == "organization" and not query.publisher:
            query.publisher = [str(ctx.organisation_id(value)) for value in clause.values]
    found = services.search(ctx.actor, query)
    return [item for item in found if not item.withdrawn
            and all(clause.matches(ctx, item) for clause in clauses)]


def _display(ctx: Context, name: str, value: str) -> str:
    if name == "groups":
        code = value.upper()
        return str(Theme(code).label) if code in Theme.values else value
    if name == "organization":
        pk = ctx.organisation_id(value)
        organisation = ctx.organisations.get(pk) if pk is not None else None
        return organisation.name if organisation else value
    if name == "license_id":
        for licence_id, title, _open in LICENCES.values():
            if licence_id == value:
                return title
        return value
    if name == "access_class":
        return str(AccessClass(value).label) if value in AccessClass.values else value
    if name == "frequency":
        return str(Frequency(value).label) if value in Frequency.values else value
    if name == "province":
        return _province_names().get(value, value)
    return value


def _province_names() -> dict[str, str]:
    from envhub.registry.models import Province

    return dict(Province.objects.values_list("code", "name"))


def count_facets(ctx: Context, items: Iterable[Dataset], names: list[str],
                 limit: int) -> tuple[dict, dict]:
    """CKAN's `facets` ({field: {value: count}}) and `search_facets` ({field: {title, items:
    [{name, display_name, count}]}}) over the results."""
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, dict] = {}
    items = list(items)
    for name in names:
        read = _values_of(ctx, name)
        counts: Counter = Counter()
        if read is not None:
            # Each dataset counts once per value (an index entry's values are distinct already).
            counts.update(itertools.chain.from_iterable(
                read(item) if isinstance(item, services.Entry) else set(read(item))
                for item in items))
        ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        if limit >= 0:
            ranked = ranked[:limit]
        facets[name] = dict(ranked)
        search_facets[name] = {"title": name, "items": [
            {"name": value, "display_name": _display(ctx, name, value), "count": count}
            for value, count in ranked]}
    return facets, search_facets


# --- actions ------------------------------------------------------------------------------------

ACTIONS: dict[str, Callable[[Context, dict], Any]] = {}


def action(function: Callable[[Context, dict], Any]) -> Callable[[Context, dict], Any]:
    ACTIONS[function.__name__] = function
    return function


@action
def site_read(ctx: Context, params: dict) -> bool:
    """Whether the caller may read the site: always true (open data needs no account)."""
    return True


@action
def status_show(ctx: Context, params: dict) -> dict:
    """The site's title, address, default language and the CKAN API version it follows."""
    return {
        "site_title": dcat.CATALOGUE["title"]["vi"],
        "site_description": dcat.CATALOGUE["description"]["vi"],
        "site_url": ctx.base,
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "vi",
        "extensions": ["envhub", "dcat"],
    }


@action
def help_show(ctx: Context, params: dict) -> str:
    """The documentation of an action (`name`)."""
    name = _required(params, "name")
    function = ACTIONS.get(name)
    if function is None:
        raise ObjectNotFound(_("Action name not known: %(name)s") % {"name": name})
    return (function.__doc__ or "").strip()


@action
def package_list(ctx: Context, params: dict) -> list[str]:
    """The names of the datasets the caller may see (`limit`, `offset`), by name."""
    names = list(services.visible(ctx.actor).filter(withdrawn=False).order_by(
        "identifier").values_list("identifier", flat=True))
    return _page(names, params)


def _dataset(ctx: Context, identifier: str) -> Dataset:
    try:
        return services.dataset(ctx.actor, identifier)
    except NotFound:
        raise ObjectNotFound(_("Dataset not found, or you do not have access to it.")) from None


@action
def package_show(ctx: Context, params: dict) -> dict:
    """A dataset by `id`: its name (identifier) or its numeric id."""
    dataset = _dataset(ctx, _required(params, "id"))
    return package_dict(ctx, dataset)


@action
def package_search(ctx: Context, params: dict) -> dict:
    """Search: `q` (words, diacritics optional), `fq`/`fq_list` (field:value filters on tags,
    groups, organization, res_format, province, access_class, frequency, license_id, name,
    metadata_modified ranges), `rows` (10, at most 1000), `start`, `sort` (score,
    metadata_modified, metadata_created, title_string, name; asc or desc), `facet.field` (a
    JSON list), `facet.limit` (50; -1 for all)."""
    rows = _integer(params, "rows", DEFAULT_ROWS, 0, MAX_ROWS)
    start = _integer(params, "start", 0)
    clauses_q, words = parse_filters(str(params.get("q") or ""), "q", leave_text=True)
    filters = [str(params.get("fq") or "")]
    filters += [str(item) for item in _list(params, "fq_list")]
    clauses = list(clauses_q)
    for text in filters:
        clauses += parse_filters(text)[0]
    keys = parse_sort(params.get("sort"))
    names = _list(params, "facet.field")
    for name in names:
        if name not in FACET_FIELDS:
            raise Invalid("facet.field", _("Unknown field in the filter: %(field)s.")
                          % {"field": name})
    facet_limit = _integer(params, "facet.limit", DEFAULT_FACET_LIMIT, -1)
    found = _sorted(run_search(ctx, words[:200], clauses), keys)
    want_facets = _truthy(params.get("facet", "true"))
    facets, search_facets = count_facets(ctx, found, names if want_facets else [], facet_limit)
    page = services.load(found[start:start + rows])
    return {
        "count": len(found),
        "sort": ", ".join(f"{name} {'desc' if descending else 'asc'}"
                          for name, descending in keys),
        "results": [package_dict(ctx, item) for item in page],
        "facets": facets,
        "search_facets": search_facets,
    }


@action
def current_package_list_with_resources(ctx: Context, params: dict) -> list[dict]:
    """The datasets with their resources, the most recently changed first (`limit`, 10 by
    default, at most 1000; `offset` or `page`)."""
    found = _sorted(ctx.listed(), [("metadata_modified", True)])
    return [package_dict(ctx, item) for item in _page(found, params, DEFAULT_ROWS)]


def _organisation_counts(ctx: Context) -> Counter:
    return Counter(services.visible(ctx.actor).filter(withdrawn=False).values_list(
        "publisher_id", flat=True))


def _sort_groups(items: list[dict], params: dict, default: str) -> list[dict]:
    text = str(params.get("sort") or default).strip()
    words = text.split()
    name = words[0] if words else "name"
    descending = len(words) > 1 and words[1].lower() == "desc"
    if name not in ("name", "title", "package_count"):
        raise Invalid("sort", _("Unknown sort field: %(field)s.") % {"field": text})
    return sorted(items, key=lambda item: (item.get(name) if name != "title"
                                           else fold(item["title"])), reverse=descending)


@action
def organization_list(ctx: Context, params: dict) -> list:
    """The organizations publishing datasets the caller may see (`all_fields`, `sort`: name,
    title or package_count with asc/desc, `limit`, `offset`)."""
    counts = _organisation_counts(ctx)
    items = [organization_dict(ctx, ctx.organisations[pk], counts[pk])
             for pk in counts if pk in ctx.organisations]
    items = _page(_sort_groups(items, params, "name asc"), params)
    return _names_unless_all_fields(items, params)


@action
def organization_show(ctx: Context, params: dict) -> dict:
    """An organization by `id` (its name or numeric id); `include_datasets` adds its datasets
    (those the caller may see)."""
    pk = ctx.organisation_id(_required(params, "id"))
    counts = _organisation_counts(ctx)
    if pk is None or not counts.get(pk):
        raise ObjectNotFound(_("Organisation not found."))
    result = organization_dict(ctx, ctx.organisations[pk], counts[pk])
    if _truthy(params.get("include_datasets", False)):
        result["packages"] = [package_dict(ctx, item) for item in ctx.listed()
                              if item.publisher_id == pk][:MAX_ROWS]
    return result


def _names_unless_all_fields(items: list[dict], params: dict) -> list:
    """CKAN's `*_list` answers: the names, or with `all_fields` the whole dictionaries."""
    if _truthy(params.get("all_fields", False)):
        return items
    return [item["name"] for item in items]


def _theme_counts(ctx: Context) -> Counter:
    counts: Counter = Counter()
    for themes in services.visible(ctx.actor).filter(withdrawn=False).values_list(
            "themes", flat=True):
        counts.update(themes or [])
    return counts


@action
def group_list(ctx: Context, params: dict) -> list:
    """The groups: the EU data themes (`all_fields`, `sort`, `limit`, `offset`)."""
    counts = _theme_counts(ctx)
    items = [group_dict(code, counts[code]) for code in Theme.values]
    items = _page(_sort_groups(items, params, "name asc"), params)
    return _names_unless_all_fields(items, params)


@action
def group_show(ctx: Context, params: dict) -> dict:
    """A group (an EU data theme) by `id`, e.g. `envi`; `include_datasets` adds its datasets."""
    code = _required(params, "id").upper()
    if code not in Theme.values:
        raise ObjectNotFound(_("Group not found."))
    result = group_dict(code, _theme_counts(ctx)[code])
    if _truthy(params.get("include_datasets", False)):
        result["packages"] = [package_dict(ctx, item) for item in ctx.listed()
                              if code in (item.themes or [])][:MAX_ROWS]
    return result


@action
def tag_list(ctx: Context, params: dict) -> list:
    """The tags (keywords) of the datasets the caller may see; `query` keeps those containing
    it (diacritics optional), `all_fields` gives dictionaries."""
    words: set[str] = set()
    for keywords in services.visible(ctx.actor).filter(withdrawn=False).values_list(
            "keywords", flat=True):
        words.update(keywords or [])
    query = fold(str(params.get("query") or params.get("q") or ""))
    found = sorted((word for word in words if query in fold(word)), key=fold)
    found = _page(found, params)
    if _truthy(params.get("all_fields", False)):
        return [tag_dict(word) for word in found]
    return found


@action
def resource_show(ctx: Context, params: dict) -> dict:
    """A resource (a distribution) by `id`."""
    identifier = _required(params, "id")
    distribution = None
    if identifier.isdecimal():
        distribution = Distribution.objects.filter(
            pk=int(identifier), dataset__in=services.visible(ctx.actor)).select_related(
                "dataset").first()
    if distribution is None:
        raise ObjectNotFound(_("Resource not found, or you do not have access to it."))
    dataset = distribution.dataset
    position = list(dataset.distributions.values_list("pk", flat=True)).index(distribution.pk)
    return resource_dict(ctx, dataset, distribution, position)


# --- the view -----------------------------------------------------------------------------------

def _params(request) -> dict:
    """The query's parameters and the body's (a form or a JSON object), each within the length
    cap of every public input (the query string's are checked by `core.limits` already)."""
    params: dict[str, Any] = {key: request.GET.get(key) for key in request.GET}
    if request.method == "POST":
        content_type = request.content_type or ""
        if content_type.startswith(("multipart/", "application/x-www-form-urlencoded")):
            body = {key: request.POST.get(key) for key in request.POST}
        elif request.body.strip():
            try:
                body = limits.loads_json(request.body)
            except (ValueError, UnicodeDecodeError):
                body = None
            if not isinstance(body, dict):
                raise BadRequest(_("Bad request - JSON Error: the body is not a JSON object."))
        else:
            body = {}
        refusal = limits.too_long(body.items())
        if refusal is not None:
            name, message = refusal
            raise Invalid(name, message)
        params.update(body)
    return params


def _actor(request) -> Actor:
    """The caller: a CKAN-style token (`Authorization: <token>` or `X-CKAN-API-Key`), else the
    session or bearer token the middleware resolves."""
    from envhub.accounts.actors import actor_from_token

    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    key = request.META.get("HTTP_X_CKAN_API_KEY", "").strip()
    try:
        if header and " " not in header:
            return actor_from_token(header)
        if key and not header:
            return actor_from_token(key)
        actor = request.actor
        actor.kind  # noqa: B018 - resolves the lazy actor (a bad bearer token raises here)
        return actor
    except NotAuthenticated as error:
        raise NotAuthorized(str(error.message)) from None


def _answer(body: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _refusal(error: Exception) -> ActionError:
    """A body over the cap, an unreadable form or a request over its time budget, in CKAN's
    envelope."""
    if isinstance(error, RequestDataTooBig):
        limit = getattr(error, "limit", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        refusal = BadRequest(_("The request body is too large: at most %(limit)d bytes are "
                               "accepted here.") % {"limit": limit})
        refusal.status = 413
    elif isinstance(error, EnvhubError):
        refusal = BadRequest(str(error.message))
        refusal.status = error.status
    else:
        refusal = BadRequest(_("Bad request - the form could not be read."))
    return refusal


@csrf_exempt
def action_view(request, name: str):
    base = request.build_absolute_uri("/").rstrip("/")
    help_url = f"{base}/api/3/action/help_show?name={name}"
    if request.method not in ("GET", "POST"):
        response = _answer({"help": help_url, "success": False, "error": {
            "message": _("This method is not allowed here.")}}, 405)
        response["Allow"] = "GET, POST"
        return response
    function = ACTIONS.get(name)
    try:
        if function is None:
            raise BadRequest(_("Bad request - Action name not known: %(name)s")
                             % {"name": name})
        params = _params(request)
        ctx = Context(request=request, actor=_actor(request), base=base)
        result = function(ctx, params)
    except (RequestDataTooBig, MultiPartParserError, EnvhubError) as refused:
        error = _refusal(refused)
        return _answer({"help": help_url, "success": False, "error": error.body()},
                       error.status)
    except ActionError as error:
        return _answer({"help": help_url, "success": False, "error": error.body()},
                       error.status)
    return _answer({"help": help_url, "success": True, "result": result})
