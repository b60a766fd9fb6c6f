"""Demo accounts: one user per role, with passwords random per installation.

The passwords are written once to `var/demo-accounts.txt` (mode 0600) so that `make run` can show
them; only their Argon2 hashes are in the database. If the file is lost, the passwords of the
demo users are reset and the file written again.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from envhub.accounts import services as accounts
from envhub.accounts.models import Role, User
from envhub.core.permissions import Actor
from envhub.demo import country
from envhub.registry.models import Facility, Organisation, OrganisationKind, Province

ACCOUNTS_FILE_NAME = "demo-accounts.txt"
HEADER = "role\tusername\tpassword\tscope"
OFFICER_PROVINCE = "01"  # Hà Nội: the provincial officer and the facility operator both work there


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    scope: str


@dataclass(frozen=True)
class _Spec:
    role: str
    username: str
    full_name: str


SPECS = (
    _Spec(Role.ADMIN, "demo-admin", "Trần Quốc Anh"),
    _Spec(Role.STEWARD, "demo-steward", "Lê Thị Thu Hà"),
    _Spec(Role.LEADER, "demo-leader", "Phạm Minh Đức"),
    _Spec(Role.PROVINCIAL_OFFICER, "demo-province", "Nguyễn Thị Hồng Nhung"),
    _Spec(Role.FACILITY_OPERATOR, "demo-operator", "Vũ Đình Khoa"),
    _Spec(Role.SURVEY_UNIT, "demo-survey", "Đặng Thu Trang"),
    _Spec(Role.LIBRARIAN, "demo-librarian", "Hoàng Thị Minh Thư"),
    _Spec(Role.EDITOR, "demo-editor", "Bùi Thanh Tâm"),
)


@dataclass
class _Placement:
    """Where a role's membership goes: organisation, scope and a description of it."""

    organisation: Organisation
    scope: str
    provinces: tuple = ()
    facilities: tuple = ()


def accounts_file() -> Path:
    return Path(settings.VAR_DIR) / ACCOUNTS_FILE_NAME


def new_password() -> str:
    return secrets.token_urlsafe(12)


def ensure_accounts(actor: Actor) -> list[DemoAccount]:
    """Create the demo accounts (or repair them) and return them with their passwords.

    - none exist: create users and memberships, write the file;
    - they exist and the file lists them: return the file's content, change nothing;
    - they exist but the file is missing (or lacks some): reset those passwords, rewrite the file.
    """
    path = accounts_file()
    known = {account.username: account for account in read_accounts_file(path)}
    placements = _placements()
    result: list[DemoAccount] = []
    changed = False
    with transaction.atomic():
        for spec in SPECS:
            placement = placements[spec.role]
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                password = new_password()
                user = accounts.create_user(actor, username=spec.username, password=password,
                                            full_name=spec.full_name)
                accounts.add_membership(actor, user, placement.organisation, spec.role,
                                        provinces=placement.provinces,
                                        facilities=placement.facilities)
                changed = True
            elif spec.username in known and known[spec.username].role == spec.role:
                password = known[spec.username].password
            else:
                # The account is there but its password was never written down (or was lost).
                password = new_password()
                accounts.set_password(actor, user, password)
                changed = True
            result.append(DemoAccount(spec.role, spec.username, password, placement.scope))
    if changed or not path.exists():
        write_accounts_file(path, result)
    return result


def _placements() -> dict[str, _Placement]:
    """The organisation and scope of each demo role, found in the demo country."""
    def organisation(**lookup) -> Organisation:
        found = Organisation.objects.filter(**lookup).order_by("name", "id").first()
        if found is None:
            raise country.DemoError(
                "The demo country is missing (no organisation matching "
                f"{lookup}); build it first with `envhub demo`."
            )
        return found

    data_centre = organisation(name=country.DATA_CENTRE, kind=OrganisationKind.MINISTRY_UNIT)
    environment_department = organisation(name=country.ENVIRONMENT_DEPARTMENT,
                                           kind=OrganisationKind.MINISTRY_UNIT)
    province = Province.objects.get(code=OFFICER_PROVINCE)
    department = organisation(kind=OrganisationKind.PROVINCIAL_DEPARTMENT, province=province)
    survey_unit = organisation(kind=OrganisationKind.SURVEY_UNIT)
    operated, only_here = _operator_facilities(province)
    enterprise = operated[0].operator
    facility_names = ", ".join(facility.name for facility in operated)
    return {
        Role.ADMIN: _Placement(data_centre, f"Toàn hệ thống, quản trị ({data_centre.name})"),
        Role.STEWARD: _Placement(
            data_centre, f"Toàn bộ dữ liệu, quản lý dữ liệu ({data_centre.name})"
        ),
        Role.LEADER: _Placement(
            environment_department, f"Xem toàn bộ ({environment_department.name})"
        ),
        Role.PROVINCIAL_OFFICER: _Placement(
            department, f"{province.name} ({department.name})", provinces=(province,)
        ),
        Role.FACILITY_OPERATOR: _Placement(
            enterprise, f"{facility_names} ({enterprise.name})",
            # An empty list means all the enterprise's facilities; narrow it only if needed.
            facilities=() if only_here else tuple(operated),
        ),
        Role.SURVEY_UNIT: _Placement(survey_unit, f"Phiếu điều tra của {survey_unit.name}"),
        Role.LIBRARIAN: _Placement(
            data_centre, f"Thư viện điện tử, mọi tài liệu ({data_centre.name})"
        ),
        Role.EDITOR: _Placement(
            data_centre, f"Tin tức: viết và duyệt bài của người khác ({data_centre.name})"
        ),
    }


def _operator_facilities(province: Province) -> tuple[list[Facility], bool]:
    """The facilities in `province` of one enterprise, and whether it has none elsewhere.

    An enterprise that works only there is preferred, so that the operator sees a subset of what
    the province's officer sees; then one with both stacks and outfalls, to show both kinds."""
    in_province = list(
        Facility.objects.filter(province=province).select_related("operator")
        .annotate(source_kinds=Count("sources__kind", distinct=True),
                  source_count=Count("sources", distinct=True))
        .order_by("name", "id")
    )
    if not in_province:
        raise country.DemoError(f"The demo country has no facility in {province.name}.")
    elsewhere = set(
        Facility.objects.exclude(province=province).values_list("operator_id", flat=True)
    )
    local = [facility for facility in in_province if facility.operator_id not in elsewhere]
    candidates = sorted(local or in_province,
                        key=lambda facility: (-facility.source_kinds, -facility.source_count))
    enterprise_id = candidates[0].operator_id  # sorted() is stable: ties stay in name order
    operated = [facility for facility in in_province if facility.operator_id == enterprise_id]
    return operated, bool(local)


def write_accounts_file(path: Path, accounts_list: list[DemoAccount]) -> None:
    """Write the accounts, readable by the owner only, replacing any older file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER] + [
        "\t".join((account.role, account.username, account.password, account.scope))
        for account in accounts_list
    ]
    # mkstemp creates the file with mode 0600, so the passwords are never readable by others.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".demo-accounts-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_accounts_file(path: Path) -> list[DemoAccount]:
    """The accounts listed in the file; empty when it is missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, PermissionError, UnicodeDecodeError):
        return []
    result = []
    for line in text.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) == 4 and all(fields[:3]):
            result.append(DemoAccount(*fields))
    return result
