"""Benchmark: SIGKILL a long job at random points, re-run it, compare the bytes.

``kill_loop`` starts a command, SIGKILLs it (its whole process group, so
worker processes die too, as in a crash) after a random delay, and repeats
that ``kills`` times; then it runs the command once more to completion. The
targets below use it on the two long jobs of the project, at the real size:

  generate  ``python -m synthetic_release write`` (189 categories x 420 images)
  convert   ``python -m conversion build`` of a raw release

Each target first makes a reference with one uninterrupted run (keeping only
its sha256 list, not a second copy, since disk is short), then the killed and
resumed run in the same place, and prints whether every output file is
byte-identical to the reference (and how many files were compared):

    .venv/bin/python -m benchmarks.kill_resume generate benchmarks/out/fullsize --kills 20
    .venv/bin/python -m benchmarks.kill_resume convert benchmarks/out/fullsize/imagenet3d_v1 \\
        benchmarks/out/fullsize-hub --kills 20 --captions ... --descriptions ...

Identical means: the same visible files with the same sha256, and no hidden
file (a temp file of a killed run) that the uninterrupted run does not have.
``generate --sample N`` skips the reference run (for a size too long to run
twice) and instead re-renders N random images in memory and compares them,
every list, CAD model, caption and the marker.

Kill delays are drawn uniformly from [min_s, max_s] (default: from the
reference's time). Every re-run first pays a fixed cost (imports, listing;
the build also converts every CAD model again), so delays must be longer than
that for a kill to land after some progress; each line printed per run says
how many files were there after it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from conversion.manifest import sha256_file

REPO = Path(__file__).resolve().parents[1]


def _run_once(command: list[str], env: dict[str, str] | None, cwd: str | None,
              delay: float | None) -> dict:
    """Run ``command``; SIGKILL its process group after ``delay`` seconds (None: never)."""
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        killed = False
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
            killed = True
        finally:
            if process.poll() is None:  # interrupted from outside: leave nothing running
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        seconds = time.monotonic() - started
        # reap anything left in the group (a worker that outlived its parent)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        log.seek(0)
        output = log.read()[-2000:].decode("utf-8", errors="replace")
    return {"delay": delay, "killed": killed, "exit_code": process.returncode,
            "seconds": round(seconds, 3), "output_tail": output}


def kill_loop(command: list[str], env: dict[str, str] | None, kills: int, seed: int, min_s: float,
              max_s: float, cwd: str | None = None, *,
              on_run: Callable[[dict], None] | None = None, first_s: float | None = None) -> list[dict]:
    """Start ``command``, SIGKILL it after a random delay, ``kills`` times; then run it to the end.

    Returns one record per run: ``{"run", "delay", "killed", "exit_code",
    "seconds", "output_tail"}``; the last record is the uninterrupted final run
    (``delay`` None). A run that finishes before its kill delay is recorded
    with ``killed`` False and ends the loop early (there is nothing left to
    kill), so count ``killed`` records for the number of kills that landed.
    A killed run's exit code is ``-9``. Delays come from ``random.Random(seed)``
    uniform in [min_s, max_s]; ``first_s``, if given, is the first run's delay (long enough to get
    past a stage that starts again until it is finished, e.g. the build's CAD models).
    ``on_run(record)``, if given, is called after each run (to print it, or to add what the run
    left behind to the record).
    """
    if kills < 0 or min_s < 0 or max_s < min_s:
        raise ValueError("need kills >= 0 and 0 <= min_s <= max_s")
    rng = random.Random(seed)
    records: list[dict] = []
    for number in range(kills):
        delay = rng.uniform(min_s, max_s)
        record = _run_once(command, env, cwd, first_s if number == 0 and first_s is not None else delay)
        record["run"] = len(records) + 1
        records.append(record)
        if on_run:
            on_run(record)
        if not record["killed"]:
            return records
    record = _run_once(command, env, cwd, None)
    record["run"] = len(records) + 1
    records.append(record)
    if on_run:
        on_run(record)
    return records


# ---------------------------------------------------------------- the targets

def file_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, by relative POSIX path (hidden files included)."""
    hashes = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            hashes[path.relative_to(root).as_posix()] = sha256_file(path)
    return hashes


