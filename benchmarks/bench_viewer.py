"""Benchmark: the viewer at the real dataset's size, in one run.

Over a converted synthetic release as large as ImageNet3D (about 86,000
objects over 189 categories):

  1. opening the index (time, resident memory);
  2. p95 latency to open a sample with all overlays (image read, decode,
     wireframes, box, axes, centre, pose table, caption, posed GLB);
  3. p95 latency of a filter change (selection + a page of 24 thumbnails);
  4. the wireframe of the largest CAD mesh;
  5. 20 concurrent clients over HTTP through gradio_client (bounded: 10
     requests each) against the viewer in its own process, as a Space runs
     it, for each concurrency limit asked: errors, p95, the server's memory.

    .venv/bin/python -m synthetic_release write benchmarks/out/fullsize --categories 189 --images-per-category 420
    .venv/bin/python -m conversion build benchmarks/out/fullsize/imagenet3d_v1 benchmarks/out/fullsize-hub
    .venv/bin/python -m benchmarks.bench_viewer benchmarks/out/fullsize-hub
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import imagenet3d
from viewer_app.app import Viewer
from viewer_app.data import SORT_KEYS, DatasetIndex, Filter
from viewer_app.overlay import KINDS, draw_overlays


def rss_mb() -> float:
    """Resident memory now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def p(values, q) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def random_filter(rng: random.Random, index: DatasetIndex) -> Filter:
    return Filter(split=rng.choice([None, "train", "validation"]), known=rng.choice([None, True, False]),
                  super_category=rng.choice([None, *imagenet3d.SUPER_CATEGORY_NAMES]),
                  category=rng.choice([None] * 4 + sorted(set(index.category.tolist()))),
                  object_status=rng.choice([None, *imagenet3d.OBJECT_STATUSES]),
                  num_objects=rng.choice([None, None, 1, 2]), text=rng.choice([None, None, "front", "above"]),
                  sort=rng.choice(SORT_KEYS))


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

    times = []
    for image_id in rng.sample(index.image_ids, args.samples):
        started = time.perf_counter()
        viewer.sample(image_id, list(KINDS))
        times.append(time.perf_counter() - started)
    print(f"open a sample with all overlays ({args.samples} random): p50 {p(times, 50):.0f} ms, "
          f"p95 {p(times, 95):.0f} ms, max {p(times, 100):.0f} ms (target p95 < 300 ms)")

    times = []
    for _ in range(args.filters):
        selection = random_filter(rng, index)
        started = time.perf_counter()
        viewer.browse(selection, 1)
        viewer.statistics_text(selection)
        times.append(time.perf_counter() - started)
    print(f"filter change + first page of thumbnails + statistics ({args.filters} random): "
          f"p50 {p(times, 50):.0f} ms, p95 {p(times, 95):.0f} ms (target p95 < 500 ms)")

    largest = max(index.cad_locations, key=lambda key: len(index.mesh(*key)[0]))
    vertices, faces = index.mesh(*largest)
    row = next(r for r in range(len(index.image_ids))
               if any((o["category"], o["cad_index"]) == largest and o["usable"] for o in index.objects(r)))
    record = index.record(index.image_ids[row])
    from io import BytesIO

    from PIL import Image
    image = Image.open(BytesIO(index.image_bytes(record["image_id"])))
    k = next(k for k, o in enumerate(record["objects"]) if (o["category"], o["cad_index"]) == largest)
    times = []
    for _ in range(20):
        started = time.perf_counter()
        draw_overlays(image, [record["objects"][k]], {0: (vertices, faces)}, {"wireframe"})
        times.append(time.perf_counter() - started)
    print(f"wireframe of the largest CAD mesh {largest} ({len(vertices):,} vertices, {len(faces):,} faces): "
          f"median {p(times, 50):.1f} ms (target < 50 ms)")
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
                    if n % 5 == 4:
                        client.predict("any", "any", "any", "any", "any", "any", "any", "", "image_id",
                                       api_name="/statistics")
                    elif n % 5 == 2:
                        client.predict("any", "any", "any", "any", "any", "any", "any", "", "image_id", n + 1,
                                       api_name="/browse")
                    else:
                        client.predict(ids[worker * 10 + n], list(KINDS), api_name="/sample")
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
