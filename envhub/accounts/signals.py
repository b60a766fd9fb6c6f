"""Every sign-in, sign-out and failed sign-in goes to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from envhub.core import audit
from envhub.core.middleware import client_ip
from envhub.core.permissions import Actor


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    actor = Actor(kind="user", label=f"user:{user.username}", user=user)
    audit.record(actor, "login", user, object_repr=user.username.lower(), ip_address=_ip(request))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    actor = Actor(kind="user", label=f"user:{user.username}", user=user)
    audit.record(actor, "logout", user, object_repr=user.username.lower(), ip_address=_ip(request))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    actor = Actor(kind="anonymous", label=f"anonymous (tried {username!r})")
    audit.record(actor, "login_failed", object_type="accounts.user",
                 object_repr=username.strip().lower(), ip_address=_ip(request))