def _hidden(relpath: str) -> bool:
    return any(part.startswith(".") for part in relpath.split("/"))


def compare(reference: dict[str, str], result: dict[str, str]) -> dict:
    """What differs between two sha256 lists; hidden leftovers (temp files, state) listed apart."""
    visible_ref = {k: v for k, v in reference.items() if not _hidden(k)}
    visible_out = {k: v for k, v in result.items() if not _hidden(k)}
    missing = sorted(set(visible_ref) - set(visible_out))
    extra = sorted(set(visible_out) - set(visible_ref))
    different = sorted(k for k in set(visible_ref) & set(visible_out) if visible_ref[k] != visible_out[k])
    hidden_extra = sorted(k for k in result if _hidden(k) and k not in reference)
    return {"compared": len(visible_ref), "missing": missing, "extra": extra, "different": different,
            "hidden_leftovers": hidden_extra,
            "identical": not (missing or extra or different or hidden_extra)}


def _count_files(root: Path) -> tuple[int, int, int]:
    """Visible files, hidden files (temp files, state) and the hidden files' bytes under ``root``."""
    visible = hidden = hidden_bytes = 0
    for directory, _, files in os.walk(root):
        for name in files:
            relpath = os.path.relpath(os.path.join(directory, name), root)
            if _hidden(relpath.replace(os.sep, "/")):
                hidden += 1
                hidden_bytes += os.stat(os.path.join(directory, name)).st_size
            else:
                visible += 1
    return visible, hidden, hidden_bytes


def _print_record(record: dict) -> None:
    delay = "-" if record["delay"] is None else f"{record['delay']:.1f}"
    line = (f"run {record['run']:>2}: delay {delay:>6} s, {'killed' if record['killed'] else 'ran to the end'}, "
            f"exit {record['exit_code']}, {record['seconds']:.1f} s, files after: {record['files']} "
            f"(+ {record['hidden_files']} hidden, {record['hidden_bytes'] / 1e6:.1f} MB)")
    print(line, flush=True)
    if not record["killed"] and record["exit_code"] != 0:
        print("  output: " + record["output_tail"].strip().replace("\n", "\n  "), flush=True)


