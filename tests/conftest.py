"""Shared fixtures. Only the stand-in Hub server lives here (tests/hub_standin.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hub_standin import HubStandIn  # tests/ is on sys.path (pytest's rootdir-less "prepend" import mode)


@pytest.fixture
def hub() -> Iterator[HubStandIn]:
    """A started stand-in Hub on 127.0.0.1; closed (and every connection cut) after the test."""
    with HubStandIn() as server:
        yield server
