"""The public data portal: search with facets, dataset pages (metadata, freshness, schema,
preview, downloads, API examples, schema.org JSON-LD) and streamed downloads. Open data needs
no sign-in; shared and internal datasets follow the access classes everywhere."""

from __future__ import annotations

import datetime
import itertools
from urllib.parse import urlencode

from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.catalog import downloads, files, holdings, services, steward_views
from envhub.catalog.models import Distribution, Frequency
from envhub.core import params
from envhub.core.api_errors import envelope
from envhub.core.errors import EnvhubError, Forbidden, InvalidInput, NotAuthenticated, NotFound
from envhub.core.providers import Filters, provider_of
from envhub.core.share import share
from envhub.core.timeutil import VN

PREVIEW_ROWS = 20
FORMATS = ("csv", "json", "geojson", "xlsx", "parquet")


def _values(request, name: str) -> list[str]:
    return [value.strip() for value in request.GET.getlist(name) if value.strip()][:20]


def catalog_search(request):
    search = services.Search(
        q=(request.GET.get("q") or "").strip()[:200],
        theme=_values(request, "theme"), publisher=_values(request, "publisher"),
        format=_values(request, "format"), province=_values(request, "province"),
        access_class=_values(request, "access_class"), frequency=_values(request, "frequency"),
        late=_values(request, "late"),
        sort=request.GET.get("sort") if request.GET.get("sort") in services.SORTS else
        "relevance")
    actor = request.actor
    results = services.search(actor, search)
    now = timezone.now()
    chosen = {name: set(getattr(search, name)) for name in services.FACETS}
    return render(request, "catalog/search.html", {
        "search": search, "results": [{"dataset": item, "late": item.is_late(now)}
                                      for item in services.load(results[:200])],
        "total": len(results), "facets": services.facets(actor, search), "chosen": chosen,
        "facet_titles": {"theme": _("Theme"), "publisher": _("Publisher"),
                         "format": _("Format"), "province": _("Province"),
                         "access_class": _("Access"), "frequency": _("Update frequency"),
                         "late": _("Freshness")},
        "sorts": [("relevance", _("Relevance")), ("modified", _("Last updated")),
                  ("title", _("Title")), ("created", _("Newest in the catalogue")),
                  ("late", _("Most overdue first"))],
        "late_list": actor.manages_everything,
        "api_url": "/api/3/action/package_search" + (
            "?" + urlencode({"q": search.q}) if search.q else ""),
    })


def dataset_page(request, identifier: str):
    actor = request.actor
    dataset = services.as_read_by(actor, services.dataset(actor, identifier))
    provider = provider_of(dataset)
    columns = provider.columns(dataset) if provider else []
    preview = []
    if provider is not None:
        preview = [[column.shown(value, request.LANGUAGE_CODE)
                    for column, value in zip(columns, row, strict=False)]
                   for row in itertools.islice(provider.rows(dataset, Filters(reader=actor)),
                                               PREVIEW_ROWS)]
    chosen = holdings.choice(request)
    holding = holdings.holding(provider, dataset, chosen)
    base = request.build_absolute_uri("/").rstrip("/")
    distributions = list(dataset.distributions.all())
    links = [{"distribution": item, "fmt": item.format.lower(),
              "url": reverse("dataset-download", args=[dataset.identifier,
                                                       item.format.lower()])}
             for item in distributions]
    # Only an open dataset is shared with a card: the crawler that fetches it is anonymous.
    shared = dataset.access_class == "open" and not dataset.withdrawn
    return render(request, "catalog/dataset.html", {
        "share": share(request, title=dataset.title_vi, description=dataset.description_vi,
                       image_path=reverse("card-dataset", args=[dataset.identifier]))
        if shared else None,
        "dataset": dataset, "late": dataset.is_late(), "columns": columns,
        "preview": preview, "links": links, "base": base,
        "provinces": dataset.shown_provinces, "chosen": chosen, "holding": holding,
        "progress": _progress_labels(),
        "has_time": bool(provider and provider.has_time),
        "has_province": bool(provider and provider.has_province),
        "versions": dataset.versions.order_by("-number")
        if dataset.provider == files.FileDatasets.key else [],
        "frequency": Frequency(dataset.accrual_periodicity).label,
        "chart": _chart_config(provider, dataset),
        "json_ld": _script_json(json_ld(dataset, base, distributions)),
        "metadata_versions": dataset.metadata_versions.order_by("-number")[:10]
        if actor.manages_everything else [],
        **steward_views.actions_context(actor, dataset),
    })


