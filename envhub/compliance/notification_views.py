"""Pages of a person's notifications beside the list (`views.notifications`): marking one read,
and the person's preferences — for each kind, immediately, in a daily or weekly digest or not
at all, and by e-mail or not."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from envhub.accounts.models import DeliveryMode
from envhub.compliance import inbox, preferences

KEPT = ("kind", "state", "from", "to", "cursor")


@login_required
@require_POST
def read_one(request, delivery_id: int):
    """Mark one of the person's notifications read; back to the list as it was filtered."""
    inbox.mark_one_read(request.actor, delivery_id)
    query = {key: request.GET[key] for key in KEPT if request.GET.get(key)}
    return redirect(reverse("notifications") + (f"?{urlencode(query)}" if query else ""))


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    actor = request.actor
    rows = preferences.of(actor)
    if request.method == "POST":
        # A kind the form does not carry (a page loaded before that kind was registered) is
        # left as it is; an unchecked box is absent too, so e-mail follows its row's mode field.
        wanted = {row["kind"]: ((request.POST.get(f"mode-{row['kind']}") or "").strip()[:20],
                                request.POST.get(f"email-{row['kind']}") == "on")
                  for row in rows if f"mode-{row['kind']}" in request.POST}
        changed = preferences.save(actor, wanted)
        messages.success(request, _("Your notification preferences are saved.") if changed
                         else _("Nothing was changed."))
        return redirect("notification-preferences")
    return render(request, "compliance/notification_preferences.html", {
        "rows": rows, "modes": DeliveryMode.choices,
        "api_url": reverse("api:notification_preferences"),
    })
