"""Keyset paging: every row exactly once, in order, whatever the page size; cursors are opaque
and tamper-proof."""

import pytest

from envhub.core.errors import InvalidInput
from envhub.core.pagination import decode_cursor, encode_cursor, keyset_page
from envhub.core.raw_rows import raw_rows
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


def test_it_refuses_a_cursor_from_another_list(client, reference):
    wards = client.get("/api/v1/wards", {"province": "01", "limit": 2}).json()
    response = client.get("/api/v1/provinces", {"cursor": wards["next"]})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"
    assert "cursor" in response.json()["error"]["details"]
    # The same model in another order is another list too.
    page = keyset_page(Ward.objects.all(), order=("code",), cursor=None, limit=2)
    with pytest.raises(InvalidInput):
        keyset_page(Ward.objects.all(), order=("division_type", "code"), cursor=page.next,
                    limit=2)


@pytest.mark.parametrize("values", [["not a number"], [None], [[1, 2]]])
def test_it_refuses_a_cursor_whose_values_the_columns_cannot_take(reference, values):
    from envhub.core.pagination import cursor_scope

    qs = Ward.objects.all()
    cursor = encode_cursor(values, cursor_scope(qs, ("id",)))
    with pytest.raises(InvalidInput):
        keyset_page(qs, order=("id",), cursor=cursor, limit=5)


def test_ninja_pagination_gives_the_pages_of_keyset_page(reference):
    from envhub.core.pagination import KeysetPagination, PageQuery

    paginator = KeysetPagination(order=("division_type", "code"))
    qs = Ward.objects.filter(province__code="01")
    expected = keyset_page(qs, order=("division_type", "code"), cursor=None, limit=9)
    first = paginator.paginate_queryset(qs, PageQuery(limit=9), request=None)
    assert first["results"] == expected.results
    second = paginator.paginate_queryset(qs, PageQuery(cursor=first["next"], limit=9),
                                         request=None)
    after = keyset_page(qs, order=("division_type", "code"), cursor=expected.next, limit=9)
    assert second["results"] == after.results


def test_rows_read_raw_page_as_the_orm_rows(reference):
    qs = Ward.objects.filter(province__code="01").values_list("code", "name")
    orm = keyset_page(qs, order=("code",), cursor=None, limit=9,
                      key=lambda row, _field: row[0])
    raw = keyset_page(qs, order=("code",), cursor=None, limit=9, fetch=raw_rows,
                      key=lambda row, _field: row[0])
    assert (raw.results, raw.next) == (orm.results, orm.next)
    after = keyset_page(qs, order=("code",), cursor=raw.next, limit=9, fetch=raw_rows,
                        key=lambda row, _field: row[0])
    assert after.results == list(qs.order_by("code")[9:18])
    assert raw_rows(qs.none()) == []
