"""``python -m conversion build SRC OUT``: a raw release -> a Hub dataset repository.

The folder OUT *is* the repository: Parquet shards per config, README.md
(the dataset card with its YAML configs), figures, quarantine.json and
manifest.json. The build is

* deterministic: shard contents depend only on the source, never on
  ``--workers``, so the bytes are identical for any worker count;
* resumable: each shard is written under a temporary name and renamed when
  complete, with its quarantine entries saved beside it in ``.build/``; a
  rerun with the same source skips finished shards;
* safe: bad input goes to quarantine.json (``--strict`` fails instead).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

import imagenet3d
from _imagenet3d.configs import CONFIGS, shard_path
from _imagenet3d.files import atomic_write, sweep_temporaries
from _imagenet3d.parallel import parallel_map
from _imagenet3d.reasons import QuarantineReason, Reason
from conversion import inputs, validate
from conversion.manifest import sha256_file
from conversion.parquet_io import ParquetSink
from conversion.source import ReleaseSource
from conversion.validate import BadInput, Candidate

STATE_DIR = ".build"
# Shards per partition come in multiples of 24 for large data, so that every
# split and every union of partitions divides evenly over world_size x
# num_workers in {1, 2, 3, 4, 6, 8, 12, 24}; smaller data uses the largest
# such count that keeps shards at least MIN_SHARD_BYTES.
SHARD_COUNTS = (24, 12, 8, 6, 4, 3, 2, 1)
TARGET_SHARD_BYTES = 512 * 1024**2
MIN_SHARD_BYTES = 64 * 1024**2
# About 4 MB per row group: small enough for the viewer's random access and
# for streaming's first batch, large enough to keep footers small.
ROW_GROUP_BYTES = 4 * 1024**2


@dataclass(frozen=True)
class ShardJob:
    partition: str          # e.g. train-known
    index: int
    count: int
    candidates: tuple[Candidate, ...]
    row_group_rows: int

    @property
    def relpath(self) -> str:
        return shard_path(CONFIGS["default"].folder, self.partition, self.index, self.count)


def shard_count(total_bytes: int) -> int:
    if total_bytes >= SHARD_COUNTS[0] * MIN_SHARD_BYTES:
        return SHARD_COUNTS[0] * math.ceil(total_bytes / (SHARD_COUNTS[0] * TARGET_SHARD_BYTES))
    return next(n for n in SHARD_COUNTS if n == 1 or total_bytes / n >= MIN_SHARD_BYTES)


def plan_shards(source: ReleaseSource, candidates: list[Candidate]) -> list[ShardJob]:
    by_partition: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_partition[candidate.partition].append(candidate)
    jobs = []
    for partition, members in sorted(by_partition.items()):
        sizes = [source.by_path[c.image_path].size for c in members]
        count = min(shard_count(sum(sizes)), len(members))
        rows = int(np.clip(round(ROW_GROUP_BYTES / max(np.mean(sizes), 1)), 8, 1024))
        for index, chunk in enumerate(np.array_split(np.arange(len(members)), count)):
            jobs.append(ShardJob(partition, index, count, tuple(members[i] for i in chunk), rows))
    return jobs


# -- one shard (runs in a worker) -------------------------------------------

_WORKER: dict = {}


def _init_worker(source: ReleaseSource, cad_models: set, quarantined_cad: frozenset, captions: dict,
                 out: Path) -> None:
    _WORKER.update(source=source, cad_models=cad_models, quarantined_cad=quarantined_cad, captions=captions,
                   out=out)


def _run_shard(job: ShardJob) -> tuple[str, dict]:
    """Write one shard, a row group at a time; returns its quarantine entries and notes."""
    out: Path = _WORKER["out"]
    final, sidecar = out / job.relpath, out / STATE_DIR / (Path(job.relpath).name + ".json")
    if final.exists() and sidecar.exists():
        return job.relpath, json.loads(sidecar.read_text())
    schema = imagenet3d.features("default").arrow_schema
    sink = ParquetSink(final, schema, job.row_group_rows)
    rows, written, report = [], 0, {"quarantine": [], "notes": []}
    for candidate in job.candidates:
        try:
            row, problems, notes = validate.build_record(_WORKER["source"], candidate, _WORKER["cad_models"],
                                                        _WORKER["captions"], _WORKER["quarantined_cad"])
        except BadInput as error:
            report["quarantine"].append(validate.quarantine(error.path, error.reason))
            continue
        rows.append(row)
        report["quarantine"] += problems
        report["notes"] += notes
        if len(rows) == job.row_group_rows:  # memory stays at one row group
            sink.write(pa.Table.from_pylist(rows, schema=schema))
            written, rows = written + len(rows), []
    if rows:
        sink.write(pa.Table.from_pylist(rows, schema=schema))
    sink.close()
    # Written last: a shard counts as finished only when its sidecar exists too.
    _atomic_json(sidecar, {**report, "rows": written + len(rows)})
    return job.relpath, report


def _atomic_json(path: Path, data) -> None:
    atomic_write(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


# -- the whole build --------------------------------------------------------


@dataclass
class BuildResult:
    out: Path
    split_rows: dict[str, dict[str, int]]   # config -> split -> rows
    quarantine: list[dict]
    shards: list[str]
    seconds: dict[str, float]               # stage -> wall time

    def summary(self) -> str:
        default = self.split_rows.get("default", {})
        splits = ", ".join(f"{name} {rows}" for name, rows in default.items())
        stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in self.seconds.items())
        return (f"built {self.out}: {splits} images in {len(self.shards)} shards; "
                f"{len(self.quarantine)} quarantined (see {self.out / 'quarantine.json'}); {stages}")


def _prepare_out(out: Path, state: dict) -> None:
    """Resume when the recorded state matches; otherwise start from an empty build."""
    state_file = out / STATE_DIR / "state.json"
    if state_file.exists():
        try:
            if json.loads(state_file.read_text()) == state:
                return
        except json.JSONDecodeError:
            pass
    for generated in (*dict.fromkeys(config.folder for config in CONFIGS.values()), "figures", STATE_DIR):
        shutil.rmtree(out / generated, ignore_errors=True)
    _atomic_json(state_file, state)


def _cad_stage(out: Path, source: ReleaseSource, progress: bool, workers: int) -> dict[tuple[str, int], Reason]:
    """derived_configs.write_cad_models, unless a killed build of the same state finished it: its record
    (the models left out, with their reasons) is written after both files are whole, so a resumed build
    does not convert every model again (about a minute at the real size) before its first new shard."""
    from conversion import derived_configs

    record = out / STATE_DIR / "cad_models.json"
    files = [out / derived_configs.single_file("cad_models"), out / imagenet3d.CAD_MESHES_FILE]
    if record.exists() and all(path.exists() for path in files):
        try:
            return {(category, index): Reason(QuarantineReason[code], text)
                    for category, index, code, text in json.loads(record.read_text())["left_out"]}
        except (ValueError, KeyError, TypeError):
            pass  # unreadable: do the stage again
    left_out = derived_configs.write_cad_models(out, source, progress, workers)
    _atomic_json(record, {"left_out": [[category, index, why.code.name, str(why)]
                                       for (category, index), why in sorted(left_out.items())]})
    return left_out


def build(src: str | os.PathLike, out: str | os.PathLike, captions_path: str | None = None,
          descriptions_path: str | None = None, workers: int = 1, strict: bool = False,
          progress: bool = True, origin: dict | None = None) -> BuildResult:
    """Convert the release at ``src`` into the dataset repository ``out``.

    ``origin`` says where ``src`` came from (``build --from-hub``: repo, commit,
    sha256); it goes into manifest.json only, so a build resumes whether its
    zip came from the Hub or from a local copy."""
    from conversion import card, derived_configs  # the card pulls in datasets/matplotlib: import late

    clock = _Stopwatch()
    source = ReleaseSource(src)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    candidates, problems = validate.plan_candidates(source)
    captions, caption_problems = inputs.load_captions(captions_path)
    problems += caption_problems
    descriptions = inputs.load_descriptions(descriptions_path)
    cad_models = validate.cad_models_present(source)
    jobs = plan_shards(source, candidates)
    state = {"source": source.fingerprint(), "shards": [job.relpath for job in jobs],
             "captions": _file_fingerprint(captions_path), "descriptions": _file_fingerprint(descriptions_path)}
    _prepare_out(out, state)
    sweep_temporaries(out)  # what killed builds left half-written (hidden, but it takes disk)

    # CAD models first: a model that cannot go in (not an OFF mesh, NaN or infinite vertices) is
    # quarantined, and so is every image with an object that uses it.
    left_out = _cad_stage(out, source, progress, workers)
    problems += [validate.quarantine(imagenet3d.cad_relpath(*model), why) for model, why in left_out.items()]
    clock.lap("cad models")
    context = (source, cad_models - set(left_out), frozenset(left_out), captions, out)
    results = parallel_map(_run_shard, jobs, workers, _init_worker, context, ordered=False, chunksize=1)
    shard_reports = dict(tqdm(results, total=len(jobs), desc="writing image shards", unit="shard",
                              disable=not progress))
    notes = []
    for relpath in sorted(shard_reports):
        problems += shard_reports[relpath]["quarantine"]
        notes += shard_reports[relpath]["notes"]
    problems.sort(key=lambda p: (p["path"], p["reason"]))
    _atomic_json(out / "quarantine.json", {"count": len(problems), "entries": problems, "notes": notes})
    if strict and problems:
        raise BadInput(problems[0]["path"], f"--strict: {len(problems)} bad inputs, first: "
                                            f"{problems[0]['path']}: {problems[0]['reason']}")

    clock.lap("images")
    shards = sorted(job.relpath for job in jobs)
    annotations = derived_configs.write_annotations(out, shards, progress)
    derived_configs.write_categories(out, annotations, descriptions)
    provenance = {**source.fingerprint(), **({"origin": origin} if origin else {})}
    split_rows = card.write_card(out, shards, annotations, problems, provenance, synthetic=source.synthetic)
    clock.lap("card and manifest")
    return BuildResult(out, split_rows, problems, shards, clock.laps)


class _Stopwatch:
    def __init__(self):
        self.start = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.start
        self.start = now


def _file_fingerprint(path: str | None) -> dict | None:
    """Name, size and content hash: a moved copy with the same bytes resumes; no machine paths."""
    if not path:
        return None
    return {"name": Path(path).name, "size": Path(path).stat().st_size, "sha256": sha256_file(path)}
