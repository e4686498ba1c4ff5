"""The background catch-up of each server process: `leaderboard_catch_up` every few seconds.

Started by config/asgi.py and config/wsgi.py when the process starts (not on its first request, so a process that
serves nothing yet still helps), on a daemon thread of its own: the pass runs the ORM and Redis
synchronously and must never hold up the event loop or the request thread. A pass that finds
Redis down logs at debug level and waits for the next one; the other processes carry on.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from leaderboard.services import leaderboard_catch_up
from leaderboard.store import StoreUnavailable

logger = logging.getLogger(__name__)

_started: threading.Thread | None = None
_lock = threading.Lock()


def _loop(interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        close_old_connections()  # a connection broken since the last pass is not reused
        try:
            recorded = leaderboard_catch_up()
        except StoreUnavailable as exc:
            logger.debug("Leaderboard catch-up skipped: store unavailable (%s)", exc)
        except Exception:  # noqa: BLE001 - the loop must outlive any single failed pass
            logger.exception("Leaderboard catch-up failed")
        else:
            if recorded:
                logger.info("Leaderboard catch-up recorded %s attempt(s) left in the outbox", recorded)
        finally:
            close_old_connections()


def leaderboard_worker_start(
    *, interval: float, stop: threading.Event | None = None
) -> threading.Thread | None:
    """Start the catch-up thread once per process (no-op when `interval` <= 0 or already started)."""
    global _started
    if interval <= 0:
        return None
    with _lock:
        if _started is None or not _started.is_alive():
            _started = threading.Thread(
                target=_loop,
                args=(interval, stop or threading.Event()),
                name="leaderboard-catch-up",
                daemon=True,
            )
            _started.start()
        return _started
