"""Search in the library: full text over the metadata and the content, the same on SQLite (FTS5,
`search_sqlite`) and PostgreSQL (tsvector + GIN, `search_postgres`), ranked, with snippets and
facets counted over the documents the reader may see.

Both engines only answer "which documents contain these words (in these columns)"; the rest —
the access rule, filters, facets, the order and the paging — is the same code on either, so a
query gives the same results on both. The order is by tier, then newest first: the whole query
found in the title, then in the metadata, then only in the content. It is deterministic and
explainable (a reader sees why a document comes first), where each engine's own scoring (BM25,
ts_rank) would order the same documents differently on the two databases.

Index maintenance: `index_document(document)` after a document's text changes (extraction
calls it); signals call it on every save of a document and change of its provinces, and
`unindex_document(document_id)` on delete; `rebuild()` for `envhub library_reindex`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from envhub.core import pagination, permissions
from envhub.core.errors import InvalidInput
from envhub.core.permissions import Actor
from envhub.library import search_query, snippets
from envhub.library.models import AccessLevel, Collection, Document, DocumentText, DocumentType
from envhub.library.search_query import Query

FACETS = ("type", "year", "issuing_body", "collection", "province", "access_level")
MAX_FILTER_VALUES = 20
TITLE, META, CONTENT = 2, 1, 0  # the tiers of the order
_CURSOR_SCOPE = "library.search:tier,year,id"


def backend():
    if connection.vendor == "postgresql":
        from envhub.library import search_postgres
        return search_postgres
    from envhub.library import search_sqlite
    return search_sqlite


# --- the index -----------------------------------------------------------------------------

def _meta_text(document: Document) -> str:
    parts = [document.identifier, document.number, document.symbol, document.number_and_symbol,
             document.creator, " ".join(document.subjects or []), document.description,
             document.publisher, document.contributor, document.source, document.relation,
             document.coverage, document.issuing_body, document.signer, document.rights,
             document.collection.title, document.dossier.title if document.dossier else ""]
    parts.extend(province.name for province in document.provinces.all())
    return search_query.index_text(" \n ".join(str(part) for part in parts if part))


def index_document(document: Document) -> None:
    """Put `document` (its metadata and the text of its newest version) in the index, or
    refresh it there."""
    text = DocumentText.objects.filter(document=document).values_list("content", flat=True)
    body = search_query.body_text(text.first() or "")
    with transaction.atomic(), connection.cursor() as cursor:
        backend().upsert(cursor, document.pk, search_query.index_text(document.title),
                         _meta_text(document), body)


def unindex_document(document_id: int) -> None:
    with connection.cursor() as cursor:
        backend().delete(cursor, [document_id])


@receiver(post_save, sender=Document)
def _refresh(sender, instance: Document, raw: bool = False, **kwargs) -> None:
    # In the saving transaction: if it rolls back, the index entry goes with it. Whoever
    # changes metadata (intake, editing, import) leaves the index true without a call.
    if not raw:
        index_document(instance)


@receiver(m2m_changed, sender=Document.provinces.through)
def _refresh_provinces(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    if action.startswith("post_") and not reverse:
        index_document(instance)  # province names are searched with the metadata


@receiver(post_delete, sender=Document)
def _forget(sender, instance: Document, **kwargs) -> None:
    # FTS5 tables have no foreign keys: a deleted document would stay findable.
    unindex_document(instance.pk)


def rebuild(batch: int = 200, progress=None) -> int:
    """Index every document again (each entry replaced in place, so search keeps answering
    meanwhile) and drop the entries of documents that are gone; the number indexed."""
    engine = backend()
    done = last = 0
    documents = Document.objects.select_related("collection", "dossier").prefetch_related(
        "provinces").order_by("pk")
    while True:
        chunk = list(documents.filter(pk__gt=last)[:batch])
        if not chunk:
            break
        with transaction.atomic():  # one commit per batch, not per document
            for document in chunk:
                index_document(document)
        last = chunk[-1].pk
        done += len(chunk)
        if progress:
            progress(done)
    with connection.cursor() as cursor:
        gone = engine.indexed_ids(cursor) - set(Document.objects.values_list("pk", flat=True))
        if gone:
            engine.delete(cursor, sorted(gone))
        engine.optimise(cursor)
    return done


# --- the search ----------------------------------------------------------------------------

@dataclass
class Filters:
    """The facet values chosen; within a facet any value (OR), across facets all (AND)."""

    type: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    issuing_body: list[str] = field(default_factory=list)
    collection: list[str] = field(default_factory=list)
    province: list[str] = field(default_factory=list)
    access_level: list[str] = field(default_factory=list)

    def chosen(self) -> dict[str, set[str]]:
        return {name: set(getattr(self, name)[:MAX_FILTER_VALUES]) for name in FACETS
                if getattr(self, name)}


@dataclass
class Hit:
    document: Document
    tier: int
    title: list[snippets.Segment]
    snippet: list[snippets.Segment]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool


@dataclass
class Results:
    query: Query
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetValue]]
    next: str | None


@dataclass
class _Row:
    id: int
    tier: int
    year: int
    values: dict[str, tuple[str, ...]]

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.tier, self.year, self.id)


def parse_query(text: str | None) -> Query:
    """The query, or InvalidInput when words were typed but none can be searched for (only
    punctuation or operators): a clear answer rather than every document."""
    query = search_query.parse(text)
    if query.empty and (text or "").strip():
        raise InvalidInput(_("The search has no word to look for: type letters or digits."),
                           {"q": [_("no word to search for")]})
    return query


def _rows(actor: Actor, query: Query) -> list[_Row]:
    documents = permissions.scope(actor, Document.objects.all())
    if query.empty:
        documents = documents.annotate(tier=Value(CONTENT, output_field=IntegerField()))
    else:
        engine = backend()
        documents = documents.filter(pk__in=RawSQL(*engine.match(query, "all"))).annotate(
            tier=Case(When(pk__in=RawSQL(*engine.match(query, "title")), then=Value(TITLE)),
                      When(pk__in=RawSQL(*engine.match(query, "meta")), then=Value(META)),
                      default=Value(CONTENT), output_field=IntegerField()))
    fields = ("id", "tier", "year", "type", "issuing_body", "collection__code", "access_level")
    rows = {}
    for pk, tier, year, kind, body, collection, level in documents.values_list(*fields):
        rows[pk] = _Row(pk, tier, year or 0, {
            "type": (kind,), "year": (str(year),) if year else (), "issuing_body":
            (body,) if body else (), "collection": (collection,), "access_level": (level,),
            "province": ()})
    provinces = Document.provinces.through.objects.filter(
        document__in=documents.values("pk")).values_list("document_id", "province__code")
    for pk, code in provinces:
        if pk in rows:
            rows[pk].values["province"] += (code,)
    return list(rows.values())


def _passes(row: _Row, chosen: dict[str, set[str]], skip: str | None = None) -> bool:
    return all(name == skip or not values.isdisjoint(row.values[name])
               for name, values in chosen.items())


def _facets(rows: list[_Row], chosen: dict[str, set[str]]) -> dict[str, list[FacetValue]]:
    """Each facet's values counted over the rows matching every other filter, so that choosing
    a value never hides its siblings."""
    counts = {name: Counter() for name in FACETS}
    for row in rows:
        failed = [name for name, values in chosen.items()
                  if values.isdisjoint(row.values[name])]
        if len(failed) > 1:
            continue
        for name in failed or FACETS:
            tally = counts[name]
            for value in row.values[name]:  # not Counter.update: its type checks cost more
                tally[value] += 1
    labels = _labels(counts)
    facets = {}
    for name in FACETS:
        values = [FacetValue(value, labels[name].get(value, value), count,
                             value in chosen.get(name, ()))
                  for value, count in counts[name].items()]
        if name == "year":
            values.sort(key=lambda item: item.value, reverse=True)
        else:
            values.sort(key=lambda item: (-item.count, item.label))
        facets[name] = values
    return facets


def _labels(counts: dict[str, Counter]) -> dict[str, dict[str, str]]:
    from envhub.registry.models import Province

    return {
        "type": {value: str(label) for value, label in DocumentType.choices},
        "access_level": {value: str(label) for value, label in AccessLevel.choices},
        "collection": dict(Collection.objects.filter(code__in=list(counts["collection"]))
                           .values_list("code", "title")),
        # Sixty-three provinces: read them all rather than build a long IN list.
        "province": dict(Province.objects.values_list("code", "name")),
        "year": {}, "issuing_body": {},
    }


def search(actor: Actor, text: str | None = None, filters: Filters | None = None,
           cursor: str | None = None, limit: int | None = None) -> Results:
    """The documents `actor` may read that match `text` and `filters`, one page of them in
    order (tier, then year, newest first), with the facets over all of them."""
    query = parse_query(text)
    limit = pagination.clamp_limit(limit)
    chosen = (filters or Filters()).chosen()
    rows = _rows(actor, query)
    facets = _facets(rows, chosen)
    found = sorted((row for row in rows if _passes(row, chosen)), key=lambda row: row.key,
                   reverse=True)
    total = len(found)
    if cursor:
        after = tuple(pagination.decode_cursor(cursor, 3, _CURSOR_SCOPE))
        if not all(isinstance(value, int) for value in after):
            raise InvalidInput(_("The paging cursor is not valid; start again from the first "
                                 "page."), {"cursor": [_("invalid cursor")]})
        found = [row for row in found if row.key < after]
    page = found[:limit]
    next_cursor = (pagination.encode_cursor(list(page[-1].key), _CURSOR_SCOPE)
                   if len(found) > limit else None)
    return Results(query, _hits(page, query), total, facets, next_cursor)


def _hits(page: list[_Row], query: Query) -> list[Hit]:
    ids = [row.id for row in page]
    documents = Document.objects.select_related("collection").in_bulk(ids)
    texts = dict(DocumentText.objects.filter(document_id__in=ids).values_list("document_id",
                                                                               "content")) \
        if not query.empty else {}
    hits = []
    for row in page:
        document = documents[row.id]
        terms = query.words()
        hits.append(Hit(
            document, row.tier,
            snippets.highlight(document.title, terms) if terms else
            [snippets.Segment(document.title)],
            snippets.snippet(texts.get(row.id) or document.description, query)))
    return hits


def document_url(document: Document) -> str:
    """The document's page (libpages' `/library/documents/<identifier>/`)."""
    from urllib.parse import quote

    return f"/library/documents/{quote(document.identifier, safe='')}/"
