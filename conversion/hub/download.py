"""Download one file over HTTP into a partial file that outlives the process, so any later run resumes it.

huggingface_hub 2.4's ``hf_hub_download`` resumes only within one call, from whole 10 MiB chunks, and
deletes its temporary file when the call fails, so a killed command starts a 10 GB download from zero.
Here the bytes go to a stable partial file and every request asks for ``Range: bytes=<its size>-``:
what reached the disk is never fetched again, whether the connection dropped or the process was killed.

Only huggingface_hub's public HTTP helpers are used: ``http_stream_backoff`` (the Hub's session, with
its retries of 408, 429 and 5xx answers, honouring Retry-After and the RateLimit headers) and
``hf_raise_for_status`` (the Hub's errors as exception classes). Broken connections are retried here,
not by ``http_stream_backoff``, which cannot retry an error raised while its body is read: a connection
that breaks is reopened at once if it brought new bytes, else after a growing wait; after
:data:`RETRIES` attempts in a row without a new byte (refused, reset, timed out, cut off) the download
stops with :class:`DownloadStopped`, keeping the partial file for the next run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx2  # huggingface_hub's HTTP client: its transport errors are a broken connection
from huggingface_hub import constants
from huggingface_hub.utils import hf_raise_for_status, http_stream_backoff
from tqdm import tqdm

#: Attempts in a row that bring no new byte before the download stops (waits 0.5, 1, 2, 4, 8 s between).
RETRIES = 5
_FIRST_WAIT, _LONGEST_WAIT = 0.5, 8.0
_FSYNC_EVERY = 64 * 1024**2  # bytes: what a power cut can cost (the checksum catches the rest)


class DownloadStopped(Exception):
    """The connection kept breaking without progress; ``done`` of ``size`` bytes are kept in the partial file."""

    def __init__(self, done: int, size: int, cause: BaseException) -> None:
        super().__init__(f"stopped at {done} of {size} bytes: {cause!r}")
        self.done, self.size, self.cause = done, size, cause


def partial_size(part: Path, size: int) -> int:
    """Bytes of ``part`` that a resume can keep: none if it is missing or longer than the file."""
    done = part.stat().st_size if part.exists() else 0
    if done > size:  # not a prefix of this file: start over
        part.unlink()
        return 0
    return done


def download(url: str, part: Path, size: int, headers: dict[str, str], progress: bool = True,
             desc: str | None = None) -> None:
    """Append the bytes of ``url`` to ``part`` from its current size until it holds ``size`` bytes.

    ``headers`` carry the token (``huggingface_hub.utils.build_hf_headers``). Raises the Hub's errors
    (``hf_raise_for_status``) as they come, and :class:`DownloadStopped` when the connection keeps breaking.
    """
    done = partial_size(part, size)
    failures, synced = 0, done
    with open(part, "ab") as sink, tqdm(total=size, initial=done, unit="B", unit_scale=True, unit_divisor=1024,
                                        desc=desc or f"downloading {part.name}", disable=not progress) as bar:
        while done < size:
            before = done
            wanted = dict(headers, Range=f"bytes={done}-") if done else dict(headers)
            try:
                with http_stream_backoff("GET", url, headers=wanted, retry_on_exceptions=(),
                                         timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT) as response:
                    hf_raise_for_status(response)
                    if done and response.status_code == 200:  # the server ignored the Range: start over
                        sink.truncate(0)
                        done = before = 0
                        bar.reset(total=size)
                    for chunk in response.iter_bytes():  # as it arrives: a break loses nothing received
                        sink.write(chunk)
                        done += len(chunk)
                        bar.update(len(chunk))
                        if done - synced >= _FSYNC_EVERY:
                            _sync(sink)
                            synced = done
            except httpx2.TransportError as error:
                sink.flush()  # what arrived is on disk while we wait, for a process that is killed meanwhile
                failures = 0 if done > before else failures + 1
                if failures > RETRIES:
                    raise DownloadStopped(done, size, error) from error
                if failures:
                    time.sleep(min(_LONGEST_WAIT, _FIRST_WAIT * 2 ** (failures - 1)))
        _sync(sink)


def _sync(sink) -> None:
    sink.flush()
    os.fsync(sink.fileno())
