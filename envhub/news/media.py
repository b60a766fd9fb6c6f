"""A post's images and files: attached by its writers while it can be changed, stored like the
library's files (`library/storage.py`: the same storage, streamed, counted, SHA-256), served
under the post's own rule (`news/policy.py`).

An image is redrawn before it is stored (`news/images.py`) and needs its alternative text; a
file passes the library's checks (`library/intake.check`: its kind by its first bytes, zip
bombs, encrypted PDFs…). A refused upload leaves nothing in the storage nor in the database;
every change is an audit event (`news.media.add`, `news.media.remove`)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core import audit, permissions
from envhub.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from envhub.core.permissions import Actor
from envhub.core.site import absolute
from envhub.core.text import slug as slug_of
from envhub.core.uploads import size_words
from envhub.library import formats, intake, storage
from envhub.news import images
from envhub.news.markdown import MediaRef
from envhub.news.media_models import PostMedia
from envhub.news.models import Post, PostState

FOLDER = "news"
MAX_ALT = 300
MAX_CAPTION = 500
# The most images and files one post carries.
MAX_PER_POST = 50
EDITABLE = {PostState.DRAFT, PostState.UNPUBLISHED}
UPLOAD_PATH = "/news/desk/"


def max_image_bytes() -> int:
    return settings.ENVHUB_NEWS_MAX_IMAGE_BYTES


def max_file_bytes() -> int:
    return settings.ENVHUB_NEWS_MAX_ATTACHMENT_BYTES


def upload_limits() -> tuple[int, int]:
    """(largest file, largest body) of an upload to the desk (`core.uploads`)."""
    largest = max(max_image_bytes(), max_file_bytes())
    return largest, largest + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def is_upload_path(path: str) -> bool:
    return path.startswith(UPLOAD_PATH)


@dataclass(frozen=True)
class Upload:
    """What an editor sends: the file (its name, its bytes, its size if known), what kind it
    is meant as, and for an image the words that stand for it."""

    name: str
    stream: BinaryIO
    size: int | None
    kind: str
    alt: str = ""
    caption: str = ""


def _format_error(error: formats.FormatError) -> InvalidInput:
    message = _(error.message) % error.values if error.values else _(error.message)
    return InvalidInput(message, {"file": [message]})


def _checked_words(upload: Upload) -> tuple[str, str]:
    alt = " ".join((upload.alt or "").split())
    caption = " ".join((upload.caption or "").split())
    problems: dict[str, list[str]] = {}
    if upload.kind == PostMedia.Kind.IMAGE and not alt:
        problems["alt"] = [_("Describe the image in a few words (in Vietnamese) for those who "
                             "cannot see it.")]
    if len(alt) > MAX_ALT:
        problems["alt"] = [_("At most %(limit)s characters.") % {"limit": MAX_ALT}]
    if len(caption) > MAX_CAPTION:
        problems["caption"] = [_("At most %(limit)s characters.") % {"limit": MAX_CAPTION}]
    if upload.kind not in PostMedia.Kind.values:
        problems["kind"] = [_("Choose whether it is an image of the text or an attached file.")]
    if problems:
        raise InvalidInput(_("Some fields are not valid: %(fields)s.")
                           % {"fields": ", ".join(sorted(problems))}, problems)
    return alt, caption


def _size_checked(upload: Upload, limit: int) -> None:
    if upload.size is not None and upload.size > limit:
        message = _("“%(name)s” is %(size)s; the most a post takes is %(limit)s.") % {
            "name": upload.name[:100], "size": size_words(upload.size),
            "limit": size_words(limit)}
        raise TooLarge(message, {"file": [message]})
    if upload.size == 0:
        message = _("“%(name)s” is empty.") % {"name": upload.name[:100]}
        raise InvalidInput(message, {"file": [message]})


def _unique_key(post: Post, name: str) -> str:
    path = PurePosixPath(name)
    stem = (slug_of(path.stem) or "tep")[:80].strip("-") or "tep"
    extension = path.suffix.lower().lstrip(".")[:10]
    taken = set(post.media.values_list("key", flat=True))
    candidate, n = f"{stem}.{extension}" if extension else stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}.{extension}" if extension else f"{stem}-{n}"
    return candidate


def _may_change(actor: Actor, post: Post) -> None:
    permissions.require(actor, permissions.CHANGE, post)
    if actor.user is None or actor.token is not None:
        raise Forbidden(_("Posts are written and reviewed by people, not by tokens."))
    if post.state not in EDITABLE:
        raise Conflict(_("Only a draft or an unpublished post can be changed; return or "
                         "unpublish it first."))


def _store_image(upload: Upload, name: str) -> tuple[dict, list[str]]:
    limit = max_image_bytes()
    with storage.local_copy(upload.stream, limit) as local:
        try:
            cleaned = images.clean(local, name)
        except formats.FormatError as error:
            raise _format_error(error) from None
    kept: list[str] = []
    try:
        full = storage.save_stream(io.BytesIO(cleaned.full.data), limit, folder=FOLDER)
        kept.append(full.storage_name)
        fields = {"storage_name": full.storage_name, "size": full.size, "sha256": full.sha256,
                  "media_type": cleaned.full.media_type, "width": cleaned.full.width,
                  "height": cleaned.full.height}
        if cleaned.phone is not None:
            phone = storage.save_stream(io.BytesIO(cleaned.phone.data), limit, folder=FOLDER)
            kept.append(phone.storage_name)
            fields.update(phone_storage_name=phone.storage_name, phone_size=phone.size,
                          phone_sha256=phone.sha256, phone_width=cleaned.phone.width,
                          phone_height=cleaned.phone.height)
    except BaseException:
        for stored_name in kept:
            storage.delete_stored(stored_name)
        raise
    return fields, kept


def _store_file(upload: Upload) -> tuple[dict, list[str]]:
    limit = max_file_bytes()
    with storage.local_copy(upload.stream, limit) as local:
        checked = intake.check(intake.Incoming(upload.name, local), local)
        stored = storage.save_stream(local, limit, folder=FOLDER)
    return {"storage_name": stored.storage_name, "size": stored.size, "sha256": stored.sha256,
            "media_type": checked.media_type}, [stored.storage_name]


def attach(actor: Actor, post: Post, upload: Upload) -> PostMedia:
    """Check, store and attach one image or file to `post`."""
    _may_change(actor, post)
    alt, caption = _checked_words(upload)
    try:
        name = formats.clean_name(upload.name)
    except formats.FormatError as error:
        raise _format_error(error) from None
    is_image = upload.kind == PostMedia.Kind.IMAGE
    _size_checked(upload, max_image_bytes() if is_image else max_file_bytes())
    if post.media.count() >= MAX_PER_POST:
        raise Conflict(_("A post carries at most %(limit)s images and files.")
                       % {"limit": MAX_PER_POST})
    try:
        fields, kept = _store_image(upload, name) if is_image else _store_file(upload)
    except TooLarge as error:  # the stream said more than the form did
        message = _("“%(name)s” is larger than %(limit)s, the most a post takes.") % {
            "name": name[:100], "limit": size_words(
                max_image_bytes() if is_image else max_file_bytes())}
        raise TooLarge(message, {"file": [message]}) from error
    except InvalidInput as error:
        message = str(error.message)
        raise InvalidInput(message, {"file": [message]}) from None
    try:
        with transaction.atomic():
            # Locked: the post may have been sent for review while its file was checked.
            current = Post.objects.select_for_update().filter(pk=post.pk).first()
            if current is None or current.state not in EDITABLE:
                raise Conflict(_("Only a draft or an unpublished post can be changed; return "
                                 "or unpublish it first."))
            media = PostMedia.objects.create(
                post=post, kind=upload.kind, key=_unique_key(post, name), name=name, alt=alt,
                caption=caption, added_by=actor.user, **fields)
            audit.record(actor, "news.media.add", post,
                         {"media": media.pk, "key": media.key, "kind": media.kind,
                          "name": name, "size": media.size, "sha256": media.sha256})
    except BaseException:
        for stored_name in kept:
            storage.delete_stored(stored_name)
        raise
    return media


def remove(actor: Actor, media: PostMedia) -> None:
    """Take an image or file off its post; its bytes leave the storage once the row is gone."""
    post = media.post
    _may_change(actor, post)
    names = [name for name in (media.storage_name, media.phone_storage_name) if name]
    with transaction.atomic():
        audit.record(actor, "news.media.remove", post,
                     {"media": media.pk, "key": media.key, "name": media.name,
                      "sha256": media.sha256})
        media.delete()
        transaction.on_commit(lambda: [storage.delete_stored(name) for name in names])


def for_writer(actor: Actor, post: Post, pk: int) -> PostMedia:
    media = permissions.scope(actor, PostMedia.objects.filter(pk=pk, post=post)).first()
    if media is None:
        raise NotFound()
    return media


def readable(actor: Actor, pk: int, key: str) -> PostMedia:
    """An image or file as `actor` may read it: its post's rule decides (404 otherwise)."""
    media = permissions.scope(actor, PostMedia.objects.select_related("post")
                              .filter(pk=pk, key=key)).first()
    if media is None or not permissions.scope(actor, Post.objects.filter(
            pk=media.post_id)).exists():
        raise NotFound()
    if actor.token is not None and not is_public(media):
        raise NotFound()  # drafts are for people on the desk, not for programs
    return media


