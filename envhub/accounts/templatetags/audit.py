"""`{% load audit %}`: the audit log's events (and metadata versions) in words, never codes.

    {% audit_actor event %}                    the user's or station's name, linked
    {% audit_actor version.actor %}            the same from a bare actor label
    {{ event.action|audit_action }}            "changed", "API token issued", ...
    {% audit_changes event as changes %}       [Change(field, before, after)], see `naming`
"""

from __future__ import annotations

import decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from envhub.accounts import naming
from envhub.core.numbers import format_number
from envhub.core.templatetags.names import link_to

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_actor(context, event_or_label):
    if isinstance(event_or_label, str):
        named = naming.actor_named(event_or_label)
    else:
        named = naming.actor_named(event_or_label.actor, getattr(event_or_label, "user", None))
    return link_to(context, named.obj, named.text)


@register.filter
def audit_action(action: str) -> str:
    return naming.action_label(action or "")


@register.simple_tag(takes_context=True)
def audit_changes(context, event, object_type: str = ""):
    """The changes of an event, or of a metadata version of a model `object_type`: each with
    `field`, and `before` and `after` as HTML (related objects by their names, linked)."""
    rows = naming.changes_of(getattr(event, "object_type", "") or object_type, event.changes)
    for row in rows:
        row.before, row.after = _html(context, row.before), _html(context, row.after)
    return rows


def _html(context, value):
    if isinstance(value, list) and value and all(isinstance(v, naming.Named) for v in value):
        return mark_safe(", ".join(link_to(context, v.obj, v.text) for v in value))  # noqa: S308
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        # Exact, as written in the log, with the page's decimal mark.
        return format_number(value, get_language(), decimals=6)
    return conditional_escape(value)
