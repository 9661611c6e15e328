"""Where the deadline rush spends its time, in-process (issue 10): one upload and one scoring job.

usage:  .venv/bin/python bench/rush_profile.py [--teams 60] [--uploads 200] [--profile upload|score]

Starts PostgreSQL and Redis on loopback (as tests/services.py does), migrates, seeds the demo, adds TEAMS
teams with tokens, then in this process: sends UPLOADS uploads through the API (Django's test client with a
knox token, the whole middleware and DRF stack) and runs the scoring job for each (the function the Celery
task calls). Prints milliseconds per upload and per job (median, p90) and queries per upload; with
--profile, a cProfile of that step sorted by cumulative time.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rush import build_world, multipart, start_world  # noqa: E402


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p90 {ordered[int(len(ordered) * 0.9)] * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=60)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--profile", choices=["upload", "score"])
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of the last upload")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    parser.add_argument(
        "--clock", choices=["wall", "cpu"], default="wall", help="profile wall time (with waits) or this thread's CPU"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hackplatform-rushprof-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)  # last: after the servers have stopped
        start_world(stack, tmp, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        phase, tokens, content = build_world(args.teams)
        from unittest import mock

        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from submissions.models import Submission
        from submissions.services import submission_score

        body, content_type = multipart(content)
        client = Client()
        url = f"/api/v1/phases/{phase.pk}/submissions/"
        upload_times, upload_cpu, queries, ids = [], [], [], []
        profiler = cProfile.Profile(time.thread_time) if args.clock == "cpu" else cProfile.Profile()
        # The job is run below, in this process, not sent to a broker.
        with (
            mock.patch("submissions.tasks.score_submission.delay"),
            mock.patch("submissions.tasks.score_submission.apply_async"),
        ):
            for i in range(args.uploads):
                token = tokens[i % len(tokens)]
                # Count queries without Django's debug cursor (which formats every query and costs CPU);
                # keep the SQL only when asked to print it.
                counted: list[str] = []

                def count(execute, sql, params, many, context, counted=counted):
                    counted.append(sql)
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(count):
                    if args.profile == "upload":
                        profiler.enable()
                    began, began_cpu = time.perf_counter(), time.thread_time()
                    response = client.generic(
                        "POST", url, body, content_type=content_type, HTTP_AUTHORIZATION=f"Token {token}"
                    )
                    upload_times.append(time.perf_counter() - began)
                    upload_cpu.append(time.thread_time() - began_cpu)
                    if args.profile == "upload":
                        profiler.disable()
                assert response.status_code == 201, response.content[:300]
                # BEGIN/COMMIT are not cursor executions: counted as Django's debug cursor counts them.
                queries.append(len(counted) + 2)
                ids.append(response.json()["id"])
            if args.show_queries:
                for sql in counted:
                    print(f"  {sql[:220]}")
        print(
            f"upload ({len(content):,} bytes, {args.teams} teams): {ms(upload_times)}; "
            f"CPU of this process {ms(upload_cpu)}; {statistics.median(queries):.0f} queries"
        )
        score_times, job_queries = [], []
        for pk in ids:
            if args.profile == "score":
                profiler.enable()
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                outcome = submission_score(submission_id=pk)
            score_times.append(time.perf_counter() - began)
            job_queries.append(len(captured.captured_queries))
            if args.profile == "score":
                profiler.disable()
            assert outcome == "scored", (pk, outcome, Submission.objects.get(pk=pk).error_code)
        print(f"scoring job: {ms(score_times)}, {statistics.median(job_queries):.0f} queries")
        if args.show_queries:
            for query in captured.captured_queries:
                print(f"  {query['time']}s  {query['sql'][:220]}")
        if args.profile:
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(45)
            print("The project's own functions:")
            stats.print_stats(rf"^{ROOT}/(?!\.venv)", 40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
