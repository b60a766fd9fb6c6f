"""Settings are read from the environment strictly: good values parse, bad ones are named."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from envhub.core import config


def load(tmp_path: Path, **env):
    return config.load(env, tmp_path)


def test_it_defaults_to_a_safe_sqlite_installation(tmp_path):
    loaded = load(tmp_path)
    assert loaded.problems == []
    assert loaded.debug is False
    assert loaded.allowed_hosts == ["127.0.0.1", "localhost"]
    assert loaded.database["ENGINE"] == "envhub.core.sqlite_backend"
    assert loaded.database["NAME"] == str(tmp_path / "var" / "envhub.sqlite3")
    init = loaded.database["OPTIONS"]["init_command"]
    assert "journal_mode=WAL" in init and "busy_timeout" in init
    assert loaded.database["OPTIONS"]["timeout"] >= 5


def test_it_generates_the_secret_key_once_and_keeps_it_private(tmp_path):
    first = load(tmp_path)
    second = load(tmp_path)
    assert len(first.secret_key) >= 50
    assert first.secret_key == second.secret_key
    key_file = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("word, expected", [
    ("1", True), ("true", True), ("TRUE", True), ("yes", True), ("on", True),
    ("0", False), ("false", False), ("No", False), ("off", False), ("", False),
])
def test_it_reads_booleans(tmp_path, word, expected):
    loaded = load(tmp_path, DEBUG=word)
    assert loaded.problems == []
    assert loaded.debug is expected


@pytest.mark.parametrize("word", ["maybe", "2", "tru", "yes please"])
def test_it_names_a_bad_boolean(tmp_path, word):
    loaded = load(tmp_path, DEBUG=word)
    assert loaded.debug is False
    assert len(loaded.problems) == 1 and loaded.problems[0].startswith("DEBUG=")


@pytest.mark.parametrize("url, engine, name", [
    ("postgres://postgres@127.0.0.1:5432/envhub", "django.db.backends.postgresql", "envhub"),
    ("postgresql://u:p%40ss@db.example:6543/env?sslmode=require", "django.db.backends.postgresql",
     "env"),
    ("sqlite:///var/other.sqlite3", "envhub.core.sqlite_backend", None),
    ("sqlite:////srv/envhub/db.sqlite3", "envhub.core.sqlite_backend", "/srv/envhub/db.sqlite3"),
])
def test_it_parses_database_urls(tmp_path, url, engine, name):
    loaded = load(tmp_path, DATABASE_URL=url)
    assert loaded.problems == []
    assert loaded.database["ENGINE"] == engine
    if name:
        assert loaded.database["NAME"] == name


def test_it_keeps_postgres_credentials_and_options(tmp_path):
    db = load(tmp_path, DATABASE_URL="postgresql://u:p%40ss@db.example:6543/env?sslmode=require"
              ).database
    assert (db["USER"], db["PASSWORD"]) == ("u", "p@ss")
    assert (db["HOST"], db["PORT"]) == ("db.example", "6543")
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url, fragment", [
    ("mysql://root@localhost/envhub", "unsupported database 'mysql'"),
    ("envhub.sqlite3", "not a URL"),
    ("postgres://localhost", "needs a database name"),
    ("postgres://localhost:99999/x", "bad port"),
    ("sqlite://", "needs a file path"),
    ("sqlite:///:memory:", "in-memory"),
])
def test_it_names_a_bad_database_url(tmp_path, url, fragment):
    loaded = load(tmp_path, DATABASE_URL=url)
    assert len(loaded.problems) == 1
    assert loaded.problems[0].startswith("DATABASE_URL:")
    assert fragment in loaded.problems[0]


def test_it_reports_every_problem_at_once(tmp_path):
    loaded = load(tmp_path, DEBUG="perhaps", DATABASE_URL="oracle://x/y", SECRET_KEY="short",
                  ENVHUB_BIND="localhost", ENVHUB_WEB_WORKERS="many",
                  CSRF_TRUSTED_ORIGINS="envhub.gov.vn")
    names = sorted(problem.split("=")[0].split(":")[0] for problem in loaded.problems)
    assert names == ["CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "DEBUG", "ENVHUB_BIND",
                     "ENVHUB_WEB_WORKERS", "SECRET_KEY"]


def test_it_reads_lists_of_hosts(tmp_path):
    loaded = load(tmp_path, ALLOWED_HOSTS="envhub.gov.vn, www.envhub.gov.vn")
    assert loaded.allowed_hosts == ["envhub.gov.vn", "www.envhub.gov.vn"]
    assert load(tmp_path, ALLOWED_HOSTS="a,,b").problems


def test_it_refuses_a_weak_secret_key(tmp_path):
    assert load(tmp_path, SECRET_KEY="django-insecure-" + "x" * 60).problems
    assert not load(tmp_path, SECRET_KEY="k" * 64).problems


def test_it_warns_about_debug_and_plain_http(tmp_path):
    assert any("DEBUG" in w for w in load(tmp_path, DEBUG="1").warnings)
    assert any("ENVHUB_HTTPS" in w for w in load(tmp_path).warnings)
    assert not any("ENVHUB_HTTPS" in w for w in load(tmp_path, ENVHUB_HTTPS="on").warnings)


def test_it_needs_placeholders_in_the_tile_url(tmp_path):
    assert load(tmp_path, ENVHUB_MAP_TILE_URL="https://tiles.example/map.png").problems
    assert not load(tmp_path, ENVHUB_MAP_TILE_URL="https://t.example/{z}/{x}/{y}.png").problems


def test_it_explains_a_sqlite_url_with_a_host_part(tmp_path):
    loaded = load(tmp_path, DATABASE_URL="sqlite://var/x.sqlite3")
    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    assert problem.startswith("DATABASE_URL:") and "no host part" in problem
    assert "sqlite:///relative" in problem and "sqlite:////absolute" in problem


@pytest.mark.parametrize("query", ["sslmode=disable", "sslmode=verify-full", "conn_max_age=0",
                                   "sslmode=require&conn_max_age=600"])
def test_it_accepts_the_postgres_url_options_it_knows(tmp_path, query):
    loaded = load(tmp_path, DATABASE_URL=f"postgres://u@db.example/envhub?{query}")
    assert loaded.problems == []


@pytest.mark.parametrize("query, fragment", [
    ("sslmode=requir", "sslmode='requir'"),
    ("sslmode=", "sslmode=''"),
    ("ssl_mode=require", "unknown option(s) ssl_mode"),
    ("connect_timeout=5", "unknown option(s) connect_timeout"),
    ("conn_max_age=soon", "conn_max_age must be"),
])
def test_it_refuses_postgres_url_options_it_does_not_know(tmp_path, query, fragment):
    loaded = load(tmp_path, DATABASE_URL=f"postgres://u@db.example/envhub?{query}")
    assert len(loaded.problems) == 1
    assert fragment in loaded.problems[0]


@pytest.mark.parametrize("url", ["https://t.example/{z}/{x}.png", "https://t.example/{x}/{y}.png",
                                 "https://t.example/{z}/{y}.png"])
def test_it_needs_all_three_placeholders_in_the_tile_url(tmp_path, url):
    assert load(tmp_path, ENVHUB_MAP_TILE_URL=url).problems


def test_it_warns_about_any_host_on_a_real_server(tmp_path):
    assert any("ALLOWED_HOSTS=*" in w for w in load(tmp_path, ALLOWED_HOSTS="*").warnings)
    assert not any("ALLOWED_HOSTS" in w for w in load(tmp_path, ALLOWED_HOSTS="*",
                                                      DEBUG="1").warnings)
    assert not any("ALLOWED_HOSTS" in w for w in load(tmp_path).warnings)


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", "127.0.0.1:80", "localhost:8000",
                                  "envhub.gov.vn:8000", "[::1]:8000", "[::]:8000"])
def test_it_accepts_a_bind_host_that_is_a_host(tmp_path, bind):
    assert load(tmp_path, ENVHUB_BIND=bind).problems == []


@pytest.mark.parametrize("bind", ["999.1.1.1:8000", "local host:8000", "-bad-:8000",
                                  "::1:8000", "[localhost]:8000", "http://x:8000", "a_b:8000"])
def test_it_refuses_a_bind_host_that_is_not_one(tmp_path, bind):
    problems = load(tmp_path, ENVHUB_BIND=bind).problems
    assert len(problems) == 1 and problems[0].startswith("ENVHUB_BIND=")


def test_it_warns_about_unknown_envhub_variables(tmp_path):
    loaded = load(tmp_path, ENVHUB_HTTP="on", ENVHUB_BIND="127.0.0.1:8000", OTHER_THING="x")
    assert loaded.problems == []
    unknown = [w for w in loaded.warnings if "not an envhub setting" in w]
    assert unknown == ["ENVHUB_HTTP is set but is not an envhub setting (a typo?)."]


@pytest.mark.parametrize("url, expected", [
    ("smtp://alerts:p%40ss@mail.gov.vn:587", {"EMAIL_HOST": "mail.gov.vn", "EMAIL_PORT": 587,
                                              "EMAIL_HOST_USER": "alerts",
                                              "EMAIL_HOST_PASSWORD": "p@ss",
                                              "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}),
    ("smtps://mail.gov.vn", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False}),
    ("smtp://relay.local:25", {"EMAIL_PORT": 25, "EMAIL_USE_TLS": False}),
])
def test_it_reads_the_mail_server(tmp_path, url, expected):
    loaded = load(tmp_path, ENVHUB_SMTP_URL=url, ENVHUB_EMAIL_FROM="envhub <canhbao@mae.gov.vn>")
    assert loaded.problems == []
    assert loaded.email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert loaded.email["DEFAULT_FROM_EMAIL"] == "envhub <canhbao@mae.gov.vn>"
    for key, value in expected.items():
        assert loaded.email[key] == value


def test_without_a_mail_server_alerts_are_kept_as_files(tmp_path):
    loaded = load(tmp_path)
    assert loaded.email["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    assert loaded.email["EMAIL_FILE_PATH"] == str(tmp_path / "var" / "mail")
    assert any("ENVHUB_SMTP_URL" in warning for warning in loaded.warnings)


@pytest.mark.parametrize("env, fragment", [
    ({"ENVHUB_SMTP_URL": "http://mail.gov.vn"}, "ENVHUB_SMTP_URL"),
    ({"ENVHUB_SMTP_URL": "smtp://mail.gov.vn:port"}, "ENVHUB_SMTP_URL"),
    ({"ENVHUB_EMAIL_FROM": "nobody"}, "ENVHUB_EMAIL_FROM"),
])
def test_it_names_a_bad_mail_setting(tmp_path, env, fragment):
    assert any(fragment in problem for problem in load(tmp_path, **env).problems)


@pytest.mark.parametrize(("value", "expected"), [
    ("https://envhub.example.gov.vn", "https://envhub.example.gov.vn"),
    ("https://envhub.example.gov.vn/", "https://envhub.example.gov.vn"),
    ("HTTPS://EnvHub.Example.gov.vn", "https://envhub.example.gov.vn"),
    ("http://localhost:8110", "http://localhost:8110"),
    ("http://10.0.0.5", "http://10.0.0.5"),
    ("http://[::1]:8000/", "http://[::1]:8000"),
])
def test_it_reads_the_site_s_address(tmp_path, value, expected):
    loaded = load(tmp_path, ENVHUB_SITE_URL=value,
                  ALLOWED_HOSTS="envhub.example.gov.vn,localhost,10.0.0.5,::1")
    assert loaded.problems == []
    assert loaded.site_url == expected


@pytest.mark.parametrize(("value", "fragment"), [
    ("envhub.example.gov.vn", "absolute http:// or https://"),
    ("ftp://envhub.example.gov.vn", "absolute http:// or https://"),
    ("https:/envhub.example.gov.vn", "absolute http:// or https://"),
    ("https://envhub.example.gov.vn/envhub", "nothing after the host"),
    ("https://envhub.example.gov.vn/?next=/", "nothing after the host"),
    ("https://envhub.example.gov.vn#top", "nothing after the host"),
    ("https://envhub.example.gov.vn?", "nothing after the host"),
    ("https://admin:secret@envhub.example.gov.vn", "no user name or password"),
    ("https://envhub.example.gov.vn:99999", "port"),
    ("https://envhub.example.gov.vn:0", "port"),
    ("https://envhub.example.gov.vn:http", "port"),
    ("https://envhub example.gov.vn", "spaces"),
    ("https://envhub.example.gov.vn\x00", "control"),
    ("https://-bad-.example.gov.vn", "not a host name"),
    ("https://", "not a host name"),
    ("https://" + "a" * 200 + ".vn", "longer than 200"),
])
def test_a_bad_site_address_is_named_and_links_stay_paths(tmp_path, value, fragment):
    loaded = load(tmp_path, ENVHUB_SITE_URL=value)
    [problem] = [text for text in loaded.problems if text.startswith("ENVHUB_SITE_URL")]
    assert fragment in problem
    assert loaded.site_url == ""


def test_without_a_site_address_it_warns_that_e_mails_carry_paths(tmp_path):
    loaded = load(tmp_path)
    assert loaded.problems == [] and loaded.site_url == ""
    assert any(text.startswith("ENVHUB_SITE_URL is not set") for text in loaded.warnings)


def test_it_warns_when_the_site_s_host_is_not_served(tmp_path):
    loaded = load(tmp_path, ENVHUB_SITE_URL="https://envhub.example.gov.vn",
                  ALLOWED_HOSTS="localhost")
    assert loaded.problems == []
    assert any("not in ALLOWED_HOSTS" in text for text in loaded.warnings)
    served = load(tmp_path, ENVHUB_SITE_URL="https://envhub.example.gov.vn",
                  ALLOWED_HOSTS=".example.gov.vn")
    assert not any("ENVHUB_SITE_URL" in text for text in served.warnings)
