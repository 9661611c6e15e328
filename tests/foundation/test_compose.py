"""docker-compose.yml runs the production shape, and its nginx files are ones nginx accepts.

docker-compose validates the file (`config -q`, no engine needed); Debian's nginx checks the main
configuration and the rendered site template (`nginx -t`) with its paths moved to a temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import yaml

from tests.services import ROOT, need_binary, render_nginx_site

NGINX_CONF = ROOT / "deploy" / "nginx" / "nginx.conf"


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_docker_compose_accepts_the_compose_file(tmp_path):
    binary = need_binary("docker-compose")
    # A copy beside the example environment: the real .env holds secrets and is not in the repository.
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    result = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_compose_runs_the_production_shape_with_health_checks_on_every_service():
    services = compose()["services"]
    assert set(services) == {"proxy", "web", "worker", "beat", "postgres", "redis"}
    proxy = services["proxy"]
    assert re.fullmatch(r"nginx:[\d.]+-bookworm", proxy["image"])  # the official image, Debian based
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in proxy["volumes"]}
    assert mounts["/etc/nginx/nginx.conf"] == "./deploy/nginx/nginx.conf"
    assert mounts["/etc/nginx/templates/default.conf.template"] == "./deploy/nginx/default.conf.template"
    # gunicorn from the image's working folder (the project root): it reads gunicorn.conf.py.
    assert "exec gunicorn hackplatform.wsgi" in services["web"]["command"][-1]
    assert "-w" not in services["web"]["command"][-1].split() and "--workers" not in services["web"]["command"][-1]
    assert services["worker"]["command"][:4] == ["celery", "-A", "hackplatform", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "hackplatform", "beat"]
    checks = {name: " ".join(service["healthcheck"]["test"]) for name, service in services.items()}
    assert "/healthz/" in checks["web"] and "/healthz/" in checks["proxy"]
    assert "manage.py healthcheck" in checks["worker"] and "manage.py healthcheck" in checks["beat"]
    assert "pg_isready" in checks["postgres"] and "redis-cli ping" in checks["redis"]
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"


def test_nginx_has_room_for_a_deadline_rush_of_uploads():
    text = NGINX_CONF.read_text(encoding="utf-8")
    connections = int(re.search(r"worker_connections\s+(\d+);", text).group(1))
    files = int(re.search(r"worker_rlimit_nofile\s+(\d+);", text).group(1))
    assert connections >= 4096  # the image's default is 1024: a few hundred slow uploads would fill it
    assert files >= 2 * connections  # a proxied request holds two connections, each a file descriptor
    assert "include /etc/nginx/conf.d/*.conf;" in text  # where the image renders the site template


def test_nginx_accepts_the_main_configuration_and_the_rendered_site(tmp_path):
    binary = need_binary("nginx", "/usr/sbin/nginx")
    site = tmp_path / "site.conf"
    site.write_text(
        render_nginx_site(
            {
                "HACKPLATFORM_LISTEN": "127.0.0.1:8080",
                "HACKPLATFORM_UPSTREAM": "127.0.0.1:8000",
                "HACKPLATFORM_MAX_BODY_SIZE": "501m",
                "HACKPLATFORM_STATIC_ROOT": str(tmp_path / "static"),
                "HACKPLATFORM_MEDIA_ROOT": str(tmp_path / "media"),
            }
        )
    )
    # The image's paths moved to the temporary folder; its `nginx` user is root's here (or dropped).
    text = NGINX_CONF.read_text(encoding="utf-8")
    temp_paths = "".join(
        f"    {kind}_temp_path {tmp_path / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = (
        text.replace("user nginx;", "user root root;" if os.geteuid() == 0 else "")
        .replace("/var/log/nginx/", f"{tmp_path}/")
        .replace("/var/run/nginx.pid", str(tmp_path / "nginx.pid"))
        .replace("include /etc/nginx/conf.d/*.conf;", f"include {site};")
        .replace("http {\n", "http {\n" + temp_paths, 1)
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    result = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
