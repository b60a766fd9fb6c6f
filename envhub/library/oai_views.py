"""The OAI-PMH 2.0 endpoint `/oai`: other libraries harvest the library's public part in
Dublin Core (`oai_dc`), set by collection.

Only public documents are served, to every caller — a keeper signed in harvests what anyone
harvests — so that what is internal or restricted never appears, not even in a list's
`completeListSize`: every query starts from the policy's scope of the anonymous visitor. A
public document that left the harvest (deleted, made internal, renamed) is told as deleted
from its tombstone (`tombstones.py`, `deletedRecord` persistent); one that was never public
has none. The protocol's own parts (arguments, tokens, XML) are in `oai.py`; this reads the
documents.
"""

from __future__ import annotations

import datetime
import heapq

from django.db.models import Min, Prefetch, Q
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from envhub.core import permissions
from envhub.core.permissions import ANONYMOUS
from envhub.library import dublin_core, oai
from envhub.library.models import (
    Collection,
    DeletedRecord,
    Document,
    DocumentFile,
    DocumentType,
    FileRole,
)

# The repository's name in OAI identifiers (`oai:<this>:<identifier>`): a domain name, fixed so
# that identifiers stay the same whatever host name a harvester reaches the server by.
REPOSITORY_IDENTIFIER = "thuvien.moitruong.gov.vn"
PAGE_SIZE = 100  # records (or headers) per answer; the rest follows a resumption token
CONTENT_TYPE = "text/xml; charset=utf-8"
OAI_PATH = "/oai"  # the endpoint's path (envhub/urls.py): the site's address is before it


def public_documents():
    """The documents anyone may read: the one access rule, asked for the anonymous visitor."""
    return permissions.scope(ANONYMOUS, Document.objects.all())


def originals():
    return Prefetch("files", queryset=DocumentFile.objects.filter(role=FileRole.ORIGINAL)
                    .order_by("-version", "id"), to_attr="original_files")


def media_types(document) -> list[str]:
    """The media types of the newest version's originals (`originals()` prefetched)."""
    files = getattr(document, "original_files", None)
    if files is None:
        files = list(document.files.filter(role=FileRole.ORIGINAL).order_by("-version", "id"))
    newest = max((file.version for file in files), default=None)
    return [file.media_type for file in files if file.version == newest]


def page_path(document) -> str:
    """The document's page (`/library/documents/<identifier>/`, the pages' route)."""
    return f"/library/documents/{document.identifier}/"


def dublin_core_of(document, base_url: str) -> dict[str, list[str]]:
    """The document's Dublin Core (`dublin_core.elements`) with what the database adds: the
    province names, the media types of its newest originals, its type's label in Vietnamese
    (the library's language) and its page's address under `base_url`."""
    with translation.override("vi"):
        type_label = str(DocumentType(document.type).label) if document.type in \
            DocumentType.values else ""
    return dublin_core.elements(
        document, provinces=[p.name for p in document.provinces.all()],
        media_types=media_types(document), type_label=type_label,
        page_url=f"{base_url}{page_path(document)}",
        collection_title=document.collection.title)


def _messages() -> dict[str, str]:
    return {
        "badVerb": _("The verb is missing, repeated or not one of the protocol's six."),
        "unknown": _("This verb does not take the argument %(name)s."),
        "repeated": _("The argument %(name)s is given more than once."),
        "long": _("The argument %(name)s is too long."),
        "syntax": _("The argument %(name)s is not written as the protocol allows."),
        "exclusive": _("resumptionToken cannot be given with other arguments."),
        "missing": _("Missing arguments: %(names)s."),
    }


