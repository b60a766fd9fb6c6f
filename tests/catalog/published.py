"""The catalogue the CKAN API, DCAT and ckanapi tests read: the world's datasets after a sync,
with an hour of ambient air data in Hà Nội, one dataset internal, one withdrawn, and what each
persona may see (open: everyone; shared: government accounts; internal: staff)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from envhub.catalog import services
from envhub.catalog.models import Dataset, Distribution
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from tests.monitoring.files import tt10_file

PERSONAS = ("admin", "steward", "leader", "officer", "operator", "survey", "anonymous")
CLASSES_SEEN = {
    "admin": {"open", "shared", "internal"}, "steward": {"open", "shared", "internal"},
    "leader": {"open", "shared", "internal"}, "officer": {"open", "shared"},
    "operator": {"open"}, "survey": {"open"}, "anonymous": {"open"},
}
INTERNAL = "su-co-vuot-quy-chuan"
WITHDRAWN = "quan-trac-nt-daily-01-thanh-pho-ha-noi"
AIR_HANOI = "quan-trac-kk-hourly-01-thanh-pho-ha-noi"
SECRET_KEYWORD = "hồ sơ nội bộ"
CHECKSUM = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def publish(world) -> dict[str, set[str]]:
    """Build the catalogue; answer the identifiers (not withdrawn) of each access class."""
    now = timezone.now().astimezone(VN).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    files = [tt10_file(world.air_hn, now - datetime.timedelta(hours=hours),
                       [("PM2,5", 30.0 + hours, "ug/m3")]) for hours in (3, 2, 1)]
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    services.sync()
    internal = Dataset.objects.get(identifier=INTERNAL)
    internal.access_class = "internal"
    internal.keywords = [*internal.keywords, SECRET_KEYWORD]
    internal.save()
    Dataset.objects.filter(identifier=WITHDRAWN).update(withdrawn=True)
    air = Dataset.objects.get(identifier=AIR_HANOI)
    air.version = "1.2"
    air.save()
    Distribution.objects.filter(dataset=air, format="CSV").update(byte_size=123456,
                                                                  checksum=CHECKSUM)
    classes: dict[str, set[str]] = {"open": set(), "shared": set(), "internal": set()}
    for identifier, access in Dataset.objects.filter(withdrawn=False).values_list(
            "identifier", "access_class"):
        classes[access].add(identifier)
    return classes


def seen_by(classes: dict[str, set[str]], persona: str) -> set[str]:
    return set().union(*(classes[access] for access in CLASSES_SEEN[persona]))
