"""`{% load names %}`: an object on a page by its name, with a link when the reader may follow it.

    {% link_to station %}             "Trạm HNKT1" linked to the station's page
    {% link_to user text=label %}     another text for the same link

The link is the object's own page (`get_absolute_url`) or, for an object without one (a user),
its page in the admin for those who use the admin; none when the reader may not see the object.
Never a code such as `station:HNKT1`.
"""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html

from envhub.core import permissions

register = template.Library()


def object_url(request, obj) -> str | None:
    """The page of `obj` the request's actor may open, if any (remembered for the request)."""
    actor = getattr(request, "actor", None)
    if actor is None or obj is None or getattr(obj, "pk", None) is None:
        return None
    seen = request.__dict__.setdefault("_envhub_object_urls", {})
    key = (obj._meta.label_lower, obj.pk)
    if key not in seen:
        seen[key] = _url(actor, obj)
    return seen[key]


def _url(actor, obj) -> str | None:
    try:
        if not permissions.can(actor, permissions.VIEW, obj):
            return None
    except Exception:  # noqa: BLE001 - a model the policy does not know is not linked
        return None
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    if not permissions.may_use_admin(actor):
        return None
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change",
                       args=[obj.pk])
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def link_to(context, obj, text=None):
    if obj is None:
        return conditional_escape(text) if text else "—"
    label = str(obj) if text is None else text
    url = object_url(context.get("request"), obj)
    if url is None:
        return conditional_escape(label)
    return format_html('<a href="{}">{}</a>', url, label)
