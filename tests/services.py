"""Real servers for the tests that need them: Redis, PostgreSQL and Celery workers, on loopback.

Each helper skips the test with the reason when the binary is absent, except when
HACKPLATFORM_REQUIRE_SERVICES=1 (CI), where a missing binary is a failure: CI shows no skips.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

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


@contextlib.contextmanager
def celery_worker(
    env: dict[str, str], *, concurrency: int = 1, pool: str = "prefork", log: Path | None = None
) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process with the given environment (broker, database)."""
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
            f"test{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
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
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if log:
            out.close()