def run_target(name: str, command: list[str], out: Path, kills: int, seed: int, min_s: float | None,
               max_s: float | None, reference_path: Path, check: Callable[[], dict] | None = None,
               expected_s: float | None = None, first_s: float | None = None) -> dict:
    """Reference run (unless its sha256 list is stored), then the killed runs in the same place; compare.

    With ``check`` (and ``expected_s``, the time one run is expected to take), no reference run:
    ``check()`` judges the result instead.
    """
    env = dict(os.environ, PYTHONPATH=str(REPO))
    reference: dict[str, str] = {}
    if check is not None:
        reference_seconds = float(expected_s or 0)
        print(f"{name}: no reference run; checked by sampling after; one run expected to take "
              f"{reference_seconds:.0f} s", flush=True)
    elif reference_path.exists():
        stored = json.loads(reference_path.read_text())
        reference, reference_seconds = stored["files"], stored["seconds"]
        print(f"{name}: reference from {reference_path}: {len(reference)} files, {reference_seconds:.1f} s",
              flush=True)
    else:
        shutil.rmtree(out, ignore_errors=True)
        print(f"{name}: uninterrupted reference run: {' '.join(command)}", flush=True)
        record = _run_once(command, env, str(REPO), None)
        if record["exit_code"] != 0:
            raise SystemExit(f"the reference run failed ({record['exit_code']}):\n{record['output_tail']}")
        reference_seconds = record["seconds"]
        reference = file_hashes(out)
        reference_path.parent.mkdir(parents=True, exist_ok=True)
        reference_path.write_text(json.dumps({"command": command, "seconds": reference_seconds,
                                              "files": reference}, indent=0) + "\n")
        print(f"{name}: reference {reference_seconds:.1f} s, {len(reference)} files; list in {reference_path}",
              flush=True)
    shutil.rmtree(out, ignore_errors=True)
    share = reference_seconds / max(kills, 1)
    min_s = 3 + 0.25 * share if min_s is None else min_s
    max_s = 3 + 1.5 * share if max_s is None else max_s
    first = f", the first after {first_s:.1f} s" if first_s is not None else ""
    print(f"{name}: {kills} kills, delays uniform in [{min_s:.1f}, {max_s:.1f}] s{first}, seed {seed}", flush=True)

    def on_run(record: dict) -> None:
        record["files"], record["hidden_files"], record["hidden_bytes"] = _count_files(out)
        _print_record(record)

    started = time.monotonic()
    records = kill_loop(command, env, kills, seed, min_s, max_s, cwd=str(REPO), on_run=on_run, first_s=first_s)
    seconds = time.monotonic() - started
    final = records[-1]
    result = check() if check is not None else compare(reference, file_hashes(out))
    landed = sum(r["killed"] for r in records)
    print(f"{name}: {landed} kills landed, {len(records)} runs, {seconds:.1f} s in all "
          f"(reference {reference_seconds:.1f} s); final run exit {final['exit_code']}", flush=True)
    for key in ("missing", "extra", "different", "hidden_leftovers"):
        if result.get(key):
            print(f"  {key}: {len(result[key])}, e.g. {result[key][:5]}", flush=True)
    verdict = "IDENTICAL" if result["identical"] and final["exit_code"] == 0 else "NOT IDENTICAL"
    against = ("in-memory re-rendering" if check is not None else "the uninterrupted run")
    print(f"{name}: {verdict}: {result['compared']} files compared with {against}", flush=True)
    return {"target": name, "kills": landed, "runs": len(records), "seconds": round(seconds, 1),
            "reference_seconds": reference_seconds, "records": records, **result}


