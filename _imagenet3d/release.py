"""The raw release's layout (``imagenet3d_v1/``): its folders, split lists and file paths.

The converter reads releases with these and the synthetic generator writes them, so both
agree on every path::

    images/<category>/<stem>.JPEG
    annotations/<category>/<stem>.npz          # read_annotations
    lists/<category>_imagenet_{train,val}.txt  # one stem per line
    CAD/<category>/<NN>.off                    # read_off; NN is the 1-based cad_index
"""

from __future__ import annotations

import os
import re

#: The release's top folder, in its zip and unpacked.
RELEASE_DIR = "imagenet3d_v1"
IMAGES, ANNOTATIONS, LISTS, CAD = "images", "annotations", "lists", "CAD"
#: The folders every raw release has at its root (``imagenet3d_v1/``).
RELEASE_FOLDERS = (IMAGES, ANNOTATIONS, LISTS)

#: Raw release split name -> Hub split name.
RELEASE_SPLITS: dict[str, str] = {"train": "train", "val": "validation"}

#: A file at the release root that only the synthetic generator writes (the real release has
#: no top-level files). Its JSON says what made the release.
SYNTHETIC_MARKER = "SYNTHETIC_RELEASE.json"

IMAGE_SUFFIX, ANNOTATION_SUFFIX = ".JPEG", ".npz"
_LIST_NAME = re.compile(r"^lists/(?P<category>.+)_imagenet_(?P<split>train|val)\.txt$")


def release_root(path: str | os.PathLike) -> str | None:
    """The raw release folder (holding :data:`RELEASE_FOLDERS`) at ``path`` or in its
    ``imagenet3d_v1/`` folder, if either is one; else None."""
    for root in (os.fspath(path), os.path.join(path, RELEASE_DIR)):
        if all(os.path.isdir(os.path.join(root, folder)) for folder in RELEASE_FOLDERS):
            return root
    return None


def cad_relpath(category: str, cad_index: int) -> str:
    """Path of a CAD model inside the release: ``CAD/<category>/<NN>.off``.

    ``cad_index`` is 1-based, as in the release.
    """
    return f"{CAD}/{category}/{int(cad_index):02d}.off"


def parse_cad_relpath(relpath: str) -> tuple[str, int] | None:
    """(category, cad_index) of a :func:`cad_relpath`, or None for any other path."""
    parts = relpath.split("/")
    if len(parts) == 3 and parts[0] == CAD and re.fullmatch(r"\d+\.off", parts[2]):
        return parts[1], int(parts[2][:-4])
    return None


def folder_of(relpath: str) -> str:
    """The top folder of a path inside the release (``images`` for ``images/chair/x.JPEG``); "" for a top file."""
    folder, slash, _ = relpath.partition("/")
    return folder if slash else ""


def image_relpath(category: str, stem: str) -> str:
    """``images/<category>/<stem>.JPEG`` (PNG bytes may hide behind the name)."""
    return f"{IMAGES}/{category}/{stem}{IMAGE_SUFFIX}"


def annotation_relpath(category: str, stem: str) -> str:
    """``annotations/<category>/<stem>.npz``."""
    return f"{ANNOTATIONS}/{category}/{stem}{ANNOTATION_SUFFIX}"


def list_relpath(category: str, release_split: str) -> str:
    """``lists/<category>_imagenet_<split>.txt``; ``release_split`` is a key of :data:`RELEASE_SPLITS`."""
    return f"{LISTS}/{category}_imagenet_{release_split}.txt"


def parse_list_relpath(relpath: str) -> tuple[str, str] | None:
    """(category, release split) of a :func:`list_relpath`, or None for any other path."""
    match = _LIST_NAME.match(relpath)
    return (match["category"], match["split"]) if match else None


def partner_relpath(relpath: str) -> str:
    """The annotation path of an image path, or the image path of an annotation path."""
    folder, rest = relpath.split("/", 1)
    stem = rest.rsplit(".", 1)[0]
    return f"{ANNOTATIONS}/{stem}{ANNOTATION_SUFFIX}" if folder == IMAGES else f"{IMAGES}/{stem}{IMAGE_SUFFIX}"
