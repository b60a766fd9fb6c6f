"""The air map's own base layer (issue 15, item 5): the static GeoJSON is what
scripts/build_air_basemap.py makes from core.geo's outline, small, with Hoàng Sa and Trường Sa;
province names go where the province's stations and facilities are."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from envhub.airquality import services

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_air_basemap.py"


def load_script():
    spec = importlib.util.spec_from_file_location("build_air_basemap", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_static_basemap_is_built_from_the_outline_geo_uses():
    script = load_script()
    built = script.build(json.loads(script.SOURCE.read_text(encoding="utf-8")))
    shipped = json.loads(script.TARGET.read_text(encoding="utf-8"))
    assert built == shipped  # rerun the script after changing either
    assert script.TARGET.stat().st_size < 30_000
    kinds = [feature["properties"]["kind"] for feature in shipped["features"]]
    assert kinds.count("land") == 1 and kinds.count("island") == 4
    archipelagos = {f["properties"]["name"]: f["geometry"]["coordinates"][0]
                    for f in shipped["features"] if f["properties"]["kind"] == "archipelago"}
    assert set(archipelagos) == {"Quần đảo Hoàng Sa (Việt Nam)", "Quần đảo Trường Sa (Việt Nam)"}
    # Trường Sa's frame stops short of Palawan and Borneo.
    assert max(lon for lon, _lat in archipelagos["Quần đảo Trường Sa (Việt Nam)"]) <= 116.2


@pytest.mark.django_db
def test_province_names_go_where_their_stations_and_facilities_are(world):
    centres = {row["code"]: row for row in services.province_centres()}
    assert set(centres) == {world.hanoi.code, world.dongnai.code}  # the others: nothing there
    hanoi = centres[world.hanoi.code]
    assert hanoi["label"] == world.hanoi.short_name
    # Hà Nội: the median of station HNKK1 (21.02, 105.83) and the facilities there.
    assert 21.02 <= hanoi["latitude"] <= 21.05 and 105.83 <= hanoi["longitude"] <= 105.89
    dongnai = centres[world.dongnai.code]
    assert 10.9 <= dongnai["latitude"] <= 11.0 and 106.8 <= dongnai["longitude"] <= 106.9


@pytest.mark.django_db
def test_province_centres_are_worked_out_again_only_when_the_registry_changes(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from envhub.registry.models import Facility, Station

    first = services.province_centres()
    with CaptureQueriesContext(connection) as unchanged:
        assert services.province_centres() == first
    assert len(unchanged) == 1  # the registry's mark, not its every station and facility
    # A station moved: its province's name moves with it.
    hanoi = next(row for row in first if row["code"] == world.hanoi.code)
    points = [(s.pk, s.latitude) for s in Station.objects.filter(province=world.hanoi)] + [
        (f.pk, f.latitude) for f in Facility.objects.filter(province=world.hanoi)]
    assert hanoi["points"] == len(points) >= 2
    for station in Station.objects.filter(province=world.hanoi, latitude__isnull=False):
        station.latitude = 22.5
        station.save()
    moved = {row["code"]: row for row in services.province_centres()}
    assert moved[world.hanoi.code]["latitude"] > hanoi["latitude"]
    # A station in a province with nothing before: its name appears; deleted, it goes.
    from envhub.registry.models import Province, StationKind

    bac_ninh = Province.objects.get(code="24")
    added = Station.objects.create(code="BNKK1", name="Trạm Bắc Ninh", kind=StationKind.AUTO_AIR,
                                   province=bac_ninh, latitude=21.18, longitude=106.07)
    assert "24" in {row["code"] for row in services.province_centres()}
    added.delete()
    assert "24" not in {row["code"] for row in services.province_centres()}
    # What a caller does to its answer is not kept for the next.
    services.province_centres()[0]["label"] = "changed"
    assert services.province_centres()[0]["label"] != "changed"
