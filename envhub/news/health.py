"""What `envhub check` says of the news (`core/health.py`): whether the newsletter can be
sent, and whether the bulletins' press kit can draw its PNG pictures here (poppler's pdftoppm
after WeasyPrint; the reports' own check covers WeasyPrint and the fonts). Without it the kit
still offers SVG and XLSX."""

from __future__ import annotations

import shutil

from envhub.core.health import Report, database_check


@database_check
def newsletter(report: Report) -> None:
    from django.conf import settings

    from envhub.news.newsletter_models import (
        DeliveryState,
        NewsletterDelivery,
        Subscriber,
        SubscriberState,
    )

    confirmed = Subscriber.objects.filter(state=SubscriberState.CONFIRMED).count()
    waiting = NewsletterDelivery.objects.filter(status=DeliveryState.PENDING).count()
    if not settings.ENVHUB_SITE_URL:
        line = ("newsletter: ENVHUB_SITE_URL is not set, so no newsletter is sent and nobody "
                f"can sign up ({confirmed} confirmed subscriber(s), {waiting} e-mail(s) "
                "waiting); set it to the site's address, e.g. https://envhub.example.gov.vn.")
        (report.error if confirmed or waiting else report.warn)(line)
        return
    report.ok(f"newsletter: {confirmed} confirmed subscriber(s), {waiting} e-mail(s) waiting")


@database_check
def press_kit_pictures(report: Report) -> None:
    from envhub.news import presskit

    if shutil.which(presskit.PDFTOPPM) is None:
        report.warn("bulletins: pdftoppm not found, so the press kit's charts cannot be had as "
                    "PNG (SVG still can); install poppler-utils (`scripts/system-deps.sh base`).")
    else:
        report.ok("bulletins: pdftoppm is there for the press kit's PNG charts")
