"""The catalogue in DCAT-AP 3 (RDF built with rdflib): `/catalog.ttl|.jsonld|.rdf`, paged with
Hydra's PartialCollectionView (`page`, `modified_since`), and each dataset at
`/dataset/<identifier>.ttl|.jsonld|.rdf`.

Controlled values use the EU vocabularies DCAT-AP asks for: data themes, frequencies, access
rights (open → PUBLIC, shared → RESTRICTED, internal → NON_PUBLIC), languages and file types;
media types are IANA URIs. Every node a DCAT-AP shape constrains by class carries its type
(`dct:Frequency`, `dct:LicenseDocument`, ...), so that the output validates against the
DCAT-AP 3.0.0 SHACL shapes without inference. Provinces are `<base>/provinces/<code>`,
organisations `<base>/organisations/<id>`; the landing page is the portal's dataset page and the
distributions' access and download URLs are its downloads.

Every URI given to a dataset, a province or an organisation answers (`*_resource`): a dataset's
with its RDF when the client asks for Turtle, JSON-LD or RDF/XML, else by a 303 to its page; a
province's and an organisation's by a 303 to the catalogue's datasets of that place or
publisher.

Access classes apply: what the caller may not see is neither listed nor served (404).
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.db.models import Max, Min, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from envhub.catalog import services
from envhub.catalog.models import AccessClass, Dataset, Theme
from envhub.core.errors import NotAuthenticated, NotFound
from envhub.core.timeutil import parse_moment

SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3, which rdflib's DCAT namespace lacks

EU = "http://publications.europa.eu/resource/authority/"
THEME = EU + "data-theme/"
THEMES = URIRef(EU + "data-theme")
FREQUENCY = EU + "frequency/"
FILE_TYPE = EU + "file-type/"
LANGUAGE = EU + "language/"
ACCESS_RIGHTS = {
    AccessClass.OPEN: EU + "access-right/PUBLIC",
    AccessClass.SHARED: EU + "access-right/RESTRICTED",
    AccessClass.INTERNAL: EU + "access-right/NON_PUBLIC",
}
LANGUAGES = {"vi": "VIE", "en": "ENG", "fr": "FRA", "zh": "ZHO", "ja": "JPN", "ko": "KOR"}
IANA = "https://www.iana.org/assignments/media-types/"
SHA256 = SPDX.checksumAlgorithm_sha256

PAGE_SIZE = 100  # datasets per catalogue page

CATALOGUE = {
    "title": {"vi": "Danh mục dữ liệu môi trường", "en": "Environmental data catalogue"},
    "description": {
        "vi": "Các bộ dữ liệu môi trường quốc gia: quan trắc tự động, nguồn thải, sự cố vượt "
              "quy chuẩn, chỉ số chất lượng không khí và dữ liệu điều tra, cập nhật từ chính "
              "dữ liệu.",
        "en": "The national environmental datasets: automatic monitoring, emission sources, "
              "exceedances, the air quality index and survey data, kept current from the data.",
    },
}

FORMATS = {"ttl": ("turtle", "text/turtle; charset=utf-8"),
           "jsonld": ("json-ld", "application/ld+json"),
           "rdf": ("xml", "application/rdf+xml; charset=utf-8")}
PREFIXES = {"dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "vcard": VCARD, "skos": SKOS,
            "owl": OWL, "xsd": XSD, "rdfs": RDFS, "spdx": SPDX, "hydra": HYDRA, "adms": ADMS,
            "dcatap": DCATAP, "eli": ELI}


def catalog_uri(base: str) -> str:
    return f"{base}/catalog"


def dataset_uri(base: str, dataset: Dataset) -> str:
    return f"{base}/dataset/{dataset.identifier}"


def province_uri(base: str, code: str) -> str:
    return f"{base}/provinces/{code}"


def organisation_uri(base: str, pk: int) -> str:
    return f"{base}/organisations/{pk}"


def _graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _english(label) -> str:
    with translation.override("en"):
        return str(label)


def _agent(graph: Graph, base: str, organisation) -> URIRef:
    node = URIRef(organisation_uri(base, organisation.pk))
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, FOAF.name, Literal(organisation.name, lang="vi")))
    if organisation.website:
        homepage = URIRef(organisation.website)
        graph.add((node, FOAF.homepage, homepage))
        graph.add((homepage, RDF.type, FOAF.Document))
    return node


def _language(graph: Graph, subject, code: str) -> None:
    if code in LANGUAGES:
        node = URIRef(LANGUAGE + LANGUAGES[code])
        graph.add((subject, DCTERMS.language, node))
        graph.add((node, RDF.type, DCTERMS.LinguisticSystem))


def _date_time(moment) -> Literal:
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def add_dataset(graph: Graph, base: str, dataset: Dataset, reader) -> URIRef:
    """The dataset, its distributions and what they point to, as `reader` may see it (no
    figures of rows cut from their scope: `services.as_read_by`)."""
    services.as_read_by(reader, dataset)
    subject = URIRef(dataset_uri(base, dataset))
    add = graph.add
    add((subject, RDF.type, DCAT.Dataset))
    add((subject, DCTERMS.identifier, Literal(dataset.identifier)))
    add((subject, DCTERMS.title, Literal(dataset.title_vi, lang="vi")))
    if dataset.title_en:
        add((subject, DCTERMS.title, Literal(dataset.title_en, lang="en")))
    add((subject, DCTERMS.description, Literal(dataset.description_vi, lang="vi")))
    if dataset.description_en:
        add((subject, DCTERMS.description, Literal(dataset.description_en, lang="en")))
    for word in dataset.keywords or []:
        add((subject, DCAT.keyword, Literal(word, lang="vi")))
    for code in dataset.themes or []:
        theme = URIRef(THEME + code)
        add((subject, DCAT.theme, theme))
        add((theme, RDF.type, SKOS.Concept))
        add((theme, SKOS.inScheme, THEMES))
        label = Theme(code).label if code in Theme.values else code
        add((theme, SKOS.prefLabel, Literal(_english(label), lang="en")))
    if dataset.data_code:
        code = BNode()
        add((subject, ADMS.identifier, code))
        add((code, RDF.type, ADMS.Identifier))
        add((code, SKOS.notation, Literal(dataset.data_code)))
    if dataset.issued:
        add((subject, DCTERMS.issued, Literal(dataset.issued.isoformat(), datatype=XSD.date)))
    if dataset.modified:
        add((subject, DCTERMS.modified, _date_time(dataset.modified)))
    for code in dataset.language or []:
        _language(graph, subject, code)
    landing = URIRef(f"{base}/datasets/{dataset.identifier}/")
    add((subject, DCAT.landingPage, landing))
    add((landing, RDF.type, FOAF.Document))
    frequency = URIRef(FREQUENCY + dataset.accrual_periodicity)
    add((subject, DCTERMS.accrualPeriodicity, frequency))
    add((frequency, RDF.type, DCTERMS.Frequency))
    if dataset.conforms_to:
        if dataset.conforms_to.startswith(("http://", "https://")):
            standard = URIRef(dataset.conforms_to)
        else:
            standard = BNode()
            add((standard, RDFS.label, Literal(dataset.conforms_to, lang="vi")))
        add((subject, DCTERMS.conformsTo, standard))
        add((standard, RDF.type, DCTERMS.Standard))
    rights = URIRef(ACCESS_RIGHTS[dataset.access_class])
    add((subject, DCTERMS.accessRights, rights))
    add((rights, RDF.type, DCTERMS.RightsStatement))
    if dataset.legal_basis:
        # The texts named by their number and title (Vietnamese law has no ELI identifiers):
        # an `eli:LegalResource` without a URI, which DCAT-AP allows.
        legislation = BNode()
        add((subject, DCATAP.applicableLegislation, legislation))
        add((legislation, RDF.type, ELI.LegalResource))
        add((legislation, DCTERMS.title, Literal(dataset.legal_basis, lang="vi")))
    if dataset.provenance:
        provenance = BNode()
        add((subject, DCTERMS.provenance, provenance))
        add((provenance, RDF.type, DCTERMS.ProvenanceStatement))
        add((provenance, RDFS.label, Literal(dataset.provenance, lang="vi")))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        add((subject, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            add((period, DCAT.startDate, _date_time(dataset.temporal_start)))
        if dataset.temporal_end:
            add((period, DCAT.endDate, _date_time(dataset.temporal_end)))
    for province in dataset.shown_provinces:
        place = URIRef(province_uri(base, province.code))
        add((subject, DCTERMS.spatial, place))
        add((place, RDF.type, DCTERMS.Location))
        add((place, SKOS.prefLabel, Literal(province.name, lang="vi")))
        add((place, SKOS.notation, Literal(province.code)))
    add((subject, DCTERMS.publisher, _agent(graph, base, dataset.publisher)))
    contact = BNode()
    add((subject, DCAT.contactPoint, contact))
    add((contact, RDF.type, VCARD.Kind))
    add((contact, VCARD.fn, Literal(dataset.contact_name)))
    if dataset.contact_email:
        add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
    if dataset.version:
        add((subject, DCAT_VERSION, Literal(dataset.version)))  # DCAT-AP 3
        add((subject, OWL.versionInfo, Literal(dataset.version)))  # DCAT-AP 2 readers
    licence = URIRef(dataset.licence) if dataset.licence else None
    if licence is not None:
        add((licence, RDF.type, DCTERMS.LicenseDocument))
    for distribution in dataset.distributions.all():
        fmt = distribution.format.lower()
        node = URIRef(f"{subject}/distribution/{fmt}")
        add((subject, DCAT.distribution, node))
        add((node, RDF.type, DCAT.Distribution))
        add((node, DCTERMS.title, Literal(distribution.title, lang="vi")))
        url = URIRef(f"{base}/datasets/{dataset.identifier}/download.{fmt}")
        add((node, DCAT.accessURL, url))
        add((node, DCAT.downloadURL, url))
        add((url, RDF.type, RDFS.Resource))
        if distribution.media_type:
            media = URIRef(IANA + distribution.media_type)
            add((node, DCAT.mediaType, media))
            add((media, RDF.type, DCTERMS.MediaType))
        file_type = URIRef(FILE_TYPE + distribution.format.upper())
        add((node, DCTERMS.format, file_type))
        add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        if licence is not None:
            add((node, DCTERMS.license, licence))
        add((node, DCTERMS.accessRights, rights))
        if distribution.byte_size is not None:
            add((node, DCAT.byteSize, Literal(distribution.byte_size,
                                              datatype=XSD.nonNegativeInteger)))
        if distribution.checksum:
            checksum = BNode()
            add((node, SPDX.checksum, checksum))
            add((checksum, RDF.type, SPDX.Checksum))
            add((checksum, SPDX.algorithm, SHA256))
            add((SHA256, RDF.type, SPDX.ChecksumAlgorithm))
            add((checksum, SPDX.checksumValue, Literal(distribution.checksum.lower(),
                                                       datatype=XSD.hexBinary)))
        if dataset.modified:
            add((node, DCTERMS.modified, _date_time(dataset.modified)))
    _add_files(graph, base, dataset, subject, licence, rights)
    return subject


def _add_files(graph: Graph, base: str, dataset: Dataset, subject, licence, rights) -> None:
    """The files a provider distributes the dataset as (a library document's PDF), each a
    distribution downloaded from its own address on this site."""
    from envhub.core.providers import provider_of

    provider = provider_of(dataset)
    add = graph.add
    for item in provider.files(dataset) if provider is not None else ():
        node = URIRef(f"{subject}/distribution/file-{item.key}")
        add((subject, DCAT.distribution, node))
        add((node, RDF.type, DCAT.Distribution))
        add((node, DCTERMS.title, Literal(item.title, lang="vi")))
        url = URIRef(f"{base}{item.path}")
        add((node, DCAT.accessURL, url))
        add((node, DCAT.downloadURL, url))
        add((url, RDF.type, RDFS.Resource))
        media = URIRef(IANA + item.media_type)
        add((node, DCAT.mediaType, media))
        add((media, RDF.type, DCTERMS.MediaType))
        file_type = URIRef(FILE_TYPE + item.file_type)
        add((node, DCTERMS.format, file_type))
        add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        if licence is not None:
            add((node, DCTERMS.license, licence))
        add((node, DCTERMS.accessRights, rights))
        if item.byte_size is not None:
            add((node, DCAT.byteSize, Literal(item.byte_size, datatype=XSD.nonNegativeInteger)))
        if item.checksum:
            checksum = BNode()
            add((node, SPDX.checksum, checksum))
            add((checksum, RDF.type, SPDX.Checksum))
            add((checksum, SPDX.algorithm, SHA256))
            add((SHA256, RDF.type, SPDX.ChecksumAlgorithm))
            add((checksum, SPDX.checksumValue, Literal(item.checksum.lower(),
                                                       datatype=XSD.hexBinary)))


def add_catalogue(graph: Graph, base: str) -> URIRef:
    """The catalogue node: its title, description, publisher, homepage, languages and theme
    taxonomy (the caller links the datasets and adds the dates)."""
    catalogue = URIRef(catalog_uri(base))
    add = graph.add
    add((catalogue, RDF.type, DCAT.Catalog))
    for language, text in CATALOGUE["title"].items():
        add((catalogue, DCTERMS.title, Literal(text, lang=language)))
    for language, text in CATALOGUE["description"].items():
        add((catalogue, DCTERMS.description, Literal(text, lang=language)))
    owner = services.publisher()
    if owner is not None:
        add((catalogue, DCTERMS.publisher, _agent(graph, base, owner)))
    else:  # an installation without its data centre yet: the site speaks for itself
        site = URIRef(f"{base}/")
        add((catalogue, DCTERMS.publisher, site))
        add((site, RDF.type, FOAF.Agent))
        add((site, FOAF.name, Literal("envhub")))
    homepage = URIRef(f"{base}/datasets/")
    add((catalogue, FOAF.homepage, homepage))
    add((homepage, RDF.type, FOAF.Document))
    for code in ("vi", "en"):
        _language(graph, catalogue, code)
    add((catalogue, DCAT.themeTaxonomy, THEMES))
    add((THEMES, RDF.type, SKOS.ConceptScheme))
    add((THEMES, DCTERMS.title, Literal("Data theme", lang="en")))
    return catalogue



# --- views --------------------------------------------------------------------------------------

def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _serialise(graph: Graph, fmt: str) -> HttpResponse:
    name, content_type = FORMATS[fmt]
    options = {"context": {prefix: str(ns) for prefix, ns in PREFIXES.items()},
               "auto_compact": True} if name == "json-ld" else {}
    return HttpResponse(graph.serialize(format=name, **options), content_type=content_type)


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _actor(request):
    actor = request.actor
    actor.kind  # noqa: B018 - resolves the lazy actor (a bad bearer token raises here)
    return actor


def catalog_view(request, fmt: str):
    if fmt not in FORMATS:
        return _text(_("Unknown format: %(format)s.") % {"format": fmt}, 404)
    try:
        actor = _actor(request)
    except NotAuthenticated as error:
        return _text(str(error.message), 401)
    base = _base(request)
    datasets = services.visible(actor).filter(withdrawn=False)
    since_text = (request.GET.get("modified_since") or "").strip()
    if since_text:
        try:
            since = parse_moment(since_text)
        except ValueError:
            return _text(_("Enter a date as YYYY-MM-DD (or an ISO 8601 date and time): "
                           "%(value)s.") % {"value": since_text}, 400)
        # When the record last changed: a metadata edit or new data.
        datasets = datasets.filter(Q(updated_at__gte=since) | Q(modified__gte=since))
    page_text = (request.GET.get("page") or "1").strip()
    if not page_text.isdecimal() or int(page_text) < 1:
        return _text(_("Enter a whole number of at least %(minimum)d.") % {"minimum": 1}, 400)
    page = int(page_text)
    total = datasets.count()
    last = max(1, math.ceil(total / PAGE_SIZE))
    if page > last:
        return _text(_("No such page: %(page)s.") % {"page": page}, 404)
    chosen = datasets.order_by("identifier").prefetch_related(
        "distributions", "provinces")[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]

    graph = _graph()
    catalogue = add_catalogue(graph, base)
    for item in chosen:
        graph.add((catalogue, DCAT.dataset, add_dataset(graph, base, item, actor)))
    dates = datasets.aggregate(issued=Min("issued"), modified=Max("modified"))
    if dates["issued"]:
        graph.add((catalogue, DCTERMS.issued, Literal(dates["issued"].isoformat(),
                                                      datatype=XSD.date)))
    if dates["modified"]:
        graph.add((catalogue, DCTERMS.modified, _date_time(dates["modified"])))

    def page_url(number: int) -> URIRef:
        query = {key: value for key, value in request.GET.items() if key != "page"}
        query["page"] = number
        return URIRef(f"{base}{request.path}?{urlencode(query)}")

    view = page_url(page)
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.integer)))
    graph.add((view, HYDRA.first, page_url(1)))
    graph.add((view, HYDRA.last, page_url(last)))
    if page > 1:
        graph.add((view, HYDRA.previous, page_url(page - 1)))
    if page < last:
        graph.add((view, HYDRA.next, page_url(page + 1)))
    return _serialise(graph, fmt)


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: the URI names a thing (a dataset, a province), and this page is about it."""

    status_code = 303


# What a client may ask a dataset URI for (Accept), and the format that answers it.
NEGOTIATED = {"text/turtle": "ttl", "application/ld+json": "jsonld",
              "application/rdf+xml": "rdf"}


def dataset_resource(request, identifier: str):
    """`<base>/dataset/<identifier>`, the dataset's URI: its RDF for a client that asks for RDF,
    else a 303 to its page (which applies the access classes as the RDF does)."""
    fmt = _rdf_asked_for(request)
    if fmt is not None:
        response = dataset_view(request, identifier, fmt)
    else:
        response = HttpResponseSeeOther(reverse("dataset", args=[identifier]))
    patch_vary_headers(response, ["Accept"])
    return response


def _rdf_asked_for(request) -> str | None:
    """The RDF format a client prefers to a page, if it does; the media types' parameters (a
    charset, a JSON-LD profile) do not matter. Django's `get_preferred_type` would not match
    `text/turtle; charset=utf-8` with `text/turtle`."""
    for media in request.accepted_types:  # the most preferred first
        name = f"{media.main_type}/{media.sub_type}"
        if name in NEGOTIATED:
            return NEGOTIATED[name]
        if name in ("text/html", "application/xhtml+xml") or media.main_type == "*":
            return None
    return None


def province_resource(request, code: str):
    """`<base>/provinces/<code>`: the catalogue's datasets covering the province."""
    from envhub.registry.models import Province

    if not Province.objects.filter(code=code).exists():
        return _text(_("No province has the code %(code)s.") % {"code": code}, 404)
    return HttpResponseSeeOther(f"{reverse('catalog')}?{urlencode({'province': code})}")


def organisation_resource(request, pk: int):
    """`<base>/organisations/<id>`: the catalogue's datasets this organisation publishes. Only
    a publisher of a dataset the caller may see answers: the others' numbers are no one's
    business here."""
    try:
        actor = _actor(request)
    except NotAuthenticated as error:
        return _text(str(error.message), 401)
    if not services.visible(actor).filter(publisher_id=pk).exists():
        return _text(_("No organisation has the number %(number)s.") % {"number": pk}, 404)
    return HttpResponseSeeOther(f"{reverse('catalog')}?{urlencode({'publisher': pk})}")


def dataset_view(request, identifier: str, fmt: str):
    if fmt not in FORMATS:
        return _text(_("Unknown format: %(format)s.") % {"format": fmt}, 404)
    try:
        actor = _actor(request)
        dataset = services.dataset(actor, identifier)
    except NotAuthenticated as error:
        return _text(str(error.message), 401)
    except NotFound:
        dataset = None
    if dataset is None:
        return _text(_("Dataset not found, or you do not have access to it."), 404)
    graph = _graph()
    add_dataset(graph, _base(request), dataset, actor)
    return _serialise(graph, fmt)
