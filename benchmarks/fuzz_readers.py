"""Fuzz the readers of outside bytes, each for a fixed budget, and report executions, coverage and crashes.

    # atheris and coverage, at the versions pyproject.toml's "fuzz" extra pins (not needed by the tests):
    .venv/bin/pip install --no-build-isolation -e ".[fuzz]" --config-settings editable_mode=compat
    .venv/bin/python -m benchmarks.fuzz_readers --seconds 120            # every target
    .venv/bin/python -m benchmarks.fuzz_readers --seconds 60 off captions
    .venv/bin/python -m benchmarks.fuzz_readers --replay                 # coverage and crashes of what is kept

Targets (tests/fuzz/targets.py): annotations (read_annotations of a whole .npz), annotation_npy
(read_annotations of a fuzzed annotations.npy in a well-formed .npz: the npy header and the restricted
unpickler, which the zip's CRC check hides from the first), off (read_off), zip_source
(conversion/source.py's ReleaseSource over a zip, with plan_candidates and a read of every entry),
captions (conversion/inputs.py's load_captions and load_descriptions), predictions (read_predictions).
Each is seeded with real-format files (tests/fuzz/seeds.py) and run under atheris (libFuzzer, coverage
guided, with a dictionary of the format's tokens) in a child process for ``--seconds``; a child that
stops early (a hang past ``--timeout`` or memory past ``--memory-mb``) is restarted on the same corpus
until the budget is spent. A target's corpus is kept between runs (delete its folder to start afresh).
Then the seeds, the corpus and the kept crash inputs are replayed under coverage.py (lines and
branches of the target's modules, uninstrumented), and each kept crash is run again to say whether it
still crashes (after a fix it must not). Work folders: benchmarks/out/fuzz/<target>/; the figures go
to benchmarks/out/fuzz/summary.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FUZZ = REPO / "tests" / "fuzz"
sys.path[:0] = [str(FUZZ), str(REPO)]

from seeds import SEEDS, write_release  # noqa: E402  (tests/fuzz is not a package)
from targets import TARGETS  # noqa: E402

OUT = REPO / "benchmarks" / "out" / "fuzz"
_EXECUTIONS = re.compile(r"^(?:#(\d+)\s|Done (\d+) runs)", re.MULTILINE)


def _write_seeds(name: str, folder: Path) -> int:
    release = write_release(OUT / "release")
    folder.mkdir(parents=True, exist_ok=True)
    seeds = SEEDS[name](release)
    for index, data in enumerate(seeds):
        (folder / f"seed-{index:02d}").write_bytes(data)
    return len(seeds)


@contextlib.contextmanager
def _scratch() -> Iterator[dict[str, str]]:
    """The environment of a child: a scratch folder for the files the readers open (in memory where
    /dev/shm exists), removed when the child is done."""
    folder = tempfile.mkdtemp(prefix="imagenet3d-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        yield {**os.environ, "IMAGENET3D_FUZZ_SCRATCH": folder}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _escaped(token: bytes) -> str:
    """A libFuzzer dictionary entry's text: every byte as \\xNN."""
    return "".join(f"\\x{byte:02x}" for byte in token)


def fuzz(name: str, seconds: float, timeout: int, memory_mb: int) -> dict:
    """Run one target for ``seconds`` (restarting after an early stop); its executions and stops."""
    work = OUT / name
    seeds, corpus, crashes = work / "seeds", work / "corpus", work / "crashes"
    _write_seeds(name, seeds)
    corpus.mkdir(parents=True, exist_ok=True)
    dictionary = work / "tokens.dict"
    dictionary.write_text("".join(f'"{_escaped(token)}"\n' for token in TARGETS[name].tokens))
    executions, starts, stops = 0, 0, []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 2:
        starts += 1
        command = [sys.executable, str(FUZZ / "atheris_child.py"), name, str(crashes), str(memory_mb), "--",
                   f"-max_total_time={int(left)}", f"-max_len={TARGETS[name].max_len}", f"-timeout={timeout}",
                   f"-rss_limit_mb={memory_mb + 1024}", f"-artifact_prefix={crashes}/", f"-seed={starts}",
                   "-print_final_stats=1", *([f"-dict={dictionary}"] if TARGETS[name].tokens else []),
                   str(corpus), str(seeds)]
        log = work / f"run-{starts}.log"
        with open(log, "w") as handle, _scratch() as env:
            code = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, cwd=REPO, env=env).returncode
        text = log.read_text(errors="replace")
        counts = [int(a or b) for a, b in _EXECUTIONS.findall(text)]
        executions += max(counts, default=0)
        if code != 0:
            stops.append({"exit": code, "log": str(log.relative_to(REPO)),
                          "why": next((line for line in text.splitlines() if "ERROR: libFuzzer" in line
                                       or "==ERROR" in line), "exit without a libFuzzer error line")})
    return {"seconds": seconds, "executions": executions, "starts": starts, "stops": stops,
            "corpus": len(list(corpus.iterdir()))}


