"""Task 1, linear probing: features of the object crops under a frozen backbone (cached on disk), the grid
of 3 x 40-bin probes, the official choice of the best probe, and examples/linear_probe.py end to end.

Every backbone here is tiny and randomly initialised; nothing downloads weights."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import imagenet3d
from _imagenet3d.features import ProbeFeatures, source_fingerprint, split_object_ids
from _imagenet3d.probing import probe_name
from _imagenet3d.shards import split_files

ROOT = Path(__file__).resolve().parents[1]
SIZE = 16   # crop size: the smallest that keeps the test fast and a ViT of 8-px patches meaningful


class TinyTokens(nn.Module):
    """A ViT-shaped module: 8-px patch tokens after a learned CLS token, [B, 1 + T, 8]; counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.patches = nn.Conv2d(3, 8, 8, stride=8)
        self.cls = nn.Parameter(torch.randn(1, 1, 8))
        self.calls = 0

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        tokens = self.patches(images).flatten(2).transpose(1, 2)
        return torch.cat([self.cls.expand(len(tokens), -1, -1), tokens], dim=1)


def tiny_dinov2(layers: int = 4) -> nn.Module:
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    config = transformers.Dinov2Config(hidden_size=16, num_hidden_layers=layers, num_attention_heads=2,
                                       mlp_ratio=2, image_size=SIZE, patch_size=8)
    return transformers.Dinov2Model(config)


def validation_references(source: Path) -> list[dict]:
    return imagenet3d.reference_objects(imagenet3d.load("annotations", "validation", source=str(source)))


def extract(backbone, source, cache, split="validation", **kwargs) -> ProbeFeatures:
    return imagenet3d.extract_features(backbone, split, source=str(source), cache_dir=cache, progress=False,
                                       **kwargs)


