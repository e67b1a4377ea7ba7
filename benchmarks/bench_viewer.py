"""Benchmark: the viewer at the real dataset's size, in one run.

Over a converted synthetic release as large as ImageNet3D (about 86,000
objects over 189 categories):

  1. opening the index (time, resident memory);
  2. p95 latency to open a sample as the Sample tab does (image read, decode,
     every overlay drawn at display resolution and encoded, pose table,
     caption, and the 3D panel's scene GLB with the photo);
  3. p95 latency to select an object of an open sample (redraw highlighted,
     its scene again), and to find the object under a click;
  4. p95 latency of a filter change (selection + a page of 24 thumbnails),
     and of the Statistics tab's plots for it;
  5. the scene view of 5-object images (GLB with every object and the photo);
  6. the overlays of the largest CAD mesh;
  7. predictions for the validation split: loading, sorting the grid by error,
     the paper's table for a filter;
  8. 20 concurrent clients over HTTP through gradio_client (bounded: 10
     requests each) against the viewer in its own process, as a Space runs
     it, for each concurrency limit asked: errors, p95, the server's memory.

    .venv/bin/python -m synthetic_release write benchmarks/out/fullsize --categories 189 --images-per-category 420
    .venv/bin/python -m conversion build benchmarks/out/fullsize/imagenet3d_v1 benchmarks/out/fullsize-hub
    .venv/bin/python -m benchmarks.bench_viewer benchmarks/out/fullsize-hub
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import resource
import subprocess
import sys
import threading
import time
import urllib.request
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import imagenet3d
from viewer_app.data import ERROR_SORT, SORT_KEYS, DatasetIndex, Filter
from viewer_app.overlay import KINDS, render_view
from viewer_app.predictions import load_predictions
from viewer_app.viewer import SCENE, WHOLE_IMAGE, Viewer


def rss_mb() -> float:
    """Resident memory now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_note() -> str:
    return f" [RSS {rss_mb():.0f} MB, peak so far {peak_rss_mb():.0f} MB]"


def p(values, q) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def write_predictions(index: DatasetIndex, path: Path, rng: random.Random) -> None:
    """Predictions for every object of the validation split with a pose: the truth turned by up to 60 degrees."""
    import json

    with open(path, "w") as out:
        for row in index.select(Filter(split="validation")):
            for k, obj in enumerate(index.objects(row)):
                if obj["azimuth"] is not None:
                    out.write(json.dumps({"object_id": imagenet3d.object_id(index.image_ids[row], k),
                                          "azimuth": obj["azimuth"] + np.radians(rng.uniform(-60, 60)),
                                          "elevation": obj["elevation"], "theta": obj["theta"]}) + "\n")


