"""The ImageNet3D viewer: browse a converted dataset and see every object's 3D pose.

    python -m viewer_app.app demo/imagenet3d            # a local converted folder
    python -m viewer_app.app hf://datasets/ORG/imagenet3d

Only the annotation index is held in memory; one sample's image bytes and
CAD models are read on demand by row-group random access. A gated Hub
dataset is shown only to signed-in visitors the Hub lets read it, with their
own token (viewer_app/access.py).
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import hmac
import html
import io
import math
import os
import secrets
import socket
import sys
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import gradio as gr
import numpy as np
from huggingface_hub import get_token
from PIL import Image

import imagenet3d
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.files import temporary_name
from viewer_app.access import Access, Guard, access_line
from viewer_app.data import SORT_KEYS, DatasetIndex, Filter
from viewer_app.hub_io import hub_repo
from viewer_app.overlay import KINDS, draw_overlays
from viewer_app.text import _degrees, _elevation_degrees, _round, caption_html, statistics_markdown

PAGE_SIZE = 24
CONCURRENCY = 4
QUEUE_SIZE = 256
THUMBNAIL = 192
ANY = "any"
POSE_COLUMNS = ["#", "category", "azimuth", "elevation", "theta", "distance", "viewport", "cad_index",
                "object_status", "dense", "usable"]


def _choice(value):
    return None if value in (None, "", ANY) else value


def make_filter(split, known, super_category, category, status, dense, objects, text, sort) -> Filter:
    count = _choice(objects)
    return Filter(split=_choice(split), known={"known": True, "novel": False}.get(known),
                  super_category=_choice(super_category), category=_choice(category),
                  object_status=_choice(status), dense=_choice(dense),
                  num_objects=int(count.rstrip("+")) if count else None,
                  text=(text or "").strip() or None, sort=sort or "image_id")


class Viewer:
    """The app's logic, independent of Gradio so it can be tested directly.

    ``max_files`` bounds the folder of drawn images, thumbnails and GLBs: a
    Space runs for weeks, so the least recently used files are removed (and
    drawn again when asked for).
    """

    def __init__(self, index: DatasetIndex, max_files: int = 4000):
        self.index = index
        # Every file handed to Gradio is ours, written atomically: Gradio's own
        # cache rewrites a PIL output in place, so two clients asking for the
        # same picture at once could be served a truncated file.
        self.files = Path(tempfile.mkdtemp(prefix="imagenet3d-viewer-"))
        # File names are keyed with a secret of this process, so nobody can guess the URL of a
        # picture they were not shown (a gated dataset's images are served only to admitted visitors).
        self._secret = secrets.token_bytes(32)
        self.max_files = max_files
        self._recent: OrderedDict[Path, None] = OrderedDict()
        self._recent_lock = threading.Lock()

    def browse(self, selection: Filter, page: int) -> tuple[list, int, str]:
        rows = self.index.select(selection)
        pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
        page = int(min(max(int(page or 1), 1), pages))
        shown = [self.index.image_ids[r] for r in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
        items = list(zip(self.thumbnail_files(shown), shown))
        note = (f"{len(rows):,} images match; page {page} of {pages}" if rows
                else "No image matches these filters.")
        return items, page, note

    def _name(self, key: str, suffix: str) -> str:
        return hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()[:32] + suffix

    def _file(self, name: str, write) -> str:
        """A file under our folder, created once, atomically, by ``write(path)``."""
        path = self.files / name
        with self._recent_lock:
            self._recent[path] = None
            self._recent.move_to_end(path)
        if not path.exists():
            temporary = temporary_name(path)
            write(temporary)
            os.replace(temporary, path)
        self._prune()
        return str(path)

    def _prune(self) -> None:
        with self._recent_lock:
            stale = [self._recent.popitem(last=False)[0] for _ in range(len(self._recent) - self.max_files)]
        for path in stale:
            path.unlink(missing_ok=True)

    def thumbnail_files(self, image_ids: list[str]) -> list[str]:
        """Thumbnails of a page of images; those not yet drawn read their bytes in one pass."""
        names = {i: self._name(f"thumbnail|{i}", ".jpg") for i in image_ids}
        missing = [i for i in image_ids if not (self.files / names[i]).exists()]
        data = self.index.images_bytes(missing) if missing else {}
        return [self._file(names[i], lambda path, i=i: self.thumbnail(
            data[i] if i in data else self.index.image_bytes(i)).save(path, "JPEG", quality=85))
            for i in image_ids]

    @staticmethod
    def thumbnail(data: bytes) -> Image.Image:
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (THUMBNAIL, THUMBNAIL))  # JPEG: decode at reduced scale
        image = image.convert("RGB")
        image.thumbnail((THUMBNAIL, THUMBNAIL))
        return image

    def sample(self, image_id: str, kinds: list[str]) -> tuple:
        image_id = (image_id or "").strip()
        if image_id not in self.index.position:
            return None, [], "", None, f"Unknown image id {image_id!r}: pick one from the grid."
        record = self.index.record(image_id)
        objects = record["objects"]
        chosen = sorted(k for k in kinds if k in KINDS)
        name = self._name(f"overlay|{image_id}|{','.join(chosen)}", ".png")
        drawn = self._file(name, lambda path: self.overlay(image_id, objects, chosen).save(path, "PNG"))
        table = [[k, o["category"], _degrees(o["azimuth"]), _elevation_degrees(o["elevation"]), _degrees(o["theta"]),
                  _round(o["distance"]), o["viewport"], o["cad_index"], o["object_status"], o["dense"], o["usable"]]
                 for k, o in enumerate(objects)]
        model = self.model_file(objects[0]) if objects else None
        header = (f"**{html.escape(image_id)}** · {record['split']} · {record['category']} "
                  f"({record['super_category']}, our grouping) · {'known' if record['known'] else 'novel'} "
                  f"· {record['width']}x{record['height']} · {len(objects)} object(s)")
        return drawn, table, caption_html(record["caption"], objects), model, header

    def overlay(self, image_id: str, objects: list[dict], kinds: list[str]) -> Image.Image:
        """The image with the chosen overlays; read only when not already drawn."""
        image = Image.open(io.BytesIO(self.index.image_bytes(image_id)))
        meshes = {k: self.index.mesh(o["category"], o["cad_index"]) for k, o in enumerate(objects)
                  if o["cad_index"] is not None}
        return draw_overlays(image, objects, {k: m for k, m in meshes.items() if m is not None}, kinds)

    def model_file(self, obj: dict) -> str | None:
        """The object's CAD model as a GLB turned to its annotated pose, for gr.Model3D."""
        if obj["cad_index"] is None:
            return None
        mesh = self.index.mesh(obj["category"], obj["cad_index"])
        if mesh is None:
            return None
        vertices, faces = mesh
        if obj["usable"]:
            # Object to camera axes, then OpenCV (y down, z forward) to the viewer's y up, z back.
            R = imagenet3d.camera_matrices(obj["azimuth"], obj["elevation"], obj["theta"], obj["distance"],
                                           obj["px"], obj["py"], obj["viewport"], obj["focal"])[1]
            vertices = vertices @ (np.diag([1.0, -1.0, -1.0]) @ R).T
            # write_glb turns z-up meshes to glTF's y-up; undo that for camera-space vertices.
            vertices = vertices @ np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]]).T
        key = repr([obj[k] for k in ("category", "cad_index", "azimuth", "elevation", "theta")])
        name = f"{obj['category']}-{obj['cad_index']:02d}-" + self._name(f"model|{key}", ".glb")
        return self._file(name, lambda path: path.write_bytes(imagenet3d.write_glb(vertices, faces)))

    def statistics_text(self, selection: Filter) -> str:
        return statistics_markdown(self.index.statistics(self.index.select(selection)))


