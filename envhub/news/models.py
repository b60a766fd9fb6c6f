"""News (tin tức): posts that editors write in Markdown and a second person reviews before they
are published, with the history of every step.

A post is public when it is published and its publication time has come: a post approved for
a later hour (`scheduled_for`) waits without any job having to wake up for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from envhub.core.text import search_document


class Category(models.TextChoices):
    AIR = "air", _("Air")
    WATER = "water", _("Water")
    EMISSIONS = "emissions", _("Emissions")
    BIODIVERSITY = "biodiversity", _("Biodiversity")
    ANNOUNCEMENTS = "announcements", _("Announcements")
    PRESS_RELEASES = "press_releases", _("Press releases")


class PostState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", pgettext_lazy("news", "Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


class Post(models.Model):
    """An article (bài viết) in Vietnamese, optionally with an English version."""

    slug = models.SlugField(_("address"), max_length=120, unique=True)
    title = models.CharField(pgettext_lazy("news", "title"), max_length=300)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("text (Markdown)"))
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    summary_en = models.CharField(_("summary in English"), max_length=500, blank=True)
    body_en = models.TextField(_("text in English (Markdown)"), blank=True)
    category = models.CharField(pgettext_lazy("news", "category"), max_length=20,
                                choices=Category.choices)
    provinces = models.ManyToManyField("registry.Province", blank=True, related_name="+",
                                       verbose_name=_("provinces"))
    state = models.CharField(pgettext_lazy("news", "state"), max_length=20,
                             choices=PostState.choices, default=PostState.DRAFT)
    # Asked for by the author: not before this time (UTC); empty means on approval.
    scheduled_for = models.DateTimeField(_("publish at"), null=True, blank=True)
    # When readers first see it (the later of the approval and `scheduled_for`).
    published_at = models.DateTimeField(pgettext_lazy("news", "published"), null=True,
                                        blank=True, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("author"))
    # Whoever changed the text last: they may not approve it either.
    last_edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                       related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("reviewer"))
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["state", "published_at", "id"],
                                name="news_post_public")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = search_document(self.title, self.summary, self.body, self.title_en,
                                           self.summary_en, self.body_en)
        super().save(*args, **kwargs)


class PostEvent(models.Model):
    """One step of a post's history: written, sent for review, returned, published,
    unpublished — by whom, when, with the note they left."""

    class Action(models.TextChoices):
        CREATED = "created", _("Written")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Sent for review")
        RETURNED = "returned", _("Returned to the author")
        PUBLISHED = "published", pgettext_lazy("news", "Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=1000, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


# The models of the app's other parts live in their own modules.
from envhub.news.bulletin_models import Bulletin  # noqa: E402,F401
from envhub.news.media_models import PostMedia  # noqa: E402,F401
from envhub.news.newsletter_models import (  # noqa: E402,F401
    NewsletterDelivery,
    NewsletterIssue,
    SignupAttempt,
    Subscriber,
)
