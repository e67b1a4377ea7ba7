"""Benchmark: `python -m conversion push` SIGKILLed at random points, re-run to the end, against the stand-in Hub.

The stand-in Hub (tests/hub_standin.py) runs in this process; each run is a fresh `python -m conversion push` (the
real huggingface_hub client, over HTTP). kill_loop (benchmarks/kill_resume.py) kills it `--kills` times after
random delays, then lets it finish. Printed at the end:
  * verified: the Hub's file list (path, size, sha256 of LFS files, git blob sha1 of the others) equals the
    folder's manifest.json, nothing missing, nothing extra (conversion/hub/remote_check.py), and the last run said
    "pushed and verified";
  * bytes: file content the Hub's commits wrote (each file should be written once: anything above the folder's
    size was sent again), and the request-body bytes of commits that wrote nothing (cut by a kill).

By default the stand-in keeps each committed file as a sparse file of its size with its true ids (listings and the
verification are exact; the bytes are hashed as they arrive, then dropped): the disk does not hold the 8 GB twice.
--keep-bytes keeps them.

    .venv/bin/python -m benchmarks.kill_resume_push benchmarks/out/fullsize-hub --kills 20 --min-s 20 --max-s 90
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

from huggingface_hub import HfApi

from benchmarks.kill_resume import kill_loop
from conversion import manifest
from conversion.hub import remote_check

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from hub_standin import HubStandIn  # noqa: E402  (tests/ holds the stand-in)

REPO_ID, TOKEN = "bench/kill-resume-push", "hf_bench_writer"


def _committed(hub: HubStandIn) -> tuple[int, int]:
    uploads = hub.uploads
    return len({u.path for u in uploads}), sum(u.size for u in uploads)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a built folder with its manifest.json")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-s", type=float, default=10.0, help="shortest delay before a kill")
    parser.add_argument("--max-s", type=float, default=60.0, help="longest delay before a kill")
    parser.add_argument("--keep-bytes", action="store_true", help="the stand-in keeps the uploaded bytes")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    problems = manifest.verify(folder)
    if problems:
        raise SystemExit(f"{folder} does not match its manifest: {problems[:3]}")
    files = manifest.repo_files(folder)
    size = sum((folder / f).stat().st_size for f in files)
    print(f"push {folder}: {len(files)} files, {size:,} bytes; {args.kills} kills, delays uniform in "
          f"[{args.min_s}, {args.max_s}] s, seed {args.seed}", flush=True)
    with HubStandIn() as hub, tempfile.TemporaryDirectory() as home:
        hub.add_user(TOKEN, REPO_ID.split("/")[0])
        hub.keep_uploaded_bytes(args.keep_bytes)
        command = [sys.executable, "-m", "conversion", "push", str(folder), "--repo-id", REPO_ID]

        def on_run(record: dict) -> None:
            done, written = _committed(hub)
            record.update(files_on_hub=done, bytes_written=written)
            delay = "-" if record["delay"] is None else f"{record['delay']:.1f}"
            print(f"run {record['run']:>2}: delay {delay:>6} s, {'killed' if record['killed'] else 'ran to the end'}"
                  f", exit {record['exit_code']}, {record['seconds']:.1f} s; on the Hub: {done}/{len(files)} files,"
                  f" {written:,} bytes written so far", flush=True)

        started = time.monotonic()
        records = kill_loop(command, hub.env(home, TOKEN), args.kills, args.seed, args.min_s, args.max_s,
                            cwd=str(REPO), on_run=on_run)
        seconds = time.monotonic() - started
        check = remote_check.check_remote(HfApi(endpoint=hub.endpoint, token=TOKEN), folder, files, REPO_ID)
        counts = collections.Counter(u.path for u in hub.uploads)
        written = sum(u.size for u in hub.uploads)
        lost = sum(r.body_bytes for r in hub.requests if r.kind == "commit" and r.status != 200)
        last = records[-1]
        figures = {
            "folder": str(folder), "files": len(files), "bytes": size, "kills": sum(r["killed"] for r in records),
            "runs": len(records), "seconds": round(seconds, 1),
            "last_run_ok": last["exit_code"] == 0 and "pushed and verified" in last["output_tail"],
            "verified_files": len(files) - len({p.split(":")[0] for p in check.problems}),
            "problems": check.problems, "extra": check.extra,
            "bytes_written": written, "bytes_written_again": written - size,
            "files_written_twice_or_more": sorted(p for p, n in counts.items() if n > 1),
            "commit_body_bytes_that_wrote_nothing": lost,
            "commit_requests": hub.count("commit"),
        }
    ok = figures["last_run_ok"] and not check.problems and not check.extra
    print(f"{figures['kills']} kills, {figures['runs']} runs, {seconds:.0f} s; verified {figures['verified_files']}/"
          f"{len(files)} files, {'identical' if ok else 'NOT identical'}; bytes written {written:,} for {size:,} "
          f"({written - size:,} again, files written twice or more: {len(figures['files_written_twice_or_more'])});"
          f" commit bodies cut by a kill: {lost:,} bytes", flush=True)
    if not ok:
        print(json.dumps({"problems": check.problems[:10], "extra": check.extra[:10],
                          "last_output": last["output_tail"][-1500:]}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
