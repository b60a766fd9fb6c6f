"""`envhub token create|list|revoke`: API tokens for operators configuring dataloggers."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from envhub.accounts import services
from envhub.accounts.models import ApiToken, User
from envhub.core.errors import EnvhubError
from envhub.core.permissions import system_actor
from envhub.registry.models import Facility, Station
from envhub.registry.validators import compact_tax_code


class Command(BaseCommand):
    help = "Issue, list or revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token and print it (shown once).")
        owner = create.add_mutually_exclusive_group(required=True)
        owner.add_argument("--user", metavar="NAME")
        owner.add_argument("--station", metavar="CODE")
        owner.add_argument("--facility", metavar="TAXCODE")
        create.add_argument("--expires", type=int, default=services.DEFAULT_TOKEN_DAYS,
                            metavar="DAYS", help="Days until it expires (default 365).")
        create.add_argument("--name", default="", help="What the token is for.")
        listing = sub.add_parser("list", help="List tokens (never their secret).")
        listing.add_argument("--all", action="store_true", help="Include revoked and expired.")
        revoke = sub.add_parser("revoke", help="Revoke a token by the part after envh_.")
        revoke.add_argument("lookup", metavar="ID")

    def handle(self, *args, action, **options):
        actor = system_actor("envhub token (server console)")
        try:
            getattr(self, f"_{action}")(actor, **options)
        except EnvhubError as error:
            raise CommandError(str(error.message)) from None

    def _create(self, actor, *, user, station, facility, expires, name, **options):
        owner = {}
        if user:
            owner["user"] = User.objects.filter(username=user).first()
            if owner["user"] is None:
                raise CommandError(f"No user named {user!r}.")
        elif station:
            owner["station"] = Station.objects.filter(code__iexact=station).first()
            if owner["station"] is None:
                raise CommandError(f"No station with code {station!r}.")
        else:
            owner["facility"] = Facility.objects.filter(tax_code=compact_tax_code(facility)).first()
            if owner["facility"] is None:
                raise CommandError(f"No facility with tax code {facility!r}.")
        label = name or f"issued on the server console {timezone.localdate():%d/%m/%Y}"
        issued = services.create_token(actor, name=label, days=expires, **owner)
        self.stderr.write(
            f"Token for {issued.token.owner_label}, valid until "
            f"{timezone.localtime(issued.token.expires_at):%d/%m/%Y %H:%M}. "
            "It is shown once; store it now:"
        )
        self.stdout.write(issued.plain)

    def _list(self, actor, *, all, **options):
        tokens = ApiToken.objects.select_related("user", "station", "facility")
        tokens = tokens.order_by("created_at")
        if not all:
            tokens = tokens.filter(revoked_at=None, expires_at__gt=timezone.now())
        for token in tokens:
            state = "revoked" if token.revoked_at else ("active" if token.is_usable else "expired")
            self.stdout.write(
                f"{token.lookup}  {state:8}  {token.owner_label:40}  "
                f"expires {timezone.localtime(token.expires_at):%Y-%m-%d}  {token.name}"
            )

    def _revoke(self, actor, *, lookup, **options):
        lookup = lookup.removeprefix("envh_").split("_")[0]
        token = ApiToken.objects.filter(lookup=lookup).first()
        if token is None:
            raise CommandError(f"No token {lookup!r}.")
        services.revoke_token(actor, token)
        self.stdout.write(f"Revoked {token.lookup} ({token.owner_label}).")