def replay(name: str) -> dict:
    """Coverage of the target's modules over seeds, corpus and kept crashes; which kept crashes still crash."""
    work = OUT / name
    report = work / "coverage.json"
    script = f"""
import json, sys, traceback
from pathlib import Path
import coverage
sys.path[:0] = [{str(FUZZ)!r}, {str(REPO)!r}]
files = {[str(REPO / module) for module in TARGETS[name].modules]!r}
cov = coverage.Coverage(branch=True, include=files, data_file=None)
cov.start()
from targets import TARGETS
target = TARGETS[{name!r}]
expected = target.expected()
work = Path({str(work)!r})
inputs = sorted(p for folder in ("seeds", "corpus") for p in (work / folder).glob("*") if p.is_file())
crashes = sorted((work / "crashes").glob("*.bin"))
still = {{}}
for path in inputs + crashes:
    try:
        target.run(path.read_bytes())
        outcome = None
    except expected:
        outcome = None
    except Exception as error:
        outcome = type(error).__name__ + ": " + str(error)[:200]
    if path in crashes:
        still[path.stem] = outcome
cov.stop()
cov.json_report(outfile={str(report)!r}, include=files)
print(json.dumps({{"inputs": len(inputs), "still_crashing": still}}))
"""
    with _scratch() as env:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, env=env,
                                timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"replay of {name} failed:\n{result.stderr[-3000:]}")
    replayed = json.loads(result.stdout.strip().splitlines()[-1])
    data = json.loads(report.read_text())
    coverage = {}
    for path, entry in data["files"].items():
        summary = entry["summary"]
        coverage[os.path.relpath(path, REPO)] = {
            "lines": f"{summary['covered_lines']}/{summary['num_statements']}",
            "lines_percent": round(100 * summary["covered_lines"] / max(summary["num_statements"], 1), 1),
            "branches": f"{summary['covered_branches']}/{summary['num_branches']}",
            "branches_percent": round(100 * summary["covered_branches"] / max(summary["num_branches"], 1), 1)}
        functions = {}
        for function in TARGETS[name].functions:
            part = entry.get("functions", {}).get(function)
            if part:
                s = part["summary"]
                functions[function] = {"lines": f"{s['covered_lines']}/{s['num_statements']}",
                                       "branches": f"{s['covered_branches']}/{s['num_branches']}"}
        if functions:
            coverage[os.path.relpath(path, REPO)]["functions"] = functions
    crashes = []
    for record in sorted((work / "crashes").glob("*.json")):
        found = json.loads(record.read_text())
        crashes.append({**found, "id": record.stem, "still_crashes": replayed["still_crashing"].get(record.stem)})
    artifacts = sorted(p.name for p in (work / "crashes").glob("*") if p.name.startswith(("timeout-", "oom-",
                                                                                           "crash-", "leak-")))
    return {"replayed_inputs": replayed["inputs"], "coverage": coverage, "crashes": crashes,
            "libfuzzer_artifacts": artifacts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help=f"which to run (default: all of {', '.join(TARGETS)})")
    parser.add_argument("--seconds", type=float, default=120, help="fuzzing budget per target (default 120)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take (default 10)")
    parser.add_argument("--memory-mb", type=int, default=2048, help="memory one process may add (default 2048)")
    parser.add_argument("--replay", action="store_true", help="no fuzzing: replay what earlier runs kept")
    args = parser.parse_args(argv)
    names = args.targets or list(TARGETS)
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}: choose from {', '.join(TARGETS)}")
    summary_path = OUT / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    for name in names:
        entry = summary.get(name, {})
        if not args.replay:
            started = time.monotonic()
            entry["fuzz"] = fuzz(name, args.seconds, args.timeout, args.memory_mb)
            entry["fuzz"]["wall_seconds"] = round(time.monotonic() - started, 1)
        entry.update(replay(name))
        summary[name] = entry
        OUT.mkdir(parents=True, exist_ok=True)
        summary_path.write_text(json.dumps(summary, indent=1) + "\n")
        _print(name, entry)
    return 0


def _print(name: str, entry: dict) -> None:
    run = entry.get("fuzz", {})
    print(f"== {name}: {run.get('executions', '-')} executions in {run.get('seconds', '-')} s "
          f"({run.get('starts', 0)} start(s), corpus {run.get('corpus', '-')}, replayed {entry['replayed_inputs']})")
    for path, figures in entry["coverage"].items():
        print(f"   coverage {path}: lines {figures['lines']} ({figures['lines_percent']}%), "
              f"branches {figures['branches']} ({figures['branches_percent']}%)")
        for function, part in figures.get("functions", {}).items():
            print(f"      {function}: lines {part['lines']}, branches {part['branches']}")
    for crash in entry["crashes"]:
        state = "STILL CRASHES" if crash["still_crashes"] else "fixed"
        print(f"   crash {crash['id']}: {crash['signature']} ({crash['size']} bytes) [{state}]: "
              f"{crash['message'][:100]}")
    for stop in run.get("stops", []):
        print(f"   early stop (exit {stop['exit']}): {stop['why']} [{stop['log']}]")
    for artifact in entry["libfuzzer_artifacts"]:
        print(f"   libFuzzer artifact: {artifact}")


if __name__ == "__main__":
    raise SystemExit(main())
