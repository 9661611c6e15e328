"""gunicorn's `gthread` worker, noting when each request became ready to be served (gunicorn.conf.py uses it).

gthread accepts a connection (or sees a kept-alive one become readable) in its main thread and hands it
to a pool of `threads` threads. At a deadline rush more requests arrive than threads are free, and the
rest wait in the pool's queue; the site took an upload's arrival time when a thread picked it up, so a
backlog turned into uploads refused as late although they reached the server in time (284 of 1,421 at
300 teams). This worker records the moment the connection was handed to the pool, in the worker
process's own memory (never a header a client could send), and the upload path takes the earlier of that
and its own clock (`hackplatform.serverclock.request_ready_at`).
"""

from __future__ import annotations

import time

from gunicorn.workers.gthread import ThreadWorker

from hackplatform import serverclock


class ArrivalThreadWorker(ThreadWorker):
    def enqueue_req(self, conn) -> None:
        conn.hackplatform_ready_at = time.time()
        super().enqueue_req(conn)

    def handle_request(self, req, conn):
        serverclock.set_request_ready_at(getattr(conn, "hackplatform_ready_at", None))
        try:
            return super().handle_request(req, conn)
        finally:
            serverclock.set_request_ready_at(None)
