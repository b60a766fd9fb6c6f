"""Search in the library: full text over the metadata and the content, the same on SQLite (FTS5,
`search_sqlite`) and PostgreSQL (tsvector + GIN, `search_postgres`), ranked, with snippets and
facets counted over the documents the reader may see.

Both engines only answer "which documents contain these words (in these columns)", once per
search; the rest — the access rule, filters, facets, the order and the paging — is the same ORM
code on either, over those ids, so a query gives the same results on both. The order is by
tier, then newest first: the whole query found in the title, then in the metadata, then only
in the content. It is deterministic and explainable (a reader sees why a document comes
first), where each engine's own scoring (BM25, ts_rank) would order the same documents
differently on the two databases.

Index maintenance: `index_document(document)` after a document's text changes (extraction
calls it); signals call it on every save of a document and change of its provinces, and
`unindex_document(document_id)` on delete; `rebuild()` for `envhub library reindex`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
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
MAX_FILTER_LENGTH = 300  # an issuing body's name is at most 300 characters
TITLE, META, CONTENT = 2, 1, 0  # the tiers of the order
SNIPPET_SOURCE_CHARS = 100_000  # a snippet is looked for in the first 30-odd pages
SNIPPET_HEAD_CHARS = 5_000  # read first: two pages, where the first match nearly always is
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
        return {name: {value[:MAX_FILTER_LENGTH] for value in
                       getattr(self, name)[:MAX_FILTER_VALUES]}
                for name in FACETS if getattr(self, name)}


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


# Each facet: the document field it counts and how a chosen value filters the documents.
_FIELDS = {"type": "type", "year": "year", "issuing_body": "issuing_body",
           "collection": "collection__code", "access_level": "access_level"}


def parse_query(text: str | None) -> Query:
    """The query, or InvalidInput when words were typed but none can be searched for (only
    punctuation or operators): a clear answer rather than every document."""
    query = search_query.parse(text)
    if query.empty and (text or "").strip():
        raise InvalidInput(_("The search has no word to look for: type letters or digits."),
                           {"q": [_("no word to search for")]})
    return query


def _readable(actor: Actor) -> QuerySet:
    return permissions.scope(actor, Document.objects.all())


def _chosen_condition(name: str, values: set[str]):
    """The condition a document meets when it has one of the chosen `values` of facet
    `name`."""
    if name == "province":
        return Exists(Document.provinces.through.objects.filter(
            document_id=OuterRef("pk"), province__code__in=sorted(values)))
    if name == "year":
        # ASCII digits only, as the facet lists years: int() would also read "２０２２".
        years = [int(value) for value in values
                 if value.isascii() and value.isdecimal() and len(value) <= 4]
        return Q(year__in=years)
    return Q(**{f"{_FIELDS[name]}__in": sorted(values)})


def _page_and_facets(actor: Actor, query: Query, chosen: dict[str, set[str]],
                     after: list[int] | None, limit: int
                     ) -> tuple[list[tuple[int, int, int]], dict[str, dict], int]:
    """One statement: the documents the reader may see joined to the engine's matches with
    their tier (`m`, read once: a materialised CTE), then the page (tier, year, id, after the
    cursor's row), each facet's values counted over the documents matching every other chosen
    filter (so that choosing a value never hides its siblings), and the number matching all.
    Collections and provinces are counted by id (their codes and names are read with the
    labels): no join to their tables for every match.

    The engine's query (`e`) is materialised or not as its backend says (`ENGINE_CTE`)."""
    # CASE, not the bare condition: Django writes a condition that can match nothing (no
    # valid year chosen) as the integer 0, which PostgreSQL refuses where a boolean goes.
    flags = {f"c_{name}": Case(When(_chosen_condition(name, values), then=Value(True)),
                               default=Value(False), output_field=BooleanField())
             for name, values in chosen.items()}
    base = _readable(actor).annotate(
        m_id=F("pk"), m_year=Coalesce("year", 0), m_year_value=F("year"),
        m_type=F("type"), m_issuing_body=F("issuing_body"), m_collection=F("collection_id"),
        m_access_level=F("access_level"), **flags)
    columns = ["m_id", "m_year", "m_year_value", "m_type", "m_issuing_body",
               "m_collection", "m_access_level", *flags]
    inner, inner_params = base.order_by().values(*columns).query.sql_with_params()
    if query.empty:
        params = list(inner_params)
        ctes = f"m AS MATERIALIZED (SELECT q.*, {CONTENT} AS m_tier FROM ({inner}) AS q)"
    else:
        engine = backend()
        engine_sql, engine_params = engine.tiers(query)
        params = [*engine_params, *inner_params]
        ctes = (f"e AS {engine.ENGINE_CTE} ({engine_sql}), m AS MATERIALIZED (SELECT q.*, "
                f"e.tier AS m_tier FROM ({inner}) AS q JOIN e ON e.id = q.m_id)")

    def where(skip: str | None = None) -> str:
        kept = [f"m.c_{name}" for name in chosen if name != skip]
        return " AND ".join(kept) if kept else "1 = 1"

    arms = []
    keyset = ""
    if after:
        keyset = (" AND (m.m_tier < %s OR (m.m_tier = %s AND m.m_year < %s)"
                  " OR (m.m_tier = %s AND m.m_year = %s AND m.m_id < %s))")
        tier, year, pk = after
        params += [tier, tier, year, tier, year, pk]
    arms.append("SELECT 'page' AS kind, CAST(NULL AS varchar(300)) AS value, p.m_id AS id, "
                "p.m_tier AS tier, p.m_year AS year, CAST(NULL AS bigint) AS n FROM (SELECT "
                f"m.m_id, m.m_tier, m.m_year FROM m WHERE {where()}{keyset} ORDER BY "
                f"m.m_tier DESC, m.m_year DESC, m.m_id DESC LIMIT {int(limit) + 1}) AS p")
    arms.append(f"SELECT 'total', NULL, NULL, NULL, NULL, COUNT(*) FROM m WHERE {where()}")
    arms.extend(_facet_arms(where))
    sql = f"WITH {ctes} " + " UNION ALL ".join(arms)
    rows, counts, total = [], {name: {} for name in FACETS}, 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, value, pk, tier, year, count in cursor.fetchall():
            if kind == "page":
                rows.append((pk, tier, year))
            elif kind == "total":
                total = count
            elif kind in ("province", "collection"):
                if count:
                    counts[kind][pk] = count  # by id: `_named` gives their codes
            elif count and value not in (None, ""):  # a FILTER's count may be 0
                counts[kind][value] = count
    rows.sort(key=lambda row: (row[1], row[2], row[0]), reverse=True)
    return rows, counts, total


def _facet_arms(where) -> list[str]:
    """The statement's arms counting each facet's values over `m`; `where(name)` is the
    condition of the filters chosen in the other facets. Collections and provinces are
    counted by id, in the `id` column. Where the backend has GROUPING SETS (PostgreSQL) the
    five facets of the documents' own columns are one pass over the matches, each set
    counting with its own FILTER; elsewhere (SQLite) an arm per facet reads `m` again."""
    through = Document.provinces.through._meta.db_table
    arms = [f"SELECT 'province', NULL, t.province_id, NULL, NULL, COUNT(*) FROM m JOIN "
            f"{through} t ON t.document_id = m.m_id WHERE {where('province')} "
            "GROUP BY t.province_id"]
    columns = {"type": "m.m_type", "year": "m.m_year_value", "issuing_body": "m.m_issuing_body",
               "collection": "m.m_collection", "access_level": "m.m_access_level"}

    def value_and_id(name: str, column: str) -> tuple[str, str]:
        return (("NULL", column) if name == "collection"
                else (f"CAST({column} AS varchar(300))", "NULL"))

    if not backend().GROUPING_SETS:
        for name, column in columns.items():
            value, pk = value_and_id(name, column)
            arms.append(f"SELECT '{name}', {value}, {pk}, NULL, NULL, COUNT(*) FROM m "
                        f"WHERE {where(name)} GROUP BY {column}")
        return arms

    def case(expression_of) -> str:
        return "CASE " + " ".join(f"WHEN GROUPING({column}) = 0 THEN {expression_of(name, column)}"
                                  for name, column in columns.items()) + " END"

    kind = case(lambda name, column: "'" + name + "'")
    value = case(lambda name, column: value_and_id(name, column)[0])
    pk = case(lambda name, column: value_and_id(name, column)[1])
    count = case(lambda name, column: f"COUNT(*) FILTER (WHERE {where(name)})")
    sets = ", ".join(f"({column})" for column in columns.values())
    arms.append(f"SELECT {kind}, {value}, {pk}, NULL, NULL, {count} FROM m "
                f"GROUP BY GROUPING SETS ({sets})")
    return arms


def _facets(counts: dict[str, dict], chosen: dict[str, set[str]]
            ) -> dict[str, list[FacetValue]]:
    """The counted values of each facet with their labels, in the order the page shows."""
    counts, labels = _named(counts)
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


def _named(counts: dict[str, dict]) -> tuple[dict[str, dict[str, int]], dict[str, dict]]:
    """The counts with collections and provinces under their codes (the statement counts them
    by id), and each facet's labels by value."""
    from envhub.registry.models import Province

    labels: dict[str, dict[str, str]] = {
        "type": {value: str(label) for value, label in DocumentType.choices},
        "access_level": {value: str(label) for value, label in AccessLevel.choices},
        "collection": {}, "province": {}, "year": {}, "issuing_body": {},
    }
    # One round trip for both: the counted collections, and the sixty-three provinces read
    # whole rather than through a long IN list.
    collections = Collection.objects.filter(pk__in=list(counts["collection"])).annotate(
        facet=Value("collection")).order_by().values_list("facet", "pk", "code", "title")
    provinces = Province.objects.annotate(facet=Value("province")).order_by().values_list(
        "facet", "pk", "code", "name")
    by_code = {**counts, "collection": {}, "province": {}}
    for facet, pk, code, label in collections.union(provinces, all=True):
        labels[facet][code] = label
        if pk in counts[facet]:
            by_code[facet][code] = counts[facet][pk]
    return by_code, labels


def search(actor: Actor, text: str | None = None, filters: Filters | None = None,
           cursor: str | None = None, limit: int | None = None) -> Results:
    """The documents `actor` may read that match `text` and `filters`, one page of them in
    order (tier, then year, newest first), with the facets over all of them."""
    query = parse_query(text)
    limit = pagination.clamp_limit(limit)
    chosen = (filters or Filters()).chosen()
    after = None
    if cursor:
        after = pagination.decode_cursor(cursor, 3, _CURSOR_SCOPE)
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in after):
            raise InvalidInput(_("The paging cursor is not valid; start again from the first "
                                 "page."), {"cursor": [_("invalid cursor")]})
    rows, counts, total = _page_and_facets(actor, query, chosen, after, limit)
    next_cursor = (pagination.encode_cursor([rows[limit - 1][1], rows[limit - 1][2],
                                             rows[limit - 1][0]], _CURSOR_SCOPE)
                   if len(rows) > limit else None)
    rows = rows[:limit]
    return Results(query, _hits(rows, query), total, _facets(counts, chosen), next_cursor)


