"""The newsletter against a real SMTP conversation (a small server in a thread, on a port the
system picks): a mailbox that says "later" (451) is tried again after the pause, one that
does not exist (550) fails for good, the others are sent; a mail server that cannot be
reached leaves every e-mail waiting, and a reader who signs up then gets a 503 with the form."""

from __future__ import annotations

import datetime
import socketserver
import threading

import pytest
from django.test import Client
from django.utils import timezone

from envhub.news import newsletter_sending
from envhub.news.models import NewsletterDelivery, Subscriber
from envhub.news.newsletter_models import DeliveryState
from tests.news.newsletter_setup import SITE, published, subscriber

pytestmark = pytest.mark.django_db

ANSWERS = {"later@example.vn": "451 4.7.1 Greylisted, try again later",
           "nobody@example.vn": "550 5.1.1 No such mailbox"}


class Conversation(socketserver.StreamRequestHandler):
    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.say("220 test ESMTP")
        recipient = ""
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").strip()
            verb = line[:4].upper()
            if not line or verb == "QUIT":
                self.say("221 bye")
                return
            if verb in ("EHLO", "HELO"):
                self.say("250 test")
            elif verb == "RCPT":
                recipient = line.split("<", 1)[1].split(">", 1)[0].lower()
                self.say(self.server.answers.get(recipient, "250 OK"))
            elif verb == "DATA":
                self.say("354 go on")
                while self.rfile.readline() not in (b".\r\n", b".\n", b""):
                    pass
                self.server.received.append(recipient)
                self.say("250 queued")
            else:  # MAIL, RSET, NOOP
                self.say("250 OK")


@pytest.fixture
def smtp_server(settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Conversation)
    server.daemon_threads = True
    server.received = []
    server.answers = dict(ANSWERS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.ENVHUB_SITE_URL = SITE
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port(settings):
    """A port nothing listens on: one the system gave and took back."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.ENVHUB_SITE_URL = SITE
    return port


def test_later_is_tried_again_and_unknown_fails_for_good(world, smtp_server):
    for address in ("ok@example.vn", "later@example.vn", "nobody@example.vn"):
        subscriber(address)
    published(world, "Tin mới", "Nội dung.", "air")
    newsletter_sending.open_issues()
    newsletter_sending.plan()
    assert newsletter_sending.send() == 1
    assert smtp_server.received == ["ok@example.vn"]
    states = dict(NewsletterDelivery.objects.values_list("subscriber__email", "status"))
    assert states == {"ok@example.vn": DeliveryState.SENT,
                      "later@example.vn": DeliveryState.PENDING,
                      "nobody@example.vn": DeliveryState.FAILED}
    waiting = NewsletterDelivery.objects.get(subscriber__email="later@example.vn")
    assert waiting.next_attempt_at > timezone.now() and "451" in waiting.error

    assert newsletter_sending.send() == 0  # not before the pause
    del smtp_server.answers["later@example.vn"]  # the mailbox takes mail again
    after_pause = waiting.next_attempt_at + datetime.timedelta(seconds=1)
    assert newsletter_sending.send(now=after_pause) == 1
    assert smtp_server.received == ["ok@example.vn", "later@example.vn"]
    assert newsletter_sending.send(now=after_pause + datetime.timedelta(days=1)) == 0


def test_an_unreachable_mail_server_leaves_every_email_waiting(world, closed_port):
    subscriber("ok@example.vn")
    published(world, "Tin mới", "Nội dung.", "air")
    newsletter_sending.open_issues()
    newsletter_sending.plan()
    assert newsletter_sending.send() == 0
    delivery = NewsletterDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryState.PENDING, 0)


def test_a_signup_while_the_mail_server_is_down_is_answered_503_with_the_form(world,
                                                                             closed_port):
    answer = Client().post("/newsletter/", {"email": "moi@example.vn", "language": "vi",
                                            "categories": ["water"]})
    assert answer.status_code == 503
    html = answer.content.decode()
    assert "Hiện chưa gửi được email xác nhận" in html
    assert 'value="moi@example.vn"' in html
    assert Subscriber.objects.get().state == "pending"  # deleted when its link would expire
