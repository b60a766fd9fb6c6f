"""A country of many automatic stations for the realistic HTTP mix: the demo country (facilities,
stack and outfall stations with their permits, ambient air and surface-water stations) copied
until it has as many stations as asked, a token per station, hours of history loaded by
`envhub demo` (so rollups, compliance and the air quality index have their history), and the
files each station's datalogger sends next, in the order they fall due.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class Sender:
    """A station's datalogger: the station's code, file-name prefix and token."""

    code: str
    prefix: str
    token: str


def build(count: int, history_hours: float, live_steps: int) -> tuple[list[Sender], list]:
    """`count` stations with tokens and `history_hours` of data up to the first live step;
    returns the senders and the live files [(station code, name, content)], due in order:
    `live_steps` reporting periods of every station, the newest ending about now."""
    from django.core.management import call_command

    from envhub.demo import tt10 as demo_files

    now = demo_files.local_mark(_local_now())
    first_live = now - datetime.timedelta(minutes=demo_files.INTERVAL_MINUTES * live_steps)
    call_command("demo", no_data=True, verbosity=0, stdout=_Quiet())
    stations = _stations(count)
    senders = _tokens(stations)
    call_command("demo", days=max(history_hours, 0.25) / 24, until=first_live.isoformat(),
                 verbosity=0, stdout=_Quiet(), stderr=_Quiet())
    infos = [demo_files.StationInfo.of(station) for station in stations]
    by_prefix = {sender.prefix: sender.code for sender in senders}
    live = []
    for file in demo_files.generate_detailed(infos, first_live, now):
        live.append((by_prefix[file.name[:file.name.rindex("_") + 1]], file.name, file.content))
    return senders, live


def _local_now() -> datetime.datetime:
    from django.utils import timezone

    from envhub.core.timeutil import VN

    return timezone.now().astimezone(VN).replace(tzinfo=None)


class _Quiet:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def _automatic_stations():
    from envhub.demo import tt10 as demo_files
    from envhub.registry.models import Station

    return list(Station.objects.filter(active=True, kind__in=demo_files.AUTOMATIC_KINDS)
                .exclude(tt10_prefix="").select_related("source__facility", "facility",
                                                        "province", "operator")
                .order_by("code"))


def _stations(count: int) -> list:
    """The demo's automatic stations, copied round after round until there are `count`."""
    demo = _automatic_stations()
    stations = demo[:count]
    for copy_round in itertools.count(1):
        if len(stations) >= count:
            break
        for template in demo[:count - len(stations)]:
            stations.append(_copy(template, copy_round))
    return stations


def _copy(template, copy_round: int):
    """Another station like `template`: on a new source of the same facility with a copy of its
    permits (stacks, outfalls), or beside it (ambient stations)."""
    from envhub.compliance.models import Permit
    from envhub.registry.models import Station

    source = template.source
    if source is not None:
        limits_of = {permit.pk: list(permit.own_limits.all())
                     for permit in source.permits.all()}
        source.pk = None
        source.code = f"{source.code}R{copy_round}"
        source.save()
        for permit_pk, limits in limits_of.items():
            permit = Permit.objects.get(pk=permit_pk)
            permit.pk, permit.source = None, source
            permit.save()
            for limit in limits:
                limit.pk, limit.permit = None, permit
                limit.save()
    station = Station(
        code=f"{template.code}R{copy_round}", name=f"{template.name} ({copy_round})",
        kind=template.kind, source=source, operator=template.operator,
        province=template.province, latitude=template.latitude,
        longitude=template.longitude,
        expected_interval_minutes=template.expected_interval_minutes)
    station.derive()
    station.save()
    return Station.objects.select_related("source__facility", "facility", "province",
                                          "operator").get(pk=station.pk)


def _tokens(stations) -> list[Sender]:
    from envhub.accounts import services as accounts
    from envhub.core.permissions import system_actor

    actor = system_actor("bench")
    return [Sender(station.code, station.tt10_prefix,
                   accounts.create_token(actor, name="datalogger", station=station).plain)
            for station in stations]