def dataset_rows(request, identifier: str):
    """JSON for the download form's script: the rows of the selection (`holdings`); a wrong
    selection is a 400 in the API's envelope, its message beside the field named."""
    try:
        dataset = services.dataset(request.actor, identifier)
        provider = provider_of(dataset)
        chosen = holdings.choice(request)
        if chosen.errors:
            raise InvalidInput(next(iter(chosen.errors.values())),
                               {name: [text] for name, text in chosen.errors.items()})
        holding = holdings.holding(provider, dataset, chosen)
        if holding is None:
            raise NotFound(_("This dataset's rows are not counted: it is a file."))
    except EnvhubError as error:
        return envelope(error.status, error.code, error.message, error.details)
    return JsonResponse(holding.as_json(), json_dumps_params={"ensure_ascii": False})


# How many rows a download made in the page (`downloads.js`) may hold: it is put together in
# the browser's memory; beyond it, the browser's own download (streamed) is used.
PROGRESS_MAX_ROWS = 500_000


def _progress_labels() -> dict:
    return {"max_rows": PROGRESS_MAX_ROWS, "labels": {
        "rows": _("%(done)s of %(total)s rows received"),
        "bytes": _("%(done)s of %(total)s received"),
        "waiting": _("Preparing the file (%(total)s rows)…"),
        "done": _("Downloaded: %(total)s rows."),
        "error": _("The download failed; try again."),
        "counting": _("Counting the rows…"),
        "choose": _("Choose this period"),
        "reversed": _("The end date is before the start date: choose a later one."),
    }}


CHART_DAYS = 7
# A province's air stations: 4 stations × 8 parameters; the legend hides what is not wanted.
CHART_MAX_SERIES = 48


def _chart_config(provider, dataset) -> dict | None:
    """The time-series chart of the page: the JSON download of the last days of data."""
    spec = provider.chart(dataset) if provider is not None else None
    # Its freshness, not its period: a reader whose rows are cut does not see the period.
    end = dataset.current_until or dataset.temporal_end
    if not spec or end is None:
        return None
    last = end.astimezone(VN).date()
    first = last - datetime.timedelta(days=CHART_DAYS - 1)
    url = reverse("dataset-download", args=[dataset.identifier, "json"])
    return {**spec, "url": f"{url}?from={first.isoformat()}&to={last.isoformat()}",
            # A line per step expected: a missing hour or day is a gap.
            "step_hours": 24 if spec["time"] == "day" else 1,
            "max_series": CHART_MAX_SERIES, "labels": {
                "error": _("The chart could not be loaded; reload the page."),
                "empty": _("No values in the last days.")}}


def json_ld(dataset, base: str, distributions) -> dict:
    """schema.org Dataset, for search engines (Google Dataset Search reads it); of a dataset as
    its reader sees it (`services.as_read_by`)."""
    page = f"{base}/datasets/{dataset.identifier}/"
    data = {
        "@context": "https://schema.org/", "@type": "Dataset",
        "name": dataset.title_vi, "alternateName": dataset.title_en or None,
        "description": dataset.description_vi, "url": page,
        "identifier": dataset.identifier, "keywords": dataset.keywords,
        "license": dataset.licence, "inLanguage": dataset.language or ["vi"],
        "isAccessibleForFree": True,
        "dateModified": dataset.modified.isoformat() if dataset.modified else None,
        "datePublished": dataset.issued.isoformat() if dataset.issued else None,
        "publisher": {"@type": "Organization", "name": dataset.publisher.name},
        "creator": {"@type": "Organization", "name": (dataset.owning_agency or
                                                      dataset.publisher).name},
        "distribution": [{"@type": "DataDownload", "encodingFormat": item.media_type,
                          "contentUrl": f"{page}download.{item.format.lower()}"}
                         for item in distributions],
    }
    if dataset.temporal_start and dataset.temporal_end:
        data["temporalCoverage"] = (f"{dataset.temporal_start.astimezone(VN).isoformat()}/"
                                    f"{dataset.temporal_end.astimezone(VN).isoformat()}")
    provinces = [province.name for province in dataset.shown_provinces]
    if provinces:
        data["spatialCoverage"] = [{"@type": "Place", "name": name} for name in provinces]
    return {key: value for key, value in data.items() if value not in (None, [], "")}


