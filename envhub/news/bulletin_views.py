"""The bulletins' pages: the editors' list of bulletins with the form that drafts one for any
ended week or month, and each bulletin's press kit files (charts as SVG and PNG, tables as
XLSX). Thin: `bulletin_jobs` drafts, `presskit` reads and draws."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from envhub.core import permissions
from envhub.core.errors import EnvhubError, NotFound
from envhub.news import bulletin_jobs, presskit
from envhub.news.bulletin_models import Bulletin, BulletinKind
from envhub.news.models import Post
from envhub.news.policy import public_posts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DraftForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Bulletin"), choices=BulletinKind.choices)
    day = forms.DateField(label=gettext_lazy("A day of the week or month"),
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                          input_formats=["%Y-%m-%d", "%d/%m/%Y"])


def desk_bulletins(request):
    """Writers only: the bulletins, newest period first, and the form that drafts one."""
    actor = request.actor
    permissions.require(actor, permissions.CHANGE, Post)
    form = DraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = bulletin_jobs.draft(actor, form.cleaned_data["kind"],
                                          form.cleaned_data["day"])
        except EnvhubError as error:
            if error.status >= 500 or error.status in (401, 403, 404):
                raise
            form.add_error(None, str(error.message))
        else:
            (messages.success if outcome.created or outcome.updated else messages.warning)(
                request, outcome.message)
            return redirect("news-edit", outcome.bulletin.post_id)
    rows = Bulletin.objects.select_related("post").order_by("-first_day", "kind")[:200]
    return render(request, "news/bulletins.html", {"form": form, "bulletins": rows},
                  status=400 if request.method == "POST" else 200)


def _published(bulletin: Bulletin) -> bool:
    return public_posts(Post.objects.filter(pk=bulletin.post_id)).exists()


def _file(content, content_type: str, filename: str, public: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # A draft's files are for its writers only: no shared cache may keep them.
    response["Cache-Control"] = "public, max-age=600" if public else "private, no-store"
    return response


def bulletin_chart(request, kind: str, first: str, name: str, fmt: str):
    bulletin = presskit.bulletin_for(request.actor, kind, first)
    if fmt not in ("svg", "png") or name not in presskit.chart_names(bulletin):
        raise NotFound()
    stem = f"{presskit.file_stem(bulletin)}-{name}.{fmt}"
    if fmt == "svg":
        return _file(presskit.svg_of(bulletin, name), "image/svg+xml; charset=utf-8", stem,
                     _published(bulletin))
    return _file(presskit.png_of(bulletin, name), "image/png", stem, _published(bulletin))


def bulletin_xlsx(request, kind: str, first: str):
    bulletin = presskit.bulletin_for(request.actor, kind, first)
    response = _file(presskit.xlsx_of(bulletin), XLSX,
                     f"{presskit.file_stem(bulletin)}.xlsx", _published(bulletin))
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "inline", "attachment")
    return response
