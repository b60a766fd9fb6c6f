"""`GET /api/v1/documents`: the library's search as JSON — the documents the caller may read
that match `q` and the facet filters, one page in order, the facets over all of them and an
opaque `next` cursor. Thin: parse, call `library.search`, serialise."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from envhub.core.api_auth import PUBLIC, actor_of
from envhub.core.api_errors import READ_ERRORS
from envhub.core.pagination import PageLimit
from envhub.library import search
from envhub.library.search_query import MAX_QUERY_LENGTH

router = Router(tags=["library"])

FilterValues = list[str] | None


class DocumentQuery(Schema):
    q: str | None = Field(None, max_length=MAX_QUERY_LENGTH,
                          description="words (all must appear), \"phrases\", prefix*")
    type: FilterValues = None
    year: FilterValues = None
    issuing_body: FilterValues = None
    collection: FilterValues = Field(None, description="collection codes")
    province: FilterValues = Field(None, description="province codes")
    access_level: FilterValues = None
    cursor: str | None = None
    limit: PageLimit = None


class SegmentOut(Schema):
    text: str
    match: bool


class CollectionRef(Schema):
    code: str
    title: str


class DocumentHitOut(Schema):
    id: int
    identifier: str
    title: str
    type: str
    type_label: str
    year: int | None
    issuing_body: str
    number_and_symbol: str
    collection: CollectionRef
    access_level: str
    url: str
    title_highlighted: list[SegmentOut]
    snippet: list[SegmentOut]


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    chosen: bool


class DocumentSearchOut(Schema):
    results: list[DocumentHitOut]
    total: int
    facets: dict[str, list[FacetValueOut]]
    next: str | None


def filters_of(values: dict) -> search.Filters:
    return search.Filters(**{name: [value.strip() for value in values.get(name) or []
                                    if value.strip()][:search.MAX_FILTER_VALUES]
                             for name in search.FACETS})


def hit_out(hit: search.Hit) -> dict:
    document = hit.document
    return {"id": document.pk, "identifier": document.identifier, "title": document.title,
            "type": document.type, "type_label": str(document.get_type_display()),
            "year": document.year, "issuing_body": document.issuing_body,
            "number_and_symbol": document.number_and_symbol,
            "collection": document.collection, "access_level": document.access_level,
            "url": search.document_url(document), "title_highlighted": hit.title,
            "snippet": hit.snippet}


@router.get("/documents", response={200: DocumentSearchOut, **READ_ERRORS},
            openapi_extra=PUBLIC, summary="Search the library's documents, with facets")
def list_documents(request, query: Query[DocumentQuery]):
    results = search.search(actor_of(request), query.q, filters_of(query.dict()),
                            cursor=query.cursor, limit=query.limit)
    return {"results": [hit_out(hit) for hit in results.hits], "total": results.total,
            "facets": results.facets, "next": results.next}


# The intake (POST /documents) and the document's own endpoints are written in their modules
# on this same router: two routers with one path would answer each other's methods with 405.
from envhub.library import detail_api, intake_api  # noqa: E402,F401
