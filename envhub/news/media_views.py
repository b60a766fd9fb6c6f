"""The pages of a post's images and files: attaching and removing them on the editors' desk,
and serving them under the post's rule. Thin: `news/media.py` checks, stores and decides."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from envhub.core.errors import EnvhubError
from envhub.core.text import attachment_disposition
from envhub.core.uploads import UploadTooLarge, size_words
from envhub.library import storage
from envhub.news import media, services
from envhub.news.media_models import PostMedia

PUBLIC_SECONDS = 3600
# A served file is data, never a page: nothing in it runs, even opened on its own.
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


class MediaForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Use"), choices=PostMedia.Kind.choices,
                             initial=PostMedia.Kind.IMAGE, widget=forms.RadioSelect)
    file = forms.FileField(label=gettext_lazy("File"), allow_empty_file=True)
    alt = forms.CharField(
        label=gettext_lazy("Alternative text (Vietnamese)"), required=False,
        max_length=media.MAX_ALT,
        help_text=gettext_lazy("Required for an image: what it shows, for those who cannot "
                               "see it."))
    caption = forms.CharField(label=gettext_lazy("Caption"), required=False,
                              max_length=media.MAX_CAPTION)


def desk_context(post) -> dict:
    """What the desk's part about images and files needs (`news/_media_desk.html`)."""
    items = list(post.media.all())
    for item in items:
        item.size_text = size_words(item.size)
    return {"media_form": MediaForm(), "media_list": items,
            "editable": post.state in media.EDITABLE,
            "media_limit": max(media.max_image_bytes(), media.max_file_bytes()),
            "media_limit_words": size_words(media.max_image_bytes()),
            "file_limit_words": size_words(media.max_file_bytes())}


@csrf_exempt  # checked in `_upload`, once the body is known to be within the limit
def upload(request, pk: int):
    """An image or file for the post. A body over the limit is refused from its length before
    it is read (`core.uploads`), and said beside the file."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    post = services.post_for_writer(request.actor, pk)
    try:
        request.POST  # noqa: B018 - reads the form, or refuses it from its length
    except UploadTooLarge as error:
        request._mark_post_parse_error()
        form = MediaForm(data={})
        form.is_valid()
        form.errors.clear()
        form.add_error("file", _("The upload is %(size)s, more than the %(limit)s a post "
                                 "takes: nothing was stored.") % {
            "size": size_words(error.size), "limit": size_words(media.upload_limits()[0])})
        return _form_again(request, post, form, status=413)
    return _upload(request, post)


def _form_again(request, post, form, status: int):
    context = desk_context(post)
    context.update(post=post, media_form=form)
    return render(request, "news/media_upload.html", context, status=status)


@csrf_protect
def _upload(request, post):
    form = MediaForm(request.POST, request.FILES)
    if form.is_valid():
        sent = form.cleaned_data["file"]
        try:
            added = media.attach(request.actor, post, media.Upload(
                name=sent.name, stream=sent, size=sent.size, kind=form.cleaned_data["kind"],
                alt=form.cleaned_data["alt"], caption=form.cleaned_data["caption"]))
        except EnvhubError as error:
            if error.status >= 500 or error.status in (401, 403, 404):
                raise
            details = error.details if isinstance(error.details, dict) else {}
            for name, problems in details.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, str(problem))
            if not details:
                form.add_error(None, str(error.message))
        else:
            # A query of its own: from the desk itself, a change of the hash alone would not
            # load the page again.
            address = reverse("news-edit", args=[post.pk]) + f"?added={added.pk}#media"
            messages.success(request, _("“%(name)s” was attached; write %(code)s in the text "
                                        "to show it.") % {"name": added.name,
                                                           "code": code_of(added)})
            if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                return JsonResponse({"url": address, "key": added.key}, status=201)
            return redirect(address)
    return _form_again(request, post, form, status=400)


def code_of(item: PostMedia) -> str:
    """What an editor writes in the Markdown to show or link the attachment."""
    if item.kind == PostMedia.Kind.IMAGE:
        return f"![{item.alt}](media:{item.key})"
    return f"[{item.name}](media:{item.key})"


def remove(request, pk: int, media_pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    post = services.post_for_writer(request.actor, pk)
    item = media.for_writer(request.actor, post, media_pk)
    try:
        media.remove(request.actor, item)
    except EnvhubError as error:
        if error.status >= 500 or error.status in (401, 403, 404):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("“%(name)s” was removed from the post.")
                         % {"name": item.name})
    return redirect(reverse("news-edit", args=[post.pk]) + "#media")


@dataclass(frozen=True)
class _Served:
    """One stored encoding, as `library.storage.stream` reads it."""

    storage_name: str
    media_type: str
    size: int
    sha256: str
    name: str


def _serve(request, pk: int, key: str, phone: bool) -> HttpResponse:
    item = media.readable(request.actor, pk, key)
    if phone and not item.phone_storage_name:
        phone = False  # a narrow image has no phones' copy: the image itself
    served = _Served(item.phone_storage_name, item.media_type, item.phone_size or 0,
                     item.phone_sha256, item.name) if phone else \
        _Served(item.storage_name, item.media_type, item.size, item.sha256, item.name)
    etag = f'"{served.sha256}"'
    caching = f"public, max-age={PUBLIC_SECONDS}" if media.is_public(item) else \
        "private, no-cache"
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
        response["ETag"] = etag
    else:
        response = storage.stream(served)
        # An ASCII name for old clients, the Vietnamese one in `filename*` (the library's).
        named = attachment_disposition(served.name)
        response["Content-Disposition"] = named if item.kind == PostMedia.Kind.FILE else \
            named.replace("attachment", "inline", 1)
        if request.method == "HEAD":
            response.streaming_content = []
    response["Cache-Control"] = caching
    response["Content-Security-Policy"] = FILE_POLICY
    return response


@require_safe
def media_file(request, pk: int, key: str):
    return _serve(request, pk, key, phone=False)


@require_safe
def media_phone(request, pk: int, key: str):
    return _serve(request, pk, key, phone=True)
