"""ENVHUB_DASHBOARD_CITIES: the main cities' province codes, read strictly."""

import pytest
from vietnam_provinces import Province as OfficialProvince

from envhub.core import config


def test_it_defaults_to_the_centrally_run_cities_of_the_registry(tmp_path):
    loaded = config.load({}, tmp_path)
    official = sorted(f"{province.code:02d}" for province in OfficialProvince.iter_all()
                      if "TRUNG_UONG" in str(province.division_type))
    assert sorted(loaded.dashboard_cities) == official == ["01", "31", "46", "48", "79", "92"]
    assert not loaded.problems


def test_it_reads_a_list_in_its_order(tmp_path):
    loaded = config.load({"ENVHUB_DASHBOARD_CITIES": "79, 01"}, tmp_path)
    assert loaded.dashboard_cities == ["79", "01"] and not loaded.problems


@pytest.mark.parametrize("value", ["1", "01,,79", "HN", "01,01", "٠١"])
def test_it_names_a_bad_list(tmp_path, value):
    loaded = config.load({"ENVHUB_DASHBOARD_CITIES": value}, tmp_path)
    assert any("ENVHUB_DASHBOARD_CITIES" in problem for problem in loaded.problems)
