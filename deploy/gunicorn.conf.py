"""gunicorn settings for planbeteiligung-web.service; override single ones with GUNICORN_CMD_ARGS."""

import multiprocessing
import os

bind = "127.0.0.1:8000"
workers = multiprocessing.cpu_count()
worker_class = "gthread"
threads = 8
max_requests = 5000  # recycle workers now and then (memory held by large imports or exports)
max_requests_jitter = 500
graceful_timeout = 25
timeout = 60
# Django logs every request's problems with its request id; the proxy keeps the access log.
accesslog = None
errorlog = "-"


def child_exit(server, worker):
    """Drop a dead worker's live gauges from the shared Prometheus metrics (PROMETHEUS_MULTIPROC_DIR)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
