"""Accounts: users, their memberships (organisation + role + scope), API tokens and the audit log.

Terms: `Membership` (thành viên: a user's role in an organisation), `ApiToken` (mã truy cập API),
`AuditEvent` (nhật ký kiểm toán).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships, not from flags."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES,
        help_text=_("The language of the notifications and e-mails this person receives. "
                    "Empty means the site's language."))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def language_code(self) -> str:
        """The language this person is written to in: their own, else the site's."""
        return self.language or settings.LANGUAGE_CODE


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STEWARD = "steward", _("Data steward")
    LEADER = "leader", _("Leader")
    PROVINCIAL_OFFICER = "provincial_officer", _("Provincial officer")
    FACILITY_OPERATOR = "facility_operator", _("Facility operator")
    SURVEY_UNIT = "survey_unit", _("Survey unit")
    LIBRARIAN = "librarian", _("Librarian")
    EDITOR = "editor", _("Editor")


class Membership(models.Model):
    """A user's role in an organisation, with the provinces or facilities it is limited to."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    provinces = models.ManyToManyField(
        "registry.Province",
        blank=True,
        related_name="+",
        verbose_name=_("provinces"),
        help_text=_("For a provincial officer: the provinces they work on. "
                    "Empty means the organisation's own province."),
    )
    facilities = models.ManyToManyField(
        "registry.Facility",
        blank=True,
        related_name="+",
        verbose_name=_("facilities"),
        help_text=_("For a facility operator: limit to these facilities. "
                    "Empty means every facility the organisation operates."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_role_per_user_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


TOKEN_PREFIX = "envh"
TOKEN_LOOKUP_LENGTH = 10


class ApiToken(models.Model):
    """A bearer token for a program: owned by a user, or issued to a station or a facility.

    Only a SHA-256 digest is stored. Tokens are 256-bit random strings, so a slow password hash
    (Argon2) would add nothing against guessing but would cost on every request.
    """

    name = models.CharField(_("name"), max_length=100)
    lookup = models.CharField(max_length=TOKEN_LOOKUP_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="api_tokens",
        verbose_name=_("user"),
    )
    station = models.ForeignKey(
        "registry.Station", on_delete=models.PROTECT, null=True, blank=True,
        related_name="api_tokens", verbose_name=_("station"),
    )
    facility = models.ForeignKey(
        "registry.Facility", on_delete=models.PROTECT, null=True, blank=True,
        related_name="api_tokens", verbose_name=_("facility"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, station__isnull=True, facility__isnull=True)
                    | Q(user__isnull=True, station__isnull=False, facility__isnull=True)
                    | Q(user__isnull=True, station__isnull=True, facility__isnull=False)
                ),
                name="token_has_exactly_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}_{self.lookup}…)"

    @property
    def owner(self) -> models.Model:
        """The user, station or facility the token acts for (shown by its name, with a link)."""
        return self.user or self.station or self.facility

    @property
    def owner_label(self) -> str:
        """The owner as the command line and the logs write it (`station:CODE`), never on a page."""
        if self.user_id:
            return f"user:{self.user.username}"
        if self.station_id:
            return f"station:{self.station.code}"
        return f"facility:{self.facility.tax_code}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @staticmethod
    def new_secret() -> tuple[str, str, str]:
        """A fresh token as (plain text shown once, lookup part, digest to store)."""
        lookup = secrets.token_hex(TOKEN_LOOKUP_LENGTH // 2)
        plain = f"{TOKEN_PREFIX}_{lookup}_{secrets.token_urlsafe(32)}"
        return plain, lookup, ApiToken.digest_of(plain)

    @staticmethod
    def digest_of(plain: str) -> str:
        return hashlib.sha256(plain.encode("utf-8")).hexdigest()

    @staticmethod
    def split(plain: str) -> str | None:
        """The lookup part of a presented token, or None if it is not shaped like ours."""
        parts = plain.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != TOKEN_LOOKUP_LENGTH:
            return None
        return parts[1]

    def matches(self, plain: str) -> bool:
        return hmac.compare_digest(self.digest, self.digest_of(plain))


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what to which object, and when.

    Rows are never updated or deleted: the model refuses it and database triggers (see the
    migration) refuse it too, so that not even a bug or a console session can rewrite history.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.CharField(_("actor"), max_length=200)
    # No database constraint and no cascade: the log outlives users and is never rewritten.
    user = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+",
        verbose_name=_("user"), db_constraint=False,
    )
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["action", "object_repr", "at"], name="audit_action_object_time"),
            # Failed sign-ins per client address (see accounts.lockout).
            models.Index(fields=["action", "ip_address", "at"], name="audit_action_ip_time"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The audit log is append-only.")


class DeliveryMode(models.TextChoices):
    """How a person hears of one kind of notification."""

    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification (thiết lập thông báo): how it reaches
    them, and whether by e-mail too. Without a row, their role's default holds
    (`compliance.preferences`). `kind` is a notification kind's code; the kinds are named by
    the apps that make them, above this one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_choices",
                             verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=30)
    mode = models.CharField(_("delivery"), max_length=10, choices=DeliveryMode.choices)
    email = models.BooleanField(_("by e-mail too"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="one_preference_per_user_kind")]

    def __str__(self) -> str:
        return f"{self.user} — {self.kind}: {self.get_mode_display()}"
