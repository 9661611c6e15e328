"""Real servers for the tests that need them: Redis, PostgreSQL and Celery workers, on loopback.

Each helper skips the test with the reason when the binary is absent, except when
HACKPLATFORM_REQUIRE_SERVICES=1 (CI), where a missing binary is a failure: CI shows no skips.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRE = os.environ.get("HACKPLATFORM_REQUIRE_SERVICES") == "1"


def need_binary(name: str, *candidates: str) -> str:
    """Return the path of an executable, or skip (fail in CI) with the reason."""
    for candidate in (name, *candidates):
        found = shutil.which(candidate) or (candidate if os.access(candidate, os.X_OK) else None)
        if found:
            return found
    reason = f"{name} is not installed (apt-get install the package that provides it)"
    if REQUIRE:
        pytest.fail(f"HACKPLATFORM_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@contextlib.contextmanager
def redis_server(tmp: Path, port: int | None = None) -> Iterator[str]:
    """A throw-away redis-server on loopback (on `port`, to restart one at the same address); yields its URL."""
    binary = need_binary("redis-server")
    port = port or free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc=proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _pg_bin(name: str) -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return need_binary(name, *[str(c) for c in candidates])


@contextlib.contextmanager
def postgres_server(tmp: Path | None = None) -> Iterator[str]:
    """A throw-away PostgreSQL cluster on loopback; yields a DATABASE_URL.

    PostgreSQL refuses to run as root, so as root the cluster is made and run by the `postgres`
    user, in a folder of its own under /tmp (pytest's temporary folders are private to root).
    """
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    port = free_port()
    base = Path(tempfile.mkdtemp(prefix="hackplatform-pg-"))
    data = base / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
    try:
        subprocess.run(
            [*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        opts = f"-p {port} -k {base} -h 127.0.0.1 -F -c fsync=off -c full_page_writes=off -c max_connections=100"
        subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "pg.log"), "-w", "start"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        try:
            yield f"postgres://postgres@127.0.0.1:{port}/hackplatform"
        finally:
            subprocess.run(
                [*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], check=False, stdout=subprocess.DEVNULL
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)


def postgres_restart(database_url: str, *, down_seconds: float) -> None:
    """Stop the throw-away PostgreSQL cluster (of postgres_server) serving `database_url` at once, as a crash
    would (`-m immediate`: every connection cut), leave it down `down_seconds`, then start it again with the
    same options (pg_ctl restart reads them from postmaster.opts)."""
    port = str(urlparse(database_url).port)
    pg_ctl = _pg_bin("pg_ctl")
    for pid_file in Path(tempfile.gettempdir()).glob("hackplatform-pg-*/data/postmaster.pid"):
        lines = pid_file.read_text().splitlines()
        if len(lines) > 3 and lines[3].strip() == port:
            data = pid_file.parent
            break
    else:
        raise RuntimeError(f"no cluster of postgres_server listens on port {port}")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], check=True, stdout=subprocess.DEVNULL
    )
    time.sleep(down_seconds)
    subprocess.run(
        [*as_user, pg_ctl, "-D", str(data), "-l", str(data.parent / "pg.log"), "-w", "restart"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rerun_on_postgresql(request: pytest.FixtureRequest, timeout: float = 600) -> bool:
    """For a test that needs PostgreSQL: when this run's database is not PostgreSQL, run the test again in a
    pytest subprocess against a throw-away cluster (postgres_server), assert that it passed and return True
    (the caller then returns); on PostgreSQL return False and let the test go on."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return False
    with postgres_server() as database_url:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", request.node.nodeid, "-q", "-s", "-p", "no:cacheprovider", "--create-db"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url, "REDIS_URL": "", "CELERY_BROKER_URL": ""},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    output = result.stdout + result.stderr
    print("\n".join(line[line.index('{"') :] for line in output.splitlines() if '{"drill"' in line))  # the figures
    assert result.returncode == 0, output[-6000:]
    assert " passed" in output and " skipped" not in output, output[-3000:]
    return True


@contextlib.contextmanager
def celery_worker(
    env: dict[str, str],
    *,
    concurrency: int = 1,
    pool: str = "prefork",
    log: Path | None = None,
    cwd: Path | None = None,
    name: str | None = None,
) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process with the given environment (broker, database).

    `cwd` runs it from another folder (a machine of its own: the project is found through PYTHONPATH);
    `name` tells two workers of one test apart."""
    celery = str(Path(sys.executable).parent / "celery")
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [
            celery,
            "-A",
            "hackplatform",
            "worker",
            "-l",
            "info",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "-n",
            f"{name or f'test{os.getpid()}'}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=cwd or ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        _stop_group(proc, timeout=15)
        if log:
            out.close()


@contextlib.contextmanager
def celery_beat(env: dict[str, str], *, schedule: Path, log: Path | None = None) -> Iterator[subprocess.Popen]:
    """A real `celery beat` process (the sweep every SCORING_SWEEP_SECONDS of `env`), its schedule file in `schedule`."""
    celery = str(Path(sys.executable).parent / "celery")
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [celery, "-A", "hackplatform", "beat", "-l", "info", "-s", str(schedule)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        _stop_group(proc, timeout=15)
        if log:
            out.close()


def django_database_url() -> str:
    """The URL of this process's (test) database, for server processes that must share it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _stop_group(proc: subprocess.Popen, timeout: float = 30) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def gunicorn_server(env: dict[str, str], *, log: Path, workers: int = 2, port: int | None = None) -> Iterator[int]:
    """`gunicorn hackplatform.wsgi -w N` started from the project root, so it reads gunicorn.conf.py as
    production does; yields its port once /healthz/ answers."""
    import urllib.request

    port = port or free_port()
    out = open(log, "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "hackplatform.wsgi", "-w", str(workers), "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port, timeout=30, proc=proc)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not answer /healthz/:\n" + log.read_text()[-3000:])
                time.sleep(0.2)
        yield port
    finally:
        _stop_group(proc)
        out.close()


NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "default.conf.template"


def render_nginx_site(values: dict[str, str]) -> str:
    """deploy/nginx/default.conf.template with its ${HACKPLATFORM_*} values filled in, as the official image's
    envsubst does (nginx's own $variables are left alone)."""
    text = NGINX_TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    missing = sorted(set(re.findall(r"\$\{(HACKPLATFORM_\w+)\}", text)))
    if missing:
        raise ValueError(f"no value for {', '.join(missing)} in {NGINX_TEMPLATE}")
    return text


@contextlib.contextmanager
def nginx_server(
    tmp: Path, *, upstream_port: int, static_root: Path, media_root: Path, max_body_size: str = "101m"
) -> Iterator[int]:
    """Debian's nginx on loopback with the site of deploy/nginx/ in front of `upstream_port`; yields its port."""
    binary = need_binary("nginx", "/usr/sbin/nginx")
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    site = tmp / "site.conf"
    site.write_text(
        render_nginx_site(
            {
                "HACKPLATFORM_LISTEN": f"127.0.0.1:{port}",
                "HACKPLATFORM_UPSTREAM": f"127.0.0.1:{upstream_port}",
                "HACKPLATFORM_MAX_BODY_SIZE": max_body_size,
                "HACKPLATFORM_STATIC_ROOT": str(static_root),
                "HACKPLATFORM_MEDIA_ROOT": str(media_root),
            }
        )
    )
    # As root the workers would switch to `nobody`, who cannot enter pytest's private folders.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(
        f"  {kind}_temp_path {tmp / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        "  log_format timed '$msec $request_time $upstream_connect_time $upstream_response_time $status \"$request\"';\n"
        f"  access_log {tmp / 'access.log'} timed;\n{temp_paths}  include {site};\n}}\n"
    )
    proc = subprocess.Popen(
        [binary, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "stderr.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    try:
        try:
            wait_for_port(port, timeout=15, proc=proc)
        except RuntimeError as exc:
            logs = [tmp / "stderr.log", tmp / "error.log"]
            raise RuntimeError(f"{exc}\n" + "".join(log.read_text() for log in logs if log.exists()))
        yield port
    finally:
        _stop_group(proc, timeout=10)
