"""The `/api/3/action/<name>` view: the caller, the parameters, CKAN's envelope."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from envhub.catalog.ckan.actions import ACTIONS
from envhub.catalog.ckan.errors import ActionError, BadRequest, Invalid, NotAuthorized
from envhub.catalog.ckan.shapes import Context
from envhub.core import limits
from envhub.core.errors import EnvhubError, NotAuthenticated
from envhub.core.permissions import Actor


def _params(request) -> dict:
    """The query's parameters and the body's (a form or a JSON object), each within the length
    cap of every public input (the query string's are checked by `core.limits` already)."""
    params: dict[str, Any] = {key: request.GET.get(key) for key in request.GET}
    if request.method == "POST":
        content_type = request.content_type or ""
        if content_type.startswith(("multipart/", "application/x-www-form-urlencoded")):
            body = {key: request.POST.get(key) for key in request.POST}
        elif request.body.strip():
            try:
                body = limits.loads_json(request.body)
            except (ValueError, UnicodeDecodeError):
                body = None
            if not isinstance(body, dict):
                raise BadRequest(_("Bad request - JSON Error: the body is not a JSON object."))
        else:
            body = {}
        refusal = limits.too_long(body.items())
        if refusal is not None:
            name, message = refusal
            raise Invalid(name, message)
        params.update(body)
    return params


def _actor(request) -> Actor:
    """The caller: a CKAN-style token (`Authorization: <token>` or `X-CKAN-API-Key`), else the
    session or bearer token the middleware resolves."""
    from envhub.accounts.actors import actor_from_token

    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    key = request.META.get("HTTP_X_CKAN_API_KEY", "").strip()
    try:
        if header and " " not in header:
            return actor_from_token(header)
        if key and not header:
            return actor_from_token(key)
        actor = request.actor
        actor.kind  # noqa: B018 - resolves the lazy actor (a bad bearer token raises here)
        return actor
    except NotAuthenticated as error:
        raise NotAuthorized(str(error.message)) from None


def _answer(body: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _refusal(error: Exception) -> ActionError:
    """A body over the cap, an unreadable form or a request over its time budget, in CKAN's
    envelope."""
    if isinstance(error, RequestDataTooBig):
        limit = getattr(error, "limit", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        refusal = BadRequest(_("The request body is too large: at most %(limit)d bytes are "
                               "accepted here.") % {"limit": limit})
        refusal.status = 413
    elif isinstance(error, EnvhubError):
        refusal = BadRequest(str(error.message))
        refusal.status = error.status
    else:
        refusal = BadRequest(_("Bad request - the form could not be read."))
    return refusal


@csrf_exempt
def action_view(request, name: str):
    base = request.build_absolute_uri("/").rstrip("/")
    help_url = f"{base}/api/3/action/help_show?name={name}"
    if request.method not in ("GET", "POST"):
        response = _answer({"help": help_url, "success": False, "error": {
            "message": _("This method is not allowed here.")}}, 405)
        response["Allow"] = "GET, POST"
        return response
    function = ACTIONS.get(name)
    try:
        if function is None:
            raise BadRequest(_("Bad request - Action name not known: %(name)s")
                             % {"name": name})
        params = _params(request)
        ctx = Context(request=request, actor=_actor(request), base=base)
        result = function(ctx, params)
    except (RequestDataTooBig, MultiPartParserError, EnvhubError) as refused:
        error = _refusal(refused)
        return _answer({"help": help_url, "success": False, "error": error.body()},
                       error.status)
    except ActionError as error:
        return _answer({"help": help_url, "success": False, "error": error.body()},
                       error.status)
    return _answer({"help": help_url, "success": True, "result": result})
