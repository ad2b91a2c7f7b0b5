"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py 'app:create_app()'` (see docs/operations.md).

Why gunicorn: Flask's own server is for development only (one process, no worker management, no graceful
restarts); gunicorn is the plain, well-known WSGI server for Linux that needs no compiler and no extra service.
"""

import multiprocessing
import os

# Listen on loopback; the reverse proxy (nginx) terminates HTTPS in front of it.
bind = os.environ.get("BIND", "127.0.0.1:8000")
# The usual 2 × cores + 1 sync-style processes, capped: requests are short and database-bound. WEB_CONCURRENCY
# (gunicorn's own variable) overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 9))
# Threads let one process keep serving while a phone slowly sends an upload chunk.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Long enough for a document render or a large upload chunk; a stuck worker is restarted after this.
timeout = 120
graceful_timeout = 30
# Recycle processes now and then (guards against slow leaks in libraries).
max_requests = 2000
max_requests_jitter = 200
# The app logs every request itself (JSON with request ids); gunicorn logs only its own events.
accesslog = None
errorlog = "-"
# Trust X-Forwarded-* only from the proxy on this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """The app is loaded: take its start-up objects out of the collector's way (see app/heap.py)."""
    from app.heap import settle

    settle()


def post_request(worker, req, environ, resp):  # type: ignore[no-untyped-def]
    """After the first requests warmed the caches, settle the heap once more (see app/heap.py).

    gthread calls this from its request threads and counts `nr` there too: `>=` and a flag on the worker make it
    happen once even when two threads finish requests at the same moment."""
    from app.heap import SETTLE_AFTER_REQUESTS, settle

    if worker.nr >= SETTLE_AFTER_REQUESTS and not getattr(worker, "heap_settled", False):
        worker.heap_settled = True
        settle()
