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
    """A request the domain refuses, with a message fit to show the user as is.

    The one map of domain refusals to HTTP: each class says how it is answered, `status` and
    `code` (the API's `error.code`), and may add `details` (the API's `error.details`) and
    `fields` (beside `error` in the API's body). app/errors.py answers every one of them, in
    the API as JSON and on pages with a message; it rolls back whatever was half-done.
    """

    status = 422
    code = "unprocessable_entity"

    @property
    def details(self) -> dict | None:
        return None

    @property
    def fields(self) -> dict:
        return {}


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know it exists."""

    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    """The actor is known but lacks the right for this action."""

    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """Refused because of the state of things now (a stale version, a locked article), not of the request."""

    status = 409
    code = "conflict"
