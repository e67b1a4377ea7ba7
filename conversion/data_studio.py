"""What the Hub's Data Studio makes of a converted folder: can it show every cell, how big are its pages.

Data Studio (huggingface/dataset-viewer) turns each cell into JSON with ``get_cell_value``
(libs/libcommon/src/libcommon/viewer_utils/features.py): Image, Audio, Video and Pdf become
asset URLs; Json, lists, dicts and Value, ClassLabel, Array2D-5D pass through as they are;
binary values are base64-encoded in full when the response is serialised (libcommon/utils.py,
``orjson_default``; binary truncation is disabled in parquet_utils.py). Any other feature type
raises "could not determine the type of the data cell", and that config's pages fail. /rows
serves 100 rows a page with no size cap, so the size of a page is ours to keep small.
"""

from __future__ import annotations

import base64
import glob
import io
import json
import os
from collections.abc import Iterator

import datasets
import pyarrow.parquet as pq
from huggingface_hub import DatasetCard
from PIL import Image

# The feature types get_cell_value converts. Asset types become {"src": url, ...}:
ASSET_TYPES = (datasets.Image, datasets.Audio, datasets.Video, datasets.Pdf)
# ... these pass through unchanged (binary Values as base64):
PLAIN_TYPES = (datasets.Json, datasets.Value, datasets.ClassLabel,
               datasets.Array2D, datasets.Array3D, datasets.Array4D, datasets.Array5D)
# ... and lists (python list, List, LargeList) and dicts recurse into their items.

ROWS_PER_PAGE = 100              # a /rows page, and first-rows
FIRST_ROWS_BUDGET = 200_000      # bytes: production first-rows budget (chart/env/prod.yaml)
PAGE_LIMIT = 10_000_000          # bytes: our limit for any 100-row page
# A signed asset URL as /rows returns it (path, then a CloudFront signature of ~340 characters).
_ASSET_URL = ("https://datasets-server.huggingface.co/cached-assets/{dataset}/--/{revision}/--/{config}/{split}/"
              "{row}/{column}/image.jpg?Expires=1767225600&Signature=" + "S" * 344 + "&Key-Pair-Id=K3EI6M078Z3AC3")


def unsupported_features(features: dict, prefix: str = "") -> list[str]:
    """``column.path: Type`` for every feature Data Studio cannot convert (empty when all can)."""
    if isinstance(features, ASSET_TYPES + PLAIN_TYPES):
        return []
    if isinstance(features, list) and len(features) == 1:
        return unsupported_features(features[0], prefix + "[]")
    if isinstance(features, (datasets.List, datasets.LargeList)):
        return unsupported_features(features.feature, prefix + "[]")
    if isinstance(features, dict):
        return [problem for name, feature in features.items()
                for problem in unsupported_features(feature, f"{prefix}.{name}" if prefix else name)]
    return [f"{prefix}: {type(features).__name__}"]


def cell_json(cell, feature, where: dict) -> object:
    """The JSON value get_cell_value gives a cell (an Arrow-decoded Python value), or TypeError."""
    if cell is None:
        return None
    if isinstance(feature, ASSET_TYPES):
        url = _ASSET_URL.format(**where)
        if isinstance(feature, datasets.Image):
            width, height = Image.open(io.BytesIO(cell["bytes"])).size if cell.get("bytes") else (0, 0)
            return {"src": url, "height": height, "width": width}
        return [{"src": url, "type": "audio/wav"}] if isinstance(feature, datasets.Audio) else {"src": url}
    if isinstance(feature, PLAIN_TYPES):
        return base64.b64encode(cell).decode() if isinstance(cell, bytes) else cell
    if isinstance(feature, list) and len(feature) == 1:
        return [cell_json(item, feature[0], where) for item in cell]
    if isinstance(feature, (datasets.List, datasets.LargeList)):
        return [cell_json(item, feature.feature, where) for item in cell]
    if isinstance(feature, dict):
        return {key: cell_json(value, feature[key], where) for key, value in cell.items()}
    raise TypeError("could not determine the type of the data cell.")


