"""A document's metadata as people send it — an upload form, an API request, a row of an
import manifest — checked field by field into an unsaved `Document`.

Every road reads text the same way: dates as dd/mm/yyyy or yyyy-mm-dd (a year alone for
`date`), lists separated by ";" (or given as lists), codes for the collection, dossier,
provinces and type. All the problems of a record are reported at once, by field, in the
reader's language; nothing is saved here."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from envhub.core.errors import InvalidInput
from envhub.library.models import AccessLevel, Collection, Document, DocumentType, Dossier
from envhub.registry.models import Organisation, Province

# Field → the longest text it takes (the model's own lengths).
TEXT_FIELDS = {"title": 500, "creator": 300, "publisher": 300, "contributor": 300,
               "source": 300, "language": 20, "relation": 300, "coverage": 300, "rights": 300,
               "number": 50, "symbol": 100, "issuing_body": 300, "signer": 200,
               "physical_location": 300}
MAX_DESCRIPTION = 20_000
MAX_SUBJECTS = 50
MAX_SUBJECT_LENGTH = 100
MAX_LIST = 100
PERMANENT = {"permanent", "vĩnh viễn", "vinh vien"}
FIELDS = {"collection", "dossier", "identifier", "description", "subjects", "date", "type",
          "provinces", "issued_on", "retention", "access_level", "allowed_organisations",
          "page_count", *TEXT_FIELDS}
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"\d{4}")
_IDENTIFIER = re.compile(r"[0-9A-Za-z][0-9A-Za-z._:/-]{0,99}")


@dataclass
class Checked:
    """A document ready to save, with the rows its many-to-many fields will hold."""

    document: Document
    provinces: list[Province] = field(default_factory=list)
    allowed_organisations: list[Organisation] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(part) for part in value)
    return str(value).strip()


def _list(value) -> list[str]:
    parts = value if isinstance(value, (list, tuple)) else _text(value).split(";")
    return [str(part).strip() for part in parts if str(part).strip()]


def parse_date(text: str) -> datetime.date:
    """dd/mm/yyyy (also with - or .) or yyyy-mm-dd; ValueError otherwise."""
    if match := _ISO.fullmatch(text):
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_FIRST.fullmatch(text):
        return datetime.date(int(match[3]), int(match[2]), int(match[1]))
    raise ValueError(text)


class _Problems(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def check(data: Mapping, document: Document | None = None) -> Checked:
    """`data` (field → text or list) onto `document` (a new one when None); InvalidInput with
    every field's problems otherwise. Fields absent from `data` keep the document's values."""
    problems = _Problems()
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        problems.add("fields", _("Unknown fields: %(names)s.") % {"names": ", ".join(
            name[:50] for name in unknown[:10])})
    document = document or Document(language="vi")
    checked = Checked(document)
    new = document.pk is None

    for name, limit in TEXT_FIELDS.items():
        if name in data:
            value = _text(data[name])
            if len(value) > limit:
                problems.add(name, _("At most %(limit)s characters.") % {"limit": limit})
            setattr(document, name, value[:limit])
    if new and not document.title:
        problems.add("title", _("A document needs a title."))
    if "description" in data:
        document.description = _text(data["description"])[:MAX_DESCRIPTION]
    if "subjects" in data:
        subjects = _list(data["subjects"])
        if len(subjects) > MAX_SUBJECTS or any(len(s) > MAX_SUBJECT_LENGTH for s in subjects):
            problems.add("subjects", _("At most %(count)s keywords of %(length)s characters "
                                       "each.") % {"count": MAX_SUBJECTS,
                                                   "length": MAX_SUBJECT_LENGTH})
        document.subjects = subjects[:MAX_SUBJECTS]
    _identifier(data, document, new, problems)
    _places(data, document, new, problems)
    _dates(data, document, problems)
    _choices(data, document, problems)
    if "provinces" in data:
        checked.provinces = _provinces(_list(data["provinces"]), problems)
    if "allowed_organisations" in data:
        checked.allowed_organisations = _organisations(_list(data["allowed_organisations"]),
                                                       problems)
    if (document.access_level == AccessLevel.RESTRICTED and "allowed_organisations" in data
            and not checked.allowed_organisations and "allowed_organisations" not in problems):
        problems.add("allowed_organisations", _("A restricted document names the "
                                                "organisations that may read it."))
    if problems:
        raise InvalidInput(_("Some metadata are not valid: %(fields)s.")
                           % {"fields": ", ".join(sorted(problems))}, dict(problems))
    return checked


def _identifier(data, document, new, problems) -> None:
    if "identifier" in data and _text(data["identifier"]):
        identifier = _text(data["identifier"])
        if not _IDENTIFIER.fullmatch(identifier):
            problems.add("identifier", _("An identifier is 1 to 100 letters, digits and . _ : "
                                         "/ - (no spaces), starting with a letter or digit."))
        elif Document.objects.filter(identifier=identifier).exclude(pk=document.pk).exists():
            problems.add("identifier", _("Another document already has the identifier "
                                         "“%(identifier)s”.") % {"identifier": identifier})
        document.identifier = identifier
    elif new:
        document.identifier = f"TV-{uuid.uuid4().hex[:12].upper()}"


def _places(data, document, new, problems) -> None:
    if "collection" in data:
        code = _text(data["collection"])
        collection = Collection.objects.filter(code=code).first() if code else None
        if collection is None:
            problems.add("collection", _("No collection has the code “%(code)s”.")
                         % {"code": code[:60]} if code else _("Choose a collection."))
        else:
            document.collection = collection
    elif new and document.collection_id is None:
        problems.add("collection", _("Choose a collection."))
    if "dossier" in data:
        code = _text(data["dossier"])
        document.dossier = None
        if code and document.collection_id:
            document.dossier = Dossier.objects.filter(collection_id=document.collection_id,
                                                      code=code).first()
            if document.dossier is None:
                problems.add("dossier", _("The collection has no dossier with the code "
                                          "“%(code)s”.") % {"code": code[:60]})


def _dates(data, document, problems) -> None:
    for name in ("date", "issued_on"):
        if name not in data:
            continue
        text = _text(data[name])
        setattr(document, name, None)
        if not text:
            continue
        if name == "date" and _YEAR.fullmatch(text):
            document.year = int(text)
            continue
        try:
            setattr(document, name, parse_date(text))
        except ValueError:
            problems.add(name, _("Write the date as dd/mm/yyyy (“%(value)s” is not one).")
                         % {"value": text[:30]})
    if "retention" in data:
        text = _text(data["retention"]).casefold()
        document.retention_permanent = text in PERMANENT
        document.retention_years = None
        if text and not document.retention_permanent:
            if text.isdigit() and 1 <= int(text) <= 200:
                document.retention_years = int(text)
            else:
                problems.add("retention", _("The retention period is a number of years "
                                            "(1–200) or “vĩnh viễn”."))
    if "page_count" in data:
        text = _text(data["page_count"])
        document.page_count = None
        if text:
            if text.isdigit() and int(text) <= 1_000_000:
                document.page_count = int(text)
            else:
                problems.add("page_count", _("The number of pages is a whole number."))


def _choices(data, document, problems) -> None:
    if "type" in data:
        code = _text(data["type"]) or DocumentType.OTHER
        if code not in DocumentType.values:
            problems.add("type", _("The type is one of: %(codes)s.")
                         % {"codes": ", ".join(DocumentType.values)})
        else:
            document.type = code
    if "access_level" in data:
        code = _text(data["access_level"]) or AccessLevel.INTERNAL
        if code not in AccessLevel.values:
            problems.add("access_level", _("The access level is one of: %(codes)s.")
                         % {"codes": ", ".join(AccessLevel.values)})
        else:
            document.access_level = code


def _provinces(codes: list[str], problems) -> list[Province]:
    if len(codes) > MAX_LIST:
        problems.add("provinces", _("Too many provinces."))
        return []
    found = {province.code: province for province in Province.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        problems.add("provinces", _("No province has the code %(codes)s.")
                     % {"codes": ", ".join(code[:10] for code in missing[:5])})
    return [found[code] for code in codes if code in found]


def _organisations(ids: list[str], problems) -> list[Organisation]:
    if len(ids) > MAX_LIST or not all(value.isdigit() for value in ids):
        problems.add("allowed_organisations", _("Name the organisations by their numbers in "
                                                "the registry."))
        return []
    found = {str(org.pk): org for org in Organisation.objects.filter(pk__in=[int(v) for v in ids])}
    missing = [value for value in ids if value not in found]
    if missing:
        problems.add("allowed_organisations", _("No organisation has the number %(ids)s.")
                     % {"ids": ", ".join(missing[:5])})
    return [found[value] for value in ids if value in found]
