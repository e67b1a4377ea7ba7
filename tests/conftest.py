"""Shared fixtures: synthetic releases and their builds, made once per session (tests/releases.py), and the
stand-in Hub server (tests/hub_standin.py).

The release and dataset folders are shared by every test that asks for them, so a test must never write into
them: copy first (shutil.copytree to tmp_path). The session ends with an error naming any file that changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import releases  # tests/ is on sys.path (pytest's rootdir-less "prepend" import mode)
from hub_standin import HubStandIn
from releases import LARGE, SMALL, TINY, Spec

# Before any test module imports gradio; inherited by the viewers the tests start.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture
def hub() -> Iterator[HubStandIn]:
    """A started stand-in Hub on 127.0.0.1; closed (and every connection cut) after the test."""
    with HubStandIn() as server:
        yield server


@pytest.fixture(scope="session")
def _shared() -> Iterator[dict[Path, dict]]:
    """Each shared folder with its fingerprint when made; compared when the session ends."""
    made: dict[Path, dict] = {}
    yield made
    changed = sorted(f"{root}/{relpath}" for root, before in made.items()
                     for relpath, after in _differences(before, releases.fingerprint(root)))
    assert not changed, f"a test wrote into a shared release or dataset (copy it first): {changed[:10]}"


def _differences(before: dict, after: dict) -> list[tuple[str, object]]:
    return [(relpath, after.get(relpath)) for relpath in sorted(set(before) | set(after))
            if before.get(relpath) != after.get(relpath)]


@pytest.fixture(scope="session")
def release_factory(tmp_path_factory, _shared) -> Callable[[Spec], Path]:
    """spec -> a folder holding imagenet3d_v1/, imagenet3d_v1.zip and captions/; written once per spec."""
    cache: dict[Spec, Path] = {}

    def make(spec: Spec) -> Path:
        if spec not in cache:
            cache[spec] = releases.write(spec, tmp_path_factory.mktemp(f"raw-{spec.name}"))
            _shared[cache[spec]] = releases.fingerprint(cache[spec])
        return cache[spec]

    return make


@pytest.fixture(scope="session")
def dataset_factory(release_factory, tmp_path_factory, _shared) -> Callable[[Spec], Path]:
    """spec -> the converted Hub dataset folder, named imagenet3d/ (as load_dataset("imagenet3d") finds it
    from its parent); built once per spec."""
    cache: dict[Spec, Path] = {}

    def make(spec: Spec) -> Path:
        if spec not in cache:
            out = tmp_path_factory.mktemp(f"dataset-{spec.name}") / "imagenet3d"
            cache[spec] = releases.build(release_factory(spec), out)
            _shared[out] = releases.fingerprint(out)
        return cache[spec]

    return make


@pytest.fixture(scope="session")
def raw_release(release_factory) -> Path:
    """The SMALL release: imagenet3d_v1/, imagenet3d_v1.zip and captions/ in one folder."""
    return release_factory(SMALL)


@pytest.fixture(scope="session")
def built_dataset(dataset_factory) -> Path:
    """The SMALL release converted (from its zip, with captions and descriptions)."""
    return dataset_factory(SMALL)


@pytest.fixture(scope="session")
def large_release(release_factory) -> Path:
    return release_factory(LARGE)


@pytest.fixture(scope="session")
def large_dataset(dataset_factory) -> Path:
    return dataset_factory(LARGE)


@pytest.fixture(scope="session")
def tiny_release(release_factory) -> Path:
    return release_factory(TINY)
