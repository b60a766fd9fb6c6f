"""Two workers planning and delivering the same notifications at the same time: every recipient
gets each one once per channel — in the application, by e-mail and on a signed webhook."""

from __future__ import annotations

import datetime
import http.server
import socketserver
import threading
import time

import orjson
import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from envhub.compliance import alerts
from envhub.compliance.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    EventStatus,
    ExceedanceEvent,
    Notification,
    Webhook,
)
from envhub.registry.models import Parameter

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.headers["X-Envhub-Delivery"],
                                  self.headers["X-Envhub-Signature"], body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def _events(world, count):
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    made = []
    for index in range(count):
        end = now - datetime.timedelta(hours=2 * index)
        made.append(ExceedanceEvent.objects.create(
            source=world.stack_hn, parameter=so2, start=end - datetime.timedelta(hours=1),
            end=end, peak_value=600, peak_multiple=1.2, peak_at=end, band="2", hours=1,
            limit=500, unit="mg/Nm3", status=EventStatus.OPEN))
    return made


def _in_two_workers(function, pending):
    """Run `function(worker_name)` in two threads (each its own connection) until `pending()`
    is empty."""
    errors = []

    def run(name):
        try:
            for _ in range(100):
                if not pending():
                    break
                function(name)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_two_workers_deliver_each_notification_once(world, receiver):
    for name in ("steward", "officer", "operator"):
        world.users[name].email = f"{name}@example.vn"
        world.users[name].save()
    Webhook.objects.create(organisation=world.dept_hanoi, url=receiver, secret="s3cret")
    events = _events(world, 6)
    for event in events:
        alerts.event_opened(event)
    mail.outbox = []

    _in_two_workers(lambda name: alerts.plan(limit=2),
                    Notification.objects.filter(planned_at__isnull=True).exists)
    _in_two_workers(lambda name: alerts.deliver(limit=5, worker=name),
                    Delivery.objects.filter(status=DeliveryStatus.PENDING).exists)

    # The leader's are kept for their daily digest (`test_digests`).
    deliveries = Delivery.objects.exclude(channel=DeliveryChannel.DAILY)
    # 6 notifications × (3 people in the application + 3 e-mails + 1 webhook of Hà Nội's
    # department, whose officer is a recipient).
    assert deliveries.count() == 6 * 7
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(mail.outbox) == 6 * 3
    assert len({(m.to[0], m.body) for m in mail.outbox}) == 6 * 3  # no message twice
    webhook_ids = [int(delivery_id) for delivery_id, _, _ in Receiver.received]
    assert sorted(webhook_ids) == sorted(
        deliveries.filter(channel=DeliveryChannel.WEBHOOK).values_list("id", flat=True))
    for _, signature, body in Receiver.received:
        assert signature == "sha256=" + alerts.sign("s3cret", body)
        assert orjson.loads(body)["kind"] == "exceedance_opened"


class Answers(http.server.BaseHTTPRequestHandler):
    """A webhook receiver answering each POST with the next status of `statuses` (then 204),
    after `delay` seconds."""

    statuses: list = []
    delay = 0.0
    received: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers["Content-Length"]))
        Answers.received.append(self.headers["X-Envhub-Delivery"])
        # The status is taken on arrival: a slow answer still sleeping when its test has ended
        # must not take the next test's status.
        status = Answers.statuses.pop(0) if Answers.statuses else 204
        time.sleep(Answers.delay)
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def answers():
    Answers.statuses, Answers.delay, Answers.received = [], 0.0, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _webhook_delivery(world, url) -> Delivery:
    Webhook.objects.create(organisation=world.dept_hanoi, url=url, secret="x")
    alerts.event_opened(_events(world, 1)[0])
    alerts.plan()
    return Delivery.objects.get(channel=DeliveryChannel.WEBHOOK)


