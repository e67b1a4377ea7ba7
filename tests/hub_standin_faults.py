"""The stand-in Hub's faults (tests/hub_standin.py): what a test plans (HubStandIn's fail_next, drop_after,
drop_upload_after, slow_next, clear_faults) and what the server's handler takes from the plan per request.

  * fail_next(n, status, retry_after=N) answers with `status`, and with Retry-After and the IETF RateLimit headers
    the Hub sends (r=0;t=N) when retry_after is given.
  * drop_after(n_bytes) cuts a resolve GET's answer after n bytes; drop_upload_after(n_bytes) cuts a request body (an
    upload) after n bytes, with no answer at all.
  * slow_next(n, seconds) holds matching requests before answering; clear_faults() forgets pending faults.
  * `path_contains` restricts a fault to URLs holding that text; `after=k` lets the first k matching requests through.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass
class Fault:
    action: str  # "fail", "drop", "drop-upload" or "slow"
    times: int
    path_contains: str | None
    status: int = 429
    retry_after: int | None = None
    n_bytes: int = 0
    seconds: float = 0.0
    after: int = 0  # matching requests to let through first


class _Planned(Protocol):
    faults: list[Fault]
    lock: threading.Lock


class FaultControls:
    """HubStandIn's methods that plan faults, on its state's ``faults`` list under its ``lock``."""

    _state: Any  # hub_standin._State

    def _plan(self, fault: Fault) -> None:
        with self._state.lock:
            self._state.faults.append(fault)

    def fail_next(self, n: int, status: int = 429, retry_after: int | None = None,
                  path_contains: str | None = None, after: int = 0) -> None:
        """Answer the next `n` requests whose URL contains `path_contains` (any, if None) with `status`."""
        self._plan(Fault("fail", n, path_contains, status=status, retry_after=retry_after, after=after))

    def drop_upload_after(self, n_bytes: int, times: int = 1, path_contains: str | None = None,
                          after: int = 0) -> None:
        """Read only `n_bytes` of the next `times` matching POST/PUT bodies, then cut the connection, no answer."""
        self._plan(Fault("drop-upload", times, path_contains, n_bytes=n_bytes, after=after))

    def drop_after(self, n_bytes: int, times: int = 1, path_contains: str | None = None) -> None:
        """Cut the next `times` matching resolve GET bodies after `n_bytes` bytes (headers promise them all)."""
        self._plan(Fault("drop", times, path_contains, n_bytes=n_bytes))

    def slow_next(self, n: int, seconds: float, path_contains: str | None = None, after: int = 0) -> None:
        """Hold the next `n` matching requests for `seconds` before answering them (a slow Hub, not a failing one)."""
        self._plan(Fault("slow", n, path_contains, seconds=seconds, after=after))

    def clear_faults(self) -> None:
        """Forget every pending fault: the Hub is back."""
        with self._state.lock:
            self._state.faults.clear()


def take(state: _Planned, action: str, url: str) -> Fault | None:
    """The first pending fault of `action` that matches `url`, counted as used (None: none applies)."""
    with state.lock:
        for fault in state.faults:
            wanted = fault.path_contains is None or fault.path_contains in url
            if fault.action == action and fault.times > 0 and wanted:
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.times -= 1
                return fault
    return None


def failure(state: _Planned, url: str) -> tuple[int, str, dict[str, str]] | None:
    """Hold the request if a slow fault applies, then the error answer (status, message, headers) a planned
    failure gives it, if any."""
    slow = take(state, "slow", url)
    if slow is not None:
        time.sleep(slow.seconds)
    fault = take(state, "fail", url)
    if fault is None:
        return None
    headers = {}
    if fault.retry_after is not None:
        headers = {"Retry-After": str(fault.retry_after), "RateLimit": f'"resolvers";r=0;t={fault.retry_after}',
                   "RateLimit-Policy": '"fixed window";"resolvers";q=3000;w=300'}
    return fault.status, f"stand-in fault: HTTP {fault.status}", headers
