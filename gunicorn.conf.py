"""gunicorn's settings. gunicorn reads ./gunicorn.conf.py by default, so `gunicorn hackplatform.wsgi -w 2`
started from the project root (the Docker image's working folder) gets these; command-line flags win.

- `gthread` workers: each worker process serves `threads` requests at once, and its main thread keeps
  telling the arbiter it is alive whatever a request is doing, so a long upload is never killed by the
  worker timeout (sync workers were: a 70 s upload died at `--timeout 60`) and one slow request never
  blocks the others. Behind the proxy (deploy/nginx/) a request reaches gunicorn only once its body is
  complete, so a slow link never holds a thread at all; without the proxy each slow client holds one
  thread for as long as it sends, so `workers x threads` is the number of slow uploads it takes to make
  the site wait: run it behind the proxy.
- `timeout` is then only the arbiter's check that a worker process is not wedged.
- Each thread holds its own database connection: workers x threads must stay under the database's
  max_connections (2 x 8 = 16 by default).
"""

from __future__ import annotations

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gthread, noting when each request was handed to a thread: the arrival time of an upload that waited for
# a free thread at a rush (hackplatform/gunicorn_worker.py).
worker_class = "hackplatform.gunicorn_worker.ArrivalThreadWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Idle keep-alive connections (the proxy's pool) are closed after this many seconds.
keepalive = 75
# The heartbeat file on tmpfs: a Docker overlay disk can stall it and get healthy workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# Addresses whose X-Forwarded-Proto gunicorn believes (the proxy's); Django has its own switch for it
# (USE_X_FORWARDED_PROTO).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
