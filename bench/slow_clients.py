"""Benchmark: 20 clients trickling uploads through nginx for 90 s while /healthz/ is probed (issue 10).

usage:  .venv/bin/python bench/slow_clients.py [--seconds 90]

Runs tests/foundation/test_proxy.py's real-server test (Debian's nginx with deploy/nginx/ in front of
gunicorn with gunicorn.conf.py, on loopback, on a throw-away SQLite test database) with a longer trickle,
and prints its figures: uploads accepted, /healthz/ p50 / p95 / max. The suite runs the same test for 20 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90)
    args = parser.parse_args()
    env = {**os.environ, "HACKPLATFORM_TRICKLE_SECONDS": str(args.seconds)}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/foundation/test_proxy.py::test_twenty_slow_uploads_through_nginx_neither_starve_the_site_nor_lose_their_arrival_time",
        "-q",
        "-s",
        "-p",
        "no:cacheprovider",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    figures = [line for line in result.stdout.splitlines() if "slow uploads" in line]
    print("\n".join(figures) or result.stdout[-3000:] + result.stderr[-3000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
