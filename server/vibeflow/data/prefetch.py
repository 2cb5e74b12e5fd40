"""Run an iterator a few items ahead in a thread, so reading/parsing a chunk overlaps converting the previous one.

pyarrow's readers, compute kernels and file writes release the GIL, so on two cores this hides most of the
parse time behind conversion. Exceptions from the producer are re-raised in the consumer, in order.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


@contextmanager
def prefetch(items: Iterator[T], depth: int = 2) -> Iterator[Iterator[T]]:
    """`with prefetch(it) as ahead: for x in ahead: ...` — the producer stops when the block exits."""
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(slots, item, stop):
                    return
            _put(slots, _DONE, stop)
        except BaseException as error:  # handed to the consumer, which re-raises it
            _put(slots, _Failure(error), stop)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def consume() -> Iterator[T]:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]

    worker = threading.Thread(target=produce, name="vibeflow-import-reader", daemon=True)
    worker.start()
    try:
        yield consume()
    finally:
        stop.set()
        while worker.is_alive():
            with suppress(queue.Empty):
                slots.get(timeout=0.05)
        worker.join()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _put(slots: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            slots.put(item, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False