def random_filter(rng: random.Random, index: DatasetIndex) -> Filter:
    return Filter(split=rng.choice([None, "train", "validation"]), known=rng.choice([None, True, False]),
                  super_category=rng.choice([None, *imagenet3d.SUPER_CATEGORY_NAMES]),
                  category=rng.choice([None] * 4 + sorted(set(index.category.tolist()))),
                  object_status=rng.choice([None, *imagenet3d.OBJECT_STATUSES]),
                  num_objects=rng.choice([None, None, 1, 2]), text=rng.choice([None, None, "front", "above"]),
                  sort=rng.choice([key for key in SORT_KEYS if key != ERROR_SORT]))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_viewer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", help="a converted folder")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--filters", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20, help="0: no load test")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4],
                        help="the server's concurrency limits to compare")
    args = parser.parse_args()
    rng = random.Random(0)

    started = time.perf_counter()
    index = DatasetIndex(args.dataset)
    objects = int(index.num_objects.sum())
    print(f"index: {len(index.image_ids):,} images, {objects:,} objects, opened in "
          f"{time.perf_counter() - started:.1f} s, RSS {rss_mb():.0f} MB")
    viewer = Viewer(index)
    kinds = sorted(KINDS)

    times = []
    opened = rng.sample(index.image_ids, args.samples)
    for image_id in opened:
        started = time.perf_counter()
        viewer.sample(image_id, kinds, where=viewer.position(Filter(), image_id))   # as the page asks
        times.append(time.perf_counter() - started)
    print(f"open a sample as the Sample tab does ({args.samples} random): p50 {p(times, 50):.0f} ms, "
          f"p95 {p(times, 95):.0f} ms, max {p(times, 100):.0f} ms (target p95 < 150 ms){peak_note()}")

    times, picks = [], []
    for image_id in opened[:args.samples // 2]:
        objects = index.record(image_id)["objects"]
        k = rng.randrange(len(objects))
        started = time.perf_counter()
        shown = viewer.sample(image_id, kinds, k, where=viewer.position(Filter(), image_id))
        times.append(time.perf_counter() - started)
        x1, y1, x2, y2 = objects[k]["bbox"] or (0, 0, 1, 1)
        scale = Image.open(shown.overlay).width / index.record(image_id)["width"]   # display px per photo px
        started = time.perf_counter()
        viewer.pick(image_id, (x1 + x2) / 2 * scale, (y1 + y2) / 2 * scale, kinds, k, WHOLE_IMAGE)
        picks.append(time.perf_counter() - started)
    print(f"select an object of an open sample ({len(times)}): p50 {p(times, 50):.0f} ms, p95 {p(times, 95):.0f} ms; "
          f"the object under a click: p50 {p(picks, 50):.0f} ms, p95 {p(picks, 95):.0f} ms{peak_note()}")

    times, plots = [], []
    for _ in range(args.filters):
        selection = random_filter(rng, index)
        started = time.perf_counter()
        viewer.browse(selection, 1)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        viewer.statistics_html(index.select(selection))
        plots.append(time.perf_counter() - started)
    print(f"filter change + first page of thumbnails ({args.filters} random; thumbnails already drawn are reused): "
          f"p50 {p(times, 50):.0f} ms, p95 {p(times, 95):.0f} ms (target p95 < 300 ms); its statistics plots: "
          f"p50 {p(plots, 50):.0f} ms, p95 {p(plots, 95):.0f} ms{peak_note()}")

    crowded = [i for i, n in zip(index.image_ids, index.num_objects.tolist()) if n >= 5]
    times = []
    fresh = Viewer(index)   # no scene file drawn yet
    for image_id in rng.sample(crowded, min(20, len(crowded))):
        objects = index.record(image_id)["objects"]
        started = time.perf_counter()
        fresh.model_3d(image_id, objects, None, SCENE)
        times.append(time.perf_counter() - started)
    print(f"scene view of a 5-object image ({len(times)} images, not seen before): p50 {p(times, 50):.0f} ms, "
          f"p95 {p(times, 95):.0f} ms, max {p(times, 100):.0f} ms (target < 300 ms){peak_note()}")

    largest = max(index.cad_locations, key=lambda key: len(index.mesh(*key)[0]))
    vertices, faces = index.mesh(*largest)
    row = next(r for r in range(len(index.image_ids))
               if any((o["category"], o["cad_index"]) == largest and o["usable"] for o in index.objects(r)))
    record = index.record(index.image_ids[row])
    image = Image.open(BytesIO(index.image_bytes(record["image_id"])))
    k = next(k for k, o in enumerate(record["objects"]) if (o["category"], o["cad_index"]) == largest)
    times = []
    for _ in range(20):
        started = time.perf_counter()
        render_view(image, [record["objects"][k]], {0: (vertices, faces)}, KINDS)
        times.append(time.perf_counter() - started)
    print(f"every overlay of the largest CAD mesh {largest} ({len(vertices):,} vertices, {len(faces):,} faces) "
          f"at display resolution: median {p(times, 50):.1f} ms{peak_note()}")

    predictions_file = Path(args.dataset) / ".." / "bench-viewer-predictions.jsonl"
    write_predictions(index, predictions_file.resolve(), rng)
    started = time.perf_counter()
    predictions = load_predictions(str(predictions_file.resolve()), index)
    loaded = time.perf_counter() - started
    errors = predictions.row_worst_error()
    times, tables = [], []
    for _ in range(20):
        selection = dataclasses.replace(random_filter(rng, index), sort=ERROR_SORT)
        started = time.perf_counter()
        rows = index.select(selection, errors)
        viewer.browse(selection, 1, errors)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        predictions.table(rows)
        tables.append(time.perf_counter() - started)
    print(f"predictions ({predictions.coverage}): loaded in {loaded:.1f} s; grid sorted by error "
          f"p95 {p(times, 95):.0f} ms; the paper's table for the filter p95 {p(tables, 95):.0f} ms{peak_note()}")
    print(f"resident memory after all of the above: {rss_mb():.0f} MB, peak {peak_rss_mb():.0f} MB "
          "(target < 500 MB)")

    if args.clients:
        ids = rng.sample(index.image_ids, args.clients * 10)
        for concurrency in args.concurrency:
            load_test(args.dataset, ids, args.clients, concurrency)


def server_memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory of a process now and at its peak (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def load_test(dataset: str, ids: list[str], clients: int, concurrency: int, port: int = 7891) -> None:
    """The viewer as a Space runs it, in its own process; clients over HTTP from this one."""
    from gradio_client import Client

    server = subprocess.Popen([sys.executable, "-m", "viewer_app.app", dataset, "--port", str(port),
                               "--concurrency", str(concurrency)], cwd=Path(__file__).resolve().parents[1],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the viewer did not start")
                time.sleep(0.5)
        idle, _ = server_memory_mb(server.pid)
        latencies, errors, lock = [], [], threading.Lock()

        def client_loop(worker: int) -> None:
            client = Client(url, verbose=False)
            for n in range(10):
                started = time.perf_counter()
                try:
                    filters = ["any", "any", "any", "any", "any", "any", "any", "", "image_id", None]
                    drawing = [sorted(KINDS), WHOLE_IMAGE, SCENE, "overlaid"]
                    if n % 5 == 4:
                        client.predict(*filters, api_name="/statistics")
                    elif n % 5 == 2:
                        client.predict(*filters, n + 1, api_name="/browse")
                    elif n % 5 == 3:   # the next image, opened
                        client.predict(ids[worker * 10 + n], *drawing, *filters, api_name="/step")
                    else:   # a sample, object 0 selected
                        client.predict(ids[worker * 10 + n], drawing[0], "0", *drawing[1:], *filters,
                                       api_name="/sample")
                    with lock:
                        latencies.append(time.perf_counter() - started)
                except Exception as error:  # counted, reported
                    with lock:
                        errors.append(repr(error))

        started = time.perf_counter()
        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        elapsed = time.perf_counter() - started
        now, peak = server_memory_mb(server.pid)
        alive = server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{clients} concurrent clients x 10 requests over HTTP, concurrency limit {concurrency}: "
          f"{len(latencies)} ok, {len(errors)} errors, p50 {p(latencies, 50):.0f} ms, p95 {p(latencies, 95):.0f} ms, "
          f"{len(latencies) / elapsed:.1f} req/s; server {'up' if alive else 'DOWN'}, RSS {idle:.0f} MB idle, "
          f"{now:.0f} MB after, peak {peak:.0f} MB" + (f"; first error: {errors[0]}" if errors else ""))

if __name__ == "__main__":
    main()
