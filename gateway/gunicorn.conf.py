# gunicorn settings for the gateway (gthread: gunicorn >= 26 has no eventlet worker).
import os

from prometheus_client import multiprocess

bind = os.environ.get("GATEWAY_BIND", "0.0.0.0:8080")
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = 30
graceful_timeout = 25
keepalive = 5
accesslog = None
# the longest request line gunicorn accepts (its maximum): every documented URL fits well within
limit_request_line = 8190


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
