"""Campaign pages: the list, a new campaign (stewards), its progress per unit and dataset kind
(with a JSON twin), an assignment's versions and deadline, and a generic table's rows. Thin:
the services (`campaigns`, `workflow`, `tables`) decide and scope."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envhub.catalog import downloads
from envhub.core import permissions, providers
from envhub.core.errors import EnvhubError, Forbidden, InvalidInput, NotAuthenticated
from envhub.core.numbers import format_number
from envhub.surveys import campaigns, tables, workflow
from envhub.surveys.datasets import columns_for
from envhub.surveys.forms import CampaignForm, DeadlineForm, add_errors
from envhub.surveys.policy import TABLES


def campaign_list(request):
    actor = request.actor
    items = list(workflow.campaigns(actor))
    # The assignments the reader sees: a unit counts its own, not the other units'.
    counts = dict(workflow.assignments(actor).order_by().values("campaign").annotate(
        n=Count("id")).values_list("campaign", "n"))
    for item in items:
        item.visible_assignments = counts.get(item.pk, 0)
    return render(request, "surveys/campaigns.html", {
        "items": items, "may_manage": campaigns.may_manage(actor)})


def campaign_new(request):
    actor = request.actor
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not campaigns.may_manage(actor):
        raise Forbidden(_("Only data stewards create and change survey campaigns."))
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = campaigns.create_campaign(
                actor, title=data["title"], year=data["year"], description=data["description"],
                schema_ids=[s.pk for s in data["schemas"]],
                unit_ids=[u.pk for u in data["units"]], due_on=data["due_on"],
                access_class=data["access_class"])
        except EnvhubError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The campaign was created with %(count)d assignments.")
                             % {"count": item.assignments.count()})
            return redirect(reverse("survey-campaign", args=[item.pk]))
    return render(request, "surveys/campaign_new.html", {"form": form})


def campaign_page(request, campaign_id: int):
    progress = campaigns.progress(request.actor, campaign_id)
    if request.GET.get("format") == "json":
        return JsonResponse(progress.as_dict(), json_dumps_params={"ensure_ascii": False})
    return render(request, "surveys/campaign.html", {
        "progress": progress, "campaign": progress.campaign,
        "may_manage": campaigns.may_manage(request.actor)})


@require_POST
def assignment_deadline(request, assignment_id: int):
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the deadline as a date."))
    else:
        campaigns.set_deadline(request.actor, assignment_id, form.cleaned_data["due_on"])
        messages.success(request, _("The deadline was changed."))
    return redirect(reverse("survey-assignment", args=[assignment_id]))


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return format_number(value, get_language())
    return str(value)


def table_rows(request, assignment_id: int):
    """A generic table's loaded rows: a version (the newest by default), filtered and sorted
    by any column, a page at a time; `?format=csv|xlsx` downloads every filtered row."""
    actor = request.actor
    assignment, version = tables.version_of(actor, assignment_id, request.GET.get("version"))
    schema = tables.schema_of(version)
    try:
        query = tables.parse_query(schema, request.GET)
        error = None
    except InvalidInput as refused:
        query, error = tables.Query(), refused.message
    qs = tables.rows(actor, version, schema, query)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        columns = columns_for(schema)
        names = list(schema.names)
        rows = ((row.line, *(row.data.get(name) for name in names))
                for row in qs.iterator(chunk_size=2000))
        title = f"{assignment.schema.slug}-{assignment.pk}-v{version.number}"
        try:
            chunks = downloads.stream(fmt, columns, rows, title)
        except downloads.TooManyRows:
            raise InvalidInput(_("Too many rows for a spreadsheet: download CSV.")) from None
        response = StreamingHttpResponse(chunks, content_type=downloads.MEDIA[fmt])
        if getattr(chunks, "size", None) is not None:
            response["Content-Length"] = str(chunks.size)
        response["Content-Disposition"] = f'attachment; filename="{title}.{fmt}"'
        return response
    found, more = tables.page(qs, query.page)
    names = list(schema.names)
    params = {"version": version.number, **query.params()}
    filters = {k: v for k, v in params.items() if k != "sort"}

    def link(**extra) -> str:
        return "?" + urlencode({**params, **extra})

    headers = [{"field": item, "numeric": item.type in tables.NUMERIC,
                "sorted": ("desc" if query.descending else "asc") if query.sort == item.name
                else "",
                "url": "?" + urlencode({**filters, "sort": ("" if query.sort == item.name and
                                                            not query.descending else "-")
                                        + item.name})}
               for item in schema.fields]
    return render(request, "surveys/table_rows.html", {
        "assignment": assignment, "version": version, "schema": schema, "headers": headers,
        # A reader admitted by the dataset's access class does not see the unit's assignment:
        # their way back is the catalogue's page.
        "sees_assignment": permissions.is_visible(actor, assignment),
        "dataset": providers.published(TABLES, str(assignment.pk)),
        "error": error, "query": query, "versions": tables.loaded_versions(assignment),
        "rows": [(row.line, [_shown(row.data.get(name)) for name in names]) for row in found],
        "more": more, "page": query.page, "next_url": link(page=query.page + 1),
        "previous_url": link(page=query.page - 1), "csv_url": link(format="csv"),
        "xlsx_url": link(format="xlsx"),
    })
