"""How the JSON API knows who is calling: a bearer token, else the browser session, else nobody.

Ninja asks this class on every operation; it always lets the request through with an actor (the
anonymous one included), because what each actor may see is the permission policy's decision.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from envhub.core.errors import Forbidden
from envhub.core.permissions import Actor

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# `openapi_extra` of the operations anyone may call: Ninja adds this to the bearer scheme it
# lists, so that the OpenAPI document says "a token, or none" (a token may show more).
PUBLIC = {"security": [{}]}


class ActorAuth(HttpBearer):
    """Shown in the OpenAPI document as `Authorization: Bearer <token>`."""

    def __call__(self, request: HttpRequest) -> Actor:
        # Resolved lazily by ActorMiddleware; a bad token raises InvalidToken (401) here.
        actor: Actor = request.actor
        actor.kind  # noqa: B018 - force the lazy object so errors surface now
        if (
            request.method not in SAFE_METHODS
            and actor.is_authenticated
            and actor.extra.get("via_session")
            and check_csrf(request) is not None
        ):
            # A cookie-authenticated write must come from our own pages.
            raise Forbidden(_("The CSRF check failed; reload the page and try again."))
        return actor

    def authenticate(self, request: HttpRequest, token: str):  # pragma: no cover - see __call__
        raise NotImplementedError


def actor_of(request: HttpRequest) -> Actor:
    """The actor of an API request (set by ActorAuth as `request.auth`)."""
    return request.auth
