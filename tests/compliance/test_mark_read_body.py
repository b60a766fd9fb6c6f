"""`POST /notifications/read` marks everything read only when asked with an object: `{}` or
`{"ids": null}`. Any other body (`null`, a list, a number, nothing) is a 400 and marks
nothing."""

from __future__ import annotations

import pytest

from envhub.compliance import alerts
from envhub.compliance.models import Delivery
from tests.compliance.test_access import setup  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/read"


@pytest.mark.parametrize("body", ["null", "[]", "1", '"all"', "true", ""])
def test_a_body_that_is_not_an_object_marks_nothing(world, setup, body):  # noqa: F811
    alerts.event_opened(setup["hn"])
    alerts.plan()
    response = world.client("steward").post(URL, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid_input", "bad_request")
    assert not Delivery.objects.filter(read_at__isnull=False).exists()


@pytest.mark.parametrize("body", ["{}", '{"ids": null}'])
def test_an_object_without_ids_marks_everything(world, setup, body):  # noqa: F811
    alerts.event_opened(setup["hn"])
    alerts.plan()
    response = world.client("steward").post(URL, data=body, content_type="application/json")
    assert response.json() == {"marked": 1}
