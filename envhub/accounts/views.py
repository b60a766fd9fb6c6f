"""Sign-in, sign-out and the API token page."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from envhub.accounts import lockout, services
from envhub.accounts.forms import LoginForm, TokenForm
from envhub.core import permissions
from envhub.core.errors import EnvhubError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        # A signed-in user sent here by a page their account may not open (the admin, for a
        # facility operator) would bounce between that page and this one for ever: show the form,
        # with a note, so that they can sign in with another account.
        if request.user.is_authenticated and self.get_redirect_url():
            self.redirect_authenticated_user = False
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        lockout.remember_device(self.request, response, form.get_user().get_username())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after:
            # Too many failures: the form again, with the wait, as "Too Many Requests".
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


class LogoutView(auth_views.LogoutView):
    pass


@never_cache  # the page shows a new token's secret: no copy in any cache
@login_required
def tokens(request):
    actor = request.actor
    stations, facilities = services.token_targets(actor)
    form = TokenForm(request.POST or None, stations=stations, facilities=facilities)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = data["owner"]
        try:
            issued = services.create_token(
                actor,
                name=data["name"],
                user=request.user if owner == "user" else None,
                station=data["station"] if owner == "station" else None,
                facility=data["facility"] if owner == "facility" else None,
                days=data["days"],
            )
        except EnvhubError as error:
            form.add_error(None, str(error.message))
        else:
            form = TokenForm(stations=form.fields["station"].queryset,
                             facilities=form.fields["facility"].queryset)
    return render(request, "accounts/tokens.html", {
        "form": form,
        "issued": issued,
        "tokens": services.tokens(actor).order_by("-created_at")[:200],
    })


@require_POST
@login_required
def revoke_token(request, token_id: int):
    token = get_object_or_404(services.tokens(request.actor), pk=token_id)
    if not permissions.can(request.actor, permissions.CHANGE, token):
        messages.error(request, _("You may not revoke this token."))
    else:
        services.revoke_token(request.actor, token)
        messages.success(request, _("The token was revoked; programs using it are refused now."))
    return redirect("tokens")
