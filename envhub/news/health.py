"""What `envhub check` says of the news: whether the newsletter can be sent."""

from __future__ import annotations

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
