"""TODO docstring."""

from __future__ import annotations




# ---------------------------------------------------------------------------
# Hub dataset schema (datasets is imported only when asked for)
# ---------------------------------------------------------------------------

#: Configs of the Hub dataset and their splits.
CONFIG_SPLITS: dict[str, tuple[str, ...]] = {
    "default": ("train", "validation"),
    "open_vocabulary": ("train", "validation_known", "validation_novel"),
    "annotations": ("train", "validation"),
    "cad_models": ("train",),
    "categories": ("train",),
}

#: Raw release split name -> Hub split name.
RELEASE_SPLITS: dict[str, str] = {"train": "train", "val": "validation"}


def features(config: str = "default"):
    """The ``datasets.Features`` of a config of the Hub dataset.

    ``default`` and ``open_vocabulary`` rows are images with their objects;
    ``annotations`` are the same rows without the image bytes; ``cad_models``
    has one row per CAD model (counts and a rendered preview; :func:`load` adds
    the geometry) and ``categories`` one per category.
    """
    import datasets  # lazily: this module imports only numpy at import time

    string, f64, i32 = datasets.Value("string"), datasets.Value("float64"), datasets.Value("int32")
    obj = {
        "category": string,
        "bbox": datasets.List(f64, length=4),
        "azimuth": f64, "elevation": f64, "theta": f64, "distance": f64,
        "viewport": i32, "focal": f64, "px": f64, "py": f64,
        "cad_index": i32, "object_status": string, "dense": string,
        "usable": datasets.Value("bool"),
    }
    image_row = {
        "image_id": string, "category": string, "category_id": i32, "super_category": string,
        "known": datasets.Value("bool"), "synset": string, "width": i32, "height": i32,
        "caption": string, "objects": datasets.List(obj),
    }
    if config in ("default", "open_vocabulary"):
        return datasets.Features({"image": datasets.Image(), **image_row})
    if config == "annotations":
        return datasets.Features(image_row)
    if config == "cad_models":
        # Only types Data Studio can show: the geometry is in CAD_MESHES_FILE; load() joins it in.
        return datasets.Features({"category": string, "cad_index": i32, "num_vertices": i32,
                                  "num_faces": i32, "preview": datasets.Image()})
    if config == "categories":
        return datasets.Features({
            "category": string, "category_id": i32, "super_category": string,
            "known": datasets.Value("bool"), "synsets": datasets.List(string),
            "num_cad_models": i32, "description": string,
            "num_images": i32, "num_objects": i32, "num_usable_objects": i32,
            "num_train_images": i32, "num_validation_images": i32,
        })
    raise ValueError(f"unknown config {config!r}; configs: {', '.join(CONFIG_SPLITS)}")


