"""One document by API: `GET /api/v1/documents/{id}` (its metadata, archival fields and files
in every version) and its Dublin Core as XML (`/dc.xml`, `oai_dc`) and JSON (`/dc.json`).

`{id}` is the document's identifier ("TL-1"), else its number (`id` in the answers; the way
to a document whose identifier holds a "/"). The access rule is the policy's: a document the
caller may not read is answered 404, like one that does not exist. Reading a restricted
document is an audited event.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from ninja import Schema

from envhub.core import audit, permissions
from envhub.core.api_auth import PUBLIC, actor_of
from envhub.core.api_errors import READ_ERRORS
from envhub.core.errors import NotFound
from envhub.core.schemas import LocalTime
from envhub.library import dublin_core
from envhub.library.api import router  # one router: the list and the intake share /documents
from envhub.library.models import AccessLevel, Document, FileRole
from envhub.library.oai_views import dublin_core_of, page_path

MAX_ID = 200  # characters of `{id}`: longer than any identifier (100)


def _site(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def document_for(actor, key: str) -> Document:
    """The document `key` names (identifier, else number) that `actor` may read; NotFound."""
    documents = permissions.scope(actor, Document.objects.select_related(
        "collection", "dossier").prefetch_related("provinces", "allowed_organisations"))
    found = None
    if len(key) <= MAX_ID:
        found = documents.filter(identifier=key).first()
        if found is None and key.isdecimal() and len(key) < 19:
            found = documents.filter(pk=int(key)).first()
    if found is None:
        raise NotFound()
    if found.access_level == AccessLevel.RESTRICTED:
        # Who read a restricted document is kept (issue 18: every view of one is audited).
        audit.record(actor, "library.document.view", found, {"road": "api"})
    return found


class PlaceOut(Schema):
    code: str
    name: str


class ShelfOut(Schema):
    code: str
    title: str


class OrganisationOut(Schema):
    id: int
    name: str


class FileOut(Schema):
    id: int
    version: int
    role: str
    name: str
    size: int
    sha256: str
    media_type: str
    created_at: LocalTime
    download_url: str


class LinksOut(Schema):
    page: str
    dublin_core_xml: str
    dublin_core_json: str


class DocumentOut(Schema):
    id: int
    identifier: str
    title: str
    creator: str
    subjects: list[str]
    description: str
    publisher: str
    contributor: str
    date: datetime.date | None
    year: int | None
    type: str
    source: str
    language: str
    relation: str
    coverage: str
    rights: str
    provinces: list[PlaceOut]
    collection: ShelfOut
    dossier: ShelfOut | None
    number: str
    symbol: str
    issuing_body: str
    signer: str
    issued_on: datetime.date | None
    retention_years: int | None
    retention_permanent: bool
    access_level: str
    allowed_organisations: list[OrganisationOut]
    page_count: int | None
    physical_location: str
    text_state: str
    text_message: str
    version: int | None
    files: list[FileOut]
    links: LinksOut
    created_at: LocalTime
    updated_at: LocalTime


class DublinCoreOut(Schema):
    identifier: str
    elements: dict[str, list[str]]


def _file(file) -> dict:
    return {"id": file.id, "version": file.version, "role": file.role, "name": file.name,
            "size": file.size, "sha256": file.sha256, "media_type": file.media_type,
            "created_at": file.created_at,
            # The pages' download (streamed, access checked there too).
            "download_url": f"/library/files/{file.id}/download/"}


def _links(document) -> dict:
    base = f"/api/v1/documents/{document.id}"
    return {"page": page_path(document), "dublin_core_xml": f"{base}/dc.xml",
            "dublin_core_json": f"{base}/dc.json"}


def detail(document: Document) -> dict:
    files = list(document.files.order_by("-version", "role", "id"))
    dossier = document.dossier
    return {
        **{name: getattr(document, name) for name in (
            "id", "identifier", "title", "creator", "description", "publisher", "contributor",
            "date", "year", "type", "source", "language", "relation", "coverage", "rights",
            "number", "symbol", "issuing_body", "signer", "issued_on", "retention_years",
            "retention_permanent", "access_level", "page_count", "physical_location",
            "text_state", "text_message", "created_at", "updated_at")},
        "subjects": list(document.subjects or []),
        "provinces": [{"code": p.code, "name": p.name} for p in document.provinces.all()],
        "collection": {"code": document.collection.code, "title": document.collection.title},
        "dossier": {"code": dossier.code, "title": dossier.title} if dossier else None,
        "allowed_organisations": [{"id": o.id, "name": o.name}
                                  for o in document.allowed_organisations.all()],
        "version": max((f.version for f in files if f.role == FileRole.ORIGINAL), default=None),
        "files": [_file(f) for f in files],
        "links": _links(document),
    }


@router.get("/documents/{id}", response={200: DocumentOut, **READ_ERRORS},
            summary="A library document: its metadata and its files in every version",
            openapi_extra=PUBLIC)
def document_detail(request, id: str):  # noqa: A002 - the path's name in the contract
    return detail(document_for(actor_of(request), id))


@router.get("/documents/{id}/dc.json", response={200: DublinCoreOut, **READ_ERRORS},
            summary="A library document's Dublin Core (the fifteen elements) as JSON",
            openapi_extra=PUBLIC)
def document_dublin_core_json(request, id: str):  # noqa: A002
    document = document_for(actor_of(request), id)
    return {"identifier": document.identifier,
            "elements": dublin_core_of(document, _site(request))}


@router.get("/documents/{id}/dc.xml", response={200: None, **READ_ERRORS},
            summary="A library document's Dublin Core as XML (oai_dc)", openapi_extra=PUBLIC)
def document_dublin_core_xml(request, id: str):  # noqa: A002
    document = document_for(actor_of(request), id)
    xml = dublin_core.oai_dc_xml(dublin_core_of(document, _site(request)), declaration=True)
    return HttpResponse(xml.encode("utf-8"), content_type="application/xml; charset=utf-8")
