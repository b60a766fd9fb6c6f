"""The actions' parameters, and search as CKAN clients ask it: `q`, `fq`, sort and facets."""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.catalog import search_query, services
from envhub.catalog.ckan.errors import Invalid
from envhub.catalog.ckan.shapes import LICENCES, MAX_ROWS, Context, licence_of, metadata_modified
from envhub.catalog.models import AccessClass, Dataset, Frequency, Theme
from envhub.core import limits
from envhub.core.text import fold


def truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def integer(params: dict, name: str, default: int | None, minimum: int = 0,
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


def required(params: dict, name: str) -> str:
    value = params.get(name)
    if value in (None, "") or not str(value).strip():
        raise Invalid(name, _("Missing value"))
    return str(value).strip()


def json_list(params: dict, name: str) -> list[str]:
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


def paged(items: list, params: dict, default_limit: int | None = None) -> list:
    limit = integer(params, "limit", default_limit, 0, MAX_ROWS)
    offset = integer(params, "offset", 0)
    if "offset" not in params and params.get("page") not in (None, "") and limit:
        offset = (integer(params, "page", 1, 1) - 1) * limit
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


def sorted_datasets(items: list[Dataset], keys: list[tuple[str, bool]]) -> list[Dataset]:
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
