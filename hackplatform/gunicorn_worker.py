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

import socket
import time

from gunicorn.http.body import LengthReader
from gunicorn.workers.gthread import ThreadWorker

from hackplatform import serverclock


def _read_whole(conn) -> bool:
    """Whether the connection's last request was read to its end (a body of known length, all of it read)
    and the client sent nothing after it: closing then sends no reset that could cut the answer short."""
    request = getattr(getattr(conn, "parser", None), "mesg", None)
    body = getattr(request, "body", None)
    reader = getattr(body, "reader", None)
    if not isinstance(reader, LengthReader) or reader.length != 0 or getattr(body, "failed", True):
        return False  # no request, a body still unread, chunked or read-until-close: gunicorn lingers
    try:
        conn.sock.setblocking(False)  # never wait here: this runs on the worker's main thread
        return conn.sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return True
    except OSError:
        return False


class ArrivalThreadWorker(ThreadWorker):
    def finish_request(self, conn, fs):
        """Close a finished `Connection: close` request at once when the client has nothing more to send.

        gunicorn closes such a connection "gracefully" in the worker's main thread, the thread that accepts
        connections and hands them out: it sends FIN, then waits up to 2 s for the client to close its side,
        so that unread request bytes do not turn the close into a reset. At a rush, with each upload on its
        own connection, that wait ran once per upload on the main thread, and new connections waited behind
        it (with gunicorn alone the p99 upload reached 10-16 s at 300 teams). Lingering is needed only when
        the client may still be sending (nginx's `lingering_close` rule): when the request was read whole
        (`_read_whole`), a plain close delivers the answer and a FIN; otherwise (a refused upload whose body
        was never read, say) gunicorn's graceful close runs as before.
        """
        if fs.done() and not fs.cancelled() and fs.exception() is None and fs.result() is False and _read_whole(conn):
            self.nr_conns -= 1
            conn.close()
            return
        super().finish_request(conn, fs)

    def enqueue_req(self, conn) -> None:
        conn.hackplatform_ready_at = time.time()
        super().enqueue_req(conn)

    def handle_request(self, req, conn):
        serverclock.set_request_ready_at(getattr(conn, "hackplatform_ready_at", None))
        try:
            return super().handle_request(req, conn)
        finally:
            serverclock.set_request_ready_at(None)
