"""Caption and category-description text of a synthetic release, in our caption input formats.

The release's own caption files are not public; :data:`CAPTIONS_FORMAT` states the
formats the converter reads. Every caption holds one :data:`POSE6D_TOKEN` per object.
"""

from __future__ import annotations

import json
import math

import imagenet3d
from synthetic_release.shapes.registry import family_of

CAPTIONS_DIR = "captions"
IMAGE_CAPTIONS_FILE = f"{CAPTIONS_DIR}/image_captions.jsonl"
CATEGORY_DESCRIPTIONS_FILE = f"{CAPTIONS_DIR}/category_descriptions.json"

#: The release's caption files are not public; these are our input formats.
CAPTIONS_FORMAT = """\
Image captions: JSON Lines, one object per line:
  {"image_id": "<category>/<wnid>_<n>", "caption": "..."}
The caption holds one literal "<pose6D>" token per object of the image's
annotation file, in the order of that file's 'annotations' array: the k-th token
stands for object k and its pose.
Category descriptions: one JSON object {"<category>": "<text>", ...}.
"""

POSE6D_TOKEN = "<pose6D>"

_ORDINALS = ["first", "second", "third", "fourth", "fifth"]
_COUNTS = ["one", "two", "three", "four", "five"]


def view_phrase(azimuth: float, elevation: float) -> str:
    """Words for a viewpoint: which side of the object the camera sees, and height."""
    sides = ["front", "front-right", "right side", "back-right", "back",
             "back-left", "left side", "front-left"]
    side = sides[int(((azimuth % (2 * math.pi)) + math.pi / 8) // (math.pi / 4)) % 8]
    signed = (elevation + math.pi) % (2 * math.pi) - math.pi
    height = ("from below" if signed < -0.05 else "at eye level" if signed < 0.2
              else "from slightly above" if signed < 0.6 else "from high above")
    return f"seen from the {side}, {height}"


def caption_for(category: str, annotations: list[dict]) -> str:
    """An image caption with one <pose6D> token per object, in object order."""
    name = category.replace("_", " ")
    parts = []
    for k, record in enumerate(annotations):
        article = "an" if name[0] in "aeiou" else "a"
        label = f"the {_ORDINALS[k]} {name}" if len(annotations) > 1 else f"{article} {name}"
        if "azimuth" in record:
            detail = view_phrase(float(record["azimuth"]), float(record["elevation"]))
            parts.append(f"{label} {POSE6D_TOKEN} {detail}")
        else:
            parts.append(f"{label} {POSE6D_TOKEN} whose pose was not annotated")
    if len(annotations) == 1:
        return f"A photo of {parts[0]}."
    return (f"A photo of {_COUNTS[len(annotations) - 1]} {name}s: "
            + "; ".join(parts) + ".")


def category_description(category: str) -> str:
    info = imagenet3d.CATEGORY_INFO[category]
    name = category.replace("_", " ")
    family = family_of(category).replace("_", " ")
    return (f"A {name} is a rigid object of the {info.super_category.lower()} kind "
            f"(synthetic stand-in description, shape family: {family}). Its CAD models "
            f"stand with z up and face the camera at azimuth 0; {info.num_cad_models} "
            f"model{'s' if info.num_cad_models != 1 else ''} cover its common shapes.")


def caption_files(captions: dict[str, str], categories: list[str]) -> dict[str, bytes]:
    """The two caption inputs, from ``{image_id: caption}``."""
    lines = [json.dumps({"image_id": image_id, "caption": caption}) + "\n"
             for image_id, caption in captions.items()]
    descriptions = {category: category_description(category) for category in categories}
    return {
        IMAGE_CAPTIONS_FILE: "".join(lines).encode(),
        CATEGORY_DESCRIPTIONS_FILE: (json.dumps(descriptions, indent=1, sort_keys=True) + "\n").encode(),
    }
