"""What stopped a read from the Hub: a rate limit, an error status, a dropped connection, a timeout or no
connection at all, told apart by the exception's type and the response's status code (never its wording).

huggingface_hub and datasets retry these themselves (huggingface_hub/utils/_http.py ``http_backoff``: 408,
429, 500, 502, 503, 504, timeouts and network errors, 5 retries 1-8 s apart, a 429's Retry-After waited for;
file_download.py ``http_get`` resumes a cut download 5 times; datasets/utils/file_utils.py retries streamed
reads up to 20 times). ``load``, ``split_files`` and the streams add no retry of their own: once the
clients give up, :func:`hub_fault_error` turns what they raised into one :class:`HubFaultError` line that
names the cause. The viewer (viewer_app/hub_io.py) retries its own ranged reads and words its message
with the same :class:`~_imagenet3d.reasons.HubFault` reasons.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from _imagenet3d.errors import SourceError
from _imagenet3d.reasons import HubFault, Reason

#: The statuses huggingface_hub retries (utils/_http.py, _DEFAULT_RETRY_ON_STATUS_CODES); any 5xx is a Hub fault.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class HubFaultError(SourceError):
    """The Hub kept failing a read (``reason.code``: a :class:`~_imagenet3d.reasons.HubFault`); the
    message is one line. Try again later: nothing about the source itself is wrong."""

    def __init__(self, message: str, reason: Reason, status: int | None = None,
                 retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.reason, self.status, self.retry_after_s = reason, status, retry_after_s


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a huggingface_hub error with a response, else None."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def retry_after_s(headers: Mapping[str, str] | None, status: int | None = None) -> float | None:
    """Seconds the Hub asked to wait, read as huggingface_hub reads them (utils/_http.py ``http_backoff``): for
    a 429, the RateLimit header's reset when no request is left; else Retry-After as whole seconds, digits only.
    None when it said neither, or said it otherwise (an HTTP date, "inf", "1e999", "-1", "1.5")."""
    if not headers:
        return None
    if status == 429:
        hub_utils = sys.modules.get("huggingface_hub.utils")
        info = hub_utils.parse_ratelimit_headers(headers) if hub_utils is not None else None
        if info is not None and info.remaining == 0:
            return float(info.reset_in_seconds)
    value = next((value for key, value in headers.items() if key.lower() == "retry-after"), None)
    value = value.strip() if isinstance(value, str) else ""
    # isascii: str.isdigit accepts other scripts' digits; 9 digits (31 years) keep the number small
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        return None
    return float(int(value))


def _reason_of(error: BaseException) -> tuple[Reason, int | None, float | None] | None:
    """The fault ``error`` itself is, if any: (reason, status, seconds asked to wait)."""
    hub_errors, httpx2 = sys.modules.get("huggingface_hub.errors"), sys.modules.get("httpx2")
    # Neither module imported: no error of theirs can be in the chain (nothing is imported for the check).
    if hub_errors is not None and isinstance(error, hub_errors.HfHubHTTPError):
        status = status_of(error)
        if status == 429:
            wait = retry_after_s(error.response.headers, status)
            detail = f", retry after {wait:.0f} s" if wait is not None else ""
            return HubFault.RATE_LIMITED.message(detail=detail), status, wait
        if status == 408:
            return HubFault.TIMED_OUT.message(error=f"HTTP {status}"), status, None
        if status is not None and status >= 500:   # a 503 may say when to come back too
            return HubFault.SERVER_ERROR.message(status=status), status, retry_after_s(error.response.headers, status)
        return None
    name = type(error).__name__
    if httpx2 is not None and isinstance(error, httpx2.TransportError):
        if isinstance(error, httpx2.TimeoutException):
            return HubFault.TIMED_OUT.message(error=name), None, None
        if isinstance(error, (httpx2.ConnectError, httpx2.ProxyError, httpx2.UnsupportedProtocol)):
            return HubFault.UNREACHABLE.message(error=name), None, None
        return HubFault.DROPPED.message(error=name), None, None   # read/write/close errors, a cut body
    if isinstance(error, TimeoutError):
        return HubFault.TIMED_OUT.message(error=name), None, None
    if isinstance(error, ConnectionRefusedError):
        return HubFault.UNREACHABLE.message(error=name), None, None
    if isinstance(error, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return HubFault.DROPPED.message(error=name), None, None
    return None


def hub_fault(error: BaseException) -> tuple[Reason, int | None, float | None] | None:
    """The Hub fault behind ``error``: itself, or what it was raised from or while handling (datasets and
    huggingface_hub wrap the last failure: ConnectionError from it, LocalEntryNotFoundError, ...); None
    when there is none (a missing repo or file, a refused token: not a fault of the Hub)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _reason_of(current)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def hub_fault_error(error: BaseException, source: str) -> HubFaultError | None:
    """One line for a Hub fault behind ``error`` while reading ``source`` (None if there is none)."""
    found = hub_fault(error)
    if found is None:
        return None
    reason, status, wait = found
    later = f"try again in {wait:.0f} s" if wait else "try again in a few minutes"
    return HubFaultError(f"could not read {source} from the Hub: {reason}, after the retries huggingface_hub "
                         f"and datasets make; {later}", reason, status, wait)


@contextmanager
def naming_hub_faults(source: str) -> Iterator[None]:
    """Inside the block, a Hub fault (however deep in what is raised) becomes one HubFaultError line;
    anything else passes unchanged."""
    try:
        yield
    except HubFaultError:
        raise
    except Exception as error:
        fault = hub_fault_error(error, source)
        if fault is None:
            raise
        raise fault from None