def test_features_are_one_row_per_usable_object_with_its_pose(built_dataset, tmp_path):
    module = TinyTokens()
    backbone = imagenet3d.load_backbone(module, size=SIZE)
    features = extract(backbone, built_dataset, tmp_path)
    references = {r["object_id"]: r for r in validation_references(built_dataset)}
    assert sorted(features.ids) == sorted(references) and len(set(features.ids)) == len(features)
    assert features.num_layers == 1 and set(features.layers) == {0}
    assert features.layers[0].shape == (len(features), 8) and features.layers[0].dtype == np.float32
    assert features.patch_mean is not None and features.patch_mean.shape == (len(features), 8)
    for oid, category, angles in zip(features.ids, features.categories, features.angles):
        reference = references[oid]
        assert category == reference["category"]
        assert angles.tolist() == [reference["azimuth"], reference["elevation"], reference["theta"]]
    # The features are the module's own: recompute one crop by hand.
    first = imagenet3d.to_objects(imagenet3d.load("default", "validation", source=str(built_dataset)), size=SIZE)
    sample = next(s for s in first if s["object_id"] == features.ids[0])
    image = torch.from_numpy(np.array(sample["image"])).permute(2, 0, 1)[None]
    with torch.no_grad():
        tokens = module(backbone.prepare(image))
    np.testing.assert_allclose(features.layers[0][0], tokens[0, 0].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(features.patch_mean[0], tokens[0, 1:].mean(0).numpy(), rtol=1e-5, atol=1e-6)


def test_the_cache_is_reused_and_never_stale(built_dataset, tmp_path):
    module = TinyTokens()
    backbone = imagenet3d.load_backbone(module, size=SIZE)
    first = extract(backbone, built_dataset, tmp_path)
    assert module.calls > 0 and not first.from_cache and "extracted" in first.note
    module.calls = 0
    again = extract(backbone, built_dataset, tmp_path)
    assert module.calls == 0 and again.from_cache and again.note.startswith("reused")
    assert again.ids == first.ids and np.array_equal(again.layers[0], first.layers[0])
    assert np.array_equal(again.patch_mean, first.patch_mean) and np.array_equal(again.angles, first.angles)
    assert [p.name for p in tmp_path.iterdir()] == [Path(first.path).name]   # no temporary file left

    # Another key: new weights, another crop size, the flip, another split: extracted anew.
    with torch.no_grad():
        module.cls.add_(1.0)
    changed = extract(backbone, built_dataset, tmp_path)
    assert module.calls > 0 and not changed.from_cache and changed.path != first.path
    module.calls = 0
    assert not extract(imagenet3d.load_backbone(module, size=SIZE + 8), built_dataset, tmp_path).from_cache
    flipped = extract(backbone, built_dataset, tmp_path, flip=True)
    assert not flipped.from_cache and flipped.flipped is not None
    assert np.allclose(flipped.flipped.angles[:, 0], 2 * np.pi - flipped.angles[:, 0])
    assert np.allclose(flipped.flipped.angles[:, 2], -flipped.angles[:, 2])
    assert not np.allclose(flipped.flipped.patch_mean, flipped.patch_mean)
    assert extract(backbone, built_dataset, tmp_path, flip=True).flipped is not None   # reused with its mirror

    # A file under the right name whose objects are not the split's: not trusted.
    path = Path(changed.path)
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays = {name: (values[1:] if values.ndim and name != "meta" else values) for name, values in arrays.items()}
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    module.calls = 0
    redone = extract(backbone, built_dataset, tmp_path)
    assert module.calls > 0 and not redone.from_cache and "object ids" in redone.note
    assert len(redone) == len(first)


def test_a_damaged_cache_file_is_extracted_again(built_dataset, tmp_path):
    """A cache file cut short or emptied by another tool (the library itself writes whole files only)."""
    module = TinyTokens()
    backbone = imagenet3d.load_backbone(module, size=SIZE)
    path = Path(extract(backbone, built_dataset, tmp_path).path)
    whole = path.read_bytes()
    for damaged in (whole[: len(whole) // 2], b""):
        path.write_bytes(damaged)
        module.calls = 0
        redone = extract(backbone, built_dataset, tmp_path)
        assert module.calls > 0 and not redone.from_cache and "unreadable" in redone.note
        assert path.read_bytes() != damaged


def test_an_unwritable_cache_keeps_the_features(built_dataset, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    features = extract(imagenet3d.load_backbone(TinyTokens(), size=SIZE), built_dataset, blocker / "cache")
    assert len(features) > 0 and "NOT cached" in features.note and "\n" not in features.note


def test_weights_that_do_not_fit_are_a_one_line_error(tmp_path):
    text = tmp_path / "weights.pt"
    text.write_text("not a state dict")
    other = tmp_path / "other.pt"
    torch.save(nn.Linear(2, 2).state_dict(), other)
    shapes = tmp_path / "shapes.pt"
    state = imagenet3d.SmallCNN().state_dict()
    state["features.0.0.weight"] = torch.zeros(1)
    torch.save(state, shapes)
    for path, words in [(text, "not a torch state dict"), (other, "missing keys"), (shapes, "shapes differ")]:
        with pytest.raises(imagenet3d.Imagenet3DError, match=words) as raised:
            imagenet3d.load_backbone("small-cnn", weights=str(path))
        assert "\n" not in str(raised.value)
    good = tmp_path / "good.pt"
    torch.save({"state_dict": imagenet3d.SmallCNN().state_dict()}, good)
    assert not imagenet3d.load_backbone("small-cnn", weights=str(good)).module.training


def test_the_cache_key_follows_the_source_shards(built_dataset, tmp_path):
    """A re-converted dataset (other shard bytes) gets another key: the shards' footers are fingerprinted;
    the ids a cached file must hold are the split's usable objects."""
    files = split_files("default", "validation", str(built_dataset))
    fingerprint = source_fingerprint(files)
    assert [name for name, _, _ in fingerprint] == [Path(f).name for f in files]
    copy = tmp_path / Path(files[0]).name
    copy.write_bytes(Path(files[0]).read_bytes()[:-1] + b"\0")
    assert source_fingerprint([str(copy)])[0][2] != fingerprint[0][2]
    assert sorted(split_object_ids(files)) == sorted(r["object_id"] for r in validation_references(built_dataset))


def official_best(pose_errors: dict[str, list[float]]) -> str:
    """scripts/compute_accuracy_linear_probing.py's loop, verbatim but for names."""
    best_pi_6_acc, best_model_name = 0.0, None
    results = {}
    for k in pose_errors:
        _pose_errors = np.array(pose_errors[k])
        results[k] = dict(pi_6_acc=np.mean(_pose_errors < np.pi / 6))
        if results[k]['pi_6_acc'] > best_pi_6_acc:
            best_pi_6_acc = results[k]['pi_6_acc']
            best_model_name = k
    return best_model_name


@pytest.mark.parametrize("errors", [
    {"a": [0.1, 1.0, 1.0, 1.0], "b": [0.1, 0.1, 1.0, 1.0], "c": [0.1, 0.2, 2.0, 3.0]},   # tie: the first wins
    {"a": [1.0, 1.0], "b": [math.pi / 6, 1.0], "c": [math.pi / 6 - 1e-9, 1.0]},         # strict < pi/6
    {"x": [0.0, 0.0, 0.0], "y": [0.0, 0.0, 0.0]},                                          # all tie at 100%
])
def test_the_best_probe_is_chosen_as_the_official_script_does(errors):
    accuracies = {name: float(np.mean(np.array(values) < np.pi / 6)) for name, values in errors.items()}
    assert imagenet3d.select_best_probe(accuracies) == official_best(errors)
    percent = {name: 100 * value for name, value in accuracies.items()}
    assert imagenet3d.select_best_probe(percent) == official_best(errors)


def test_when_every_probe_scores_zero_the_first_is_chosen():
    errors = {"a": [1.0, 2.0], "b": [3.0, 1.0]}
    assert official_best(errors) is None   # the official script then fails on results[None]
    assert imagenet3d.select_best_probe({"a": 0.0, "b": 0.0}) == "a"


def one_hot_features(angles: np.ndarray, prefix: str) -> ProbeFeatures:
    """Features that encode the three bins exactly: a probe can read them off perfectly."""
    bins = imagenet3d.angle_to_bin(angles)
    values = np.zeros((len(angles), 3 * imagenet3d.NUM_BINS), dtype=np.float32)
    for k in range(3):
        values[np.arange(len(angles)), k * imagenet3d.NUM_BINS + bins[:, k]] = 1.0
    ids = [f"chair/n03001627_{prefix}{n}_00" for n in range(len(angles))]
    return ProbeFeatures(ids, ["chair"] * len(ids), angles, 1, {0: values})


def test_probes_on_features_that_encode_the_bins_are_perfect():
    rng = np.random.default_rng(0)
    width = 2 * np.pi / imagenet3d.NUM_BINS
    # Every bin of every angle 4 times in training (bin k and its neighbours' centres, shuffled per angle).
    train_angles = np.stack([rng.permutation(np.repeat(np.arange(imagenet3d.NUM_BINS), 4)) for _ in range(3)], 1)
    train_angles = (train_angles + rng.uniform(0.05, 0.95, train_angles.shape)) * width
    train_angles[:, 2] -= 2 * np.pi   # theta stored signed, as in the release: bins are periodic
    validation_angles = rng.uniform(0, 2 * np.pi, (60, 3))
    results = imagenet3d.train_probes(one_hot_features(train_angles, "t"), one_hot_features(validation_angles, "v"),
                                      learning_rates=[1e-5, 0.5], avgpool=[False], epochs=20, batch_size=32,
                                      progress=False)
    fast, slow = probe_name("1_last", False, 0.5), probe_name("1_last", False, 1e-5)
    assert list(results.accuracy) == [slow, fast] and results.best == fast
    assert results.accuracy[fast] == 100.0 and results.accuracy[slow] < 50.0
    predicted = np.array([[p["azimuth"], p["elevation"], p["theta"]] for p in results.predictions().values()])
    assert np.allclose(predicted, imagenet3d.bin_to_angle(imagenet3d.angle_to_bin(validation_angles)))
    references = [{"object_id": oid, "category": "chair", "azimuth": a, "elevation": e, "theta": t}
                  for oid, (a, e, t) in zip(results.ids, validation_angles)]
    table = imagenet3d.evaluate(results.predictions(), references)["tables"]["all"]["Avg."]
    assert table["pi_6_acc"] == 100.0 and table["pi_18_acc"] == 100.0   # a bin centre is within 4.5 deg per angle


def test_a_transformers_model_is_read_through_its_hidden_states(built_dataset, tmp_path):
    backbone = imagenet3d.load_backbone(tiny_dinov2(layers=4), size=SIZE)
    assert backbone.hidden_states
    validation = extract(backbone, built_dataset, tmp_path)
    assert validation.num_layers == 4 and sorted(validation.layers) == [0, 1, 2, 3]
    assert validation.patch_mean is not None and validation.patch_mean.shape == (len(validation), 16)
    results = imagenet3d.train_probes(validation, validation, learning_rates=[1e-3, 1e-2],
                                      blocks=list(imagenet3d.PROBE_BLOCKS), epochs=1, progress=False)
    assert len(results.accuracy) == 3 * 2 * 2
    assert list(results.accuracy)[0] == probe_name("1_last", True, 1e-3)
    assert results.best in results.accuracy and results.bins[results.best].shape == (len(validation), 3)


def test_bad_input_is_a_one_line_error(tmp_path):
    for spec, words in [("os.path:join", "without arguments"), ("no_such_package.models:build", "cannot import"),
                        ("os:sep", "not a torch.nn.Module"), ("torch.nn:NoSuchThing", "has no"),
                        (str(tmp_path), "unknown backbone"), ("", "unknown backbone")]:
        with pytest.raises(imagenet3d.Imagenet3DError, match=words) as raised:
            imagenet3d.load_backbone(spec)
        assert "\n" not in str(raised.value)
    features = one_hot_features(np.zeros((4, 3)), "x")
    with pytest.raises(imagenet3d.Imagenet3DError, match="at least 4 layers"):
        imagenet3d.train_probes(features, features, blocks=["4_last"], avgpool=[False], progress=False)
    with pytest.raises(imagenet3d.Imagenet3DError, match="patch tokens"):
        imagenet3d.train_probes(features, features, avgpool=[True], progress=False)
    with pytest.raises(imagenet3d.Imagenet3DError, match="unknown blocks"):
        imagenet3d.train_probes(features, features, blocks=["2_last"], progress=False)


def test_the_example_probes_a_transformers_model_end_to_end(built_dataset, tmp_path, capsys, monkeypatch):
    """examples/linear_probe.py with a transformers model folder (AutoModel + AutoImageProcessor), as CI runs it
    briefly: it prints every probe, the chosen one and the paper's table; a second run with other learning rates
    reuses the cached features and says so."""
    transformers = pytest.importorskip("transformers")
    model = tmp_path / "tiny-dinov2"
    tiny_dinov2(layers=4).save_pretrained(model)
    transformers.BitImageProcessor(size={"shortest_edge": 24}, crop_size={"height": SIZE, "width": SIZE},
                                   do_center_crop=True).save_pretrained(model)
    predictions = tmp_path / "predictions.jsonl"
    command = [sys.executable, "examples/linear_probe.py", "--source", str(built_dataset), "--backbone", str(model),
               "--cache-dir", str(tmp_path / "cache"), "--workers", "0", "--epochs", "2",
               "--blocks", "1_last", "4_uniform", "--predictions", str(predictions)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(command + ["--lrs", "0.001", "0.01"], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "crops 24 px, centre 16 px" in done.stdout and "extracted the features of train" in done.stdout
    chosen = [line for line in done.stdout.splitlines() if line.endswith("<- chosen")]
    assert len(chosen) == 1 and f"Chosen probe: {chosen[0].split()[0]}" in done.stdout
    assert sum("linear_cls_blocks_" in line for line in done.stdout.splitlines()) >= 8
    assert "**Pose estimation**" in done.stdout and "| Metric | Avg. | Elec." in done.stdout
    rows = [json.loads(line) for line in predictions.read_text().splitlines()]
    references = validation_references(built_dataset)
    assert sorted(r["object_id"] for r in rows) == sorted(r["object_id"] for r in references)
    printed = imagenet3d.format_table(imagenet3d.evaluate(rows, references))
    assert printed in done.stdout

    # The second run in this process (its main() takes argv): cheaper than another interpreter.
    monkeypatch.syspath_prepend(str(ROOT / "examples"))   # as `python examples/linear_probe.py` has it
    spec = importlib.util.spec_from_file_location("linear_probe_example", ROOT / "examples" / "linear_probe.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    capsys.readouterr()
    example.main(command[2:] + ["--lrs", "0.1"])
    again = capsys.readouterr().out
    assert "reused the cached features of train" in again and "reused the cached features of validation" in again
    listed = [line.split()[0] for line in again.splitlines() if line.startswith("  linear_cls_blocks_")]
    assert len(listed) == 4 and all(name.endswith("_lr_0,10000") for name in listed) and "Chosen probe: " in again