def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element (no "</script>" can close it early)."""
    import orjson
    from django.utils.safestring import mark_safe

    text = orjson.dumps(data).decode()
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e")
                     .replace("&", "\\u0026"))


def _filters(request) -> Filters:
    version = (request.GET.get("version") or "").strip()
    if version and not version.isdecimal():
        raise InvalidInput(_("version must be a whole number."), {"version": ["integer"]})
    start, end = params.period(request.GET.get("from"), request.GET.get("to"))
    province = (request.GET.get("province") or "").strip()[:2] or None
    return Filters(start=start, end=end, province=province, reader=request.actor,
                   version=int(version) if version else None,
                   as_of=params.moment(request.GET.get("as_of"), "as_of", end_of_day=True))


def dataset_download(request, identifier: str, fmt: str):
    actor = request.actor
    try:
        dataset = services.dataset(actor, identifier)
    except NotFound:
        if not actor.is_authenticated:
            raise NotAuthenticated() from None
        raise
    fmt = fmt.lower()
    if fmt not in FORMATS or not Distribution.objects.filter(
            dataset=dataset, format=fmt.upper()).exists():
        raise NotFound(_("This dataset has no %(format)s download.") % {"format": fmt.upper()})
    provider = provider_of(dataset)
    if provider is None:
        raise Forbidden(_("The dataset's data is not available at the moment."))
    try:
        filters = _filters(request)
    except InvalidInput as error:
        if request.headers.get("Sec-Fetch-Mode") == "navigate" and \
                {"from", "to"} & set(error.details):
            # The page's form, submitted without its script: the error beside the field.
            page = reverse("dataset", args=[dataset.identifier])
            return redirect(f"{page}?{request.GET.urlencode()}#download-filters")
        raise
    if dataset.provider == files.FileDatasets.key:
        # A file dataset's version is its file; other versioned providers give rows.
        return _version_file(dataset, fmt, filters)
    columns = provider.columns(dataset)
    rows = provider.rows(dataset, filters)
    body = provider.copy_csv(dataset, filters) if fmt == "csv" else None
    try:
        chunks = downloads.stream(fmt, columns, rows, dataset.identifier, csv_body=body)
    except downloads.TooManyRows:
        raise InvalidInput(_("Too many rows for a spreadsheet: choose a shorter period or "
                             "download CSV or Parquet.")) from None
    response = StreamingHttpResponse(chunks, content_type=downloads.MEDIA[fmt])
    if getattr(chunks, "size", None) is not None:
        response["Content-Length"] = str(chunks.size)
    stamp = timezone.now().astimezone(VN).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{dataset.identifier}-{stamp}.{fmt}"'
    return response


def _version_file(dataset, fmt: str, filters: Filters):
    """A file dataset's download is the file itself, of the version asked for."""
    from envhub.catalog.files import version_for

    version = version_for(dataset, filters.version, filters.as_of)
    if not version.file_name.lower().endswith(f".{fmt}"):
        raise NotFound(_("This version has no %(format)s file.") % {"format": fmt.upper()})
    content = bytes(version.content)
    response = StreamingHttpResponse(
        (content[i:i + downloads.FILE_CHUNK] for i in range(0, len(content),
                                                            downloads.FILE_CHUNK)),
        content_type=version.media_type)
    response["Content-Length"] = str(len(content))
    response["Content-Disposition"] = (f'attachment; filename="{dataset.identifier}-'
                                       f'v{version.number}.{fmt}"')
    response["X-Dataset-Version"] = str(version.number)
    return response


def late_datasets(request):
    """A steward's list: the datasets whose data is older than their frequency promises."""
    actor = request.actor
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not actor.manages_everything:
        raise Forbidden()
    return render(request, "catalog/late.html", {
        "items": [{"dataset": item} for item in services.late(actor)],
    })
