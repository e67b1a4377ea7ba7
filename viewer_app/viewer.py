"""What the viewer shows, independent of Gradio: the grid, a sample with its objects, the scene,
navigation within a filter, statistics and predictions. viewer_app/app.py lays it out in Gradio.

Every picture, thumbnail and GLB handed to Gradio is a file of ours, written atomically once and
named by a keyed hash of what it shows (see :class:`Files`), so it is drawn once however often it is
asked for, and nobody can guess the name of a picture they were not shown.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import math
import os
import secrets
import struct
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

import imagenet3d
from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.files import temporary_name
from _imagenet3d.pixels import open_image
from viewer_app.colours import object_colour
from viewer_app.data import DatasetIndex, Filter
from viewer_app.kept import Kept
from viewer_app.memory import release_memory
from viewer_app.overlay import DISPLAY_SIZE, KINDS, PREDICTION_STYLES, render_view, view_geometry, zoom_region
from viewer_app.picking import object_at
from viewer_app.plots import statistics_html
from viewer_app.predictions import PredictionSet
from viewer_app.scene import object_glb, scene_camera, scene_glb
from viewer_app.text import caption_html, object_label, pose_row, pose_table_headers

PAGE_SIZE = 24
THUMBNAIL = 192
#: Photos' bytes kept (Viewer.photo_bytes), about 100 KB each at the real size.
PHOTOS_KEPT = 16
#: Filter selections kept (Viewer.rows), each up to 79k row numbers (0.6 MB).
SELECTIONS_KEPT = 8
#: Pictures and scenes drawn at once (the server runs more requests than this at once).
DRAWS_AT_ONCE = 2
#: The photo in the scene view is decoded at about this size (scene_glb downscales it to 1024 anyway).
SCENE_PHOTO = 1024
WHOLE_IMAGE, ZOOM_TO_OBJECT = "whole image", "zoom to the selected object"
ZOOMS = (WHOLE_IMAGE, ZOOM_TO_OBJECT)
SCENE, SELECTED_OBJECT = "scene: every object in the camera's frame", "selected object alone"
VIEWS_3D = (SCENE, SELECTED_OBJECT)
ALL_OBJECTS = "all"


class Files:
    """A folder of files handed to Gradio, at most ``max_files``: a Space runs for weeks, so the least
    recently used are removed (and drawn again when asked for).

    Every file is written atomically: Gradio's own cache rewrites a PIL output in place, so two
    clients asking for the same picture at once could be served a truncated file.
    """

    def __init__(self, max_files: int):
        self.folder = Path(tempfile.mkdtemp(prefix="imagenet3d-viewer-"))
        self._secret = secrets.token_bytes(32)
        self.max_files = max_files
        self._recent: OrderedDict[Path, None] = OrderedDict()
        self._lock = threading.Lock()
        self.drew = False   # since the last settle()

    def settle(self) -> None:
        """After a request: if it drew anything, give the memory drawing took back (memory.py)."""
        if self.drew:
            self.drew = False
            release_memory()

    def name(self, key: str, suffix: str) -> str:
        return hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()[:32] + suffix

    def exists(self, name: str) -> bool:
        return (self.folder / name).exists()

    def get(self, name: str, write: Callable[[Path], object]) -> str:
        """The file ``name``, created once, atomically, by ``write(path)``."""
        path = self.folder / name
        with self._lock:
            self._recent[path] = None
            self._recent.move_to_end(path)
        if not path.exists():
            temporary = temporary_name(path)
            try:
                write(temporary)
                os.replace(temporary, path)
            except BaseException:   # e.g. the Hub failed a read: nothing half-drawn is left behind
                Path(temporary).unlink(missing_ok=True)
                raise
            self.drew = True
        with self._lock:
            stale = [self._recent.popitem(last=False)[0] for _ in range(len(self._recent) - self.max_files)]
        for old in stale:
            old.unlink(missing_ok=True)
        return str(path)


@dataclass(frozen=True)
class Sample:
    """What the Sample tab shows for one image."""

    overlay: str | None            # the drawn picture (a file)
    table: list[list]              # the pose table, one row per object
    headers: list[str]
    caption: str                   # HTML: the caption with its objects' chips
    header: str                    # markdown: the image's line, or why nothing is shown
    model: str | None              # the 3D panel's GLB (a file)
    model_label: str               # what the 3D panel shows
    camera: tuple | None           # gr.Model3D's camera_position for it (None: its default)
    objects: list[str]             # the object choices: "all", "0: chair", ...
    selected: str                  # the chosen one
    image_id: str = ""             # the image shown ("" when none: a message)

    @classmethod
    def message(cls, text: str) -> Sample:
        return cls(None, [], pose_table_headers(False), "", text, None, "3D view", None, [ALL_OBJECTS], ALL_OBJECTS)


def object_choices(objects: list[dict]) -> list[str]:
    return [ALL_OBJECTS, *(object_label(k, o) for k, o in enumerate(objects))]


def selected_index(choice: str | int | None, objects: list[dict]) -> int | None:
    """The object a choice names ("2: cup", 2, "2"), or None for all / anything else."""
    if isinstance(choice, str):
        choice = choice.split(":", 1)[0].strip()
    try:
        k = int(choice)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return k if 0 <= k < len(objects) else None


class Viewer:
    """The app's logic over an opened :class:`DatasetIndex`."""

    def __init__(self, index: DatasetIndex, max_files: int = 4000):
        self.index = index
        self.files = Files(max_files)
        # Drawing holds tens of MB for a moment: at most DRAWS_AT_ONCE at a time, so memory under many
        # visitors stays bounded, while their reads (network waits on hf://) still overlap.
        self._drawing = threading.Semaphore(DRAWS_AT_ONCE)
        self._selections: Kept[tuple[np.ndarray | None, np.ndarray]] = Kept(SELECTIONS_KEPT)
        self._photos: Kept[bytes] = Kept(PHOTOS_KEPT)

    def rows(self, selection: Filter, errors: np.ndarray | None = None) -> np.ndarray:
        """The rows a filter selects, in its order. The last few selections are kept: a visitor
        stepping through a filter asks for the same one at every image (79k rows: ~25 ms each)."""
        def select() -> tuple[np.ndarray | None, np.ndarray]:
            rows = np.asarray(self.index.select(selection, errors), dtype=np.int64)
            rows.flags.writeable = False   # shared by every request with this filter
            return errors, rows   # holding errors keeps its id from naming another array while kept
        return self._selections.get((selection, id(errors)), select)[1]

    # -- the grid -------------------------------------------------------------------------------

    def browse(self, selection: Filter, page: int, errors: np.ndarray | None = None) -> tuple[list, int, str]:
        rows = self.rows(selection, errors)
        pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
        page = int(min(max(int(page or 1), 1), pages))
        shown = [self.index.image_ids[r] for r in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE].tolist()]
        items = list(zip(self.thumbnail_files(shown), shown))
        self.files.settle()
        note = (f"{len(rows):,} images match; page {page} of {pages}" if len(rows)
                else "No image matches these filters.")
        return items, page, note

    def thumbnail_files(self, image_ids: list[str]) -> list[str]:
        """Thumbnails of a page of images; those not yet drawn read their bytes in one pass."""
        names = {i: self.files.name(f"thumbnail|{i}", ".jpg") for i in image_ids}
        missing = [i for i in image_ids if not self.files.exists(names[i])]
        data = self.index.images_bytes(missing) if missing else {}
        return [self.files.get(names[i], lambda path, i=i: self.thumbnail(
            data[i] if i in data else self.index.image_bytes(i)).save(path, "JPEG", quality=85))
            for i in image_ids]

    @staticmethod
    def thumbnail(data: bytes) -> Image.Image:
        image = open_image(data)
        image.draft("RGB", (THUMBNAIL, THUMBNAIL))  # JPEG: decode at reduced scale
        image = image.convert("RGB")
        image.thumbnail((THUMBNAIL, THUMBNAIL))
        return image

    def statistics_html(self, rows: list[int]) -> str:
        """The Statistics tab's plots for the images in ``rows``."""
        return statistics_html(self.index.statistics(rows))

    # -- navigation -----------------------------------------------------------------------------

    def _place(self, selection: Filter, image_id: str, errors: np.ndarray | None) -> tuple[np.ndarray, int | None]:
        """The filter's rows in order, and where ``image_id`` is among them (None: not there)."""
        rows = self.rows(selection, errors)
        row = self.index.position.get((image_id or "").strip())
        hits = np.flatnonzero(rows == row) if row is not None else np.zeros(0)
        return rows, int(hits[0]) if hits.size else None

    def step(self, selection: Filter, image_id: str, step: int, errors: np.ndarray | None = None
             ) -> tuple[str | None, str]:
        """The image ``step`` places from ``image_id`` in the filter's order, and a line saying where
        that is; None with the reason when there is none."""
        rows, where = self._place(selection, image_id, errors)
        if not len(rows):
            return None, "No image matches these filters: nothing to step through."
        if where is None:   # not in the filter: start from its first / last image
            target = 0 if step > 0 else len(rows) - 1
        else:
            target = where + step
            if not 0 <= target < len(rows):
                which = "last" if step > 0 else "first"
                return None, f"This is the {which} of the {len(rows):,} images that match these filters."
        return self.index.image_ids[int(rows[target])], ""

    def position(self, selection: Filter, image_id: str, errors: np.ndarray | None = None) -> str:
        """Where the image is in the current filter, for the sample's header ("" when the filter
        cannot be applied: the sample is shown all the same)."""
        try:
            rows, where = self._place(selection, image_id, errors)
        except Imagenet3DError:   # e.g. sorted by error without predictions
            return ""
        if where is None:
            return f"not among the {len(rows):,} images of the current filter" if len(rows) else (
                "no image matches the current filter")
        return f"image {where + 1:,} of {len(rows):,} in the current filter"

    # -- one sample -----------------------------------------------------------------------------

    def sample(self, image_id: str, kinds: list[str], choice: str | int | None = None, zoom: str = WHOLE_IMAGE,
               view_3d: str = SCENE, style: str | None = None, predictions: PredictionSet | None = None,
               where: str = "") -> Sample:
        image_id = (image_id or "").strip()
        if image_id not in self.index.position:
            return Sample.message(f"Unknown image id {image_id!r}: pick one from the grid.")
        record = self.index.record(image_id)
        objects = record["objects"]
        selected = selected_index(choice, objects)
        row = self.index.position[image_id]
        predicted = predictions.image_predictions(row) if predictions is not None else {}
        errors = predictions.image_errors(row) if predictions is not None else None
        overlay = self.overlay_file(image_id, objects, kinds, selected, zoom, style, predicted)
        table = [pose_row(k, o, predictions is not None, None if errors is None else errors[k], predicted.get(k))
                 for k, o in enumerate(objects)]
        model, model_label, camera = self.model_3d(image_id, objects, selected, view_3d)
        unusable = sum(not o["usable"] for o in objects)
        header = (f"**{html.escape(image_id)}** · {record['split']} · {record['category']} "
                  f"({record['super_category']}, our grouping) · {'known' if record['known'] else 'novel'} "
                  f"· {record['width']}x{record['height']} · {len(objects)} object(s)"
                  + (f", {unusable} unusable" if unusable else "") + (f" · {where}" if where else ""))
        self.files.settle()
        choices = object_choices(objects)
        return Sample(overlay, table, pose_table_headers(predictions is not None), caption_html(
            record["caption"], objects, selected), header, model, model_label, camera, choices,
            choices[selected + 1] if selected is not None else ALL_OBJECTS, image_id)

    def _overlay_name(self, image_id: str, kinds: list[str], selected: int | None, zoom: str, style: str | None,
                      predicted: dict) -> str:
        chosen = sorted(k for k in kinds if k in KINDS)
        key = repr((image_id, chosen, selected, zoom, style if predicted else None, sorted(predicted.items())))
        return self.files.name(f"overlay|{key}", ".jpg")

    def overlay_file(self, image_id: str, objects: list[dict], kinds: list[str], selected: int | None, zoom: str,
                     style: str | None, predicted: dict) -> str:
        name = self._overlay_name(image_id, kinds, selected, zoom, style, predicted)
        return self.files.get(name, lambda path: self._draw(image_id, objects, kinds, selected, zoom, style,
                                                            predicted).image.save(path, "JPEG", quality=92))

    @staticmethod
    def _region(objects: list[dict], selected: int | None, zoom: str, size: tuple[int, int]):
        """The part of the photo shown: all of it, or the selected object's surroundings."""
        return zoom_region(objects[selected], size) if zoom == ZOOM_TO_OBJECT and selected is not None else None

    def _draw(self, image_id: str, objects: list[dict], kinds: list[str], selected: int | None, zoom: str,
              style: str | None, predicted: dict):
        data, meshes = self.photo_bytes(image_id), self.meshes(objects)   # reads: not bounded
        chosen = [k for k in kinds if k in KINDS]
        options = {"prediction_style": style} if style else {}
        with self._drawing:
            image = open_image(data)
            return render_view(image, objects, meshes, chosen, selected=selected, predictions=predicted or None,
                               region=self._region(objects, selected, zoom, image.size), display_size=DISPLAY_SIZE,
                               **options)

    def photo_bytes(self, image_id: str) -> bytes:
        """An image's stored bytes; the last few are kept, since a sample draws its picture and its
        scene from the same photo (each read is a row group of about 4 MB)."""
        return self._photos.get(image_id, lambda: self.index.image_bytes(image_id))

    def meshes(self, objects: list[dict]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        found = {k: self.index.mesh(o["category"], o["cad_index"]) for k, o in enumerate(objects)
                 if o["cad_index"] is not None}
        return {k: m for k, m in found.items() if m is not None}

    def pick(self, image_id: str, x: float, y: float, kinds: list[str], choice: str | int | None, zoom: str,
             style: str | None = None, predictions: PredictionSet | None = None) -> int | None:
        """The object under the pixel (x, y) of the overlay picture shown for these settings."""
        if image_id not in self.index.position:
            return None
        record = self.index.record(image_id)
        objects, size = record["objects"], (record["width"], record["height"])
        selected = selected_index(choice, objects)
        predicted = predictions.image_predictions(self.index.position[image_id]) if predictions else {}
        geometry = view_geometry(size, self._region(objects, selected, zoom, size), DISPLAY_SIZE,
                                 side_by_side=bool(predicted) and style == PREDICTION_STYLES[1])
        if geometry.panels > 1 and x >= geometry.width // geometry.panels:   # the prediction's panel
            objects = [{**o, **dict(zip(("azimuth", "elevation", "theta"), predicted[k]))} if k in predicted else o
                       for k, o in enumerate(objects)]
        return object_at(objects, self.meshes(objects), size, *geometry.source_point(x, y))

    # -- the 3D panel ---------------------------------------------------------------------------

    def model_3d(self, image_id: str, objects: list[dict], selected: int | None, view_3d: str
                 ) -> tuple[str | None, str, tuple | None]:
        """The 3D panel's GLB, its label and its camera: the scene, or the selected object alone."""
        if not objects:
            return None, "3D view: this image has no object", None
        if view_3d == SELECTED_OBJECT:
            k = 0 if selected is None else selected
            return (*self.object_file(k, objects[k]), None)
        meshes = self.meshes(objects)
        drawable = [k for k, o in enumerate(objects) if k in meshes and imagenet3d.has_pose(o)]
        if not drawable:
            return None, "Scene: no object of this image has both a pose and a CAD model", None

        def write(path: Path) -> None:
            data = self.photo_bytes(image_id)
            with self._drawing:
                photo = open_image(data)
                size = photo.size
                photo.draft("RGB", (SCENE_PHOTO, SCENE_PHOTO))   # JPEG: decode at reduced scale
                path.write_bytes(scene_glb(objects, meshes, photo.convert("RGB"), selected, size=size))

        path = self.files.get(self.files.name(f"scene|{image_id}|{selected}", ".glb"), write)
        left_out = len(objects) - len(drawable)
        return path, (f"Scene: {len(drawable)} object(s) at their annotated poses, the camera at the origin, "
                      f"the photo on its image plane" + (f"; {left_out} without pose or model left out"
                                                         if left_out else "") + " (drag to orbit)"), _camera(path)

    def object_file(self, k: int, obj: dict) -> tuple[str | None, str]:
        if obj["cad_index"] is None:
            return None, f"Object {k} ({obj['category']}) has no CAD model"
        mesh = self.index.mesh(obj["category"], obj["cad_index"])
        if mesh is None:
            return None, f"Object {k} ({obj['category']}): CAD model {obj['cad_index']} is not in this dataset"
        reasons = imagenet3d.unusable_reasons(obj)
        key = repr([obj[k] for k in ("category", "cad_index", "azimuth", "elevation", "theta", "distance")] + [k])
        name = f"{obj['category']}-{obj['cad_index']:02d}-" + self.files.name(f"model|{key}", ".glb")
        path = self.files.get(name, lambda path: path.write_bytes(
            object_glb(obj, mesh, object_colour(k))))
        why = "; ".join(str(r) for r in reasons)
        if imagenet3d.has_pose(obj):
            return path, (f"Object {k} ({obj['category']}), CAD model {obj['cad_index']}, at its annotated pose"
                          + (f" (unusable: {why})" if why else ""))
        return path, (f"Object {k} ({obj['category']}) has no pose ({why}): "
                      f"CAD model {obj['cad_index']} in its canonical orientation")




def _camera(path: str) -> tuple | None:
    """The view a scene GLB file asks for (scene_camera), from its header and JSON chunk alone;
    None (the panel's default view) if the file was just evicted from the folder."""
    try:
        with open(path, "rb") as glb:
            head = glb.read(20)
            return scene_camera(head + glb.read(struct.unpack_from("<I", head, 12)[0]))
    except FileNotFoundError:
        return None
