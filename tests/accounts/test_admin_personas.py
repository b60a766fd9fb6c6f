"""The Django admin against every persona: who gets in, what each sees there, and which writes
the permission policy lets through (with real form POSTs, built from the rendered change forms
the way a browser would submit them)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation
from django.utils.html import escape

from envhub.accounts import services as accounts
from envhub.accounts.models import ApiToken, AuditEvent
from envhub.core import permissions
from envhub.core.permissions import system_actor
from envhub.registry.models import Facility, Parameter

pytestmark = pytest.mark.django_db

STAFF = ("admin", "steward", "leader", "officer")
NOT_STAFF = ("operator", "survey")
VISIBLE_FACILITIES = {
    "admin": {"facility_hn", "facility_hn2", "facility_dn"},
    "steward": {"facility_hn", "facility_hn2", "facility_dn"},
    "leader": {"facility_hn", "facility_hn2", "facility_dn"},
    "officer": {"facility_hn", "facility_hn2"},
}


# --- reading admin pages -------------------------------------------------------------------

class FormReader(HTMLParser):
    """What a browser would submit for the form with this id: every named field with its
    current value (checked boxes only, selected options, textarea text), plus the names of the
    submit buttons it offers."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.found = form_id, False, False
        self.fields: list[tuple[str, str]] = []
        self.submits: list[str] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            self.found = self.found or self.inside
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                if name:
                    self.submits.append(name)
            elif kind in ("checkbox", "radio"):
                if name and "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif name and kind != "file":
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "options": [],
                            "chosen": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["chosen"].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["options"]:
                chosen = self._select["options"][:1]
            self.fields.extend((self._select["name"], value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that directly follows <textarea>.
            name, text = self._textarea
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def read_form(response, form_id: str) -> FormReader:
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.found, f"no form #{form_id} on the page"
    return reader


def post_data(reader: FormReader, **changes) -> dict[str, list[str] | str]:
    """The form's fields as POST data, with some values replaced, submitted with "Save"."""
    data: dict[str, list[str]] = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    data.update({name: [str(value)] for name, value in changes.items()})
    data["_save"] = ["Save"]
    return data


def changelist_rows(response, model_path: str) -> dict[int, str]:
    """The objects a changelist shows: {id: text of the link to its change page}."""
    html = response.content.decode()
    start = html.index('id="result_list"')
    table = html[start:html.index("</table>", start)]
    return {int(pk): text.strip() for pk, text in
            re.findall(rf'<a href="/admin/{model_path}/(\d+)/change/[^"]*"[^>]*>([^<]+)</a>',
                       table)}


def admin_links(response) -> set[str]:
    return set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/(?:add/)?)"', response.content.decode()))


def refusal(world, action, obj) -> str:
    """The policy's refusal as the Vietnamese admin page shows it (HTML-escaped)."""
    with translation.override("vi"):
        return escape(permissions.refusal_message(action))


def change_url(obj) -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"


# --- who gets in ---------------------------------------------------------------------------

@pytest.mark.parametrize("persona", STAFF)
def test_it_lets_the_staff_roles_into_the_admin(world, persona):
    response = world.client(persona).get("/admin/")
    assert response.status_code == 200
    assert "/admin/registry/facility/" in admin_links(response)


@pytest.mark.parametrize("persona", NOT_STAFF)
def test_it_keeps_operators_and_survey_units_out_of_the_admin(world, persona):
    client = world.client(persona)
    for path in ("/admin/", "/admin/registry/facility/",
                 f"/admin/registry/facility/{world.facility_hn.id}/change/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    # Followed like a browser would: to the sign-in page (not round in circles), which says
    # whom they are signed in as.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302),
                                       ("/login/?next=/admin/", 302)]
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="password"' in html
    note = re.search(r'<p class="message signed-in-note"[^>]*>(.*?)</p>', html, re.S)
    assert note and persona in note.group(1)
    # And nothing of the registry was shown on the way.
    assert world.facility_hn.name not in html


def test_it_sends_a_visitor_to_the_sign_in_page(world):
    client = world.client("anonymous")
    response = client.get("/admin/registry/facility/", follow=True)
    assert response.redirect_chain[-1] == ("/login/?next=/admin/registry/facility/", 302)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    assert world.facility_hn.name not in response.content.decode()


# --- what each sees ------------------------------------------------------------------------

@pytest.mark.parametrize("persona", STAFF)
def test_it_lists_only_the_facilities_in_scope(world, persona):
    response = world.client(persona).get("/admin/registry/facility/")
    assert response.status_code == 200
    expected = {getattr(world, name).id: getattr(world, name).name
                for name in VISIBLE_FACILITIES[persona]}
    assert changelist_rows(response, "registry/facility") == expected
    if persona == "officer":
        html = response.content.decode()
        assert world.facility_dn.name not in html
        assert world.facility_dn.tax_code not in html


def test_it_lists_only_the_officers_stations(world):
    response = world.client("officer").get("/admin/registry/station/")
    assert set(changelist_rows(response, "registry/station").values()) == {
        "HNKT1", "HNNT1", "HNKT2", "HNKK1"}
    assert "DNKT1" not in response.content.decode()


@pytest.mark.parametrize("persona", STAFF)
def test_it_shows_users_and_the_audit_log_only_to_the_admin(world, persona):
    client = world.client(persona)
    links = admin_links(client.get("/admin/"))
    only_admin = {"/admin/accounts/user/", "/admin/accounts/auditevent/"}
    if persona == "admin":
        assert only_admin <= links
        assert world.users["officer"].id in changelist_rows(
            client.get("/admin/accounts/user/"), "accounts/user")
    else:
        assert not (only_admin & links)
        assert client.get("/admin/accounts/user/").status_code == 403
        assert client.get("/admin/accounts/auditevent/").status_code == 403


def test_it_lets_the_admin_open_a_users_page_with_their_memberships(world):
    client = world.client("admin")
    response = client.get(change_url(world.users["officer"]))
    assert response.status_code == 200
    form = read_form(response, "user_form")
    fields = dict(form.fields)
    assert fields["username"] == "officer"
    assert "_save" in form.submits
    # The membership that scopes them to Hà Nội is there to read and edit.
    assert fields["memberships-0-role"] == "provincial_officer"
    assert fields["memberships-0-organisation"] == str(world.dept_hanoi.id)
    assert client.get("/admin/accounts/user/add/").status_code == 200


# --- writes --------------------------------------------------------------------------------

def test_it_lets_the_officer_edit_a_hanoi_facility(world):
    client = world.client("officer")
    facility = world.facility_hn
    page = client.get(change_url(facility))
    assert page.status_code == 200
    form = read_form(page, "facility_form")
    assert "_save" in form.submits
    data = post_data(form, name="Nhà máy Nhiệt điện Sông Hồng 2", permit_number="15/GPMT-UBND")
    response = client.post(change_url(facility), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/admin/registry/facility/"

    facility.refresh_from_db()
    assert facility.name == "Nhà máy Nhiệt điện Sông Hồng 2"
    assert facility.permit_number == "15/GPMT-UBND"
    assert facility.province == world.hanoi  # untouched fields kept their values
    event = AuditEvent.objects.get(action="update", object_type="registry.facility",
                                   object_id=str(facility.id))
    assert event.actor == "user:officer"
    assert event.user == world.users["officer"]
    assert event.changes["name"] == ["Nhà máy Nhiệt điện Sông Hồng",
                                     "Nhà máy Nhiệt điện Sông Hồng 2"]
    assert set(event.changes) == {"name", "permit_number"}
    # The list now shows the new name.
    rows = changelist_rows(client.get("/admin/registry/facility/"), "registry/facility")
    assert rows[facility.id] == "Nhà máy Nhiệt điện Sông Hồng 2"


def test_it_hides_the_dong_nai_facility_from_the_officer(world):
    client = world.client("officer")
    url = change_url(world.facility_dn)
    response = client.get(url)
    assert response.status_code != 200
    assert response.status_code in (302, 404)
    followed = client.get(url, follow=True)
    html = followed.content.decode()
    assert world.facility_dn.name not in html
    assert world.facility_dn.tax_code not in html
    # A POST built from a Hà Nội form, aimed at the Đồng Nai facility, changes nothing.
    form = read_form(client.get(change_url(world.facility_hn)), "facility_form")
    client.post(url, post_data(form, name="Đã bị sửa"))
    world.facility_dn.refresh_from_db()
    assert world.facility_dn.name == "Nhà máy Xi măng Biên Hòa"
    assert not AuditEvent.objects.filter(action="update", object_type="registry.facility").exists()


def test_it_refuses_to_let_the_officer_move_a_facility_to_dong_nai(world):
    client = world.client("officer")
    facility = world.facility_hn
    form = read_form(client.get(change_url(facility)), "facility_form")
    ward_dn = world.dongnai.wards.order_by("code").first()
    data = post_data(form, province=world.dongnai.id, ward=ward_dn.id,
                     latitude="10.95", longitude="106.82")
    response = client.post(change_url(facility), data)
    assert response.status_code == 200  # the form again, with the reason
    html = response.content.decode()
    assert 'class="errornote"' in html
    assert refusal(world, permissions.CHANGE, facility) in html
    facility.refresh_from_db()
    assert facility.province == world.hanoi
    assert facility.latitude == 21.05
    assert not AuditEvent.objects.filter(action="update", object_id=str(facility.id)).exists()


def test_it_refuses_to_let_the_officer_add_a_facility_in_dong_nai(world):
    client = world.client("officer")
    page = client.get("/admin/registry/facility/add/")
    assert page.status_code == 200
    form = read_form(page, "facility_form")
    ward_dn = world.dongnai.wards.order_by("code").first()
    data = post_data(form, name="Nhà máy Thép Long Thành", abbreviation="TLT",
                     tax_code="3600259560", address="Long Thành", province=world.dongnai.id,
                     ward=ward_dn.id, latitude="10.8", longitude="106.9", sector="steel",
                     operator=world.enterprise_hn.id)
    response = client.post("/admin/registry/facility/add/", data)
    assert response.status_code == 200
    assert refusal(world, permissions.ADD, Facility()) in response.content.decode()
    assert not Facility.objects.filter(tax_code="3600259560").exists()


def test_it_lets_the_leader_look_but_not_change(world):
    client = world.client("leader")
    facility = world.facility_dn
    page = client.get(change_url(facility))
    assert page.status_code == 200
    html = page.content.decode()
    assert facility.name in html
    form = read_form(page, "facility_form")
    assert "_save" not in form.submits and "_continue" not in form.submits
    assert "name" not in dict(form.fields)  # shown as text, not as an input
    assert "/admin/registry/facility/add/" not in admin_links(client.get("/admin/"))

    # A hand-made POST with every field is refused.
    editable = read_form(world.client("admin").get(change_url(facility)), "facility_form")
    response = client.post(change_url(facility), post_data(editable, name="Đã bị sửa"))
    assert response.status_code == 403
    facility.refresh_from_db()
    assert facility.name == "Nhà máy Xi măng Biên Hòa"
    assert client.get("/admin/registry/facility/add/").status_code == 403


def test_it_lets_the_steward_edit_a_parameter(world):
    client = world.client("steward")
    parameter = Parameter.objects.get(medium="air", code="PM2_5")
    page = client.get(change_url(parameter))
    assert page.status_code == 200
    form = read_form(page, "parameter_form")
    response = client.post(change_url(parameter),
                           post_data(form, name_en="Fine particulate matter PM2.5"))
    assert response.status_code == 302, response.content.decode()[:2000]
    parameter.refresh_from_db()
    assert parameter.name_en == "Fine particulate matter PM2.5"
    assert parameter.unit == "µg/m3"
    assert "PM2,5" in set(parameter.aliases.values_list("alias", flat=True))
    event = AuditEvent.objects.get(action="update", object_type="registry.parameter",
                                   object_id=str(parameter.id))
    assert event.actor == "user:steward"
    assert event.changes == {"name_en": ["Particulate matter PM2.5",
                                         "Fine particulate matter PM2.5"]}


@pytest.mark.parametrize("persona", STAFF)
def test_it_lets_nobody_add_change_or_delete_audit_events(world, persona):
    client = world.client(persona)
    event = AuditEvent.objects.filter(action="create", object_type="registry.facility").first()
    before = AuditEvent.objects.filter(pk=event.pk).values().get()
    base = f"/admin/accounts/auditevent/{event.pk}"

    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert client.post("/admin/accounts/auditevent/add/", {
        "actor": "forged", "action": "create"}).status_code == 403
    page = client.get(f"{base}/change/")
    if persona == "admin":
        assert page.status_code == 200  # readable, with no button to save or delete
        form = read_form(page, "auditevent_form")
        assert not {"_save", "_continue", "_addanother"} & set(form.submits)
        assert f"{base}/delete/" not in page.content.decode()
    else:
        assert page.status_code != 200
    assert client.post(f"{base}/change/", {"actor": "forged", "action": "x"}).status_code == 403
    assert client.get(f"{base}/delete/").status_code in (403, 302)
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code in (403, 302)
    count = AuditEvent.objects.count()
    client.post("/admin/accounts/auditevent/", {
        "action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.filter(pk=event.pk).values().get() == before


@pytest.mark.parametrize("persona", STAFF)
def test_it_has_no_add_view_for_api_tokens(world, persona):
    client = world.client(persona)
    assert "/admin/accounts/apitoken/add/" not in admin_links(client.get("/admin/"))
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = client.post("/admin/accounts/apitoken/add/", {"name": "forged", "lookup": "x"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_it_lets_the_officer_see_only_tokens_of_their_province(world):
    hanoi = accounts.create_token(system_actor(), name="logger HN", station=world.air_hn)
    dongnai = accounts.create_token(system_actor(), name="logger DN", station=world.air_dn)
    rows = changelist_rows(world.client("officer").get("/admin/accounts/apitoken/"),
                           "accounts/apitoken")
    assert rows == {hanoi.token.id: "logger HN"}
    assert set(changelist_rows(world.client("admin").get("/admin/accounts/apitoken/"),
                               "accounts/apitoken")) == {hanoi.token.id, dongnai.token.id}



def test_it_shows_the_steward_a_parameters_aliases_to_edit(world):
    parameter = Parameter.objects.get(medium="air", code="PM2_5")
    form = read_form(world.client("steward").get(change_url(parameter)), "parameter_form")
    aliases = {value for name, value in form.fields if name.endswith("-alias")}
    assert "PM2,5" in aliases
