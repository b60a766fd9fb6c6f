"""The Django admin, opened to staff roles by the permission policy rather than `is_staff`."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envhub.core.permissions import may_use_admin


class EnvhubAdminSite(admin.AdminSite):
    site_header = _("envhub administration")
    site_title = _("envhub administration")
    index_title = _("Registry and accounts")

    def has_permission(self, request):
        return request.user.is_active and may_use_admin(request.actor)

    def login(self, request, extra_context=None):
        # One sign-in page for the whole site, with its lockout and audit.
        target = request.GET.get("next") or reverse("admin:index")
        # Encoded, so that a `next` with its own query string (`?a=1&b=2`) arrives whole.
        return redirect_to_login(target, reverse("login"))


admin_site = EnvhubAdminSite(name="admin")
