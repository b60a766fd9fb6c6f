"""The read-only actions of CKAN's Action API that envhub answers (`ACTIONS`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from envhub.catalog import dcat, services
from envhub.catalog.ckan.errors import Invalid, ObjectNotFound
from envhub.catalog.ckan.query import (
    FACET_FIELDS,
    count_facets,
    integer,
    json_list,
    paged,
    parse_filters,
    parse_sort,
    required,
    run_search,
    sorted_datasets,
    truthy,
)
from envhub.catalog.ckan.shapes import (
    CKAN_VERSION,
    DEFAULT_FACET_LIMIT,
    DEFAULT_ROWS,
    FILE_RESOURCE,
    MAX_ROWS,
    Context,
    file_resource_dict,
    file_resources,
    group_dict,
    organization_dict,
    package_dict,
    resource_dict,
    tag_dict,
)
from envhub.catalog.models import Dataset, Distribution, Theme
from envhub.core.errors import NotFound
from envhub.core.text import fold

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
    name = required(params, "name")
    function = ACTIONS.get(name)
    if function is None:
        raise ObjectNotFound(_("Action name not known: %(name)s") % {"name": name})
    return (function.__doc__ or "").strip()


@action
def package_list(ctx: Context, params: dict) -> list[str]:
    """The names of the datasets the caller may see (`limit`, `offset`), by name."""
    names = list(services.visible(ctx.actor).filter(withdrawn=False).order_by(
        "identifier").values_list("identifier", flat=True))
    return paged(names, params)


def _dataset(ctx: Context, identifier: str) -> Dataset:
    try:
        return services.dataset(ctx.actor, identifier)
    except NotFound:
        raise ObjectNotFound(_("Dataset not found, or you do not have access to it.")) from None


@action
def package_show(ctx: Context, params: dict) -> dict:
    """A dataset by `id`: its name (identifier) or its numeric id."""
    dataset = _dataset(ctx, required(params, "id"))
    return package_dict(ctx, dataset)


@action
def package_search(ctx: Context, params: dict) -> dict:
    """Search: `q` (words, diacritics optional), `fq`/`fq_list` (field:value filters on tags,
    groups, organization, res_format, province, access_class, frequency, license_id, name,
    metadata_modified ranges), `rows` (10, at most 1000), `start`, `sort` (score,
    metadata_modified, metadata_created, title_string, name; asc or desc), `facet.field` (a
    JSON list), `facet.limit` (50; -1 for all)."""
    rows = integer(params, "rows", DEFAULT_ROWS, 0, MAX_ROWS)
    start = integer(params, "start", 0)
    clauses_q, words = parse_filters(str(params.get("q") or ""), "q", leave_text=True)
    filters = [str(params.get("fq") or "")]
    filters += [str(item) for item in json_list(params, "fq_list")]
    clauses = list(clauses_q)
    for text in filters:
        clauses += parse_filters(text)[0]
    keys = parse_sort(params.get("sort"))
    names = json_list(params, "facet.field")
    for name in names:
        if name not in FACET_FIELDS:
            raise Invalid("facet.field", _("Unknown field in the filter: %(field)s.")
                          % {"field": name})
    facet_limit = integer(params, "facet.limit", DEFAULT_FACET_LIMIT, -1)
    found = sorted_datasets(run_search(ctx, words[:200], clauses), keys)
    want_facets = truthy(params.get("facet", "true"))
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
    found = sorted_datasets(ctx.listed(), [("metadata_modified", True)])
    return [package_dict(ctx, item) for item in paged(found, params, DEFAULT_ROWS)]


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
    items = paged(_sort_groups(items, params, "name asc"), params)
    return _names_unless_all_fields(items, params)


@action
def organization_show(ctx: Context, params: dict) -> dict:
    """An organization by `id` (its name or numeric id); `include_datasets` adds its datasets
    (those the caller may see)."""
    pk = ctx.organisation_id(required(params, "id"))
    counts = _organisation_counts(ctx)
    if pk is None or not counts.get(pk):
        raise ObjectNotFound(_("Organisation not found."))
    result = organization_dict(ctx, ctx.organisations[pk], counts[pk])
    if truthy(params.get("include_datasets", False)):
        result["packages"] = [package_dict(ctx, item) for item in ctx.listed()
                              if item.publisher_id == pk][:MAX_ROWS]
    return result


def _names_unless_all_fields(items: list[dict], params: dict) -> list:
    """CKAN's `*json_list` answers: the names, or with `all_fields` the whole dictionaries."""
    if truthy(params.get("all_fields", False)):
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
    items = paged(_sort_groups(items, params, "name asc"), params)
    return _names_unless_all_fields(items, params)


@action
def group_show(ctx: Context, params: dict) -> dict:
    """A group (an EU data theme) by `id`, e.g. `envi`; `include_datasets` adds its datasets."""
    code = required(params, "id").upper()
    if code not in Theme.values:
        raise ObjectNotFound(_("Group not found."))
    result = group_dict(code, _theme_counts(ctx)[code])
    if truthy(params.get("include_datasets", False)):
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
    found = paged(found, params)
    if truthy(params.get("all_fields", False)):
        return [tag_dict(word) for word in found]
    return found


@action
def resource_show(ctx: Context, params: dict) -> dict:
    """A resource (a distribution) by `id`."""
    identifier = required(params, "id")
    distribution = None
    if FILE_RESOURCE in identifier:
        return _file_resource(ctx, identifier)
    if identifier.isdecimal():
        distribution = Distribution.objects.filter(
            pk=int(identifier), dataset__in=services.visible(ctx.actor)).select_related(
                "dataset").first()
    if distribution is None:
        raise ObjectNotFound(_("Resource not found, or you do not have access to it."))
    dataset = distribution.dataset
    position = list(dataset.distributions.values_list("pk", flat=True)).index(distribution.pk)
    return resource_dict(ctx, dataset, distribution, position)


def _file_resource(ctx: Context, identifier: str) -> dict:
    dataset_id, _sep, key = identifier.partition(FILE_RESOURCE)
    dataset = services.visible(ctx.actor).filter(
        pk=int(dataset_id) if dataset_id.isdecimal() else None, withdrawn=False).first()
    distributions = 0 if dataset is None else dataset.distributions.count()
    for position, item in enumerate(file_resources(dataset) if dataset else ()):
        if item.key == key:
            return file_resource_dict(ctx, dataset, item, distributions + position)
    raise ObjectNotFound(_("Resource not found, or you do not have access to it."))
