"""Domain logic in plain modules: no Flask request objects, shared by the CLI, the web and the tests."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items (the last may be shorter), consuming `items` lazily."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a burst of short-lived records or long-lived tuples is built.

    Otherwise every few thousand allocations the collector walks the young objects, and now and
    then the whole heap (tens of milliseconds in a server process). Process-wide: a thread that
    pauses it meanwhile leaves it to the first to enable it again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ServiceError(ValueError):
    """A request the domain refuses, with a message fit to show the user as is."""


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know it exists."""


class Forbidden(ServiceError):
    """The actor is known but lacks the right for this action."""
