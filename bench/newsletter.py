"""The newsletter's sending: one post to a list of subscribers, the worker's way (an issue,
delivery rows written in batches, each claimed, sent and recorded) against the baseline of
making the same e-mails and handing them to the mail backend in a plain loop, with no record.
The ratio is what sending each subscriber at most once costs.

    python -m bench.newsletter [--subscribers 5000] [--vendor postgresql]

The post: a Markdown press release of about 3 KB with a table, in Vietnamese and English; the
subscribers: a third English, a third choosing the post's topic, a third another province
(they are not sent). The mail backend is Django's in-memory one, so the figures are envhub's
work, not a mail server's. Rounds are the worker's (200 e-mails each); the baseline is timed
in rounds of the same size.
"""

from __future__ import annotations

import argparse
import datetime
import os
import secrets
import time

from bench import common

SITE = "https://envhub.example.gov.vn"
BODY = """# Chất lượng không khí tuần qua

Trong tuần, chỉ số **VN_AQI** tại Hà Nội có {days} ngày ở mức *kém*. Bụi mịn PM2,5 là chất
ô nhiễm chính. Xem [bộ dữ liệu](/datasets/aqi-ha-noi/) và [bản đồ](/air/).

| Trạm | Trung bình | Cao nhất | Ngày kém |
| --- | ---: | ---: | ---: |
""" + "\n".join(f"| Trạm {n} | {80 + n},5 | {140 + n} | {n % 4} |" for n in range(30)) + """

> Khuyến nghị: người nhạy cảm hạn chế ra ngoài vào buổi sáng sớm.
"""


def generate(subscribers: int):
    from django.utils import timezone

    from envhub.accounts.models import User
    from envhub.news.models import Post, Subscriber
    from envhub.registry.models import Province

    author = User.objects.create(username="bench-editor")
    post = Post.objects.create(
        slug="chat-luong-khong-khi", title="Chất lượng không khí tuần qua", body=BODY,
        title_en="Air quality last week", body_en=BODY, category="air", state="published",
        published_at=timezone.now(), author=author, last_edited_by=author)
    post.provinces.set([Province.objects.get(code="01")])
    confirmed = timezone.now() - datetime.timedelta(days=1)
    Subscriber.objects.bulk_create([
        Subscriber(email=f"ban.doc{n:06d}@example.vn", language="en" if n % 3 == 0 else "vi",
                   categories=["air"] if n % 3 == 1 else [],
                   provinces=["75"] if n % 3 == 2 else [], state="confirmed",
                   confirmed_at=confirmed, link_key=secrets.token_hex(16))
        for n in range(subscribers)], batch_size=2000)
    return post


def warm_up(post) -> None:
    """Load the URL resolver, the templates and the translations before any timing."""
    from envhub.news.models import Subscriber
    from envhub.news.newsletter_sending import compose

    for language in ("vi", "en"):
        compose(post, Subscriber.objects.first(), language).message()


def baseline(post, size: int) -> tuple[float, list[float], int]:
    """The same e-mails made and handed over in a loop (the post's parts made once per
language, as the worker does): nothing recorded."""
    from django.core import mail
    from django.core.mail import get_connection

    from envhub.news.models import Subscriber
    from envhub.news.newsletter_sending import compose, has_english, matches, post_parts

    mail.outbox = []
    provinces = set(post.provinces.values_list("code", flat=True))
    started = time.perf_counter()
    rounds, sent = [], 0
    connection = get_connection()
    parts = {language: post_parts(post, language) for language in ("vi", "en")}
    chosen = [s for s in Subscriber.objects.filter(state="confirmed").order_by("id")
              if matches(post.category, provinces, s.categories, s.provinces)]
    for first in range(0, len(chosen), size):
        round_started = time.perf_counter()
        for subscriber in chosen[first:first + size]:
            language = "en" if subscriber.language == "en" and has_english(post) else "vi"
            compose(post, subscriber, language, connection, parts[language]).send()
            sent += 1
        rounds.append(time.perf_counter() - round_started)
    return time.perf_counter() - started, rounds, sent


def envhub(size: int) -> tuple[float, list[float], int]:
    from django.core import mail

    from envhub.news import newsletter_sending

    mail.outbox = []
    started = time.perf_counter()
    rounds, sent = [], 0
    newsletter_sending.open_issues()
    while newsletter_sending.plan():
        pass
    while True:
        round_started = time.perf_counter()
        count = newsletter_sending.send(limit=size)
        if not count:
            break
        rounds.append(time.perf_counter() - round_started)
        sent += count
    return time.perf_counter() - started, rounds, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--vendor", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    os.environ["ENVHUB_SITE_URL"] = SITE
    common.prepare_environment(options.vendor)
    common.setup_django()
    from django.conf import settings

    from envhub.news.newsletter_sending import SEND_BATCH

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post = generate(options.subscribers)
    warm_up(post)
    plain_seconds, plain_rounds, plain_sent = baseline(post, SEND_BATCH)
    seconds, rounds, sent = envhub(SEND_BATCH)
    per_round = f"rounds of {SEND_BATCH}: "
    common.report(f"Newsletter: one post to {options.subscribers:,} subscribers, "
                  f"{options.vendor}", [
        ("baseline (make and hand over, no record)",
         f"{plain_seconds:6.2f} s for {plain_sent:,} e-mails; {per_round}"
         f"{common.Latency.of(plain_rounds)}"),
        ("envhub (issue, deliveries, claim, send, record)",
         f"{seconds:6.2f} s for {sent:,} e-mails; {per_round}{common.Latency.of(rounds)}"),
        ("ratio", f"×{seconds / plain_seconds:.2f}; "
                  f"{sent / seconds:,.0f} e-mails/s"),
        ("machine", f"{common.machine()}; {common.load_average()}"),
    ])


if __name__ == "__main__":
    main()
