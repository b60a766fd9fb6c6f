"""Two workers planning and delivering the same notifications at the same time: every recipient
gets each one once per channel — in the application, by e-mail and on a signed webhook."""

from __future__ import annotations

import datetime
import http.server
import threading

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

    deliveries = Delivery.objects.all()
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


def test_a_failing_webhook_is_recorded_and_not_retried(world):
    Webhook.objects.create(organisation=world.dept_hanoi, url="http://127.0.0.1:9/nothing",
                           secret="x")
    alerts.event_opened(_events(world, 1)[0])
    alerts.plan()
    alerts.deliver()
    failed = Delivery.objects.get(channel=DeliveryChannel.WEBHOOK)
    assert failed.status == DeliveryStatus.FAILED
    assert failed.error
    assert alerts.deliver() == 0  # nothing pending: it is not sent twice


def test_old_events_from_a_backfill_are_not_announced(world):
    event = _events(world, 1)[0]
    event.end = timezone.now() - datetime.timedelta(days=10)
    assert alerts.event_opened(event) is None
