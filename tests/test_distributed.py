"""Many GPUs, on CPU: torchrun with 2 processes (gloo) x 2 DataLoader workers, and resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import imagenet3d

torch = pytest.importorskip("torch")


def expected_objects(large_dataset: Path, split: str = "train", known_only: bool = True) -> set[str]:
    """The usable objects of a split (by default open_vocabulary's train), from the annotations config."""
    rows = imagenet3d.load("annotations", split, source=large_dataset)
    return {imagenet3d.object_id(row["image_id"], k) for row in rows if row["known"] or not known_only
            for k in imagenet3d.usable_object_indices(row["objects"])}


def run_torchrun(large_dataset: Path, out: Path, remainder: str) -> dict:
    script = Path(__file__).with_name("distributed_objects.py")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(script),
               "--source", str(large_dataset), "--out", str(out), "--remainder", remainder]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.parametrize("remainder", ["pad", "drop"])
def test_torchrun_two_ranks_two_workers_each_get_equal_disjoint_parts(large_dataset, tmp_path, remainder):
    expected = expected_objects(large_dataset)
    result = run_torchrun(large_dataset, tmp_path / "seen.json", remainder)
    assert result["world_size"] == 2
    orders = []
    for everyone in result["epochs"]:
        per_rank = [len(seen) for seen in everyone]
        per_worker = Counter((rank, worker) for rank, seen in enumerate(everyone) for _, _, worker in seen)
        assert len(set(per_rank)) == 1 and per_rank[0] > 0            # equal per rank
        assert len(per_worker) == 4 and len(set(per_worker.values())) == 1   # and per worker
        real = [oid for seen in everyone for oid, padding, _ in seen if not padding]
        padding = [oid for seen in everyone for oid, padding, _ in seen if padding]
        assert len(real) == len(set(real))                             # disjoint: no object twice
        shown, shards = sum(per_rank), result["num_shards"] * result["world_size"]
        assert len(expected) % shards  # the fixture has a remainder to handle
        assert shown % shards == 0                                     # equal shards
        if remainder == "pad":
            assert set(real) == expected                               # all of it, once
            assert set(padding) <= expected and len(padding) == shown - len(expected) < shards
        else:
            assert not padding and set(real) <= expected and 0 <= len(expected) - shown < shards
        orders.append([oid for seen in everyone for oid, _, _ in seen])
    assert orders[0] != orders[1]   # set_epoch reshuffles


def test_resume_with_stateful_dataloader_is_exact_without_a_shuffle_buffer(large_dataset):
    from torchdata.stateful_dataloader import StatefulDataLoader

    def loader(stream):
        return StatefulDataLoader(stream, batch_size=3, num_workers=2,
                                  collate_fn=lambda batch: [e["object_id"] for e in batch])

    stream = imagenet3d.object_stream(source=large_dataset, num_workers=2, size=32, buffer_size=None,
                                      remainder="drop", objects_per_shard=4)
    everything = [oid for batch in loader(stream) for oid in batch]
    first = loader(stream)
    seen, state = [], None
    for n, batch in enumerate(first):
        seen += batch
        if n == 4:
            state = first.state_dict()
            break
    resumed = loader(imagenet3d.object_stream(source=large_dataset, num_workers=2, size=32, buffer_size=None,
                                              remainder="drop", objects_per_shard=4))
    resumed.load_state_dict(state)
    seen += [oid for batch in resumed for oid in batch]
    assert sorted(seen) == sorted(everything) and len(set(seen)) == len(seen)


def test_example_training_runs_under_torchrun(large_dataset, tmp_path):
    """examples/train_pose.py: 2 processes, one short epoch, the table for known and novel categories."""
    script = Path(__file__).resolve().parents[1] / "examples" / "train_pose.py"
    predictions = tmp_path / "predictions.jsonl"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(script),
               "--source", str(large_dataset), "--epochs", "1", "--size", "32", "--batch-size", "8",
               "--objects-per-shard", "4", "--predictions", str(predictions)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "known categories" in done.stdout and "novel categories" in done.stdout
    assert "| Metric | Avg. | Elec. | Furn. | Hou. | Mus. | Spo. | Veh. | Work |" in done.stdout
    expected = expected_objects(large_dataset, "validation", known_only=False)
    predicted = [json.loads(line)["object_id"] for line in predictions.read_text().splitlines()]
    assert sorted(predicted) == sorted(expected)   # every validation object once, padding dropped
