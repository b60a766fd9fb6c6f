"""The e-mail newsletter (bản tin điện tử): who receives it, what was asked of the address,
and each post's sending, one row per subscriber.

A subscriber holds only their address and their choices. Unsubscribing anonymises the row:
the address goes (NULL), the row stays, so that the deliveries already recorded keep their
counts and a delivery still pending finds no one to write to. Sign-ups never confirmed are
deleted once their link has expired (`newsletter.purge`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SubscriberState(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("newsletter", "Confirmed")
    UNSUBSCRIBED = "unsubscribed", pgettext_lazy("newsletter", "Unsubscribed")


class Subscriber(models.Model):
    """A reader who asked for the news by e-mail (người đăng ký nhận bản tin)."""

    # Lower case; NULL once the reader unsubscribed (anonymised).
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True, null=True)
    language = models.CharField(_("language"), max_length=2, default="vi")
    # Category codes; empty: every category.
    categories = models.JSONField(default=list, blank=True)
    # Province codes; empty: the whole country. A post tagged with no province reaches all.
    provinces = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=20, choices=SubscriberState.choices,
                             default=SubscriberState.PENDING)
    # The choices asked for in the last sign-up, applied only when its link is followed:
    # {"language", "categories", "provinces"}; null when nothing waits.
    requested = models.JSONField(null=True, blank=True)
    # The last confirmation link's single-use part; empty once used.
    confirm_nonce = models.CharField(max_length=32, blank=True)
    confirm_sent_at = models.DateTimeField(null=True, blank=True)
    # Signs the unsubscribe and preference links of this subscriber (they do not expire).
    link_key = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        indexes = [models.Index(fields=["state", "id"], name="news_subscriber_state")]

    def __str__(self) -> str:
        # Never the address: this is what the audit log keeps.
        return f"subscriber #{self.pk}"


class SignupAttempt(models.Model):
    """One sign-up asked through the form: counted per address and per client address against
    mail bombing, kept a day. The address only as a keyed hash."""

    address_key = models.CharField(max_length=64, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    sent = models.BooleanField(default=False)
    at = models.DateTimeField(db_index=True)


class NewsletterIssue(models.Model):
    """A published post's sending: made once per post, whatever happens to the post later."""

    post = models.OneToOneField("news.Post", on_delete=models.CASCADE,
                                related_name="newsletter_issue")
    created_at = models.DateTimeField()
    # Deliveries are written for subscribers in id order; the last id done.
    planned_through = models.BigIntegerField(default=0)
    planned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", pgettext_lazy("newsletter", "Sending")
    SENT = "sent", pgettext_lazy("newsletter", "Sent")
    FAILED = "failed", pgettext_lazy("newsletter", "Failed")
    SKIPPED = "skipped", pgettext_lazy("newsletter", "Not sent")


class NewsletterDelivery(models.Model):
    """One post to one subscriber: the record that makes sending idempotent."""

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE,
                              related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=2, default="vi")
    status = models.CharField(max_length=10, choices=DeliveryState.choices,
                              default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "subscriber"],
                                               name="news_delivery_once")]
        indexes = [models.Index(fields=["status", "id"], name="news_delivery_status")]