def is_public(media: PostMedia) -> bool:
    post = media.post
    return post.state == PostState.PUBLISHED and post.published_at is not None and \
        post.published_at <= timezone.now()


def url_of(media: PostMedia, phone: bool = False) -> str:
    name = "news-media-phone" if phone else "news-media"
    return reverse(name, args=[media.pk, media.key])


def references(media_list, base: str | None = None) -> dict[str, MediaRef]:
    """What a post's Markdown may name (`media:key`), with the addresses it is served at; with
    `base`, absolute (feeds, e-mails): ENVHUB_SITE_URL when set, else `base`."""
    def address(path: str) -> str:
        if not base:
            return path
        made = absolute(path)
        return made if made != path else base.rstrip("/") + path

    found = {}
    for media in media_list:
        is_image = media.kind == PostMedia.Kind.IMAGE
        found[media.key] = MediaRef(
            url=address(url_of(media)), is_image=is_image, alt=media.alt,
            caption=media.caption, width=media.width, height=media.height,
            phone_url=address(url_of(media, phone=True)) if media.phone_storage_name else "",
            phone_width=media.phone_width)
    return found


def post_references(post: Post, base: str | None = None,
                    media_list=None) -> dict[str, MediaRef]:
    """Everything a post's Markdown may show by `media:key`: its attachments, and for a
    bulletin its charts (`media:chart-<name>`, drawn by the press kit from the bulletin's
    figures), so that a page, a feed and an e-mail show the same pictures by one rule."""
    found = references(post.media.all() if media_list is None else media_list, base)
    bulletin = getattr(post, "bulletin", None) if post.pk else None
    if bulletin is not None:
        from envhub.news import bulletin_charts
        from envhub.news.bulletin_text import chart_path

        for name in bulletin_charts.CHARTS.get(bulletin.kind, {}):
            path = chart_path(bulletin.kind, bulletin.first_day.isoformat(), name)
            found[f"chart-{name}"] = MediaRef(
                url=(absolute(path) if absolute(path) != path else base.rstrip("/") + path)
                if base else path,
                is_image=True, alt=bulletin_charts.TITLES.get(name, ""))
    return found


def first_image(post: Post) -> PostMedia | None:
    return post.media.filter(kind=PostMedia.Kind.IMAGE).order_by("added_at", "id").first()


@dataclass(frozen=True)
class Listed:
    """An attached file as the post's page lists it."""

    url: str
    name: str
    kind: str  # PDF, DOCX, …
    size: str
    caption: str


def listed(media_list) -> list[Listed]:
    """The files a post's page lists below the text, with their kind and size (its images are
    in the text)."""
    return [Listed(url_of(item), item.name, PurePosixPath(item.name).suffix.lstrip(".").upper()
                   or item.media_type, size_words(item.size), item.caption)
            for item in media_list if item.kind == PostMedia.Kind.FILE]


def card_image(post: Post) -> bytes | None:
    """The post's share card drawn from its first image (None: it has none)."""
    first = first_image(post)
    if first is None:
        return None
    with storage.open_stored(first.storage_name) as handle:
        return images.card(handle.read())
