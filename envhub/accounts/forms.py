from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from envhub.accounts import lockout
from envhub.accounts.services import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from envhub.core.middleware import client_ip


class LoginForm(AuthenticationForm):
    """Sign-in, refused before the password is checked when `accounts.lockout` says so."""

    error_messages = {
        "invalid_login": _("Wrong user name or password. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
        lockout.LOCKED: _("Too many failed sign-ins for this account from your address: try "
                          "again in %(minutes)d minutes."),
        lockout.SLOWED: _("Too many failed sign-ins: wait %(seconds)d seconds before trying "
                          "again."),
    }
    # Seconds to wait, when the attempt was refused (the view's Retry-After).
    retry_after = 0

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            verdict = lockout.check(
                username, client_ip(self.request),
                known_device=lockout.is_known_device(self.request, username))
            if verdict.refused:
                self.retry_after = verdict.retry_after
                raise forms.ValidationError(
                    self.error_messages[verdict.refused], code=verdict.refused,
                    params={"seconds": verdict.retry_after,
                            "minutes": -(-verdict.retry_after // 60)})
        return super().clean()


class TokenForm(forms.Form):
    """Issue a token for oneself, or for a station or facility one looks after."""

    OWNER_CHOICES = [
        ("user", _("Myself (a program acting as me)")),
        ("station", _("A monitoring station (its datalogger)")),
        ("facility", _("A facility (all its stations; also its FTP password)")),
    ]
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. 'Datalogger stack 1'."))
    owner = forms.ChoiceField(label=_("For"), choices=OWNER_CHOICES, initial="user")
    station = forms.ModelChoiceField(label=_("Station"), queryset=None, required=False,
                                     help_text=_("Only for a token of a station."))
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=None, required=False,
                                      help_text=_("Only for a token of a facility."))
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=MAX_TOKEN_DAYS,
                              initial=DEFAULT_TOKEN_DAYS)

    def __init__(self, *args, stations, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["facility"].queryset = facilities

    def clean(self):
        data = super().clean()
        owner = data.get("owner")
        if owner == "station" and not data.get("station"):
            self.add_error("station", _("Choose the station."))
        if owner == "facility" and not data.get("facility"):
            self.add_error("facility", _("Choose the facility."))
        return data
