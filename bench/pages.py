"""Page weights and server times of the main pages, as each role sees them.

1. seed the demo (`seed_demo --force`) into a temporary SQLite database (DEBUG off, tasks inline),
2. request each main page with Django's test client, logged in as the role that uses it,
3. add up the same-site files the HTML references (stylesheets, scripts, images, icons): static files
   read from disk after `collectstatic` (uncompressed sizes; whitenoise also serves gzip and brotli), other addresses (the JavaScript catalogue,
   pictures) requested like the page,
4. time each page 10 times after one warm-up request and print a Markdown table: page, role, HTML bytes,
   HTML + CSS + JS + images bytes, median server time (in process: middleware, view, template; no network).

Usage: .venv/bin/python bench/pages.py
"""

from __future__ import annotations

import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from leaderboard import configure  # the benchmarks' shared temporary-site setup

REFERENCE = re.compile(r"""<(?:link|script|img|source)\b[^>]*?\b(?:href|src)=["']([^"']+)["']""", re.IGNORECASE)
ROUNDS = 10


def pages() -> list[tuple[str, str | None, str]]:
    from challenges.models import Challenge, Phase
    from judging.models import Entry

    detection = Challenge.objects.get(event__slug="demo", slug="detection")
    phase = Phase.objects.filter(challenge=detection).first()
    rows: list[tuple[str, str | None, str]] = [
        ("home", None, "/"),
        ("event list", None, "/events/"),
        ("event page", None, "/events/demo/"),
        ("challenge page", None, detection.get_absolute_url()),
        ("leaderboard", None, f"/phases/{phase.pk}/leaderboard/"),
        ("event page", "alice", "/events/demo/"),
        ("challenge page", "alice", detection.get_absolute_url()),
        ("upload page", "alice", f"/phases/{phase.pk}/submit/"),
        ("team's submissions", "alice", f"/phases/{phase.pk}/my-submissions/"),
        ("organizer dashboard", "organizer", "/events/demo/dashboard/"),
        ("all submissions", "organizer", f"/phases/{phase.pk}/all-submissions/"),
        ("judging settings", "organizer", "/events/demo/judging/"),
        ("judged results", "organizer", "/events/demo/judging/results/"),
        ("judging queue", "judge", "/events/demo/judging/queue/"),
    ]
    entry = Entry.objects.filter(event__slug="demo").first()
    if entry is not None:
        rows.append(("entry and scorecard", "judge", entry.get_absolute_url()))
    return rows


def asset_bytes(client, address: str, cache: dict[str, int]) -> int:
    from django.conf import settings

    path = address.split("#")[0].split("?")[0]
    if path in cache:
        return cache[path]
    if path.startswith(settings.STATIC_URL):
        size = (Path(settings.STATIC_ROOT) / path[len(settings.STATIC_URL) :]).stat().st_size
    else:
        response = client.get(path)
        size = len(b"".join(response.streaming_content) if response.streaming else response.content)
    cache[path] = size
    return size


def measure() -> list[dict]:
    from django.test import Client

    from accounts.models import User

    results = []
    clients: dict[str | None, Client] = {}
    for name, role, path in pages():
        if role not in clients:
            clients[role] = Client()
            if role:
                clients[role].force_login(User.objects.get(username=role))
        client = clients[role]
        response = client.get(path)
        assert response.status_code == 200, f"{path} as {role or 'visitor'}: {response.status_code}"
        html = response.content
        seen: dict[str, int] = {}
        for address in dict.fromkeys(REFERENCE.findall(html.decode("utf-8", "replace"))):
            if address.startswith("/") and not address.startswith("//"):
                asset_bytes(client, address, seen)
        times = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - start)
        results.append(
            {
                "page": name,
                "role": role or "visitor",
                "html": len(html),
                "total": len(html) + sum(seen.values()),
                "ms": statistics.median(times) * 1000,
            }
        )
    return results


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hp-pages-") as folder:
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"  # the demo's scoring runs inline: no worker here
        configure(Path(folder))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: hashed names, as deployed
        call_command("seed_demo", force=True, verbosity=0, stdout=io.StringIO())
        rows = measure()
    print(f"| page | role | HTML (KB) | HTML + CSS + JS + images (KB) | server time (ms, median of {ROUNDS}) |")
    print("| --- | --- | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['page']} | {row['role']} | {row['html'] / 1024:.1f} | {row['total'] / 1024:.1f} | {row['ms']:.1f} |"
        )


if __name__ == "__main__":
    main()
