"""``python -m conversion space OUT --dataset ORG/NAME``: the viewer as a Hugging Face Space.

The folder holds the Space card (README.md with the Space YAML), an app.py
that opens the dataset lazily through hf:// paths, the viewer package, the
one module it needs from conversion (GLB writing), imagenet3d.py and a
pinned requirements.txt. ``--space-id`` pushes it with huggingface_hub.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from huggingface_hub import HfApi, SpaceCard, SpaceCardData

REPO = Path(__file__).resolve().parents[1]
SPACE_FILES = {  # path in the Space -> path in this repository
    "imagenet3d.py": "imagenet3d.py",
    "viewer_app/__init__.py": "viewer_app/__init__.py",
    "viewer_app/app.py": "viewer_app/app.py",
    "viewer_app/data.py": "viewer_app/data.py",
    "viewer_app/overlay.py": "viewer_app/overlay.py",
    "conversion/__init__.py": "conversion/__init__.py",
    "conversion/glb.py": "conversion/glb.py",
    "conversion/atomic.py": "conversion/atomic.py",
}
# What the viewer imports at run time, at the versions this repository pins.
SPACE_REQUIREMENTS = ("gradio", "huggingface_hub", "numpy", "pillow", "pyarrow", "fsspec")

APP_TEMPLATE = '''"""ImageNet3D viewer Space: opens {dataset} lazily (hf:// paths, row-group reads)."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from viewer_app.app import build_app, limit_malloc_arenas
from viewer_app.data import DatasetIndex

limit_malloc_arenas()
demo = build_app(DatasetIndex(os.environ.get("IMAGENET3D_DATASET", "hf://datasets/{dataset}")))

if __name__ == "__main__":
    demo.launch(server_name="0.0.0.0", ssr_mode=False)
'''


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


def requirements() -> str:
    pins = _pins()
    from importlib.metadata import version

    lines = []
    for name in SPACE_REQUIREMENTS:
        pinned = pins.get(name) or version(name)  # fsspec comes with datasets: pin what is installed
        lines.append(f"{name}=={pinned}")
    return "\n".join(lines) + "\n"


def card(dataset: str) -> str:
    data = SpaceCardData(
        title="ImageNet3D viewer", emoji="🧭", colorFrom="indigo", colorTo="green",
        sdk="gradio", sdk_version=_pins()["gradio"], app_file="app.py", python_version="3.11",
        datasets=[dataset], license="cc-by-nc-4.0", pinned=False,
        short_description="Every ImageNet3D object's CAD model drawn at its 3D pose",
    )
    body = (f"# ImageNet3D viewer\n\nBrowse [{dataset}](https://huggingface.co/datasets/{dataset}): filters, "
            "a paged grid, and for each image every object's CAD wireframe, 2D box and 3D axes at its "
            "annotated pose, the pose table and the caption. Only the annotation index is loaded; images and "
            "CAD models are read one row group at a time. Open a sample directly with `?id=<image_id>`.\n")
    return str(SpaceCard("---\n" + data.to_yaml() + "\n---\n\n" + body))


def build_space(out: str | os.PathLike, dataset: str) -> list[str]:
    """Write the Space folder; returns its files (POSIX paths), sorted."""
    if dataset.count("/") != 1:
        raise ValueError(f"--dataset must look like 'org/name', got {dataset!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for target, source in SPACE_FILES.items():
        (out / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / source, out / target)
    (out / "app.py").write_text(APP_TEMPLATE.format(dataset=dataset))
    (out / "requirements.txt").write_text(requirements())
    (out / "README.md").write_text(card(dataset), encoding="utf-8")
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def push_space(out: str | os.PathLike, space_id: str, private: bool = False, api: HfApi | None = None) -> None:
    api = api or HfApi()
    api.create_repo(repo_id=space_id, repo_type="space", space_sdk="gradio", private=private, exist_ok=True)
    api.upload_folder(repo_id=space_id, repo_type="space", folder_path=str(out),
                      commit_message="Update the ImageNet3D viewer", ignore_patterns=[".*", "*/.*", "__pycache__/*"])


def _run(args: argparse.Namespace) -> int:
    try:
        files = build_space(args.out, args.dataset)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote the Space folder {args.out}: {len(files)} files")
    if args.space_id:
        if args.dry_run:
            for name in files:
                print(f"  would upload {name}")
            print(f"dry run: would push {len(files)} files to the Space {args.space_id}")
        else:
            push_space(args.out, args.space_id, args.private)
            print(f"pushed to https://huggingface.co/spaces/{args.space_id}")
    return 0


def register(subparsers) -> None:
    space = subparsers.add_parser(
        "space", help="build (and push) the viewer as a Hugging Face Space",
        description="Write a Space folder that serves the viewer over a Hub dataset; with --space-id, push it.")
    space.add_argument("out", help="the Space folder to write")
    space.add_argument("--dataset", required=True, help="the Hub dataset the Space shows, ORG/NAME")
    space.add_argument("--space-id", help="push the folder to this Space, ORG/NAME")
    space.add_argument("--private", action="store_true")
    space.add_argument("--dry-run", action="store_true", help="with --space-id: list what would be pushed")
    space.set_defaults(run=_run)