def build_app(source: DatasetIndex | Access, concurrency: int = CONCURRENCY) -> gr.Blocks:
    """The page for ``source``: an opened index (shown to everyone) or an Access (a Hub dataset's gate)."""
    access = source if isinstance(source, Access) else Access(source.root, index=source)
    guard = Guard(access, Viewer)
    # Gradio copies every output file into its own cache: clear what is an hour old, hourly.
    with gr.Blocks(title="ImageNet3D viewer", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# ImageNet3D viewer\nEvery object's CAD model drawn at its annotated 3D pose. "
                    + imagenet3d.SUPER_CATEGORY_NOTE)
        with gr.Row(equal_height=True):
            access_note = gr.Markdown()
            if access.needs_login:
                gr.LoginButton(scale=0, min_width=260)
        with gr.Row():
            split = gr.Dropdown([ANY, "train", "validation"], value=ANY, label="split")
            known = gr.Dropdown([ANY, "known", "novel"], value=ANY, label="known / novel category")
            super_category = gr.Dropdown([ANY, *imagenet3d.SUPER_CATEGORY_NAMES], value=ANY,
                                         label="super-category (ours)")
            category = gr.Dropdown([ANY, *guard.categories()], value=ANY, label="category")
        with gr.Row():
            status = gr.Dropdown([ANY, *imagenet3d.OBJECT_STATUSES, "missing"], value=ANY, label="object_status")
            dense = gr.Dropdown([ANY, *imagenet3d.DENSE_VALUES], value=ANY, label="dense")
            objects = gr.Dropdown([ANY, "1", "2", "3", "4", "5+"], value=ANY, label="objects")
            text = gr.Textbox(label="caption contains", placeholder="e.g. from the front")
            sort = gr.Dropdown(list(SORT_KEYS), value="image_id", label="sort")
        filters = [split, known, super_category, category, status, dense, objects, text, sort]
        # An id chosen elsewhere (grid, random button, ?id= link) waits here while the Sample tab
        # is shown: gr.Model3D never draws a model that arrives while its tab is hidden.
        pending_id = gr.Textbox(visible=False)  # not a State: /random returns it through the API
        with gr.Tabs() as tabs:
            with gr.Tab("Browse", id="browse"):
                with gr.Row():
                    page = gr.Number(value=1, precision=0, label="page", minimum=1)
                    note = gr.Markdown()
                    random_button = gr.Button("Random sample")
                gallery = gr.Gallery(label="images", columns=6, height=520, allow_preview=False)
            with gr.Tab("Sample", id="sample"):
                with gr.Row():
                    image_id = gr.Textbox(label="image id", placeholder="category/wnid_n")
                    kinds = gr.CheckboxGroup(list(KINDS), value=list(KINDS), label="overlays")
                header = gr.Markdown()
                with gr.Row():
                    overlay = gr.Image(label="pose overlays", type="filepath", interactive=False)
                    model = gr.Model3D(label="first object's CAD model at its annotated pose")
                caption = gr.HTML()
                poses = gr.Dataframe(headers=POSE_COLUMNS, label="poses (angles in degrees)", interactive=False)
            with gr.Tab("Statistics", id="statistics"):
                statistics = gr.Markdown()

        # Every handler that shows data takes the session's gr.OAuthToken (Gradio fills it in; it is
        # not an API input) and goes through the guard.
        def on_browse(split, known, super_category, category, status, dense, objects, text, sort, page_number,
                      oauth_token: gr.OAuthToken | None):
            chosen = make_filter(split, known, super_category, category, status, dense, objects, text, sort)
            return guard(oauth_token, lambda message: ([], 1, message),
                         lambda viewer: viewer.browse(chosen, page_number))

        def on_filters(split, known, super_category, category, status, dense, objects, text, sort,
                       oauth_token: gr.OAuthToken | None):
            return on_browse(split, known, super_category, category, status, dense, objects, text, sort, 1,
                             oauth_token)

        def on_statistics(split, known, super_category, category, status, dense, objects, text, sort,
                          oauth_token: gr.OAuthToken | None):
            chosen = make_filter(split, known, super_category, category, status, dense, objects, text, sort)
            return guard(oauth_token, lambda message: message, lambda viewer: viewer.statistics_text(chosen))

        def on_sample(identifier, chosen_kinds, oauth_token: gr.OAuthToken | None):
            return guard(oauth_token, lambda message: (None, [], "", None, message),
                         lambda viewer: viewer.sample(identifier, chosen_kinds))

        def on_random(split, known, super_category, category, status, dense, objects, text, sort,
                      oauth_token: gr.OAuthToken | None):
            chosen = make_filter(split, known, super_category, category, status, dense, objects, text, sort)
            return guard(oauth_token, lambda message: "",
                         lambda viewer: viewer.index.random_image(viewer.index.select(chosen)) or "")

        def on_access(oauth_token: gr.OAuthToken | None):
            """The line above the viewer, and the category choices (data: admitted visitors only)."""
            return guard(oauth_token, lambda message: (message, gr.Dropdown(choices=[ANY], value=ANY)),
                         lambda viewer: (access_line(access), gr.Dropdown(choices=[ANY, *guard.categories()])))

        def on_select(event: gr.SelectData):
            return event.value.get("caption", "") if isinstance(event.value, dict) else ""

        def on_load(request: gr.Request):
            return request.query_params.get("id", "") if request else ""

        def show_sample_tab(identifier):
            return gr.Tabs(selected="sample") if identifier else gr.Tabs()

        def take_pending(identifier):
            return identifier if identifier else gr.update()

        def open_in_sample_tab(event) -> None:
            event.then(show_sample_tab, inputs=pending_id, outputs=tabs, api_visibility="private").then(
                take_pending, inputs=pending_id, outputs=image_id, api_visibility="private")

        browse_outputs = [gallery, page, note]
        sample_outputs = [overlay, poses, caption, model, header]
        filter_changes = [component.change for component in filters]
        gr.on(filter_changes, on_filters, inputs=filters, outputs=browse_outputs, api_visibility="private")
        gr.on(filter_changes, on_statistics, inputs=filters, outputs=[statistics], api_name="statistics")
        page.submit(on_browse, inputs=[*filters, page], outputs=browse_outputs, api_name="browse")
        open_in_sample_tab(random_button.click(on_random, inputs=filters, outputs=[pending_id], api_name="random"))
        open_in_sample_tab(gallery.select(on_select, outputs=[pending_id], api_visibility="private"))
        image_id.change(on_sample, inputs=[image_id, kinds], outputs=sample_outputs, api_name="sample")
        kinds.change(on_sample, inputs=[image_id, kinds], outputs=sample_outputs, api_visibility="private")
        demo.load(on_access, outputs=[access_note, category], api_visibility="private")
        open_in_sample_tab(demo.load(on_load, outputs=[pending_id], api_visibility="private"))
        demo.load(on_filters, inputs=filters, outputs=browse_outputs, api_visibility="private")
        demo.load(on_statistics, inputs=filters, outputs=[statistics], api_visibility="private")
    # Requests mostly wait on reads and on numpy / Pillow, which release the GIL: a few run at once
    # (Gradio's default is one per event); the bounded queue turns overload into a message.
    demo.queue(default_concurrency_limit=concurrency, max_size=QUEUE_SIZE)
    return demo


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (as MALLOC_ARENA_MAX does) before the server starts its threads.

    Gradio runs handlers on a pool of threads and glibc gives each its own
    arena; under 20 concurrent clients the fragmented arenas took the server
    from 400 to over 600 MB (measured, BENCHMARKS.md). Returns False where
    there is no glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(-8, arenas))  # -8 is M_ARENA_MAX in malloc.h


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viewer_app.app", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", default=os.environ.get("IMAGENET3D_DATASET", "demo/imagenet3d"),
                        help="a converted folder or hf://datasets/ORG/NAME (default: the demo dataset)")
    parser.add_argument("--host", help="address to serve on (default: GRADIO_SERVER_NAME, else 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to serve on (default: GRADIO_SERVER_PORT, else 7860)")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="requests run at once per event")
    args = parser.parse_args(argv)
    host = args.host or os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
    try:
        port = args.port if args.port is not None else int(os.environ.get("GRADIO_SERVER_PORT") or 7860)
    except ValueError:
        parser.error(f"GRADIO_SERVER_PORT must be a port number, not {os.environ['GRADIO_SERVER_PORT']!r}")
    if not port_is_free(host, port):   # before the index is read, so the answer comes at once
        return _fail(f"port {port} on {host} is taken (another viewer?): serve on another one with "
                     f"--port {port + 1} or GRADIO_SERVER_PORT={port + 1} (make: PORT={port + 1} make serve)")
    try:
        local = hub_repo(args.dataset) is None
    except Imagenet3DError as error:   # hf://datasets/ with a malformed ORG/NAME
        return _fail(str(error))
    if local and not Path(args.dataset).is_dir():
        return _fail(f"no such folder {args.dataset!r} (convert a release first with python -m conversion build, "
                     "or give hf://datasets/ORG/NAME)")
    limit_malloc_arenas()
    try:
        access = Access(args.dataset)
    except (Imagenet3DError, FileNotFoundError) as error:   # anything else is a bug: its traceback shows
        return _fail(str(error))
    if access.needs_login and not os.environ.get("SPACE_ID"):
        # Run locally, the Sign in button signs in as this machine's account: check it can see the data.
        what = "is not visible anonymously (private, or no such dataset)" if access.hidden else "is gated"
        if get_token() is None:
            return _fail(f"{args.dataset} {what}: log in first (hf auth login, or HF_TOKEN=...), so that the "
                         "viewer's Sign in button can sign you in locally")
        if access.hidden and access.local_account_cannot_see():
            return _fail(f"no dataset {access.repo_id} on the Hub that your account can see (check the name)")
    demo = build_app(access, concurrency=args.concurrency)
    try:
        demo.launch(server_name=host, server_port=port, ssr_mode=False)
    except OSError as error:   # taken between the check and the launch
        return _fail(f"cannot serve on {host}:{port} ({error}): try --port {port + 1} or "
                     f"GRADIO_SERVER_PORT={port + 1}")
    return 0


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