def sample_check(out: Path, categories: int, images_per_category: int, seed: int, sample: int) -> dict:
    """Without a reference: re-render ``sample`` random images in memory and compare them, and every
    whole-release file (lists, CAD models, marker, category descriptions) and every image's caption
    line, with what the killed and resumed run left in ``out``."""
    import imagenet3d
    from synthetic_release import scenes
    from synthetic_release.captions import caption_files
    from synthetic_release.writer import marker_bytes

    chosen = scenes.choose_categories(categories)
    specs = scenes.plan_release(chosen, images_per_category, seed)
    root = out / scenes.RELEASE_DIR
    expected: dict[str, bytes] = {**scenes.list_files(specs), **scenes.cad_files(chosen, seed),
                                  imagenet3d.SYNTHETIC_MARKER: marker_bytes(seed, chosen, images_per_category)}
    different = [relpath for relpath, data in expected.items()
                 if not (root / relpath).is_file() or (root / relpath).read_bytes() != data]
    captions: dict[str, str] = {}
    for spec in random.Random(seed).sample(specs, min(sample, len(specs))):
        generated = scenes.generate_image(spec, seed)
        for relpath, data in ((imagenet3d.image_relpath(spec.category, spec.stem), generated.image_bytes),
                              (imagenet3d.annotation_relpath(spec.category, spec.stem),
                               generated.annotation_bytes)):
            if not (root / relpath).is_file() or (root / relpath).read_bytes() != data:
                different.append(relpath)
        captions[spec.image_id] = generated.caption
    lines = [json.loads(line) for line in (out / "captions" / "image_captions.jsonl").read_text().splitlines()]
    if [line["image_id"] for line in lines] != [spec.image_id for spec in specs]:
        different.append("captions/image_captions.jsonl (ids or order)")
    written = {line["image_id"]: line["caption"] for line in lines}
    different += [f"caption of {image_id}" for image_id, caption in captions.items()
                  if written.get(image_id) != caption]
    descriptions = caption_files({}, chosen)
    for relpath, data in descriptions.items():
        if relpath.endswith(".json") and (out / relpath).read_bytes() != data:
            different.append(relpath)
    files = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    release_files = {f"{scenes.RELEASE_DIR}/{relpath}" for relpath in expected}
    for spec in specs:
        release_files.add(f"{scenes.RELEASE_DIR}/{imagenet3d.image_relpath(spec.category, spec.stem)}")
        release_files.add(f"{scenes.RELEASE_DIR}/{imagenet3d.annotation_relpath(spec.category, spec.stem)}")
    release_files |= {"captions/image_captions.jsonl", "captions/category_descriptions.json",
                      "synthetic_release.json"}
    return {"compared": len(expected) + 2 * len(captions) + 2, "sampled_images": len(captions),
            "different": different, "missing": sorted(release_files - files), "extra": sorted(files - release_files),
            "identical": not different and files == release_files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kill_resume", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    targets = parser.add_subparsers(dest="target", required=True)
    generate = targets.add_parser("generate", help="python -m synthetic_release write, killed and resumed")
    generate.add_argument("out")
    generate.add_argument("--categories", type=int, default=189)
    generate.add_argument("--images-per-category", type=int, default=420)
    generate.add_argument("--sample", type=int, help="no reference run: afterwards re-render this many random "
                                                     "images in memory and compare them and every whole-release "
                                                     "file and caption (for sizes too long to run twice)")
    generate.add_argument("--expected-s", type=float, help="with --sample: the time one run takes, for the delays")
    convert = targets.add_parser("convert", help="python -m conversion build, killed and resumed")
    convert.add_argument("raw", help="the raw release (folder or .zip)")
    convert.add_argument("out")
    convert.add_argument("--captions")
    convert.add_argument("--descriptions")
    for sub in (generate, convert):
        sub.add_argument("--kills", type=int, default=20)
        sub.add_argument("--seed", type=int, default=0, help="seed of the kill delays (and of the release)")
        sub.add_argument("--min-s", type=float, help="shortest kill delay (default from the reference time)")
        sub.add_argument("--max-s", type=float, help="longest kill delay (default from the reference time)")
        sub.add_argument("--first-s", type=float, help="the first kill's delay (e.g. past the build's CAD stage, "
                                                          "which starts again until it is finished)")
        sub.add_argument("--workers", type=int, default=os.cpu_count() or 1)
        sub.add_argument("--reference", help="sha256 list of the uninterrupted run: read if it exists, "
                                             "else written (default: OUT + .reference.json beside OUT)")
        sub.add_argument("--json", help="write all records and the comparison here")
    args = parser.parse_args(argv)
    # Stopped from outside: unwind, so the run in flight is killed with its group (kill_loop's finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = Path(args.out).resolve()
    if args.target == "generate":
        command = [sys.executable, "-m", "synthetic_release", "write", str(out), "--categories",
                   str(args.categories), "--images-per-category", str(args.images_per_category),
                   "--seed", str(args.seed), "--workers", str(args.workers), "--quiet"]
    else:
        command = [sys.executable, "-m", "conversion", "build", str(Path(args.raw).resolve()), str(out),
                   "--workers", str(args.workers), "--quiet"]
        for flag in ("captions", "descriptions"):
            if getattr(args, flag):
                command += [f"--{flag}", str(Path(getattr(args, flag)).resolve())]
    reference = Path(args.reference) if args.reference else out.with_name(out.name + ".reference.json")
    check = None
    if args.target == "generate" and args.sample:
        def check() -> dict:
            return sample_check(out, args.categories, args.images_per_category, args.seed, args.sample)
    summary = run_target(args.target, command, out, args.kills, args.seed, args.min_s, args.max_s, reference,
                         check, getattr(args, "expected_s", None), args.first_s)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1) + "\n")
    return 0 if summary["identical"] and summary["records"][-1]["exit_code"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