def rows_response_size(rows: list[dict], features: datasets.Features, config: str, split: str, offset: int,
                       num_rows_total: int, dataset: str = "org/imagenet3d") -> int:
    """Bytes of the JSON of a /rows (or first-rows) response holding ``rows`` from ``offset``."""
    types = features.to_dict()
    where = {"dataset": dataset, "revision": "0" * 40, "config": config, "split": split}
    response = {
        "features": [{"feature_idx": i, "name": name, "type": types[name]} for i, name in enumerate(features)],
        "rows": [{"row_idx": offset + i, "truncated_cells": [],
                  "row": {name: cell_json(row[name], features[name], {**where, "row": offset + i, "column": name})
                          for name in features}} for i, row in enumerate(rows)],
        "num_rows_total": num_rows_total, "num_rows_per_page": ROWS_PER_PAGE, "partial": False,
    }
    return len(json.dumps(response, ensure_ascii=False, separators=(",", ":")).encode())


def declared_configs(folder: str | os.PathLike) -> dict[str, tuple[datasets.Features, dict[str, list[str]]]]:
    """config -> (features of the README's dataset_info, split -> data files), as the Hub reads them."""
    data = DatasetCard.load(os.path.join(folder, "README.md")).data.to_dict()
    features = {info["config_name"]: datasets.Features._from_yaml_list(info["features"])
                for info in data.get("dataset_info", [])}
    configs = {}
    for entry in data.get("configs", []):
        files = {}
        for item in entry["data_files"]:
            patterns = [item["path"]] if isinstance(item["path"], str) else item["path"]
            files[item["split"]] = sorted(path for pattern in patterns
                                          for path in glob.glob(os.path.join(folder, pattern)))
        configs[entry["config_name"]] = (features[entry["config_name"]], files)
    return configs


def pages(files: list[str]) -> Iterator[list[dict]]:
    """The rows of ``files`` in order, ROWS_PER_PAGE at a time, one row group in memory at a time."""
    page: list[dict] = []
    for path in files:
        parquet = pq.ParquetFile(path)
        for group in range(parquet.metadata.num_row_groups):
            for row in parquet.read_row_group(group).to_pylist():
                page.append(row)
                if len(page) == ROWS_PER_PAGE:
                    yield page
                    page = []
    if page:
        yield page


def page_report(folder: str | os.PathLike, max_pages: int | None = None) -> dict[str, dict]:
    """Per config: feature types, unsupported ones, the first-rows response size and the largest
    /rows page (bytes, split, offset) over every page of every split (or the first ``max_pages``)."""
    report = {}
    for config, (features, splits) in declared_configs(folder).items():
        entry = {"types": sorted({type(f).__name__ for f in _leaves(features)}),
                 "unsupported": unsupported_features(features), "first_rows": None, "largest_page": (0, None, 0)}
        if not entry["unsupported"]:
            for split, files in splits.items():
                total = sum(pq.ParquetFile(path).metadata.num_rows for path in files)
                for number, page in enumerate(pages(files)):
                    if max_pages is not None and number >= max_pages:
                        break
                    size = rows_response_size(page, features, config, split, number * ROWS_PER_PAGE, total)
                    if entry["first_rows"] is None:
                        entry["first_rows"] = size
                    entry["largest_page"] = max(entry["largest_page"], (size, split, number * ROWS_PER_PAGE),
                                                key=lambda item: item[0])
        report[config] = entry
    return report


def _leaves(feature) -> Iterator:
    if isinstance(feature, dict):
        for value in feature.values():
            yield from _leaves(value)
    elif isinstance(feature, (datasets.List, datasets.LargeList)):
        yield feature
        yield from _leaves(feature.feature)
    elif isinstance(feature, list):
        yield from (leaf for item in feature for leaf in _leaves(item))
    else:
        yield feature


def schema_features(path: str | os.PathLike) -> datasets.Features:
    """The features a Parquet file carries in its schema metadata (what datasets and the Hub read)."""
    return datasets.Features.from_arrow_schema(pq.read_schema(path))


__all__ = ["ASSET_TYPES", "PLAIN_TYPES", "ROWS_PER_PAGE", "FIRST_ROWS_BUDGET", "PAGE_LIMIT",
           "unsupported_features", "cell_json", "rows_response_size", "declared_configs", "pages",
           "page_report", "schema_features"]
