"""Benchmark: the deadline rush in the production shape, on this machine (issue 10).

usage:  .venv/bin/python bench/rush.py TEAMS [--proxy] [--uploads 10] [--window 60]

1. Start PostgreSQL and Redis on loopback (as tests/services.py does), migrate, and seed the demo event;
   its detection challenge gives the upload: the public `baseline_submission.csv` of the demo's dataset.
2. Add TEAMS teams (one verified captain each, with an API token) and lift every limit (no daily or total
   limit on the phase, throttles raised), then set the deadline WINDOW + a few seconds ahead.
3. Start gunicorn from the project root (so with gunicorn.conf.py) with 2 workers, one Celery worker with
   2 processes, and, with --proxy, nginx from deploy/nginx/ in front (TRUSTED_PROXY_COUNT=1).
4. After a warm-up (64 reads, so every gunicorn thread has answered once, as on a site that has been up),
   each team sends UPLOADS files at random moments of the final WINDOW seconds, none later than 1 s before
   the deadline (POST /api/v1/phases/{id}/submissions/ with the team's token); the client runs on the
   same machine, as one asyncio process (a connection per upload, no thread per upload, each upload handed
   to the kernel whole: the client must not make uploads late by itself, nor take the CPU the site needs).
5. Print accepted / refused (by code) / 5xx / errors, upload latency p50 / p99 / max, and the seconds from
   the deadline until the last accepted submission is final (scored or failed), with where the scoring
   job's time went (from the worker's log).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import (  # noqa: E402
    celery_worker,
    gunicorn_server,
    nginx_server,
    postgres_server,
    redis_server,
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))] if ordered else float("nan")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL
    )


def build_world(teams: int):
    """Teams, tokens and the upload, in the database the servers use (this process is a Django client too)."""
    import django

    django.setup()
    from django.utils import timezone
    from knox.models import AuthToken

    from accounts.models import User
    from challenges import services
    from challenges.models import Challenge, Event, Phase

    event = Event.objects.get(slug="demo")
    challenge = Challenge.objects.get(event=event, kind=Challenge.Kind.DETECTION)
    phase = challenge.phases.get()
    Phase.objects.filter(pk=phase.pk).update(daily_limit=None, total_limit=None)
    with challenge.public_archive.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        name = next(n for n in archive.namelist() if n.endswith("baseline_submission.csv"))
        content = demo_size(archive.read(name))
    tokens = []
    now = timezone.now()
    for i in range(teams):
        user = User.objects.create(
            username=f"rush{i:04d}", email=f"rush{i:04d}@example.org", email_verified_at=now, country="BR"
        )
        services.registration_create(event=event, user=user, accept_terms=True)
        services.team_create(event=event, user=user, name=f"Rush team {i:04d}", country="BR")
        tokens.append(AuthToken.objects.create(user=user)[1])
    return phase, tokens, content


def demo_size(baseline: bytes, target: int = 533_000) -> bytes:
    """The baseline's scores written with as many decimals as bring the file nearest the demo's 533 KB."""
    header, *rows = baseline.decode().splitlines()
    pairs = [row.split(",") for row in rows]
    best = min(
        range(4, 18),
        key=lambda d: abs(len(header) + 1 + sum(len(i) + d + 4 for i, _s in pairs) - target),
    )
    return (header + "\n" + "".join(f"{i},{float(s):.{best}f}\n" for i, s in pairs)).encode()


def multipart(content: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="baseline_submission.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def rush(port: int, phase_id: int, tokens: list[str], content: bytes, *, uploads: int, window: float, deadline: float):
    """Send every upload at its moment; return one (status, code, seconds, moment sent) per upload."""
    import asyncio

    body, content_type = multipart(content)
    rng = random.Random(20261203)
    plan = sorted((deadline - 1 - rng.random() * (window - 1), token) for token in tokens for _ in range(uploads))

    async def send(moment: float, token: str) -> tuple[int, str, float, float]:
        await asyncio.sleep(max(0.0, moment - time.time()))
        began = time.monotonic()
        try:
            # The whole upload fits in the socket's send buffer: the kernel feeds it to the server as fast
            # as the server reads, as each of TEAMS separate machines would, instead of this one process's
            # event loop (busy with hundreds of other uploads, on the CPU the site needs) trickling it.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, len(body) + 65536)
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
            reader, writer = await asyncio.open_connection(sock=sock)
            head = (
                f"POST /api/v1/phases/{phase_id}/submissions/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Token {token}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
            writer.write(head + body)
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(-1), timeout=120)
            writer.close()
            status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
            code = ""
            if status != 201:
                found = re.search(rb'"code":\s*"([^"]+)"', answer)
                code = found.group(1).decode() if found else answer[:80].decode(errors="replace")
            return status, code, time.monotonic() - began, moment
        except (TimeoutError, OSError, ValueError, IndexError) as exc:
            return 0, type(exc).__name__, time.monotonic() - began, moment

    async def everything():
        return await asyncio.gather(*(send(moment, token) for moment, token in plan))

    return asyncio.run(everything())


def warm_up(port: int, phase_id: int, tokens: list[str], at_once: int = 16) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from urllib.request import Request, urlopen

    def read(token: str) -> int:
        request = Request(
            f"http://127.0.0.1:{port}/api/v1/phases/{phase_id}/submissions/",
            headers={"Authorization": f"Token {token}"},
        )
        with urlopen(request, timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=at_once) as pool:
        statuses = list(pool.map(read, tokens))
    assert set(statuses) == {200}, statuses


def timeline(results, deadline: float, step: float = 10.0) -> str:
    """p50 / p99 latency of the uploads sent in each `step` seconds before the deadline: where a backlog built."""
    bins: dict[int, list[float]] = {}
    for status, _code, seconds, moment in results:
        if status == 201:
            bins.setdefault(int((deadline - moment) // step), []).append(seconds)
    parts = [
        f"-{(b + 1) * step:.0f}..-{b * step:.0f} s: {statistics.median(v):.2f}/{percentile(v, 0.99):.2f}"
        for b, v in sorted(bins.items(), reverse=True)
    ]
    return "latency p50/p99 by when sent: " + ", ".join(parts)


def cpu_by_process() -> dict[str, float]:
    """CPU seconds used so far by each part of the set-up (all processes on this machine, by command line)."""
    totals: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    parts = {
        "gunicorn": "gunicorn",
        "celery": "celery",
        "postgres": "postgres",
        "nginx": "nginx",
        "redis": "redis-server",
    }
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if pid == str(os.getpid()):
            name = "client (this process)"
        else:
            name = next((label for label, key in parts.items() if key in command), "other")
        totals[name] = totals.get(name, 0.0) + seconds
        if name == "gunicorn":  # each process too: is the load shared between the two workers?
            totals[f"gunicorn pid {pid}"] = seconds
    return totals


def drain(phase, deadline: float, accepted: int, limit: float = 600) -> tuple[float | None, dict]:
    from django.db.models import Count

    from submissions.models import Submission

    final = (Submission.Status.SCORED, Submission.Status.FAILED)
    stop = time.time() + limit
    while time.time() < stop:
        counts = dict(Submission.objects.filter(phase=phase).values_list("status").annotate(n=Count("id")))
        if sum(counts.get(s, 0) for s in final) >= accepted and not counts.get("queued") and not counts.get("running"):
            last = max(Submission.objects.filter(phase=phase).values_list("scored_at", flat=True))
            return last.timestamp() - deadline, counts
        time.sleep(0.5)
    return None, counts


def notified(deadline: float, accepted: int, limit: float) -> float | None:
    """Seconds from the deadline until every accepted upload's notification exists (the `notify` queue,
    read after the scoring queue, runs its backlog once the scoring is done)."""
    from django.db.models import Max

    from communication.models import Notification

    rows = Notification.objects.filter(user__username__startswith="rush", key__startswith="submission:")
    stop = time.time() + limit
    while time.time() < stop:
        if rows.count() >= accepted:
            return rows.aggregate(last=Max("created_at"))["last"].timestamp() - deadline
        time.sleep(1)
    return None


def job_breakdown(log: Path) -> str:
    """Runs and median wall time of each kind of task, from Celery's 'succeeded in' lines: the scoring job
    and what it sends on (notifications and emails on the `notify` queue, webhooks)."""
    times: dict[str, list[float]] = {}
    for name, seconds in re.findall(
        r"Task ([\w.]+)\[[^\]]+\] succeeded in ([0-9.]+)s", log.read_text(errors="replace")
    ):
        times.setdefault(name, []).append(float(seconds))
    if not times:
        return "no task lines in the worker log"
    return "tasks: " + "; ".join(
        f"{name} {len(v)} runs, median {statistics.median(v) * 1000:.0f} ms, p99 {percentile(v, 0.99) * 1000:.0f} ms"
        for name, v in sorted(times.items(), key=lambda kv: -len(kv[1]))
    )


def start_world(stack: contextlib.ExitStack, tmp: Path, **extra: str) -> dict[str, str]:
    """PostgreSQL and Redis on loopback (closed with `stack`), the settings of the production shape with the
    limits lifted, migrated and seeded with the demo; returns the environment the servers get."""
    database = stack.enter_context(postgres_server())
    redis = stack.enter_context(redis_server(tmp / "redis"))
    import psycopg

    with psycopg.connect(database.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute("CREATE DATABASE hackplatform")
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "CELERY_BROKER_URL": "",
        "VAR_DIR": str(tmp / "var"),
        "MEDIA_ROOT": str(tmp / "media"),
        "PRIVATE_ROOT": str(tmp / "private"),
        "STATIC_ROOT": str(tmp / "static"),
        "THROTTLE_UPLOAD": "100000/min",
        "THROTTLE_USER": "100000/min",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "GUNICORN_ACCESS_LOG": str(tmp / "access.log"),
        "LOG_LEVEL": "INFO",
        # As .env.example: each gunicorn thread keeps its connection.
        "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
        **extra,
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackplatform.settings")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--force")
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("teams", type=int)
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--window", type=float, default=60)
    parser.add_argument("--proxy", action="store_true", help="nginx from deploy/nginx/ in front of gunicorn")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    parser.add_argument("--drain", type=float, default=300, help="seconds to wait for the last score")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hackplatform-rush-"))
    with contextlib.ExitStack() as stack:
        env = start_world(stack, tmp, TRUSTED_PROXY_COUNT="1" if args.proxy else "0")
        started = time.monotonic()
        phase, tokens, content = build_world(args.teams)
        print(f"{args.teams} teams ready in {time.monotonic() - started:.0f} s; upload {len(content):,} bytes")

        web_port = stack.enter_context(gunicorn_server(env, log=tmp / "gunicorn.log"))
        port = web_port
        if args.proxy:
            (tmp / "static").mkdir(exist_ok=True)
            port = stack.enter_context(
                nginx_server(
                    tmp / "nginx", upstream_port=web_port, static_root=tmp / "static", media_root=tmp / "media"
                )
            )
        stack.enter_context(celery_worker(env, concurrency=2, log=tmp / "worker.log"))

        from django.utils import timezone

        from challenges.models import Phase

        lead = 5.0
        deadline_at = timezone.now() + timedelta(seconds=args.window + lead)
        Phase.objects.filter(pk=phase.pk).update(closes_at=deadline_at)
        deadline = deadline_at.timestamp()
        # A site at a deadline has been up for hours: every gunicorn thread has answered before (its code
        # loaded, its database connection open). 64 reads of the teams' submission lists, 16 at a time.
        warm_up(port, phase.pk, tokens[:64])
        time.sleep(max(0.0, deadline - args.window - time.time()))
        cpu_before, wall_before = cpu_by_process(), time.monotonic()
        results = rush(port, phase.pk, tokens, content, uploads=args.uploads, window=args.window, deadline=deadline)
        cpu_uploads, wall_uploads = cpu_by_process(), time.monotonic()
        accepted = sum(1 for status, _c, _s, _m in results if status == 201)
        refused: dict[str, int] = {}
        for status, code, _s, _m in results:
            if 400 <= status < 500:
                refused[code] = refused.get(code, 0) + 1
        errors = sum(1 for status, _c, _s, _m in results if status >= 500 or status == 0)
        latencies = [seconds for status, _c, seconds, _m in results if status == 201]
        last_scored, counts = drain(phase, deadline, accepted, args.drain)
        cpu_after, wall_after = cpu_by_process(), time.monotonic()
        shape = "nginx + gunicorn" if args.proxy else "gunicorn alone"
        print(
            f"{args.teams} teams x {args.uploads} uploads over {args.window:.0f} s ({shape}, 2 workers, "
            f"gunicorn.conf.py; Celery 1 worker x 2 processes; PostgreSQL + Redis on loopback):"
        )
        print(
            f"  sent {len(results)}, accepted {accepted}, refused {sum(refused.values())} {refused or ''}, 5xx/errors {errors}"
        )
        if latencies:
            print(
                f"  upload latency p50 {statistics.median(latencies):.2f} s, p99 {percentile(latencies, 0.99):.2f} s, "
                f"max {max(latencies):.2f} s"
            )
            print("  " + timeline(results, deadline))
        print(f"  final statuses {counts}")
        print(
            "  last scored "
            + (
                f"{last_scored:.1f} s after the deadline"
                if last_scored is not None
                else f"not reached within {args.drain:.0f} s"
            )
        )
        told = notified(deadline, accepted, args.drain)
        notify_cpu = cpu_by_process().get("celery", 0.0) - cpu_after.get("celery", 0.0)
        print(
            "  every uploader notified "
            + (f"{told:.1f} s after the deadline" if told is not None else f"not within {args.drain:.0f} s")
            + f" (the worker's CPU after the last score: {notify_cpu:.1f} s)"
        )
        print("  " + job_breakdown(tmp / "worker.log"))
        # Processes that ended meanwhile are missed; the set-up's own keep running until the end.
        for label, start, end, wall in (
            ("while uploading", cpu_before, cpu_uploads, wall_uploads - wall_before),
            ("from the deadline until scored", cpu_uploads, cpu_after, wall_after - wall_uploads),
        ):
            used = {k: max(0.0, end.get(k, 0.0) - start.get(k, 0.0)) for k in end}
            mine = sum(v for k, v in used.items() if k != "other" and not k.startswith("gunicorn pid"))
            shown = ", ".join(f"{k} {v:.1f}" for k, v in sorted(used.items(), key=lambda kv: -kv[1]) if v >= 0.05)
            print(
                f"  CPU seconds {label} ({wall:.0f} s; the set-up used {mine / max(wall, 1e-9):.2f} cores, "
                f"'other' is the rest of the machine): {shown}"
            )
        if accepted:
            web = cpu_after.get("gunicorn", 0.0) - cpu_before.get("gunicorn", 0.0)
            jobs = cpu_after.get("celery", 0.0) - cpu_before.get("celery", 0.0)
            print(
                f"  per upload: web {web / accepted * 1000:.0f} ms, scoring job {jobs / accepted * 1000:.0f} ms of CPU"
            )
    if args.keep:
        print(f"logs in {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
