"""Linear probing of 3D awareness (Task 1): three 40-bin linear heads over frozen features.

The protocol of ImageNet3D (Ma et al. 2024, Sec. 5) as imagenet3d_exp implements it:
``scripts/linear_probing.py`` trains a grid of probes at once (``imagenet3d/models/probe_transformers.py``:
every ``use_n_blocks`` x ``avgpool`` x learning rate; ``linear_classifier.py``: three
``Linear(out_dim, 40)`` heads, weights N(0, 0.01), zero biases), each with the cross-entropy of
azimuth, elevation and theta bins (``PoseToLabel(40, periodic)``), SGD momentum 0.9, weight
decay 0, a cosine schedule stepped every batch, batch 128, 5 epochs
(``configs/linear_probing_dinov2_vits14.yaml``). ``scripts/compute_accuracy_linear_probing.py``
then reports the probe with the best validation Acc@pi/6 (:func:`select_best_probe`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from _imagenet3d.camera import NUM_BINS, angle_to_bin, bin_to_angle, pose_error, rotation_matrix
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require
from _imagenet3d.features import PROBE_BLOCKS, ProbeFeatures, select_layers

try:
    import torch
except ModuleNotFoundError:
    require("torch", "torch")   # says which extra adds it, in one line
    raise

#: The official grid of learning rates (``configs/models/probe_*.yaml`` ``lr_list``).
PROBE_LEARNING_RATES: tuple[float, ...] = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2,
                                           5e-2, 0.1)
_ANGLES = 3


def probe_name(blocks: str, avgpool: bool, lr: float) -> str:
    """The official name of a probe (``probe_transformers.py``), so results line up with its logs.

        >>> probe_name("1_last", True, 1e-3)
        'linear_cls_blocks_1_last_avgpool_True_lr_0,00100'
    """
    return f"linear_cls_blocks_{blocks}_avgpool_{avgpool}_lr_{lr:.5f}".replace(".", ",")


def probe_inputs(features: ProbeFeatures, blocks: str, avgpool: bool) -> np.ndarray:
    """A probe's input: the CLS vectors of its layers concatenated, then (``avgpool``) the
    average-pooled patch tokens of the last layer: ``create_linear_input`` of ``linear_classifier.py``."""
    columns = []
    for layer in select_layers(blocks, features.num_layers):
        if layer not in features.layers:
            raise Imagenet3DError(f"the features hold no layer {layer} for blocks {blocks}")
        columns.append(features.layers[layer])
    if avgpool:
        if features.patch_mean is None:
            raise Imagenet3DError("avgpool needs patch tokens; this backbone gives one vector per object")
        columns.append(features.patch_mean)
    return np.concatenate(columns, axis=1).astype(np.float32)


def select_best_probe(accuracies: Mapping[str, float]) -> str:
    """The probe ``compute_accuracy_linear_probing.py`` reports: the first probe, in order, that
    reaches the highest Acc@pi/6 (its loop keeps a probe only when it is strictly above the best so
    far, from 0), so a tie keeps the earlier probe. When every probe scores 0 the official script
    fails (``results[None]``); here the first probe is returned.

        >>> select_best_probe({"a": 0.25, "b": 0.5, "c": 0.5})
        'b'
    """
    if not accuracies:
        raise Imagenet3DError("no probes to choose from")
    best_accuracy, best = 0.0, None
    for name, accuracy in accuracies.items():
        if accuracy > best_accuracy:
            best_accuracy, best = accuracy, name
    return best if best is not None else next(iter(accuracies))


@dataclass
class ProbeResults:
    """Every probe's validation Acc@pi/6 (``accuracy``, %, in the grid's order), the chosen probe
    (``best``) and every probe's predicted ``[N, 3]`` bins of the validation objects (``ids``)."""

    ids: list[str]
    accuracy: dict[str, float]
    best: str
    bins: dict[str, np.ndarray] = field(repr=False)

    def predictions(self, name: str | None = None) -> dict[str, dict[str, float]]:
        """object_id -> the predicted azimuth, elevation, theta (bin centres, radians), in
        ``evaluate``'s format; of the chosen probe unless ``name`` is given."""
        angles = bin_to_angle(self.bins[name or self.best])
        return {oid: {"azimuth": float(a), "elevation": float(e), "theta": float(t)}
                for oid, (a, e, t) in zip(self.ids, angles)}


