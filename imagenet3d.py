"""ImageNet3D: the dataset's definition and its toolkits, in one importable module.

ImageNet3D (Ma et al. 2024, arXiv:2406.09613) annotates ImageNet21k objects with
2D boxes, 3D poses in the PASCAL3D+ camera convention and CAD models. This
module is the single source of truth that the converter, the viewer and users
share. It is a short public face over the private package ``_imagenet3d/``
(the pattern pytest uses: ``pytest.py`` over ``_pytest/``); every public name
is imported here and listed in ``__all__``. The map, one module per concern:

The dataset's definition (numpy and the standard library only):
    ``categories``  the 189 categories (table: ``categories.csv``), super-categories, statuses
    ``camera``      PASCAL3D+ rotations, projection, the geodesic pose error, angle bins
    ``release``     the raw release's layout: folders, splits, relative paths
    ``off``         ASCII OFF, the release's CAD meshes: ``read_off`` / ``off_bytes``, ``write_off``
    ``annotations`` the release's ``.npz`` files: a safe ``read_annotations`` / ``annotation_bytes``
    ``glb``         GLB, the Hub dataset's CAD meshes: ``write_glb`` / ``read_glb``
    ``records``     one release object -> the normalised ``ObjectRecord``; why a stored one is unusable
    ``reasons``     the codes of unusable objects and quarantined inputs
    ``configs``     the Hub dataset's config table: names, splits, shard names, ``features()``
    ``errors``      ``Imagenet3DError``, the base of every error here, and its subclasses
    ``evaluation``  the paper's metrics: ``evaluate``, ``format_table``
    ``predictions`` ``reference_objects`` and ``read_predictions``, what ``evaluate`` scores
    ``cli``         ``python -m imagenet3d evaluate``

Toolkits over the converted dataset (``pip install "imagenet3d[hub]"``; ``[torch]``):
    ``loading``      ``load``: one config through ``datasets``, CAD geometry joined in (``cad_geometry``)
    ``shards``       a split's Parquet files (``split_files``) and how one opens
    ``crops``        the official object-centric crop and samples: ``center_and_resize``, ``to_objects``
    ``partition``    the one partitioner of work over ranks x DataLoader workers
    ``streams``      ``object_stream``: equal object shards per rank and worker
    ``batches``      ``ArrowBatches``: decode-free Arrow batches (a torch ``IterableDataset``
                     where torch is installed, via ``_torch``)
    ``decoding``     threaded image decoding and the DataLoader collate functions
    ``extras``       ``require``: an optional library, or ``MissingExtraError`` naming its extra
    ``files``, ``parallel``, ``render``: helpers the converter, generator and viewer share

Linear probing of 3D awareness, the paper's Task 1 (``[torch]``; ``[probe]`` for transformers models):
    ``backbones``    ``load_backbone``: a frozen ``torch.nn.Module``, transformers model or ``SmallCNN``
    ``features``     ``extract_features``: the object crops' features, streamed and cached on disk
    ``probing``      ``train_probes``: the grid of 3 x 40-bin linear probes, ``select_best_probe``

``import imagenet3d`` imports numpy only; datasets, pyarrow, PIL and torch are
imported when a function needs them. ``ArrowBatches`` and ``arrow_batches`` are
resolved on first use (a module ``__getattr__``, PEP 562), since their module
imports torch where it is installed (``from imagenet3d import *`` and ``help()``
touch every name, so they import it too). So are the linear-probing names, which import torch.

Example:

    >>> import numpy as np, imagenet3d
    >>> len(imagenet3d.CATEGORIES), len(imagenet3d.KNOWN_CATEGORIES)
    (189, 63)
    >>> imagenet3d.SUPER_CATEGORIES["chair"]   # our grouping, not the official one
    'Furniture'
    >>> R = imagenet3d.rotation_matrix(0.3, 0.2, 0.1)
    >>> float(imagenet3d.pose_error(R, R))
    0.0
    >>> int(imagenet3d.angle_to_bin(np.pi))
    20
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from _imagenet3d.annotations import annotation_bytes, read_annotations
from _imagenet3d.cad_geometry import CAD_MESHES_FILE, cad_mesh_rows
from _imagenet3d.camera import (
    DEFAULT_FOCAL,
    DEFAULT_VIEWPORT,
    NUM_BINS,
    angle_to_bin,
    bin_to_angle,
    camera_matrices,
    pose_error,
    project,
    rotation_matrix,
    signed_angle,
    wrap_angle,
)
from _imagenet3d.categories import (
    CATEGORIES,
    CATEGORY_INFO,
    DENSE_VALUES,
    KNOWN_CATEGORIES,
    NOVEL_CATEGORIES,
    OBJECT_STATUSES,
    SUPER_CATEGORIES,
    SUPER_CATEGORY_ABBREVIATIONS,
    SUPER_CATEGORY_NAMES,
    SUPER_CATEGORY_NOTE,
    CategoryInfo,
)
from _imagenet3d.cli import main
from _imagenet3d.configs import CONFIG_SPLITS, features
from _imagenet3d.crops import (
    BOX_MODES,
    CROP_DISTANCE,
    CROP_SIZE,
    center_and_resize,
    object_id,
    object_sample,
    official_box,
    to_objects,
    usable_object_indices,
)
from _imagenet3d.decoding import (
    TRAINING_COLUMNS,
    DecodeImages,
    collate_images,
    collate_objects,
    decode_images,
    resized_size,
)
from _imagenet3d.errors import (
    AnnotationError,
    GlbError,
    Imagenet3DError,
    MissingExtraError,
    OffError,
    PredictionError,
    SourceError,
    UnsafePickleError,
)
from _imagenet3d.evaluation import ANGLE_UNITS, EVALUATION_COLUMNS, EVALUATION_TASKS, evaluate, format_table
from _imagenet3d.files import PathOrBytes
from _imagenet3d.glb import read_glb, write_glb
from _imagenet3d.hub_faults import HubFaultError
from _imagenet3d.loading import load
from _imagenet3d.off import off_bytes, read_off, write_off
from _imagenet3d.partition import REMAINDER_MODES
from _imagenet3d.predictions import read_predictions, reference_objects
from _imagenet3d.reasons import HubFault, QuarantineReason, Reason, UnusableReason
from _imagenet3d.records import ObjectRecord, has_pose, normalize_object, unusable_reasons
from _imagenet3d.release import (
    RELEASE_DIR,
    RELEASE_FOLDERS,
    RELEASE_SPLITS,
    SYNTHETIC_MARKER,
    annotation_relpath,
    cad_relpath,
    image_relpath,
    list_relpath,
    release_root,
)
from _imagenet3d.shards import DEFAULT_SOURCE, split_files
from _imagenet3d.streams import object_stream, plan_object_shards, usable_objects

if TYPE_CHECKING:
    from _imagenet3d.backbones import Backbone, SmallCNN, load_backbone
    from _imagenet3d.batches import ArrowBatches, arrow_batches
    from _imagenet3d.features import PROBE_BLOCKS, ProbeFeatures, extract_features
    from _imagenet3d.probing import PROBE_LEARNING_RATES, ProbeResults, select_best_probe, train_probes

__all__ = [
    # categories
    "CATEGORIES", "KNOWN_CATEGORIES", "NOVEL_CATEGORIES", "SUPER_CATEGORIES",
    "SUPER_CATEGORY_NAMES", "SUPER_CATEGORY_ABBREVIATIONS", "SUPER_CATEGORY_NOTE",
    "CATEGORY_INFO", "CategoryInfo", "OBJECT_STATUSES", "DENSE_VALUES",
    # camera
    "DEFAULT_VIEWPORT", "DEFAULT_FOCAL", "NUM_BINS",
    "rotation_matrix", "camera_matrices", "project", "pose_error",
    "angle_to_bin", "bin_to_angle", "wrap_angle", "signed_angle",
    # the raw release: layout, formats (each reader beside its writer), records
    "RELEASE_DIR", "RELEASE_FOLDERS", "RELEASE_SPLITS", "SYNTHETIC_MARKER", "release_root",
    "cad_relpath", "image_relpath", "annotation_relpath", "list_relpath", "PathOrBytes",
    "read_off", "off_bytes", "write_off", "read_annotations", "annotation_bytes",
    "write_glb", "read_glb",
    "normalize_object", "unusable_reasons", "has_pose", "ObjectRecord", "UnusableReason", "QuarantineReason", "Reason",
    "HubFault",
    # errors
    "Imagenet3DError", "MissingExtraError", "AnnotationError", "UnsafePickleError", "GlbError", "OffError",
    "SourceError", "PredictionError", "HubFaultError",
    # the Hub dataset: configs and loading
    "CONFIG_SPLITS", "features", "load", "DEFAULT_SOURCE", "split_files", "CAD_MESHES_FILE", "cad_mesh_rows",
    # evaluation
    "evaluate", "format_table", "reference_objects", "read_predictions",
    "EVALUATION_TASKS", "EVALUATION_COLUMNS", "ANGLE_UNITS",
    # object-centric samples, streams and batches for training
    "object_id", "CROP_SIZE", "CROP_DISTANCE", "center_and_resize", "object_sample",
    "usable_object_indices", "to_objects", "BOX_MODES", "official_box",
    "REMAINDER_MODES", "usable_objects", "plan_object_shards", "object_stream",
    "ArrowBatches", "arrow_batches",
    "TRAINING_COLUMNS", "DecodeImages", "decode_images", "collate_images", "collate_objects", "resized_size",
    # linear probing (Task 1)
    "Backbone", "SmallCNN", "load_backbone", "ProbeFeatures", "extract_features", "PROBE_BLOCKS",
    "PROBE_LEARNING_RATES", "ProbeResults", "train_probes", "select_best_probe",
    "PROJECT_URL",
]

# The errors say where users import them from, in tracebacks and ``repr`` (numpy does the same).
for _error in (Imagenet3DError, MissingExtraError, AnnotationError, UnsafePickleError, GlbError, OffError,
               SourceError, PredictionError, HubFaultError):
    _error.__module__ = __name__
del _error

#: This project's home (converter, viewer, evaluation); the dataset card links here.
PROJECT_URL = "https://github.com/imagenet3d-hub/imagenet3d-hub"

# Names whose module imports torch (where installed): resolved on first use, so that
# ``import imagenet3d`` stays numpy-only (PEP 562).
_LAZY = {"ArrowBatches": "_imagenet3d.batches", "arrow_batches": "_imagenet3d.batches",
         **dict.fromkeys(("Backbone", "SmallCNN", "load_backbone"), "_imagenet3d.backbones"),
         **dict.fromkeys(("ProbeFeatures", "extract_features", "PROBE_BLOCKS"), "_imagenet3d.features"),
         **dict.fromkeys(("PROBE_LEARNING_RATES", "ProbeResults", "train_probes", "select_best_probe"),
                         "_imagenet3d.probing")}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


if __name__ == "__main__":
    import sys

    sys.exit(main())
