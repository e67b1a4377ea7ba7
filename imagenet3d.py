"""ImageNet3D: the dataset's definition, in one importable module.

ImageNet3D (Ma et al. 2024, arXiv:2406.09613) annotates ImageNet21k objects with
2D boxes, 3D poses in the PASCAL3D+ camera convention and CAD models. This
module is the single source of truth that the converter, the viewer and users
share: the category table, the camera model, the pose metric and a safe reader
for the release's pickled ``.npz`` annotation files.

It imports only numpy (and the standard library) at import time.

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

from _imagenet3d.annotations import read_annotations
from _imagenet3d.batches import ArrowBatches, arrow_batches
from _imagenet3d.camera import DEFAULT_FOCAL, DEFAULT_VIEWPORT, NUM_BINS, angle_to_bin, bin_to_angle, camera_matrices, pose_error, project, rotation_matrix, wrap_angle
from _imagenet3d.cli import main
from _imagenet3d.categories import CATEGORIES, CATEGORY_INFO, CategoryInfo, DENSE_VALUES, KNOWN_CATEGORIES, NOVEL_CATEGORIES, OBJECT_STATUSES, SUPER_CATEGORIES, SUPER_CATEGORY_ABBREVIATIONS, SUPER_CATEGORY_NAMES, SUPER_CATEGORY_NOTE
from _imagenet3d.configs import CONFIG_SPLITS, RELEASE_SPLITS, features
from _imagenet3d.crops import CROP_DISTANCE, CROP_SIZE, REMAINDER_MODES, center_and_resize, object_sample, to_objects, usable_object_indices
from _imagenet3d.decoding import DecodeImages, TRAINING_COLUMNS, collate_images, collate_objects, decode_images
from _imagenet3d.errors import AnnotationError, GlbError, PredictionError, SourceError, UnsafePickleError
from _imagenet3d.evaluation import ANGLE_UNITS, EVALUATION_COLUMNS, EVALUATION_TASKS, evaluate, format_table
from _imagenet3d.glb import CAD_MESHES_FILE, cad_mesh_rows, read_glb, write_glb
from _imagenet3d.loading import DEFAULT_SOURCE, RELEASE_FOLDERS, load, object_id, release_root
from _imagenet3d.off import read_off
from _imagenet3d.predictions import read_predictions, reference_objects
from _imagenet3d.records import normalize_object
from _imagenet3d.release import cad_relpath
from _imagenet3d.streams import object_stream, plan_object_shards, split_files, usable_objects

__all__ = [
    "CATEGORIES", "KNOWN_CATEGORIES", "NOVEL_CATEGORIES", "SUPER_CATEGORIES",
    "SUPER_CATEGORY_NAMES", "SUPER_CATEGORY_ABBREVIATIONS", "SUPER_CATEGORY_NOTE",
    "CATEGORY_INFO", "CategoryInfo", "OBJECT_STATUSES", "DENSE_VALUES",
    "DEFAULT_VIEWPORT", "DEFAULT_FOCAL", "NUM_BINS",
    "rotation_matrix", "camera_matrices", "project", "pose_error",
    "angle_to_bin", "bin_to_angle", "wrap_angle",
    "read_off", "cad_relpath", "read_annotations", "normalize_object",
    "write_glb", "read_glb", "GlbError", "CAD_MESHES_FILE", "cad_mesh_rows",
    "AnnotationError", "UnsafePickleError",
    "evaluate", "format_table", "reference_objects", "read_predictions", "PredictionError",
    "EVALUATION_TASKS", "EVALUATION_COLUMNS", "ANGLE_UNITS",
    "load", "object_id", "DEFAULT_SOURCE", "SourceError", "RELEASE_FOLDERS", "release_root",
    "CROP_SIZE", "CROP_DISTANCE", "center_and_resize", "object_sample", "usable_object_indices", "to_objects",
    "REMAINDER_MODES", "usable_objects", "plan_object_shards", "object_stream",
    "TRAINING_COLUMNS", "DecodeImages", "decode_images", "collate_images", "collate_objects",
    "split_files", "ArrowBatches", "arrow_batches", "PROJECT_URL",
    "CONFIG_SPLITS", "RELEASE_SPLITS", "features",
]

#: This project's home (converter, viewer, evaluation); the dataset card links here.
PROJECT_URL = "https://github.com/imagenet3d-hub/imagenet3d-hub"


if __name__ == "__main__":
    import sys

    sys.exit(main())
