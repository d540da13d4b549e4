"""Signals: the workflows stop cleanly on Ctrl-C, SIGTERM and SIGHUP, and the steps that must
not stop half-way (applying, committing, restoring) finish first."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Generator
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def shielded() -> Generator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block is done, then raise KeyboardInterrupt.

    Used around the steps that must not stop half-way: applying, committing, restoring.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, *STOP_SIGNALS)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


@contextlib.contextmanager
def stop_signals_interrupt() -> Generator[None]:
    """Treat SIGTERM and SIGHUP (a killed ``nox``, a CI cancel, a closed terminal) like Ctrl-C,
    so ``finally`` blocks run and reports get written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
