"""``python -m conversion space OUT --dataset ORG/NAME [--hardware H]``: the viewer as a Hugging Face Space.

The folder holds the Space card (README.md with the Space YAML), an app.py
that opens the dataset lazily through hf:// paths, the viewer package, the
library (imagenet3d.py and its private package _imagenet3d) and a pinned
requirements.txt. ``--space-id`` pushes it with huggingface_hub.

Where the viewer can run (since 2026-07-21 creating a Gradio Space needs a
paid plan, except ZeroGPU for free personal accounts; HOSTING below is the
one table of it, used by the card and the command's help):

* ``zero-a10g`` (ZeroGPU): free personal accounts may host up to 2 Gradio
  Spaces on it; PRO, Team and Enterprise too. The app is CPU-only and runs
  unchanged: the ``spaces`` package is imported first, and its start-up hook
  returns early when no function is decorated with ``@spaces.GPU``.
* ``cpu-basic`` / ``cpu-upgrade``: CPU hardware, for PRO (personal) or Team /
  Enterprise (organization) accounts; cpu-upgrade is billed by the hour.
* locally: ``python -m viewer_app.app hf://datasets/ORG/NAME`` on any machine.

Every variant signs visitors in with Hugging Face (``hf_oauth: true``) and
reads the dataset with the visitor's token, so a gated dataset stays gated.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from huggingface_hub import HfApi, SpaceCard, SpaceCardData
from huggingface_hub.errors import HfHubHTTPError

from conversion.hub.push import HubWriteError, refusal, require_token

REPO = Path(__file__).resolve().parents[2]
# The viewer and the library it stands on (imagenet3d.py over its private package, data files included).
SPACE_FILES = sorted(
    ["imagenet3d.py"]
    + [str(path.relative_to(REPO)) for folder in ("_imagenet3d", "viewer_app") for path in (REPO / folder).iterdir()
       if path.is_file() and path.suffix in (".py", ".csv")])
# What the viewer imports at run time, at the versions this repository pins (else the installed ones).
# authlib and itsdangerous are gradio's "oauth" extra: the Sign in button and the session cookie.
SPACE_REQUIREMENTS = ("gradio", "huggingface_hub", "numpy", "pillow", "pyarrow", "authlib", "itsdangerous")
ZERO_GPU = "zero-a10g"
# hardware -> (who may host it, what it is): the one home of the hosting plans.
HOSTING = {
    ZERO_GPU: ("free personal accounts (up to 2 Gradio Spaces), PRO, Team and Enterprise",
               "ZeroGPU: the CPU-only viewer runs unchanged with the `spaces` package imported"),
    "cpu-basic": ("PRO (personal) or Team / Enterprise (organization) accounts",
                  "CPU Basic: 2 vCPU, 16 GB RAM, free hardware on a paid plan"),
    "cpu-upgrade": ("PRO (personal) or Team / Enterprise (organization) accounts",
                    "CPU Upgrade: 8 vCPU, 32 GB RAM, billed per hour"),
}

APP_TEMPLATE = '''"""ImageNet3D viewer Space: opens {dataset} lazily (hf:// paths, row-group reads), as each visitor."""
{spaces_import}
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from viewer_app.access import Access
from viewer_app.app import build_app
from viewer_app.memory import limit_malloc_arenas

limit_malloc_arenas()
demo = build_app(Access(os.environ.get("IMAGENET3D_DATASET", "hf://datasets/{dataset}")))

if __name__ == "__main__":
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "0.0.0.0"), ssr_mode=False)
'''
SPACES_IMPORT = '''
# ZeroGPU: the `spaces` package is imported before gradio. Its launch hook finds no @spaces.GPU
# function and returns at once, so this CPU-only app runs as it does anywhere else.
import spaces  # noqa: F401
'''


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.split("[")[0].strip().lower()] = version.strip()
    return pins


def requirements(hardware: str = ZERO_GPU) -> str:
    pins = _pins()
    from importlib.metadata import version

    names = [*SPACE_REQUIREMENTS, *(("spaces",) if hardware == ZERO_GPU else ())]
    return "".join(f"{name}=={pins.get(name) or version(name)}\n" for name in names)


def card(dataset: str, hardware: str = ZERO_GPU) -> str:
    data = SpaceCardData(
        title="ImageNet3D viewer", emoji="🧭", colorFrom="indigo", colorTo="green",
        sdk="gradio", sdk_version=_pins()["gradio"], app_file="app.py", python_version="3.11",
        datasets=[dataset], license="cc-by-nc-4.0", pinned=False, suggested_hardware=hardware,
        short_description="Every ImageNet3D object's CAD model drawn at its 3D pose",
        # Visitors sign in with Hugging Face; read-repos lets the Space read, with the visitor's own
        # token, the gated datasets whose conditions that visitor accepted.
        hf_oauth=True, hf_oauth_scopes=["read-repos"],
    )
    page = f"https://huggingface.co/datasets/{dataset}"
    rows = "\n".join(f"| `{name}`{' (this Space)' if name == hardware else ''} | {what} | {who} |"
                     for name, (who, what) in HOSTING.items())
    body = (f"# ImageNet3D viewer\n\nBrowse [{dataset}]({page}): filters, "
            "a paged grid, and for each image every object's CAD wireframe, 2D box and 3D axes at its "
            "annotated pose, the pose table and the caption. Only the annotation index is loaded; images and "
            "CAD models are read one row group at a time. Open a sample directly with `?id=<image_id>`.\n\n"
            "## Access\n\nThe Space reads the dataset as you: sign in with Hugging Face and, if the dataset is "
            f"gated, accept its conditions on [its page]({page}) first. Visitors who are not signed in, or have "
            "not accepted, see no image and no annotation. A dataset that is not gated is shown to everyone.\n\n"
            "## Hosting\n\nSince 2026-07-21 a Gradio Space needs a paid plan, except on ZeroGPU:\n\n"
            "| hardware | what | accounts |\n|---|---|---|\n" + rows + "\n\n"
            "Rebuild this folder for another one with `python -m conversion space OUT --dataset "
            f"{dataset} --hardware HARDWARE`. Anyone can run the viewer locally instead (no Space): "
            f"`python -m viewer_app.app hf://datasets/{dataset}` (a gated dataset asks you to log in "
            "first with `hf auth login`).\n")
    return str(SpaceCard("---\n" + data.to_yaml() + "\n---\n\n" + body))


def build_space(out: str | os.PathLike, dataset: str, hardware: str = ZERO_GPU) -> list[str]:
    """Write the Space folder; returns its files (POSIX paths), sorted."""
    if dataset.count("/") != 1:
        raise HubWriteError(f"--dataset must look like 'org/name', got {dataset!r}")
    if hardware not in HOSTING:
        raise HubWriteError(f"--hardware must be one of {', '.join(HOSTING)}, got {hardware!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for relpath in SPACE_FILES:
        (out / relpath).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / relpath, out / relpath)
    spaces_import = SPACES_IMPORT if hardware == ZERO_GPU else ""
    (out / "app.py").write_text(APP_TEMPLATE.format(dataset=dataset, spaces_import=spaces_import))
    (out / "requirements.txt").write_text(requirements(hardware))
    (out / "README.md").write_text(card(dataset, hardware), encoding="utf-8")
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def push_space(out: str | os.PathLike, space_id: str, private: bool = False, api: HfApi | None = None,
               hardware: str = ZERO_GPU) -> None:
    """Create (or update) the Space on ``hardware`` and upload the folder; HubWriteError in one line."""
    if api is None:
        require_token(f"the Space {space_id}")
        api = HfApi()
    try:
        api.create_repo(repo_id=space_id, repo_type="space", space_sdk="gradio", space_hardware=hardware,
                        private=private, exist_ok=True)
        api.upload_folder(repo_id=space_id, repo_type="space", folder_path=str(out),
                          commit_message="Update the ImageNet3D viewer",
                          ignore_patterns=[".*", "*/.*", "__pycache__/*"])
    except HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else None
        who = HOSTING[hardware][0]
        if status == 402 and hardware != ZERO_GPU:   # Payment Required: the hardware is beyond the plan
            raise HubWriteError(f"could not push the Space {space_id}: {hardware} needs {who}; "
                                f"free personal accounts can use --hardware {ZERO_GPU}") from None
        raise refusal(error, f"the Space {space_id} (on {hardware}, which needs {who})") from None


def _run(args: argparse.Namespace) -> int:
    try:
        files = build_space(args.out, args.dataset, args.hardware)
    except HubWriteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    who, what = HOSTING[args.hardware]
    print(f"wrote the Space folder {args.out}: {len(files)} files, for {args.hardware} ({what}; {who})")
    if args.space_id:
        if args.dry_run:
            for name in files:
                print(f"  would upload {name}")
            print(f"dry run: would push {len(files)} files to the Space {args.space_id} on {args.hardware}")
        else:
            try:
                push_space(args.out, args.space_id, args.private, hardware=args.hardware)
            except HubWriteError as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
            print(f"pushed to https://huggingface.co/spaces/{args.space_id}")
    print(f"or run it locally: python -m viewer_app.app hf://datasets/{args.dataset}")
    return 0


def register(subparsers) -> None:
    plans = "; ".join(f"{name}: {who}" for name, (who, _) in HOSTING.items())
    space = subparsers.add_parser(
        "space", help="build (and push) the viewer as a Hugging Face Space",
        description="Write a Space folder that serves the viewer over a Hub dataset, reading it as each "
                    "signed-in visitor; with --space-id, push it. Hosting: " + plans + ".")
    space.add_argument("out", help="the Space folder to write")
    space.add_argument("--dataset", required=True, help="the Hub dataset the Space shows, ORG/NAME")
    space.add_argument("--hardware", choices=list(HOSTING), default=ZERO_GPU,
                       help=f"the Space's hardware (default {ZERO_GPU}, the one free personal accounts have)")
    space.add_argument("--space-id", help="push the folder to this Space, ORG/NAME")
    space.add_argument("--private", action="store_true")
    space.add_argument("--dry-run", action="store_true", help="with --space-id: list what would be pushed")
    space.set_defaults(run=_run)
