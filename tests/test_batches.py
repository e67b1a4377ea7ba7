"""Decode-free Arrow batches straight from the shards: same rows as datasets, split over ranks and workers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import fsspec
import pyarrow.parquet as pq
import pytest

import imagenet3d
from conversion.parquet_io import write_table

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def small_groups(built_dataset, tmp_path_factory) -> list[Path]:
    """The train shards rewritten with 3-row row groups, so that there are many units to deal out."""
    out = tmp_path_factory.mktemp("small-groups")
    files = []
    for path in imagenet3d.split_files("default", "train", built_dataset):
        files.append(out / Path(path).name)
        write_table(pq.read_table(path), files[-1], row_group_rows=3)
    return files


def image_ids(batches) -> list[str]:
    return [i for batch in batches for i in batch.column("image_id").to_pylist()]


def test_batches_hold_the_rows_datasets_gives_undecoded(built_dataset):
    import datasets

    expected = imagenet3d.load("default", "validation", source=built_dataset)
    expected = expected.cast_column("image", datasets.Image(decode=False)).to_list()
    rows = [row for batch in imagenet3d.arrow_batches("default", "validation", source=built_dataset, batch_size=5)
            for row in batch.to_pylist()]
    assert rows == expected
    batches = imagenet3d.arrow_batches("default", "validation", source=built_dataset, batch_size=5)
    assert all(len(b) <= 5 for b in batches)


def test_columns_are_projected_and_bad_names_are_named(built_dataset):
    batch = next(iter(imagenet3d.arrow_batches(source=built_dataset, columns=["image", "image_id"])))
    assert batch.schema.names == ["image", "image_id"]
    assert batch.column("image").type.get_field_index("bytes") >= 0
    with pytest.raises(ValueError, match="'imagee'"):
        imagenet3d.arrow_batches(source=built_dataset, columns=["imagee"])
    with pytest.raises(ValueError, match="no split 'validation_novel'"):
        imagenet3d.arrow_batches("default", "validation_novel", source=built_dataset)
    with pytest.raises(ValueError, match="rank 2"):
        imagenet3d.arrow_batches(source=built_dataset, rank=2, world_size=2)


@pytest.mark.parametrize("shuffle", [False, True])
def test_ranks_and_dataloader_workers_get_disjoint_runs_covering_everything(small_groups, shuffle):
    everything = image_ids(imagenet3d.ArrowBatches(small_groups))
    assert len(everything) == len(set(everything)) > 12
    world, seen = 3, Counter()
    sizes = []
    for rank in range(world):
        batches = imagenet3d.ArrowBatches(small_groups, ["image_id"], rank=rank, world_size=world,
                                          shuffle=shuffle, seed=7)
        loader = torch.utils.data.DataLoader(batches, batch_size=None, num_workers=2)
        ids = image_ids(loader)
        assert len(ids) == batches.num_rows
        sizes.append(len(batches._units(0, 1)))
        seen.update(ids)
    assert set(seen) == set(everything) and set(seen.values()) == {1}
    assert max(sizes) - min(sizes) <= 1   # row groups per rank


def test_shuffle_is_the_same_on_every_rank_and_changes_with_the_epoch(small_groups):
    def order(seed: int, epoch: int) -> list[str]:
        ranks = [imagenet3d.ArrowBatches(small_groups, ["image_id"], rank=r, world_size=2, shuffle=True, seed=seed)
                 for r in range(2)]
        for batches in ranks:
            batches.set_epoch(epoch)
        return [i for batches in ranks for i in image_ids(batches)]

    plain = image_ids(imagenet3d.ArrowBatches(small_groups, ["image_id"]))
    first = order(1, 0)
    assert first == order(1, 0) and sorted(first) == sorted(plain)
    assert first != plain and order(1, 1) != first


def test_urls_are_read_through_fsspec(small_groups):
    memory = fsspec.filesystem("memory")
    urls = []
    for path in small_groups:
        urls.append(f"memory://batches/{path.name}")
        memory.pipe(urls[-1], path.read_bytes())
    assert image_ids(imagenet3d.ArrowBatches(urls, ["image_id"])) == image_ids(
        imagenet3d.ArrowBatches(small_groups, ["image_id"]))


def test_is_a_torch_iterable_dataset_that_pickles(small_groups):
    import pickle

    batches = imagenet3d.ArrowBatches(small_groups, ["image_id"], rank=1, world_size=2)
    assert isinstance(batches, torch.utils.data.IterableDataset)
    copy = pickle.loads(pickle.dumps(batches))   # as DataLoader's spawn workers receive it
    assert isinstance(copy, torch.utils.data.IterableDataset) and image_ids(copy) == image_ids(batches)


@pytest.mark.parametrize("workers", [0, 2])
def test_stateful_dataloader_resumes_exactly(small_groups, workers):
    from torchdata.stateful_dataloader import StatefulDataLoader

    def loader() -> StatefulDataLoader:   # batches of 2 rows across 3-row row groups: resumes mid-group
        batches = imagenet3d.ArrowBatches(small_groups, ["image_id"], batch_size=2, shuffle=True, seed=3)
        return StatefulDataLoader(batches, batch_size=None, num_workers=workers)

    everything = image_ids(loader())
    first, seen, state = loader(), [], None
    for n, batch in enumerate(first):
        seen += batch.column("image_id").to_pylist()
        if n == 4:
            state = first.state_dict()
            break
    resumed = loader()
    resumed.load_state_dict(state)
    seen += image_ids(resumed)
    assert sorted(seen) == sorted(everything) and len(set(seen)) == len(seen)


def test_a_broken_shard_is_named(small_groups, tmp_path):
    broken = tmp_path / "train-00009-of-00010.parquet"
    broken.write_bytes(small_groups[0].read_bytes()[:-100])   # footer cut off
    with pytest.raises(ValueError, match="train-00009-of-00010.parquet is not a readable Parquet shard"):
        imagenet3d.ArrowBatches([*small_groups, broken])
    with pytest.raises(ValueError, match="missing.parquet is not a readable"):
        imagenet3d.ArrowBatches([tmp_path / "missing.parquet"])
