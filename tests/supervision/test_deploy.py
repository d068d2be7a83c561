"""The production path: compose file, Dockerfile and the production settings (no Docker engine here)."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "supervision.settings.production",
    "SECRET_KEY": "x7#k2!pQz9@Lm4$Vb8^Nc1&Rt6*Yh3(Ju5)Wf0-Gd2+Se7=Ta9_Xo3~Ki8|Pl1",
    "DATABASE_URL": "postgres://supervision:pw@db:5432/supervision",
    "REDIS_URL": "redis://redis:6379/0",
    "ALLOWED_HOSTS": "jiwei.example.gov.cn",
}


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_the_production_services():
    services = compose()["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")
    assert services["web"]["command"][0] == "gunicorn"
    assert "supervision.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "supervision", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "supervision", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in services["beat"]["command"]


def test_exactly_one_beat():
    services = compose()["services"]
    beats = [name for name, s in services.items() if "beat" in s.get("command", [])]
    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1


def test_every_long_running_service_has_a_health_check_and_data_has_volumes():
    data = compose()
    for name in ("db", "redis", "web", "worker", "beat"):
        assert data["services"][name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(data["services"]["web"]["healthcheck"]["test"])
    assert {"pgdata", "redisdata", "media"} <= set(data["volumes"])
    assert any("pgdata:" in v for v in data["services"]["db"]["volumes"])
    assert any("media:" in v for v in data["services"]["web"]["volumes"])


def test_compose_secrets_have_no_defaults():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "ALLOWED_HOSTS"):
        assert f"${{{name}:?" in text, f"{name} must be required, not defaulted"
    app_env = compose()["services"]["web"]["environment"]
    assert app_env["DJANGO_SETTINGS_MODULE"] == "supervision.settings.production"


def test_dockerfile_installs_fonts_and_runs_gunicorn():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "fonts-noto-cjk" in text and "libharfbuzz-subset0" in text
    assert "gunicorn" in text and "USER supervision" in text


def _manage(args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")} | PROD_ENV
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secrets():
    for missing in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"):
        env = {k: v for k, v in os.environ.items() if k not in PROD_ENV} | {
            k: v for k, v in PROD_ENV.items() if k != missing}
        result = _manage(["check"], env)
        assert result.returncode != 0, missing
        assert f"Environment variable {missing} is required" in result.stderr, missing
