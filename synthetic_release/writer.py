"""Write a synthetic release to disk as a folder tree and/or a .zip.

Images are generated in worker processes and written by the parent in a fixed
order, so the bytes never depend on the number of workers. Every file appears
under its final name only when complete (temp name, then rename). A rerun of a
killed write resumes: finished images are not rendered again
(synthetic_release/progress.py).
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

import imagenet3d
from _imagenet3d.files import atomic_write, sweep_temporaries, temporary_name
from _imagenet3d.parallel import parallel_map
from _imagenet3d.release import ANNOTATION_SUFFIX, IMAGE_SUFFIX
from synthetic_release import scenes
from synthetic_release.captions import caption_files
from synthetic_release.errors import SyntheticReleaseError
from synthetic_release.progress import Finished, Journal
from synthetic_release.scenes import RELEASE_DIR, GeneratedImage, ImageSpec

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_STORED_SUFFIXES = (IMAGE_SUFFIX, ANNOTATION_SUFFIX)  # already compressed


@dataclass
class ReleaseSummary:
    out: Path
    images: int
    objects: int
    quirks: Counter
    seconds: float

    def as_text(self) -> str:
        quirks = ", ".join(f"{name}={count}" for name, count in sorted(self.quirks.items()))
        return (f"wrote {self.images} images, {self.objects} objects to {self.out} "
                f"in {self.seconds:.1f} s; quirks: {quirks or 'none'}")


class _TreeSink:
    def __init__(self, root: Path):
        self.root = root

    def add(self, relpath: str, data: bytes) -> None:
        atomic_write(self.root / relpath, data)

    def close(self) -> None:
        pass


class _ZipSink:
    """A deterministic zip: fixed timestamps, entries in the order added."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = temporary_name(path)
        self.archive = zipfile.ZipFile(self.temporary, "w")
        self.directories: set[str] = set()

    def add(self, relpath: str, data: bytes) -> None:
        parts = relpath.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directory = "/".join(parts[:depth]) + "/"
            if directory not in self.directories:
                self.directories.add(directory)
                info = zipfile.ZipInfo(directory, date_time=_ZIP_TIME)
                info.external_attr = (0o40755 << 16) | 0x10
                self.archive.writestr(info, b"")
        info = zipfile.ZipInfo(relpath, date_time=_ZIP_TIME)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_STORED if relpath.endswith(_STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
        self.archive.writestr(info, data)

    def close(self) -> None:
        self.archive.close()
        os.replace(self.temporary, self.path)


class _Sinks:
    """Fans each release file out to the tree and/or the zip."""

    def __init__(self, out: Path, tree: bool, zip_: bool):
        self.release_sinks: list[_TreeSink | _ZipSink] = []
        if tree:
            self.release_sinks.append(_TreeSink(out / RELEASE_DIR))
        if zip_:
            self.release_sinks.append(_PrefixedZip(out / f"{RELEASE_DIR}.zip"))

    def add_release_file(self, relpath: str, data: bytes) -> None:
        for sink in self.release_sinks:
            sink.add(relpath, data)

    def close(self) -> None:
        for sink in self.release_sinks:
            sink.close()


class _PrefixedZip(_ZipSink):
    def add(self, relpath: str, data: bytes) -> None:
        super().add(f"{RELEASE_DIR}/{relpath}", data)


#: Bumped when the generator's output for a given seed changes.
GENERATOR_VERSION = 2  # 2: numpy 1.x pickles; no usable status without a pose


def marker_bytes(seed: int, categories: list[str], images_per_category: int) -> bytes:
    """The release's SYNTHETIC_MARKER: what made it; no timestamp, so the same seed gives the same bytes."""
    record = {"generator": "python -m synthetic_release write", "generator_version": GENERATOR_VERSION,
              "seed": seed, "categories": categories, "images_per_category": images_per_category}
    return (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()


def _generate(job: tuple[ImageSpec, int]) -> GeneratedImage:
    spec, seed = job
    return scenes.generate_image(spec, seed)


def _cad_file(job: tuple[str, int, int]) -> bytes:
    return scenes.cad_file(*job)


def write_release(out: str | os.PathLike, categories: list[str], images_per_category: int,
                  seed: int = 0, workers: int = 1, tree: bool = True, zip_: bool = False,
                  progress: bool = True) -> ReleaseSummary:
    """Generate a release into ``out``: ``imagenet3d_v1/`` and/or ``imagenet3d_v1.zip``,
    plus ``captions/``. Returns what was written.

    With the tree, a rerun after a kill resumes: images already in the tree
    are not rendered again (see ``synthetic_release.progress``), and the
    result is byte-identical to an uninterrupted run. The zip alone is
    written again from the start. Temp files of killed runs are removed.
    """
    if not (tree or zip_):
        raise SyntheticReleaseError("nothing to write: ask for the tree, the zip or both")
    if images_per_category < 1:
        raise SyntheticReleaseError("--images-per-category must be at least 1")
    started = time.perf_counter()
    out = Path(out)
    if out.is_dir():
        sweep_temporaries(out)
    specs = scenes.plan_release(categories, images_per_category, seed)
    tree_root = out / RELEASE_DIR
    relpaths = {spec.image_id: (imagenet3d.image_relpath(spec.category, spec.stem),
                                imagenet3d.annotation_relpath(spec.category, spec.stem)) for spec in specs}
    journal = Journal(out, json.loads(marker_bytes(seed, categories, images_per_category)))
    done = journal.load(tree_root, relpaths) if tree else {}
    sinks = _Sinks(out, tree, zip_)
    captions: dict[str, str] = {}
    quirks: Counter = Counter()
    objects = 0
    results = parallel_map(_generate, [(spec, seed) for spec in specs if spec.image_id not in done], workers)
    for spec in tqdm(specs, desc="rendering images", unit="img", disable=not progress):
        image_path, annotation_path = relpaths[spec.image_id]
        finished = done.get(spec.image_id)
        if finished is None:
            generated = next(results)
            sinks.add_release_file(image_path, generated.image_bytes)
            sinks.add_release_file(annotation_path, generated.annotation_bytes)
            finished = Finished(generated.caption, tuple(generated.quirks), generated.num_objects,
                                (len(generated.image_bytes), len(generated.annotation_bytes)))
            if tree:
                journal.record(spec.image_id, finished)
        elif zip_:  # rendered by an earlier run: its bytes are in the tree
            for relpath in (image_path, annotation_path):
                sinks.release_sinks[-1].add(relpath, (tree_root / relpath).read_bytes())
        captions[spec.image_id] = finished.caption
        quirks.update(finished.quirks)
        objects += finished.objects
    if next(results, None) is not None:
        raise AssertionError("more images rendered than planned")
    for relpath, data in scenes.list_files(specs).items():
        sinks.add_release_file(relpath, data)
    models = scenes.cad_models(categories)
    cad_paths = [imagenet3d.cad_relpath(*model) for model in models]
    written = journal.files_present(tree_root, cad_paths) if tree else set()
    meshes = parallel_map(_cad_file, [(*model, seed) for model, relpath in zip(models, cad_paths)
                                      if relpath not in written], workers, chunksize=1)
    for relpath in tqdm(cad_paths, desc="writing CAD models", unit="mesh", disable=not progress):
        if relpath in written:  # written by an earlier run
            if zip_:
                sinks.release_sinks[-1].add(relpath, (tree_root / relpath).read_bytes())
            continue
        data = next(meshes)
        sinks.add_release_file(relpath, data)
        if tree:
            journal.record_file(relpath, len(data))
    if next(meshes, None) is not None:
        raise AssertionError("more CAD models made than planned")
    # Inside the release (folder and zip), so whatever is built from it can tell it is synthetic.
    sinks.add_release_file(imagenet3d.SYNTHETIC_MARKER, marker_bytes(seed, categories, images_per_category))
    sinks.close()
    for relpath, data in caption_files(captions, categories).items():
        atomic_write(out / relpath, data)
    summary = ReleaseSummary(out, len(specs), objects, quirks, time.perf_counter() - started)
    manifest = {"seed": seed, "categories": categories, "images_per_category": images_per_category,
                "images": len(specs), "objects": objects, "quirks": dict(sorted(quirks.items()))}
    atomic_write(out / "synthetic_release.json", (json.dumps(manifest, indent=1) + "\n").encode())
    if tree:  # a zip-only run leaves the journal of an earlier, killed tree run to that run's resume
        journal.finish()
    return summary