@csrf_exempt
def endpoint(request):
    """The protocol's six verbs, by GET or by a POST of a form (as the protocol allows)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    base_url = request.build_absolute_uri(request.path)
    now = timezone.now()
    query = request.GET if request.method == "GET" else request.POST
    parsed = None
    try:
        parsed = oai.parse(dict(query.lists()), _messages())
        body = VERBS[parsed.verb](request, parsed, base_url)
    except oai.OaiError as error:
        # badVerb and badArgument answers echo the base URL only.
        if error.code in ("badVerb", "badArgument"):
            parsed = None
        body = oai.error(error.code, error.message)
    xml = oai.envelope(base_url, oai.datestamp(now), parsed, body)
    return HttpResponse(xml.encode("utf-8"), content_type=CONTENT_TYPE)


def _identify(request, parsed, base_url: str) -> str:
    from envhub.catalog.services import CONTACT_EMAIL, publisher

    owner = publisher()
    moments = [public_documents().aggregate(first=Min("updated_at"))["first"],
               DeletedRecord.objects.aggregate(first=Min("deleted_at"))["first"]]
    earliest = min((moment for moment in moments if moment), default=timezone.now())
    return oai.identify(
        name=_("Electronic library of the national environmental information system"),
        base_url=base_url, admin_emails=[(owner.email if owner else "") or CONTACT_EMAIL],
        earliest=oai.datestamp(earliest))


def _document(identifier: str):
    """The public document, else the tombstone of one that was, of an OAI identifier."""
    local = oai.local_identifier(REPOSITORY_IDENTIFIER, identifier)
    found = None if local is None else public_documents().select_related("collection").filter(
        identifier=local).prefetch_related("provinces", originals()).first()
    if found is None and local is not None:
        found = DeletedRecord.objects.filter(identifier=local).first()
    if found is None:
        raise oai.OaiError("idDoesNotExist", _("No public document has this identifier."))
    return found


def _check_prefix(prefix: str) -> None:
    if prefix not in oai.METADATA_FORMATS:
        raise oai.OaiError("cannotDisseminateFormat",
                           _("The only metadata format is oai_dc."))


def _list_metadata_formats(request, parsed, base_url: str) -> str:
    if parsed.get("identifier") is not None:
        _document(parsed.get("identifier"))
    return oai.list_metadata_formats()


def _list_sets(request, parsed, base_url: str) -> str:
    if parsed.get("resumptionToken") is not None:
        raise oai.OaiError("badResumptionToken", _("The list of sets comes whole: it has no "
                                                   "resumption token."))
    sets = list(Collection.objects.order_by("code").values_list("code", "title"))
    if not sets:
        raise oai.OaiError("noSetHierarchy", _("The library has no collections yet."))
    return oai.list_sets(sets)


def _header(document) -> oai.Header:
    identifier = oai.oai_identifier(REPOSITORY_IDENTIFIER, document.identifier)
    if isinstance(document, DeletedRecord):
        return oai.Header(identifier, oai.datestamp(document.deleted_at),
                          [document.collection_code], deleted=True)
    return oai.Header(identifier, oai.datestamp(document.updated_at), [document.collection.code])


def _record(document, base_url: str) -> oai.Record:
    if isinstance(document, DeletedRecord):
        return oai.Record(_header(document), None)
    site = base_url.removesuffix(OAI_PATH)
    values = dublin_core_of(document, site)
    return oai.Record(_header(document), dublin_core.oai_dc_xml(values, indent="        "))


def _get_record(request, parsed, base_url: str) -> str:
    _check_prefix(parsed.get("metadataPrefix"))
    return oai.get_record(_record(_document(parsed.get("identifier")), base_url))


def _key() -> bytes:
    from django.conf import settings

    return f"library.oai:{settings.SECRET_KEY}".encode()


def _page(parsed, verb: str) -> tuple[oai.Page, str]:
    """The page of public documents the request (or its token) asks for."""
    text = parsed.get("resumptionToken")
    if text is not None:
        token = oai.decode_token(text, verb, _key(), _("This resumption token is not valid "
                                                      "here: start the list again."))
    else:
        token = oai.Token(verb=verb, prefix=parsed.get("metadataPrefix"),
                          start=parsed.get("from"), end=parsed.get("until"),
                          set_spec=parsed.get("set"))
    _check_prefix(token.prefix)
    bounds = oai.window(token.start, token.end, _("from and until are dates (YYYY-MM-DD) or "
                                                  "UTC times (YYYY-MM-DDThh:mm:ssZ) of the "
                                                  "same kind, from not after until."))
    documents = public_documents()
    tombstones = DeletedRecord.objects.all()
    if bounds.start is not None:
        documents = documents.filter(updated_at__gte=bounds.start)
        tombstones = tombstones.filter(deleted_at__gte=bounds.start)
    if bounds.end is not None:
        documents = documents.filter(updated_at__lt=bounds.end)
        tombstones = tombstones.filter(deleted_at__lt=bounds.end)
    if token.set_spec is not None:
        documents = documents.filter(collection__code=token.set_spec)
        tombstones = tombstones.filter(collection_code=token.set_spec)
    total = documents.count() + tombstones.count()
    if token.after is not None:
        moment = datetime.datetime.fromisoformat(token.after[0])
        last_id, kind = token.after[1], token.after[2]
        # (instant, kind, id) orders both lists as one: records, then tombstones, per instant.
        documents = documents.filter(Q(updated_at__gt=moment) | (
            Q(updated_at=moment, id__gt=last_id) if kind == 0 else Q(pk__in=[])))
        tombstones = tombstones.filter(Q(deleted_at__gt=moment) | (
            Q(deleted_at=moment, id__gt=last_id) if kind == 1 else Q(deleted_at=moment)))
    live = documents.order_by("updated_at", "id").values_list("updated_at", "id")
    dead = tombstones.order_by("deleted_at", "id")
    # The first PAGE_SIZE + 1 of the union are among the first PAGE_SIZE + 1 of each.
    keys = heapq.merge(((moment, 0, pk, None) for moment, pk in live[:PAGE_SIZE + 1]),
                       ((item.deleted_at, 1, item.pk, item) for item in dead[:PAGE_SIZE + 1]))
    keys = list(keys)[:PAGE_SIZE + 1]
    if not keys:
        raise oai.OaiError("noRecordsMatch", _("No public document matches this request."))
    more = len(keys) > PAGE_SIZE
    keys = keys[:PAGE_SIZE]
    loaded = public_documents().select_related("collection").prefetch_related(
        "provinces", originals()).in_bulk([pk for _at, kind, pk, _item in keys if kind == 0])
    # (a document made internal since the first query is left out: its tombstone follows)
    chosen = [loaded.get(pk) if kind == 0 else item for _at, kind, pk, item in keys]
    chosen = [item for item in chosen if item is not None]
    last_at, last_kind, last_pk, _item = keys[-1]
    following = oai.Token(verb, token.prefix, token.start, token.end, token.set_spec,
                          (last_at.isoformat(), last_pk, last_kind), token.cursor + len(chosen))
    if more:
        next_token = oai.encode_token(following, _key())
    else:  # the last page of a list given in several ends with an empty token
        next_token = "" if token.cursor else None
    return oai.Page(chosen, next_token, total, token.cursor), token.prefix


def _list_identifiers(request, parsed, base_url: str) -> str:
    page, _prefix = _page(parsed, "ListIdentifiers")
    page.items = [_header(document) for document in page.items]
    return oai.list_identifiers(page)


def _list_records(request, parsed, base_url: str) -> str:
    page, _prefix = _page(parsed, "ListRecords")
    page.items = [_record(document, base_url) for document in page.items]
    return oai.list_records(page)


VERBS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list_identifiers,
    "ListRecords": _list_records,
}

