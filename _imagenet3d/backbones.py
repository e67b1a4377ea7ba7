"""Frozen backbones for linear probing: a user's ``torch.nn.Module``, a transformers model, a small CNN.

A :class:`Backbone` is a module in eval mode plus what its input needs (the object crop's size,
the centre crop fed to the module, mean and std) and one readout, :meth:`Backbone.layers`: the
"CLS" vector of every layer and the average-pooled patch tokens of the last one. That is what
imagenet3d_exp's ``imagenet3d/models/probe_transformers.py`` (``get_intermediate_layers``) and
``linear_classifier.py`` (``create_linear_input``) build their probes on.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
import re
from dataclasses import dataclass, field
from typing import Any

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.extras import require

try:
    import torch
    from torch import nn
except ModuleNotFoundError:
    require("torch", "torch")   # says which extra adds it, in one line
    raise

#: ImageNet normalisation: what the paper's image processors and train_pose.py use.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
#: The spec of :class:`SmallCNN` in :func:`load_backbone` (``--backbone small-cnn``).
SMALL_CNN = "small-cnn"
_FACTORY = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


class SmallCNN(nn.Module):
    """A plain 4-block CNN (the trunk of ``examples/train_pose.py``), 128 features, for CPU runs.
    Randomly initialised it is the random-features baseline of probing studies."""

    def __init__(self) -> None:
        super().__init__()

        def block(inputs: int, outputs: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs),
                                 nn.ReLU(inplace=True), nn.MaxPool2d(2))

        self.features = nn.Sequential(block(3, 32), block(32, 64), block(64, 128), block(128, 128),
                                      nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.features(images)


@dataclass
class Backbone:
    """A frozen backbone and its input: ``crop_size`` is the official object crop's size
    (``center_and_resize``), ``input_size`` the centre of it fed to the module (a transformers
    image processor's resize-then-centre-crop: DINOv2 crops 224 of 256), ``mean``/``std`` on [0, 1]
    pixels. ``hidden_states``: read every layer of a transformers model (``output_hidden_states``)."""

    module: nn.Module = field(repr=False)
    name: str
    crop_size: int
    input_size: int
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    hidden_states: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.module, nn.Module):
            raise Imagenet3DError(f"a backbone must be a torch.nn.Module, got {type(self.module).__name__}")
        if not 0 < self.input_size <= self.crop_size:
            raise Imagenet3DError(f"input_size must be in 1..crop_size ({self.crop_size}), got {self.input_size}")
        self.module.eval().requires_grad_(False)

    @property
    def identity(self) -> str:
        """A digest of the module's class, architecture (``repr``) and every parameter and buffer,
        computed anew each time (weights may change in place): what the feature cache is keyed on."""
        digest = hashlib.sha256(f"{type(self.module).__qualname__}\n{self.module!r}".encode())
        for key, tensor in self.module.state_dict().items():
            flat = tensor.detach().cpu().contiguous().reshape(-1)
            digest.update(f"{key} {flat.dtype} {tuple(tensor.shape)}".encode())
            digest.update(flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b"")
        return digest.hexdigest()

    def prepare(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 crops ``[B, 3, crop, crop]`` -> the normalised float centre ``[B, 3, input, input]``."""
        offset = (images.shape[-1] - self.input_size) // 2
        images = images[..., offset:offset + self.input_size, offset:offset + self.input_size]
        mean = torch.tensor(self.mean, device=images.device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=images.device).view(1, 3, 1, 1)
        return (images.float() / 255 - mean) / std

    @torch.no_grad()
    def layers(self, images: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor | None]:
        """The readout of prepared images: one ``[B, D_l]`` vector per layer (the CLS token of a
        transformer layer; a 4-D feature map average-pooled; a plain module's output is one layer),
        and the average-pooled patch tokens of the last layer (None without tokens)."""
        if self.hidden_states:
            outputs = self.module(pixel_values=images, output_hidden_states=True)
            states = getattr(outputs, "hidden_states", None)
            if not states or len(states) < 2:
                raise Imagenet3DError(f"{self.name} returns no hidden states to probe")
            pooled = [_pooled(state, self.name) for state in states[1:]]   # [0] is the embedding output
            return [cls for cls, _ in pooled], pooled[-1][1]
        output = self.module(images)
        if isinstance(output, (tuple, list)) and output:
            output = output[0]
        cls, patches = _pooled(output, self.name)
        return [cls], patches


def _pooled(output: Any, name: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(vector, patch mean) of one layer's output: [B, D]; [B, C, H, W] pooled; [B, T, D] token 0
    and the mean of tokens 1: (as ``probe_transformers.py``: every token after the first)."""
    if not isinstance(output, torch.Tensor) or output.ndim not in (2, 3, 4):
        shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
        raise Imagenet3DError(f"backbone {name} returned {shape}: expected [B, D], [B, T, D] or [B, C, H, W]")
    if output.ndim == 2:
        return output.float(), None
    if output.ndim == 4:
        return output.float().mean(dim=(2, 3)), None
    return output[:, 0].float(), (output[:, 1:].float().mean(dim=1) if output.shape[1] > 1 else None)


def _is_transformers_model(module: nn.Module) -> bool:
    return type(module).__module__.startswith("transformers.") and hasattr(module, "config")


def _transformers_backbone(spec: str, size: int | None) -> Backbone:
    """``AutoModel`` and, when it has one, ``AutoImageProcessor`` for its mean, std and sizes."""
    transformers = require("transformers", "probe")
    try:
        module = transformers.AutoModel.from_pretrained(spec)
    except (OSError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise Imagenet3DError(f"unknown backbone {spec!r}: not {SMALL_CNN!r}, not package.module:factory, and "
                              f"transformers cannot load it ({first})") from None
    if hasattr(module, "vision_model") and not hasattr(module, "embeddings"):
        module = module.vision_model   # CLIP-like: the image tower (probe_transformers uses CLIPVisionModel)
    crop, center, mean, std = 224, 224, IMAGENET_MEAN, IMAGENET_STD
    try:
        processor = transformers.AutoImageProcessor.from_pretrained(spec)
    except (OSError, ValueError):
        processor = None   # no preprocessor_config.json: ImageNet statistics at 224
    if processor is not None:
        mean, std = tuple(processor.image_mean), tuple(processor.image_std)
        sizes = dict(getattr(processor, "size", None) or {})
        crop = int(sizes.get("shortest_edge") or sizes.get("height") or crop)
        crop_size = dict(getattr(processor, "crop_size", None) or {})
        center = int(crop_size.get("height", crop)) if getattr(processor, "do_center_crop", False) else crop
    if size is not None:
        crop = center = size
    return Backbone(module, spec, crop, min(center, crop), mean, std, hidden_states=True)


def _factory_module(spec: str) -> nn.Module:
    module_name, _, attribute = spec.partition(":")
    try:
        factory: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise Imagenet3DError(f"backbone {spec!r}: cannot import {module_name} ({error})") from None
    for part in attribute.split("."):
        if not hasattr(factory, part):
            raise Imagenet3DError(f"backbone {spec!r}: {module_name} has no {attribute}")
        factory = getattr(factory, part)
    if callable(factory) and not isinstance(factory, nn.Module):
        try:
            inspect.signature(factory).bind()
        except TypeError as error:
            raise Imagenet3DError(f"backbone {spec!r}: {attribute}() cannot be called without arguments ({error})"
                                  ) from None
        except ValueError:   # no signature to inspect (a builtin): call it and see
            pass
        factory = factory()
    module = factory
    if not isinstance(module, nn.Module):
        raise Imagenet3DError(f"backbone {spec!r} gave a {type(module).__name__}, not a torch.nn.Module")
    return module


def load_backbone(spec: str | nn.Module, *, weights: str | os.PathLike | None = None, seed: int = 0,
                  size: int | None = None, input_size: int | None = None, name: str | None = None) -> Backbone:
    """A frozen :class:`Backbone` from what the user names.

    * a ``torch.nn.Module`` (a transformers model among them, read through its hidden states);
    * ``"small-cnn"``: :class:`SmallCNN`, randomly initialised with ``seed`` (64-px crops);
    * ``"package.module:factory"``: ``factory()`` must return a module (224-px crops);
    * anything else: a transformers model id or folder (``facebook/dinov2-base``), loaded with
      ``AutoModel`` (needs ``imagenet3d[probe]`` and its weights, downloaded or cached), with its
      image processor's mean, std and view (DINOv2: the crop at 256, its centre 224), as the
      paper's configs (``configs/linear_probing_*.yaml``) do.

    ``weights``: a state dict file loaded into the module (strict). ``size`` overrides the crop
    size and ``input_size`` the centre crop fed to the module (default: all of the crop).
    """
    if isinstance(spec, nn.Module):
        hidden = _is_transformers_model(spec)
        backbone = Backbone(spec, name or type(spec).__name__, size or 224, size or 224, hidden_states=hidden)
    elif not isinstance(spec, str) or not spec.strip():
        raise Imagenet3DError(f"unknown backbone {spec!r}: pass small-cnn, package.module:factory, "
                              "a transformers model id or a torch.nn.Module")
    elif spec == SMALL_CNN:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module: nn.Module = SmallCNN()
        label = f"{SMALL_CNN} (random init, seed {seed})" if weights is None else f"{SMALL_CNN} ({weights})"
        backbone = Backbone(module, name or label, size or 64, size or 64)
    elif _FACTORY.fullmatch(spec):
        module = _factory_module(spec)
        hidden = _is_transformers_model(module)
        backbone = Backbone(module, name or spec, size or 224, size or 224, hidden_states=hidden)
    else:
        backbone = _transformers_backbone(spec, size)
    if weights is not None:
        _load_weights(backbone, weights)
    if input_size is not None:
        backbone.input_size = input_size
        backbone.__post_init__()
    return backbone


def _load_weights(backbone: Backbone, weights: str | os.PathLike) -> None:
    """A state dict (or ``{"state_dict": ...}``) into the backbone; a one-line error naming what is wrong."""
    try:
        state = torch.load(weights, map_location="cpu", weights_only=True)
    except Exception as error:   # torch raises many kinds for a file that is not a state dict
        raise Imagenet3DError(f"cannot load weights {weights}: not a torch state dict "
                              f"({type(error).__name__})") from None
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    if not isinstance(state, dict):
        raise Imagenet3DError(f"cannot load weights {weights}: it holds a {type(state).__name__}, not a state dict")
    try:
        missing, unexpected = backbone.module.load_state_dict(state, strict=False)
    except RuntimeError:   # shapes that differ
        raise Imagenet3DError(f"cannot load weights {weights} into {backbone.name}: tensor shapes differ "
                              "from the module's (another architecture?)") from None
    if missing or unexpected:
        raise Imagenet3DError(f"cannot load weights {weights} into {backbone.name}: {len(missing)} missing keys "
                              f"(e.g. {missing[:3]}), {len(unexpected)} unexpected (e.g. {unexpected[:3]})")
    backbone.module.eval().requires_grad_(False)
