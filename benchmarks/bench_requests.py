"""Benchmark: the Hub requests the viewer makes per action, counted by a stand-in Hub.

A converted folder is served as hf://datasets/bench/imagenet3d by the stand-in
server of the tests (tests/hub_standin.py, on 127.0.0.1), and the viewer's own
code (viewer_app.access.Access and Guard, the Viewer) runs against it through
the real huggingface_hub client over real HTTP. huggingface_hub reads
HF_ENDPOINT at import, so the server starts before anything imports it.

Actions, in order, as a visitor does them: open the index; a page of 24
thumbnails; the statistics; the first sample with every overlay and its
posed CAD model (nothing cached yet for it); the same sample again; a filter
change (category: grid and statistics); the next page; a sample of another
category; and, with nothing cached, a sample again (the bound that must
hold whatever was read before).

    .venv/bin/python -m synthetic_release write benchmarks/out/requests --categories 20 --images-per-category 40
    .venv/bin/python -m conversion build benchmarks/out/requests/imagenet3d_v1 benchmarks/out/requests-hub
    .venv/bin/python -m benchmarks.bench_requests benchmarks/out/requests-hub [--gated] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The stand-in Hub is a test helper in tests/, which is no package. Stdlib only: importing it imports no
# huggingface_hub, which must read HF_ENDPOINT (set below) at its import.
sys.path.insert(0, str(ROOT / "tests"))
from hub_standin import HubStandIn  # noqa: E402 - needs the path above

REPO = "bench/imagenet3d"
TOKEN = "hf_bench_visitor"


def measure(hub: HubStandIn, gated: bool) -> dict:
    """Per action: the stand-in's request count by kind, and what the viewer answered."""
    from viewer_app.access import Access, Guard
    from viewer_app.data import Filter
    from viewer_app.overlay import KINDS
    from viewer_app.viewer import Viewer

    class Visitor:   # a signed-in session as Gradio hands it to the handlers
        token = TOKEN

    results: dict = {"actions": []}

    def count(run) -> tuple[int, dict, object]:
        hub.reset_counts()
        answer = run()
        kinds: dict[str, int] = {}
        for request in hub.requests:
            kinds[request.kind] = kinds.get(request.kind, 0) + 1
        return sum(kinds.values()), kinds, answer

    total, kinds, access = count(lambda: Access(f"hf://datasets/{REPO}"))
    guard = Guard(access, Viewer)
    visitor = Visitor() if gated else None

    def view(action):
        return guard(visitor, lambda message: message, action)

    if gated:   # a gated index is opened by the first admitted visitor, after the gate check
        results["start-up"] = {"requests": total, "by_kind": kinds}
        total, kinds, _ = count(lambda: view(lambda viewer: None))
    results["actions"].append({"action": "open the index", "requests": total, "by_kind": kinds})
    index = guard.viewer().index
    with_model = [i for i in index.image_ids if (o := index.record(i)["objects"]) and o[0]["cad_index"] is not None]
    first = with_model[-1]
    category = index.record(first)["category"]
    other = next(c for c in sorted(set(index.category.tolist())) if c != category)
    second = next(i for i in with_model if index.record(i)["category"] == other)
    actions = [
        ("a page of 24 thumbnails", lambda v: v.browse(Filter(), 1)),
        ("statistics", lambda v: v.statistics_html(v.index.select(Filter()))),
        ("first sample, every overlay and the posed CAD model", lambda v: v.sample(first, list(KINDS))),
        ("the same sample again", lambda v: v.sample(first, list(KINDS))),
        ("a filter change (category: grid and statistics)",
         lambda v: (v.browse(Filter(category=other), 1), v.statistics_html(v.index.select(Filter(category=other))))),
        ("the next page", lambda v: v.browse(Filter(), 2)),
        ("a sample of another category", lambda v: v.sample(second, list(KINDS))),
        # Orders that scatter a page over the shards: one request per run of nearby row groups.
        ("a page sorted by objects (most first)", lambda v: v.browse(Filter(sort="objects (most first)"), 1)),
        ("a page sorted by size", lambda v: v.browse(Filter(sort="width x height (largest first)"), 1)),
    ]
    for name, action in actions:   # in order, as a visitor does them: each finds what the last ones read
        total, kinds, _ = count(lambda: view(action))
        results["actions"].append({"action": name, "requests": total, "by_kind": kinds})
    for row, (name, action) in zip(results["actions"][1:], actions):   # and each alone, nothing cached
        if name != "the same sample again":
            forget(index, guard.viewer())
            row["cold"] = count(lambda: view(action))[0]
    results.update(images=len(index.image_ids), data_files=len(index.image_files),
                   row_groups=sum(index._metadata(f).num_row_groups for f in index.image_files),
                   footer_bytes=sum(len(b) for b in index._footers.values()), gated=gated)
    return results


def forget(index, viewer) -> None:
    """Empties every cache of read bytes: ranges, meshes, drawn files (the index itself stays)."""
    from viewer_app.hub_io import RangeCache

    index.fs.cache = RangeCache(index.fs.cache.budget)
    for cached in ("mesh", "_category_glbs"):
        getattr(getattr(index, cached, None), "cache_clear", lambda: None)()
    for path in viewer.files.folder.iterdir():
        path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_requests", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", help="a converted folder (python -m conversion build)")
    parser.add_argument("--gated", action="store_true", help="serve it gated, read by a visitor who accepted")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    with HubStandIn() as hub, tempfile.TemporaryDirectory() as home:
        hub.add_repo(REPO, args.dataset, gated="manual" if args.gated else False)
        hub.add_user(TOKEN, "visitor", accepted={REPO})
        os.environ.update(hub.env(home))   # before huggingface_hub is imported (measure imports it)
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        results = measure(hub, args.gated)
    if args.json:
        print(json.dumps(results))
        return 0
    print(f"{results['images']:,} images in {results['data_files']} data files, {results['row_groups']} row "
          f"groups; {'gated, a visitor who accepted' if args.gated else 'not gated, anonymous'}")
    if "start-up" in results:
        print(f"start-up (is it gated?): {results['start-up']['requests']} request(s), anonymous")
    print("| action | Hub requests, in order | by kind | nothing cached |\n|---|---:|---|---:|")
    for row in results["actions"]:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(row["by_kind"].items())) or "-"
        print(f"| {row['action']} | {row['requests']} | {kinds} | {row.get('cold', '')} |")
    print(f"footers held: {results['footer_bytes']:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
