"""Keyset paging: every row exactly once, in order, whatever the page size; cursors are opaque
and tamper-proof."""

import pytest

from envhub.core.errors import InvalidInput
from envhub.core.pagination import decode_cursor, encode_cursor, keyset_page
from envhub.registry.models import Ward

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("limit", [1, 7, 50, 500])
def test_it_walks_every_ward_of_a_province_once(client, reference, limit):
    expected = list(Ward.objects.filter(province__code="46").order_by("code")
                    .values_list("code", flat=True))
    seen, cursor = [], None
    while True:
        params = {"province": "46", "limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/v1/wards", params).json()
        assert len(body["results"]) <= limit
        seen.extend(w["code"] for w in body["results"])
        cursor = body["next"]
        if not cursor:
            break
    assert seen == expected


def test_it_pages_on_several_columns(reference):
    qs = Ward.objects.filter(province__code="01")
    expected = list(qs.order_by("division_type", "code").values_list("code", flat=True))
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, order=("division_type", "code"), cursor=cursor, limit=9)
        seen.extend(ward.code for ward in page.results)
        cursor = page.next
        if cursor is None:
            break
    assert seen == expected


def test_it_refuses_a_forged_cursor():
    cursor = encode_cursor(["01"])
    assert decode_cursor(cursor, 1) == ["01"]
    forged = cursor.replace(cursor[0], "X" if cursor[0] != "X" else "Y", 1)
    with pytest.raises(InvalidInput):
        decode_cursor(forged, 1)
    with pytest.raises(InvalidInput):
        decode_cursor(cursor, 2)