def test_a_webhook_not_reached_is_tried_again_after_each_pause_then_failed(world):
    delivery = _webhook_delivery(world, "http://127.0.0.1:9/nothing")  # connection refused
    now = timezone.now()
    for attempt, pause in enumerate(alerts.RETRY_PAUSES, start=1):
        alerts.deliver(now=now)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, attempt)
        # The pause counts from the failure (at `now`, or later if sending took time).
        due = delivery.next_attempt_at
        assert now + pause <= due <= now + pause + datetime.timedelta(seconds=30)
        assert delivery.error
        assert alerts.deliver(now=due - datetime.timedelta(seconds=1)) == 0  # not due yet
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        now = due
    alerts.deliver(now=now)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 5)
    assert alerts.deliver(now=now + datetime.timedelta(days=1)) == 0  # never again


def test_a_webhook_answering_503_gets_it_on_the_next_attempt_with_the_same_id(world, answers):
    Answers.statuses = [503]
    delivery = _webhook_delivery(world, answers)
    now = timezone.now()
    alerts.deliver(now=now)  # the in-application ones go; the webhook answers 503
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == (DeliveryStatus.PENDING, "HTTP 503")
    assert delivery.next_attempt_at >= now + alerts.RETRY_PAUSES[0]
    assert alerts.deliver(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert Answers.received == [str(delivery.pk)] * 2  # the receiver can tell the repeat


@pytest.mark.parametrize("status", [400, 410, 500, 504])
def test_a_webhook_refusing_or_perhaps_acting_on_it_is_not_tried_again(world, answers, status):
    Answers.statuses = [status]
    delivery = _webhook_delivery(world, answers)
    alerts.deliver()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.error == f"HTTP {status}"
    assert alerts.deliver(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_a_webhook_that_times_out_may_have_it_and_is_not_tried_again(world, answers,
                                                                     monkeypatch):
    monkeypatch.setattr(alerts, "WEBHOOK_TIMEOUT", 0.3)
    Answers.delay = 1.0
    delivery = _webhook_delivery(world, answers)
    alerts.deliver()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert alerts.deliver(now=timezone.now() + datetime.timedelta(days=1)) == 0
    assert len(Answers.received) == 1


class Greylisting(socketserver.StreamRequestHandler):
    """An SMTP server that answers every recipient "450: try again later"."""

    def handle(self):
        self.wfile.write(b"220 mx.example.vn ESMTP\r\n")
        for line in self.rfile:
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 mx.example.vn\r\n")
            elif command.startswith("RCPT"):
                self.wfile.write(b"450 4.7.1 Greylisted, try again later\r\n")
            elif command.startswith("QUIT"):
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # MAIL, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


def test_an_email_greylisted_by_the_server_is_tried_again(world, settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Greylisting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
        settings.EMAIL_TIMEOUT, settings.EMAIL_USE_TLS = 5, False
        world.users["steward"].email = "steward@example.vn"
        world.users["steward"].save()
        alerts.event_opened(_events(world, 1)[0])
        alerts.plan()
        alerts.deliver()
    finally:
        server.shutdown()
        server.server_close()
    email = Delivery.objects.get(channel=DeliveryChannel.EMAIL, user=world.users["steward"])
    assert (email.status, email.attempts) == (DeliveryStatus.PENDING, 1)
    assert email.error.startswith("SMTP 450")


def test_an_email_whose_server_is_not_reached_is_tried_again(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 5
    world.users["steward"].email = "steward@example.vn"
    world.users["steward"].save()
    alerts.event_opened(_events(world, 1)[0])
    alerts.plan()
    alerts.deliver()
    email = Delivery.objects.get(channel=DeliveryChannel.EMAIL, user=world.users["steward"])
    assert (email.status, email.attempts) == (DeliveryStatus.PENDING, 1)
    assert email.next_attempt_at is not None


def test_old_events_from_a_backfill_are_not_announced(world):
    event = _events(world, 1)[0]
    event.end = timezone.now() - datetime.timedelta(days=10)
    assert alerts.event_opened(event) is None
