"""The newsletter's pages: the public sign-up form and the pages its signed links open
(confirm, unsubscribe, preferences), and the staff's counts and list of subscribers. Thin:
`newsletter` decides and records."""

from __future__ import annotations

import csv
import logging
import smtplib

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from envhub.core.errors import EnvhubError, Forbidden, InvalidInput, NotAuthenticated
from envhub.core.middleware import client_ip
from envhub.core.spreadsheets import csv_row
from envhub.news import newsletter
from envhub.news.models import Category
from envhub.news.newsletter_models import SubscriberState
from envhub.news.policy import exports_subscribers, keeps_subscribers, sees_newsletter_counts
from envhub.registry.models import Province

logger = logging.getLogger("envhub.newsletter")

LANGUAGE_CHOICES = [("vi", gettext_lazy("Vietnamese")), ("en", gettext_lazy("English"))]


class ChoicesForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of the e-mails"),
                                 choices=LANGUAGE_CHOICES, initial="vi",
                                 widget=forms.RadioSelect)
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Topics"), choices=Category.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None chosen: every topic."))
    provinces = forms.MultipleChoiceField(
        label=gettext_lazy("Provinces"), choices=(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None chosen: the whole country. News about no particular "
                               "province always comes."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provinces"].choices = list(
            Province.objects.order_by("name").values_list("code", "name"))

    def choices(self) -> newsletter.Choices:
        data = self.cleaned_data
        return newsletter.checked_choices(data["language"], data["categories"],
                                          data["provinces"])


class SubscribeForm(ChoicesForm):
    email = forms.CharField(label=gettext_lazy("E-mail address"), max_length=newsletter.MAX_ADDRESS,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    field_order = ["email", "language", "categories", "provinces"]

    def clean_email(self):
        try:
            return newsletter.normal_address(self.cleaned_data["email"])
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from None


def _add_errors(form: forms.Form, error: EnvhubError) -> None:
    details = error.details if isinstance(error.details, dict) else {}
    for name, problems in details.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, str(problem))
    if not details:
        form.add_error(None, str(error.message))


def subscribe(request):
    if not newsletter.site_url():
        return render(request, "news/newsletter/closed.html", status=503)
    form = SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                newsletter.subscribe(form.cleaned_data["email"], form.choices(),
                                     client_ip(request))
            except newsletter.TooManyRequests as error:
                form.add_error(None, str(error.message))
                response = render(request, "news/newsletter/subscribe.html", {"form": form},
                                  status=429)
                response["Retry-After"] = str(error.retry_after)
                return response
            except InvalidInput as error:
                _add_errors(form, error)
            except (smtplib.SMTPException, OSError) as error:
                logger.warning("newsletter confirmation not sent: %s", error)
                form.add_error(None, _("The confirmation e-mail could not be sent just now. "
                                       "Please try again in a few minutes."))
                status = 503
            else:
                # The same answer whether the address was new, waiting or subscribed.
                return redirect("newsletter-sent")
    return render(request, "news/newsletter/subscribe.html", {"form": form}, status=status)


def sent(request):
    return render(request, "news/newsletter/sent.html", {
        "hours": int(newsletter.CONFIRM_MAX_AGE.total_seconds() // 3600)})


def _link_error(request, error: EnvhubError):
    return render(request, "news/newsletter/link_error.html", {"message": error.message},
                  status=error.status)


def _labels(choices: newsletter.Choices) -> dict:
    provinces = dict(Province.objects.filter(code__in=choices.provinces)
                     .values_list("code", "name"))
    return {"language": dict(LANGUAGE_CHOICES).get(choices.language, choices.language),
            "categories": [Category(code).label for code in choices.categories],
            "provinces": [provinces.get(code, code) for code in choices.provinces]}


def confirm(request, token: str):
    """GET shows what is confirmed and a button; only the POST confirms (mail scanners that
    open links confirm nothing)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        if request.method == "POST":
            subscriber = newsletter.confirm(token, client_ip(request))
            return render(request, "news/newsletter/confirmed.html", {
                "chosen": _labels(newsletter.Choices(subscriber.language,
                                                     tuple(subscriber.categories),
                                                     tuple(subscriber.provinces))),
                "preferences": newsletter.manage_token(subscriber)})
        subscriber = newsletter.pending_confirmation(token)
    except (newsletter.LinkExpired, newsletter.LinkInvalid) as error:
        return _link_error(request, error)
    return render(request, "news/newsletter/confirm.html", {
        "chosen": _labels(newsletter.Choices.of(subscriber.requested))})


@csrf_exempt  # RFC 8058: a mail client POSTs with no cookie; the signed token is the proof
def unsubscribe(request, token: str):
    """GET asks (a scanner opening the link unsubscribes no one); POST — the button, or a mail
    client's one-click `List-Unsubscribe=One-Click` — unsubscribes, without signing in."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        subscriber = newsletter.subscriber_of(token)
    except newsletter.LinkInvalid as error:
        return _link_error(request, error)
    if request.method == "POST":
        newsletter.unsubscribe(subscriber, client_ip(request))
        return render(request, "news/newsletter/unsubscribed.html")
    if subscriber.state == SubscriberState.UNSUBSCRIBED:
        return render(request, "news/newsletter/unsubscribed.html")
    return render(request, "news/newsletter/unsubscribe.html", {"token": token})


def preferences(request, token: str):
    try:
        subscriber = newsletter.subscriber_of(token)
    except newsletter.LinkInvalid as error:
        return _link_error(request, error)
    if subscriber.state != SubscriberState.CONFIRMED:
        return render(request, "news/newsletter/unsubscribed.html")
    initial = {"language": subscriber.language, "categories": subscriber.categories,
               "provinces": subscriber.provinces}
    form = ChoicesForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                newsletter.change(subscriber, form.choices(), client_ip(request))
            except InvalidInput as error:
                _add_errors(form, error)
            except newsletter.LinkInvalid as error:
                return _link_error(request, error)
            else:
                messages.success(request, _("Your choices were saved."))
                return redirect("newsletter-preferences", token)
    return render(request, "news/newsletter/preferences.html", {
        "form": form, "token": token}, status=status)


# --- the staff's pages -------------------------------------------------------------------------

def _allowed(request, rule) -> None:
    if not request.actor.is_authenticated:
        raise NotAuthenticated()
    if not rule(request.actor):
        raise Forbidden()


def desk(request):
    """Counts that name no one: editors, stewards and admins."""
    _allowed(request, sees_newsletter_counts)
    figures = newsletter.counts()
    provinces = dict(Province.objects.values_list("code", "name"))
    categories = dict(Category.choices)
    everything = _("All")
    return render(request, "news/newsletter/desk.html", {
        "states": [(label, figures["states"].get(state, 0))
                   for state, label in SubscriberState.choices],
        "languages": [(label, figures["languages"].get(code, 0))
                      for code, label in LANGUAGE_CHOICES],
        "categories": sorted(((everything if code == "*" else categories.get(code, code), n)
                              for code, n in figures["categories"].items()),
                             key=lambda row: -row[1]),
        "provinces": sorted(((everything if code == "*" else provinces.get(code, code), n)
                             for code, n in figures["provinces"].items()),
                            key=lambda row: -row[1]),
        "issues": newsletter.issue_counts(),
        "keeps": keeps_subscribers(request.actor),
        "exports": exports_subscribers(request.actor),
    })


def subscribers(request):
    """The addresses, for stewards and admins: a search and a page at a time (by address)."""
    _allowed(request, keeps_subscribers)
    query = (request.GET.get("q") or "")[:newsletter.MAX_SEARCH]
    after = (request.GET.get("after") or "")[:newsletter.MAX_ADDRESS]
    rows = newsletter.listed(request.actor, query)
    if after:
        rows = rows.filter(email__gt=after)
    page = list(rows[:newsletter.LIST_SIZE + 1])
    return render(request, "news/newsletter/subscribers.html", {
        "rows": page[:newsletter.LIST_SIZE], "q": query,
        "next": page[newsletter.LIST_SIZE - 1].email if len(page) > newsletter.LIST_SIZE
        else "", "exports": exports_subscribers(request.actor)})


def erase(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _allowed(request, keeps_subscribers)
    newsletter.erase(request.actor, pk)
    messages.success(request, _("The address was erased."))
    return redirect("newsletter-subscribers")


def export(request):
    _allowed(request, keeps_subscribers)
    rows = newsletter.export(request.actor)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="newsletter-subscribers.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(["email", "state", "language", "categories", "provinces", "created_at",
                     "confirmed_at"])
    for row in rows.iterator():
        writer.writerow(csv_row([row.email, row.state, row.language, " ".join(row.categories),
                                 " ".join(row.provinces), row.created_at.isoformat(),
                                 row.confirmed_at.isoformat() if row.confirmed_at else ""]))
    return response
