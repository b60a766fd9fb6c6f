"""Subscribers and published posts for the newsletter's tests."""

from __future__ import annotations

import datetime
import secrets

from django.utils import timezone

from envhub.news import workflow
from envhub.news.models import Subscriber
from envhub.news.newsletter_models import SubscriberState

SITE = "http://testserver"


def subscriber(email: str, language: str = "vi", categories=(), provinces=(),
               state: str = SubscriberState.CONFIRMED, confirmed_ago=datetime.timedelta(days=1)):
    """A subscriber as the confirmation link leaves them."""
    confirmed = state == SubscriberState.CONFIRMED
    return Subscriber.objects.create(
        email=email, language=language, categories=list(categories),
        provinces=list(provinces), state=state, link_key=secrets.token_hex(16),
        confirmed_at=timezone.now() - confirmed_ago if confirmed else None)


def published(world, title: str, body: str, category: str = "air", provinces=(), **extra):
    """A post written by one editor and published by another."""
    post = workflow.create(world.actor("editor"), {
        "title": title, "body": body, "category": category, "provinces": list(provinces),
        "summary": f"Tóm tắt: {title}", **extra})
    workflow.submit(world.actor("editor"), post)
    return workflow.publish(world.actor("editor2"), post)