def _hits(rows: list[tuple[int, int, int]], query: Query) -> list[Hit]:
    ids = [row[0] for row in rows]
    documents = Document.objects.select_related("collection")
    if not query.empty:
        # The head of each text in the same query: the first match is nearly always in the
        # first pages, and reading and searching 100,000 characters of 20 texts cost more than
        # the rest of a page of results (one more character tells a head from a whole text).
        documents = documents.annotate(head=Substr("text__content", 1, SNIPPET_HEAD_CHARS + 1))
    documents = documents.in_bulk(ids)
    terms = query.words()
    snippets_of: dict[int, list[snippets.Segment] | None] = {}
    for pk, document in documents.items():
        head = getattr(document, "head", None)
        whole = head is None or len(head) <= SNIPPET_HEAD_CHARS
        snippets_of[pk] = snippets.snippet(head, query, head=not whole)
    # Read further (the first 100,000 characters, as before) only where the head could not
    # tell the snippet: a scanned archive's text may run to millions of characters.
    further = [pk for pk, found in snippets_of.items() if found is None]
    if further:
        for pk, text in DocumentText.objects.filter(document_id__in=further).annotate(
                start=Substr("content", 1, SNIPPET_SOURCE_CHARS)).values_list(
                "document_id", "start"):
            snippets_of[pk] = snippets.snippet(text, query)
    hits = []
    for pk, tier, _year in rows:
        document = documents[pk]
        hits.append(Hit(
            document, tier,
            snippets.highlight(document.title, terms) if terms else
            [snippets.Segment(document.title)],
            snippets_of[pk] or snippets.snippet(document.description, query)))
    return hits


def document_url(document: Document) -> str:
    """The document's page."""
    from django.urls import reverse

    return reverse("library:document", args=[document.identifier])
