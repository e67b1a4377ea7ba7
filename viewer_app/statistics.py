"""The Statistics tab's numbers for a selection of images, counted from the index's per-object codes.

viewer_app/plots.py draws them. Everything is a bincount over small integer codes the index holds
(DatasetIndex._columns), not string comparisons: a filter change at 95k objects counts in about a
millisecond.
"""

from __future__ import annotations

import numpy as np

import imagenet3d


def count_statistics(index, rows: list[int] | np.ndarray) -> dict:
    """What the Statistics tab shows for the images in ``rows`` of ``index`` (a DatasetIndex).

    Images: ``images``; ``per_category``, ``per_super_category``, ``per_split`` count images.
    Objects (every object of a chosen image): ``objects``, ``objects_per_category`` (largest
    first, ties by name), ``objects_per_super_category`` (same order), ``objects_per_split``,
    ``objects_per_category_split`` and ``objects_per_super_category_split`` ({name: {split:
    count}}, split as in ``split_names``), ``objects_per_status`` (every status of
    imagenet3d.OBJECT_STATUSES in that order, then ``missing`` for objects without one, then
    any other value present; zeros kept) and ``objects_known`` ({"known": n, "novel": m}: the
    open-vocabulary protocol's 63 training categories or not).
    Usable objects only: ``usable_objects``, ``azimuth_degrees`` in [0, 360) and
    ``elevation_degrees`` signed in (-180, 180] (imagenet3d.signed_angle: a stored 354 is -6),
    both in the PASCAL3D+ convention, and ``usable_split`` (each one's split), aligned.
    """
    rows = np.asarray(rows, dtype=np.int64)
    chosen = np.zeros(len(index.image_ids), dtype=bool)
    chosen[rows] = True
    picked = chosen[index.object_row]
    usable = picked & index.object_usable
    splits = [str(s) for s in index.split_names]
    images_per_category = np.bincount(index.image_category[rows], minlength=len(index.category_names))
    images_per_super: dict[str, int] = {}
    for name, count in zip(index.category_super.tolist(), images_per_category.tolist()):
        if count:
            images_per_super[name] = images_per_super.get(name, 0) + count
    categories = _counts_by_split(index.object_category[picked], index.object_split[picked],
                                  index.category_names, splits)
    super_of = dict(zip(index.category_names.tolist(), index.category_super.tolist()))
    supers: dict[str, dict[str, int]] = {}
    for category, per_split in categories.items():
        into = supers.setdefault(super_of[category], {})
        for split, count in per_split.items():
            into[split] = into.get(split, 0) + count
    supers = dict(sorted(supers.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])))
    status = np.bincount(index.object_status[picked], minlength=len(index.status_names))
    known = int(np.count_nonzero(index.object_known[picked]))
    return {
        "images": int(len(rows)),
        "objects": int(np.count_nonzero(picked)),
        "per_category": _named_counts(images_per_category, index.category_names),
        "per_super_category": dict(sorted(images_per_super.items())),
        "per_split": _named_counts(np.bincount(index.image_split[rows], minlength=len(splits)), splits),
        "split_names": splits,
        "objects_per_category": {name: sum(c.values()) for name, c in categories.items()},
        "objects_per_category_split": categories,
        "objects_per_super_category": {name: sum(c.values()) for name, c in supers.items()},
        "objects_per_super_category_split": supers,
        "objects_per_split": _named_counts(np.bincount(index.object_split[picked], minlength=len(splits)),
                                           splits),
        "objects_per_status": {str(n): int(c) for n, c in zip(index.status_names, status)},
        "objects_known": {"known": known, "novel": int(np.count_nonzero(picked)) - known},
        "usable_objects": int(np.count_nonzero(usable)),
        "azimuth_degrees": np.mod(np.degrees(index.object_azimuth[usable]), 360.0),
        "elevation_degrees": np.degrees(imagenet3d.signed_angle(index.object_elevation[usable])),
        "usable_split": index.split_names[index.object_split[usable]],
    }


def _named_counts(counts: np.ndarray, names) -> dict[str, int]:
    """{name: count} of the nonzero counts, in the order of ``names`` (sorted: np.unique's)."""
    return {str(name): int(count) for name, count in zip(names, counts.tolist()) if count}


def _counts_by_split(codes: np.ndarray, split_codes: np.ndarray, names: np.ndarray,
                     splits: list[str]) -> dict[str, dict[str, int]]:
    """{name: {split: count}} of the names present, largest total first, ties by name."""
    table = np.bincount(codes.astype(np.int64) * len(splits) + split_codes,
                        minlength=len(names) * len(splits)).reshape(len(names), len(splits))
    totals = table.sum(axis=1)
    order = np.lexsort((np.arange(len(names)), -totals))  # names are sorted: index breaks ties by name
    return {str(names[i]): {split: int(table[i, j]) for j, split in enumerate(splits) if table[i, j]}
            for i in order if totals[i]}
