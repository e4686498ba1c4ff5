"""Race helpers: run the same work in several threads released at one moment."""

import threading

from django.db import connections


def run_in_threads(count: int, work, *, timeout: float = 120) -> list:
    """Run `work(index)` in `count` threads released together; returns results or exceptions.
    Every thread must have finished within `timeout` seconds."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads)
    return results
