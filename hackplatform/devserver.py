"""`make run`: the web server, a real Celery worker and beat, supervised together.

1. start the three processes (each in its own process group),
2. wait until the site answers, then print the address and the demo logins,
3. on Ctrl-C (or when any process dies) stop every process it started, then exit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _start(name: str, argv: list[str]) -> subprocess.Popen:
    print(f"[run] starting {name}: {' '.join(argv)}", flush=True)
    return subprocess.Popen(argv, cwd=ROOT, start_new_session=True)


def _stop(procs: dict[str, subprocess.Popen]) -> None:
    # SIGTERM to each main process only: Celery's warm shutdown then stops its own pool children.
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"[run] {name} did not stop in time; killing it", flush=True)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_for(url: str, procs: dict[str, subprocess.Popen], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs.values()):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    python = str(VENV_BIN / "python")
    celery = str(VENV_BIN / "celery")
    procs = {
        "web": _start("web", [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"]),
        "worker": _start(
            "worker", [celery, "-A", "hackplatform", "worker", "-l", "info", "--concurrency", "2", "-n", "worker@%h"]
        ),
        "beat": _start("beat", [celery, "-A", "hackplatform", "beat", "-l", "info"]),
    }
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    url = f"http://{host}:{port}/"
    if _wait_for(url, procs):
        password = os.environ.get("DEMO_PASSWORD", "hackathon-demo")
        broker = (
            os.environ.get("CELERY_BROKER_URL")
            or os.environ.get("REDIS_URL")
            or "embedded filesystem broker (var/broker)"
        )
        print(
            "\n"
            f"  hackplatform is running at {url}\n"
            f"  API: {url}api/v1/   docs: {url}api/v1/docs/   admin: {url}admin/\n"
            f"  Demo logins (password '{password}'): organizer, judge, alice, bob, carol\n"
            f"  Celery worker and beat are running on: {broker}\n"
            "  Press Ctrl-C to stop everything.\n",
            flush=True,
        )
    else:
        print("[run] the web server did not come up; stopping", flush=True)
        stopping = True
    try:
        while not stopping:
            dead = [name for name, p in procs.items() if p.poll() is not None]
            if dead:
                print(f"[run] {', '.join(dead)} stopped; stopping the rest", flush=True)
                break
            time.sleep(0.5)
    finally:
        _stop(procs)
    print("[run] stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