def _labels(angles: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(angle_to_bin(angles)).long()   # [N, 3]: azimuth, elevation, theta bins


def train_probes(train: ProbeFeatures, validation: ProbeFeatures, *,
                 learning_rates: Sequence[float] = PROBE_LEARNING_RATES, blocks: Sequence[str] = ("1_last",),
                 avgpool: Sequence[bool] = (True, False), epochs: int = 5, batch_size: int = 128, seed: int = 0,
                 device: str = "cpu", progress: bool = True) -> ProbeResults:
    """Train every probe of ``blocks`` x ``avgpool`` x ``learning_rates`` (that order, the official
    one) on ``train``, score each on ``validation`` and choose the best (:func:`select_best_probe`).

    As ``scripts/linear_probing.py``: one SGD optimizer (momentum 0.9, weight decay 0) with a
    parameter group per probe, ``CosineAnnealingLR`` over ``epochs`` x batches stepped each batch,
    the summed cross-entropies of the three heads of every probe, the same shuffled batches for
    all probes. With ``train.flipped`` each object is mirrored with probability 1/2 each time it
    is drawn (``RandomHorizontalFlip``). Predictions are the arg-max bins' centres
    (``bin_to_angle``); Acc@pi/6 is the share of validation objects whose geodesic error
    (``pose_error``) is below pi/6, over the validation split the probe is also chosen on, as
    the official scripts do.
    """
    if epochs < 1 or batch_size < 1 or not learning_rates or not blocks or not avgpool:
        raise Imagenet3DError("train_probes needs epochs >= 1, batch_size >= 1, learning rates, blocks and avgpool")
    if any(not math.isfinite(lr) or lr <= 0 for lr in learning_rates):
        raise Imagenet3DError(f"learning rates must be positive, got {list(learning_rates)}")
    if len({probe_name("", False, lr) for lr in learning_rates}) != len(learning_rates):
        raise Imagenet3DError(f"learning rates must differ at 5 decimals (probe names), got {list(learning_rates)}")
    unknown = [b for b in blocks if b not in PROBE_BLOCKS]
    if unknown:
        raise Imagenet3DError(f"unknown blocks {unknown[0]!r}; choose from {', '.join(PROBE_BLOCKS)}")
    if len(train) == 0 or len(validation) == 0:
        raise Imagenet3DError("train_probes needs training and validation objects")
    tqdm = require("tqdm", "hub").tqdm
    variants = [(b, pool) for b in blocks for pool in avgpool]
    inputs = {v: torch.from_numpy(probe_inputs(train, *v)).to(device) for v in variants}
    flipped = ({v: torch.from_numpy(probe_inputs(train.flipped, *v)).to(device) for v in variants}
               if train.flipped is not None else None)
    labels = _labels(train.angles).to(device)
    flipped_labels = _labels(train.flipped.angles).to(device) if train.flipped is not None else None

    generator = torch.Generator().manual_seed(seed)
    weights: dict[tuple[str, bool], list[torch.Tensor]] = {}
    biases: dict[tuple[str, bool], list[torch.Tensor]] = {}
    groups = []
    for variant in variants:
        dim = inputs[variant].shape[1]
        for lr in learning_rates:
            # The three Linear(dim, 40) heads of one probe, stacked: azimuth, elevation, theta.
            weight = torch.empty(_ANGLES * NUM_BINS, dim).normal_(0.0, 0.01, generator=generator).to(device)
            bias = torch.zeros(_ANGLES * NUM_BINS, device=device)
            weight.requires_grad_(True)
            bias.requires_grad_(True)
            weights.setdefault(variant, []).append(weight)
            biases.setdefault(variant, []).append(bias)
            groups.append({"params": [weight, bias], "lr": lr})
    optimizer = torch.optim.SGD(groups, lr=learning_rates[0], momentum=0.9, weight_decay=0.0)
    steps = math.ceil(len(train) / batch_size)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps)

    def logits(variant: tuple[str, bool], x: torch.Tensor) -> torch.Tensor:   # [P, n, 3, 40]
        w, b = torch.stack(weights[variant]), torch.stack(biases[variant])
        return (torch.einsum("nd,pkd->pnk", x, w) + b[:, None]).view(len(w), len(x), _ANGLES, NUM_BINS)

    with tqdm(total=epochs * steps, unit="batch", desc=f"training {len(groups)} probes", disable=not progress) as bar:
        for _ in range(epochs):
            order = torch.randperm(len(train), generator=generator).to(device)
            for start in range(0, len(train), batch_size):
                index = order[start:start + batch_size]
                mirror = (torch.rand(len(index), generator=generator) < 0.5).to(device) if flipped else None
                target = labels[index] if mirror is None else torch.where(
                    mirror[:, None], flipped_labels[index], labels[index])  # type: ignore[index]
                loss = torch.zeros((), device=device)
                for variant in variants:
                    x = inputs[variant][index]
                    if mirror is not None and flipped is not None:
                        x = torch.where(mirror[:, None], flipped[variant][index], x)
                    out = logits(variant, x)
                    expanded = target[None].expand(out.shape[0], -1, -1)
                    loss = loss + torch.nn.functional.cross_entropy(
                        out.reshape(-1, NUM_BINS), expanded.reshape(-1), reduction="sum") / len(index)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                scheduler.step()
                bar.update(1)

    truth = rotation_matrix(*validation.angles.T)
    names, fractions, bins = [], {}, {}
    with torch.no_grad():
        for variant in variants:
            x = torch.from_numpy(probe_inputs(validation, *variant)).to(device)
            predicted = logits(variant, x).argmax(-1).cpu().numpy()   # [P, N, 3]
            for lr, probe_bins in zip(learning_rates, predicted):
                name = probe_name(*variant, lr)
                errors = pose_error(rotation_matrix(*bin_to_angle(probe_bins).T), truth)
                names.append(name)
                fractions[name] = float(np.mean(errors < np.pi / 6))   # the official selects on this fraction
                bins[name] = probe_bins
    best = select_best_probe(fractions)
    return ProbeResults(list(validation.ids), {name: 100.0 * fractions[name] for name in names}, best, bins)
