"""The registered functions of a projection's `singledispatchmethod process_event` (the library's
projection shape), by event class: the one reach into `functools.singledispatchmethod`'s
undocumented `dispatcher` attribute (pinned by tests/persistence/test_library_contract.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import singledispatchmethod
from typing import Any


def registered_handlers(method: singledispatchmethod[Any]) -> dict[type, Callable[..., Any]]:
    """Each event class registered on `method` (not `object`'s fallback) and the function it dispatches
    to. Calling those directly spares the per-call cost of `singledispatchmethod`."""
    dispatcher = method.dispatcher
    return {cls: dispatcher.dispatch(cls) for cls in dispatcher.registry if cls is not object}
