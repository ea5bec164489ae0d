"""gunicorn's settings, read from the folder it starts in: access log lines as JSON with the request id, and
prometheus_client's multiprocess mode kept right when PROMETHEUS_MULTIPROC_DIR is set (web/metrics.py)."""
import os
import shutil

# One JSON object per request, like the application's own lines (logs.py); the id is the one the app answered with.
access_log_format = ('{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
                     '"method": "%(m)s", "path": "%(U)s", "status": "%(s)s", "bytes": "%(B)s", '
                     '"duration_ms": %(M)s, "remote": "%(h)s"}')


def on_starting(server):
    """Counts left by an earlier run of the server would be added to this one's: start from an empty folder."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    """A worker that exits leaves its counters (they still count) but not its live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
