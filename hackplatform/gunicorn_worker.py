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

# A body the application left partly unread (a multipart upload's closing CRLF, say) is read to its end
# before closing when this little is left and it comes this fast; more, or slower, and the close lingers.
DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 0.5


def _read_whole(conn) -> bool:
    """Whether the connection's last request was read to its end (a body of known length, all of it read,
    draining a small rest first) and the client sent nothing after it: closing then sends no reset that
    could cut the answer short."""
    parser = getattr(conn, "parser", None)
    body = getattr(getattr(parser, "mesg", None), "body", None)
    reader = getattr(body, "reader", None)
    if not isinstance(reader, LengthReader) or getattr(body, "failed", True):
        return False  # no request, chunked or read-until-close: let gunicorn's close linger
    if 0 < reader.length <= DRAIN_BYTES:
        try:
            parser.finish_body(deadline=time.monotonic() + DRAIN_SECONDS, max_bytes=DRAIN_BYTES)
        except Exception:
            return False
    if reader.length != 0:
        return False
    try:
        conn.sock.setblocking(False)
        return conn.sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return True
    except OSError:
        return False


class ArrivalThreadWorker(ThreadWorker):
    def handle(self, conn):
        """Serve the request, then close a `Connection: close` connection here, in the request's thread.

        gunicorn closes such a connection "gracefully" in the worker's main thread, the thread that accepts
        connections and hands them out: it sends FIN, then waits up to 2 s for the client to close its side,
        so that unread request bytes do not turn the close into a reset. At a rush, with each upload on its
        own connection, that wait ran once per upload on the main thread, and new connections waited behind
        it. Here the request's own thread closes: at once when the request was read whole (`_read_whole`),
        since a plain close then delivers the answer and a FIN (nginx's `lingering_close` rule); otherwise
        (a refused upload whose body was never read, say) with gunicorn's lingering close.
        """
        result = super().handle(conn)
        if result is False:
            try:
                if _read_whole(conn):
                    conn.close()
                else:
                    conn.sock.setblocking(True)
                    conn.close(graceful=True)
            finally:
                conn.hackplatform_closed = True
        return result

    def finish_request(self, conn, fs):
        if getattr(conn, "hackplatform_closed", False):
            self.nr_conns -= 1
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
