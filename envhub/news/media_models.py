"""A post's images and attached files (ảnh và tệp đính kèm), kept in the library's storage as
the library keeps its files: under a name of their own, with their size, media type and
SHA-256. An image is kept as envhub redrew it (`news/images.py`), with a narrower copy for
phones; a file as it came, after the library's checks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from envhub.news.models import Post


class PostMedia(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        FILE = "file", _("Attached file")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the Markdown names it by (`![…](media:key)`), unique within the post: the file's
    # name made a slug, so that an editor reads which file it is.
    key = models.CharField(max_length=120)
    name = models.CharField(_("file name"), max_length=255)
    alt = models.CharField(_("alternative text"), max_length=300, blank=True)
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    storage_name = models.CharField(max_length=300)
    media_type = models.CharField(max_length=120)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # The phones' copy of an image wider than `images.PHONE_WIDTH` (else empty).
    phone_storage_name = models.CharField(max_length=300, blank=True)
    phone_size = models.BigIntegerField(null=True, blank=True)
    phone_sha256 = models.CharField(max_length=64, blank=True)
    phone_width = models.PositiveIntegerField(null=True, blank=True)
    phone_height = models.PositiveIntegerField(null=True, blank=True)
    added_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "key"],
                                               name="news_media_key_per_post")]

    def __str__(self) -> str:
        return self.name
