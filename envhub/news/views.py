"""The news pages: the public list (categories, provinces, words) and each post; the editors'
desk with drafts, posts in review and each step's button. Thin: `services` reads,
`workflow` writes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envhub.core import permissions
from envhub.core.errors import EnvhubError, NotFound
from envhub.core.share import share
from envhub.news import media, services, workflow
from envhub.news.forms import PostForm
from envhub.news.markdown import to_html, to_text
from envhub.news.media_views import desk_context
from envhub.news.models import Category, Post, PostState
from envhub.news.policy import writes_news
from envhub.registry.models import Province


def news_list(request):
    chosen = services.NewsFilter.read(request.GET)
    page = services.page(chosen, request.GET.get("after"))
    return render(request, "news/list.html", {
        "page": page, "chosen": chosen, "categories": Category.choices,
        "provinces": Province.objects.order_by("name").values_list("code", "name"),
        "writer": writes_news(request.actor),
    })


def news_post(request, slug: str):
    post = services.published_post(slug)
    attached = list(post.media.all())
    refs = media.post_references(post, media_list=attached)
    return render(request, "news/post.html", {
        "share": share(request, title=post.title, description=post.summary or to_text(post.body),
                       image_path=reverse("card-post", args=[post.slug]), kind="article",
                       published=post.published_at),
        "post": post, "body": to_html(post.body, media=refs),
        "body_en": to_html(post.body_en, media=refs) if post.body_en else "",
        "provinces": post.provinces.order_by("name"),
        "attachments": media.listed(attached),
    })


def desk(request):
    """The editors' desk: every post by state, newest change first."""
    actor = request.actor
    permissions.require(actor, permissions.CHANGE, Post)
    posts = permissions.scope(actor, Post.objects.select_related("author", "reviewer")
                              .order_by("-updated_at", "-id"))[:200]
    groups = [(state, label, [post for post in posts if post.state == state])
              for state, label in PostState.choices]
    return render(request, "news/desk.html", {"groups": groups})


def _save(request, post: Post | None):
    form = PostForm(request.POST or None, initial=PostForm.initial_of(post) if post else None)
    if request.method == "POST" and form.is_valid():
        try:
            if post is None:
                post = workflow.create(request.actor, form.cleaned_data)
            else:
                workflow.edit(request.actor, post, form.cleaned_data)
        except EnvhubError as error:
            details = error.details if isinstance(error.details, dict) else {}
            for name, problems in details.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, str(problem))
            if not details:
                form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The post was saved."))
            return redirect("news-edit", post.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "news/edit.html", {
        **(desk_context(post) if post else {}),
        "form": form, "post": post,
        "preview": to_html(post.body, media=media.post_references(post)) if post else "",
        "events": post.events.select_related("user") if post else [],
        "can_publish": post is not None and request.user.pk not in {
            post.author_id, post.last_edited_by_id},
    }, status=status)


def post_new(request):
    permissions.require(request.actor, permissions.ADD, Post)
    return _save(request, None)


def post_edit(request, pk: int):
    return _save(request, services.post_for_writer(request.actor, pk))


STEPS = {
    "submit": (lambda actor, post, note: workflow.submit(actor, post),
               gettext_lazy("The post was sent for review.")),
    "publish": (workflow.publish, gettext_lazy("The post was published.")),
    "return": (workflow.return_to_author, gettext_lazy("The post was returned to its author.")),
    "unpublish": (workflow.unpublish, gettext_lazy("The post was unpublished.")),
}


def post_step(request, pk: int, step: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    post = services.post_for_writer(request.actor, pk)
    if step not in STEPS:
        raise NotFound()
    take, done = STEPS[step]
    try:
        take(request.actor, post, (request.POST.get("note") or "")[:workflow.MAX_NOTE])
    except EnvhubError as error:
        if error.status >= 500 or error.status in (401, 404):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, str(done))
    return redirect("news-edit", post.pk)
