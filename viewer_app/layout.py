"""The viewer's page in Gradio: its components and the events between them.

Every handler that shows data takes the session's gr.OAuthToken (Gradio fills it in; it is not an
API input) and goes through the guard (viewer_app/access.py). The public API endpoints are
``/browse``, ``/statistics``, ``/random``, ``/step`` (the next image of the filter), ``/sample`` (one image
drawn with an object selected) and ``/predictions`` (load a file for the session).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

import imagenet3d
from _imagenet3d.errors import Imagenet3DError
from viewer_app import page
from viewer_app.access import Access, Guard, access_line
from viewer_app.data import SORT_KEYS, Filter
from viewer_app.hub_io import AccessDenied, HubUnavailable
from viewer_app.overlay import KINDS, PREDICTION_STYLES
from viewer_app.predictions import load_predictions
from viewer_app.viewer import SCENE, VIEWS_3D, WHOLE_IMAGE, ZOOMS, Sample

KEYS_HELP = ("Keys: **←/→** (or p/n) previous/next image on the Sample tab, previous/next page on Browse. "
             "Click an object in the picture, its chip in the caption or its row in the table to select it.")
DEFAULT_KINDS = ["wireframe", "fill", "bbox", "axes"]
SAMPLE_OUTPUTS = 7   # Layout.sample_outputs
ANY = "any"
PREDICTIONS_KEPT_S = 1800


def _choice(value):
    return None if value in (None, "", ANY) else value


def make_filter(split=None, known=None, super_category=None, category=None, status=None, dense=None, objects=None,
                text=None, sort=None, min_error=None) -> Filter:
    """The Filter for the values of the page's filter controls (in their order)."""
    count = _choice(objects)
    minimum = None if min_error in (None, "") else float(min_error)
    return Filter(split=_choice(split), known={"known": True, "novel": False}.get(known),
                  super_category=_choice(super_category), category=_choice(category),
                  object_status=_choice(status), dense=_choice(dense),
                  num_objects=int(count.rstrip("+")) if count else None,
                  text=(text or "").strip() or None, sort=sort or "image_id",
                  min_error_degrees=minimum if minimum and minimum > 0 else None)


class Layout:
    """The components of the page (built in the constructor, inside gr.Blocks) and their events."""

    def __init__(self, guard: Guard, access: Access, local_files: bool):
        self.guard, self.access, self.local_files = guard, access, local_files
        gr.HTML(f"<style>{page.CSS}</style>", container=False, padding=False)
        gr.Markdown("# ImageNet3D viewer\nEvery object's CAD model drawn at its annotated 3D pose. "
                    + imagenet3d.SUPER_CATEGORY_NOTE + "\n\n" + KEYS_HELP)
        with gr.Row(equal_height=True):
            self.access_note = gr.Markdown()
            if access.needs_login:
                gr.LoginButton(scale=0, min_width=260)
        with gr.Row():
            split = gr.Dropdown([ANY, "train", "validation"], value=ANY, label="split")
            known = gr.Dropdown([ANY, "known", "novel"], value=ANY, label="known / novel category")
            super_category = gr.Dropdown([ANY, *imagenet3d.SUPER_CATEGORY_NAMES], value=ANY,
                                         label="super-category (ours)")
            self.category = gr.Dropdown([ANY, *guard.categories()], value=ANY, label="category")
        with gr.Row():
            status = gr.Dropdown([ANY, *imagenet3d.OBJECT_STATUSES, "missing"], value=ANY, label="object_status")
            dense = gr.Dropdown([ANY, *imagenet3d.DENSE_VALUES], value=ANY, label="dense")
            objects = gr.Dropdown([ANY, "1", "2", "3", "4", "5+"], value=ANY, label="objects")
            text = gr.Textbox(label="caption contains", placeholder="e.g. from the front",
                              elem_id=page.ELEMENT["caption_search"])
            sort = gr.Dropdown(list(SORT_KEYS), value="image_id", label="sort")
            min_error = gr.Number(value=None, label="pose error at least (°, with predictions)", minimum=0,
                                  elem_id=page.ELEMENT["min_error"])
        self.filters = [split, known, super_category, self.category, status, dense, objects, text, sort, min_error]
        # This session's PredictionSet (about 6 MB at the real size): dropped after an idle half hour.
        self.predictions = gr.State(None, time_to_live=PREDICTIONS_KEPT_S)
        # An id chosen elsewhere (grid, random, keys, ?id= link, Back) waits here while the Sample tab
        # is shown: gr.Model3D never draws a model that arrives while its tab is hidden.
        self.pending_id = gr.Textbox(visible=False)
        self.opened_id = gr.Textbox(visible=False)   # the image a sample event showed ("" if none): for the URL
        self.hidden = {name: gr.Button(visible="hidden", elem_id=page.ELEMENT[name]) for name in (
            "apply_image_id", "apply_caption_search", "apply_page", "apply_min_error", "url_open")}
        with gr.Tabs() as self.tabs:
            with gr.Tab("Browse", id="browse", elem_id=page.ELEMENT["browse_tab"]):
                with gr.Row(equal_height=True):
                    self.previous_page = gr.Button("◀ page", elem_id=page.ELEMENT["previous_page"], scale=0,
                                                   min_width=90)
                    self.page = gr.Number(value=1, precision=0, label="page", minimum=1, scale=0, min_width=90,
                                          elem_id=page.ELEMENT["page"])
                    self.next_page = gr.Button("page ▶", elem_id=page.ELEMENT["next_page"], scale=0, min_width=90)
                    self.note = gr.Markdown()
                    self.random_button = gr.Button("Random sample", scale=0, min_width=160)
                self.gallery = gr.Gallery(label="images", columns=6, height=560, allow_preview=False)
            with gr.Tab("Sample", id="sample", elem_id=page.ELEMENT["sample_tab"]):
                with gr.Row(equal_height=True):
                    self.previous_sample = gr.Button("◀ previous", elem_id=page.ELEMENT["previous_sample"],
                                                     scale=0, min_width=110)
                    self.image_id = gr.Textbox(label="image id", placeholder="category/wnid_n (Enter opens it)",
                                               elem_id=page.ELEMENT["image_id"])
                    self.next_sample = gr.Button("next ▶", elem_id=page.ELEMENT["next_sample"], scale=0,
                                                 min_width=110)
                self.header = gr.Markdown()
                with gr.Row():
                    with gr.Column(scale=3):
                        self.overlay = gr.Image(label="pose overlays (click an object to select it)", type="filepath",
                                                interactive=False, elem_id=page.ELEMENT["overlay"],
                                                buttons=["download", "fullscreen"])
                        with gr.Row():
                            self.kinds = gr.CheckboxGroup(sorted(KINDS), value=DEFAULT_KINDS, label="overlays")
                            self.zoom = gr.Radio(list(ZOOMS), value=WHOLE_IMAGE, label="view")
                            self.style = gr.Radio(list(PREDICTION_STYLES), value=PREDICTION_STYLES[0],
                                                  label="predictions drawn")
                    with gr.Column(scale=2):
                        self.model = gr.Model3D(label="3D view", height=480)
                        self.view_3d = gr.Radio(list(VIEWS_3D), value=SCENE, label="3D panel shows")
                self.object_choice = gr.Dropdown(["all"], value="all", label="selected object", allow_custom_value=True)
                self.caption = gr.HTML(js_on_load=page.CHIP_CLICKS)
                self.poses = gr.Dataframe(label="poses (angles in degrees; click a row to select its object)",
                                          interactive=False, wrap=True)
            with gr.Tab("Statistics", id="statistics"):
                self.scores = gr.Markdown()
                self.summary = gr.HTML()
            with gr.Tab("Predictions", id="predictions"):
                where = "a path on this machine, " if local_files else ""
                gr.Markdown(
                    "Load predictions in `imagenet3d.evaluate`'s format (JSON, JSON Lines or CSV: object_id, "
                    "azimuth, elevation, theta in radians[, category]), such as `examples/train_pose.py "
                    f"--predictions FILE` writes. Give {where}`hf://datasets/ORG/NAME/FILE`, or upload a file. "
                    "Each object's predicted pose is then drawn beside its ground truth, the pose table gains "
                    "the geodesic error, the grid can be sorted and filtered by error, and the Statistics tab "
                    "shows the paper's table for the current filter.")
                with gr.Row(equal_height=True):
                    self.predictions_source = gr.Textbox(label="predictions file", scale=3,
                                                         placeholder=f"{where}hf://datasets/ORG/NAME/predictions.jsonl")
                    self.predictions_upload = gr.File(label="or upload", file_types=[".json", ".jsonl", ".csv"],
                                                      type="filepath", scale=2)
                    self.load_button = gr.Button("Load", scale=0, min_width=100)
                self.predictions_note = gr.Markdown()

    # -- handlers -------------------------------------------------------------------------------

    def _filter(self, values):
        return make_filter(*values)

    @staticmethod
    def _errors(predictions):
        return predictions.row_worst_error() if predictions is not None else None

    def _run(self, oauth_token, empty, action):
        """The guard, plus a one-line message for what the data cannot answer (sorting by error without
        predictions, an unreadable predictions file)."""
        def guarded(viewer):
            try:
                return action(viewer)
            except (HubUnavailable, AccessDenied):
                raise   # the guard words these (the Hub down, or access revoked) as for any handler
            except Imagenet3DError as error:
                return empty(str(error))
        return self.guard(oauth_token, empty, guarded)

    def sample_outputs(self, sample: Sample):
        table = pd.DataFrame(sample.table, columns=sample.headers)
        return (sample.overlay, table, sample.caption, gr.Model3D(value=sample.model, label=sample.model_label,
                                                             camera_position=sample.camera or (None, None, None)),
                sample.header, gr.Dropdown(choices=sample.objects, value=sample.selected), sample.image_id)

    def wire(self, demo: gr.Blocks) -> None:
        filters = self.filters
        count = len(filters)
        run = self._run

        def split(values):
            """The filter values, then the rest of a handler's inputs."""
            return self._filter(values[:count]), values[count:]

        def browse(values, token, step=0):
            selection, (page_number, predictions) = split(values)
            return run(token, lambda message: ([], 1, message), lambda viewer: viewer.browse(
                selection, int(page_number or 1) + step, self._errors(predictions)))

        def filters_changed(values, token):
            return browse([*values[:count], 1, *values[count:]], token)

        def statistics(values, token):
            selection, (predictions,) = split(values)

            def show(viewer):
                rows = viewer.rows(selection, self._errors(predictions))
                scores = ""
                if predictions is not None:
                    scores = (f"**The paper's evaluation of the loaded predictions on this filter** "
                              f"({predictions.source}):\n\n```\n{predictions.table(rows)}\n```")
                return viewer.statistics_html(rows), scores
            return run(token, lambda message: ("", message), show)   # the message as markdown: it may hold links

        def random_image(values, token):
            selection, (predictions,) = split(values)

            def pick(viewer):
                rows = viewer.rows(selection, self._errors(predictions))
                if not len(rows):
                    return "", "No image matches these filters: there is nothing to pick at random."
                return viewer.index.random_image(rows), gr.update()
            return run(token, lambda message: ("", message), pick)

        def show_sample(values, token, choice=None, keep_choice=True):
            """values: the drawing controls (image id, kinds, object, zoom, 3D view, style), filters, predictions."""
            identifier, kinds, chosen, zoom, view_3d, style = values[:6]
            selection, (predictions,) = split(values[6:])
            chosen = chosen if keep_choice else choice

            def show(viewer):
                where = viewer.position(selection, (identifier or "").strip(), self._errors(predictions))
                return self.sample_outputs(viewer.sample(identifier, kinds, chosen, zoom, view_3d, style,
                                                         predictions, where))
            return run(token, lambda message: self.sample_outputs(Sample.message(message)), show)

        def open_new(values, token):
            """A new image, no object selected; nothing at all for no id (a page opened without one)."""
            if not (values[0] or "").strip():
                return tuple(gr.skip() for _ in range(SAMPLE_OUTPUTS))
            return show_sample([*values[:2], None, *values[2:]], token)

        def redraw(values, token):   # the open sample again (predictions just loaded), if one is open
            return show_sample(values, token) if values[0] else tuple(gr.skip() for _ in range(SAMPLE_OUTPUTS))

        def step(direction):
            """The previous / next image of the filter, opened; at either end, the same image with a note."""
            def move(values, token):
                identifier = values[0]
                selection, (predictions,) = split(values[5:])
                found = run(token, lambda message: (None, message), lambda viewer: viewer.step(
                    selection, identifier, direction, self._errors(predictions)))
                target, message = found
                shown = open_new([target or identifier, *values[1:]], token)
                if not target:
                    *rest, header, choice, opened = shown
                    shown = (*rest, f"⚠️ {message}\n\n{header}" if opened else header, choice, opened)
                return (target or identifier, *shown)
            return move

        def picked(values, event, token):
            """A click on the picture selects the object under it; a click on no object selects none."""
            identifier, kinds, chosen, zoom, _, style = values[:6]
            predictions = values[-1]
            x, y = event.index if isinstance(event.index, (list, tuple)) else (None, None)
            found = run(token, lambda message: None, lambda viewer: viewer.pick(
                identifier, x, y, kinds, chosen, zoom, style, predictions) if x is not None else None)
            return show_sample(values, token, "all" if found is None else found, keep_choice=False)

        def row_clicked(values, event, token):
            return show_sample(values, token, event.row_value[0] if event.row_value else values[2], keep_choice=False)

        def chip_clicked(values, event, token):
            return show_sample(values, token, getattr(event, "object", values[2]), keep_choice=False)

        def load(values, token):
            source, upload = values
            path = upload if upload else (source or "").strip()
            if not path:
                return gr.skip(), "Give a predictions file (a path or hf://datasets/ORG/NAME/FILE) or upload one."

            def read(viewer):
                # Uploads are the visitor's own files; a typed path only where the viewer was told to.
                predictions = load_predictions(str(path), viewer.index, allow_local=bool(upload) or self.local_files)
                if upload:   # not the server's temporary path
                    predictions.source = Path(upload).name
                return predictions, f"Loaded {predictions.source}: {predictions.coverage}."
            # A failed load keeps the predictions the session had.
            return run(token, lambda message: (gr.skip(), message), read)

        def access_changed(values, token):
            """The line above the viewer, and the category choices (data: admitted visitors only)."""
            return self.guard(token, lambda message: (message, gr.Dropdown(choices=[ANY], value=ANY)),
                              lambda viewer: (access_line(self.access),
                                              gr.Dropdown(choices=[ANY, *self.guard.categories()])))

        def on_select(event: gr.SelectData):
            return event.value.get("caption", "") if isinstance(event.value, dict) else ""

        def on_load(request: gr.Request):
            return request.query_params.get("id", "") if request else ""

        def show_sample_tab(identifier):
            return gr.Tabs(selected="sample") if identifier else gr.Tabs()

        def take_pending(identifier):
            return identifier if identifier else gr.update()

        def on_url(identifier):
            return identifier, gr.Tabs(selected="sample" if identifier else "browse")

        on_browse, on_filters = handler(12, browse), handler(11, filters_changed)
        on_statistics, on_random = handler(11, statistics), handler(11, random_image)
        on_sample, on_open, on_redraw = handler(17, show_sample), handler(16, open_new), handler(17, redraw)
        on_pick = handler(17, picked, gr.SelectData)
        on_row = handler(17, row_clicked, gr.SelectData)
        on_chip = handler(17, chip_clicked, gr.EventData)
        on_load_predictions, on_access = handler(2, load), handler(0, access_changed)

        browse_outputs = [self.gallery, self.page, self.note]
        sample_outputs = [self.overlay, self.poses, self.caption, self.model, self.header, self.object_choice,
                          self.opened_id]
        drawing = [self.image_id, self.kinds, self.object_choice, self.zoom, self.view_3d, self.style]
        settings = [self.kinds, self.zoom, self.view_3d, self.style, *filters, self.predictions]
        open_inputs = [self.image_id, *settings]
        state = [self.predictions]
        private = {"api_visibility": "private"}

        def open_sample(event, source=self.image_id, push=True):
            """Opens the id in ``source`` once ``event`` is done; an id the visitor chose (not one the
            address bar already holds) then goes into the address bar, if it opened."""
            opened = event.then(on_open, inputs=[source, *settings], outputs=sample_outputs, **private)
            if push:
                opened.then(None, inputs=[self.opened_id], js=page.PUSH_URL, **private)

        def via_sample_tab(event, push=True) -> None:
            """An id written to pending_id: show the Sample tab first, then open it."""
            open_sample(event.then(show_sample_tab, inputs=self.pending_id, outputs=self.tabs, **private).then(
                take_pending, inputs=self.pending_id, outputs=self.image_id, **private), self.pending_id, push)

        # The grid and the statistics follow the filters; typed text acts on Enter or after a pause.
        typed = (self.filters[7], self.filters[9])   # caption text, least pose error
        changes = [c.change for c in filters if c not in typed]
        changes += [self.hidden["apply_caption_search"].click, self.hidden["apply_min_error"].click]
        gr.on(changes, on_filters, inputs=[*filters, *state], outputs=browse_outputs, **private)
        gr.on(changes, on_statistics, inputs=[*filters, *state], outputs=[self.summary, self.scores],
              api_name="statistics")
        self.hidden["apply_page"].click(on_browse, inputs=[*filters, self.page, *state], outputs=browse_outputs,
                                        api_name="browse")
        for button, turn in ((self.previous_page, -1), (self.next_page, +1)):
            button.click(handler(12, lambda values, token, turn=turn: browse(values, token, turn)),
                         inputs=[*filters, self.page, *state], outputs=browse_outputs, **private)
        via_sample_tab(self.random_button.click(on_random, inputs=[*filters, *state],
                                                outputs=[self.pending_id, self.note], api_name="random"))
        via_sample_tab(self.gallery.select(on_select, outputs=[self.pending_id], **private))
        for button, direction in ((self.previous_sample, -1), (self.next_sample, +1)):
            button.click(handler(16, step(direction)), inputs=open_inputs, outputs=[self.image_id, *sample_outputs],
                         **({"api_name": "step"} if direction > 0 else private)).then(
                None, inputs=[self.opened_id], js=page.PUSH_URL, **private)
        open_sample(self.hidden["apply_image_id"].click(lambda identifier: identifier, inputs=self.image_id,
                                                        outputs=self.image_id, **private))
        # Back / Forward: the address bar already holds the id, so nothing is pushed; the last of fast
        # steps through the history wins.
        back = self.hidden["url_open"].click(on_url, inputs=[self.pending_id], outputs=[self.pending_id, self.tabs],
                                             js=page.URL_ID, trigger_mode="always_last", **private)
        via_sample_tab(back, push=False)
        # Redrawing for a new choice of overlays, zoom, 3D view or object keeps the image.
        for control in (self.kinds, self.zoom, self.view_3d, self.style, self.object_choice):
            control.input(on_sample, inputs=[*drawing, *filters, *state], outputs=sample_outputs,
                          **({"api_name": "sample"} if control is self.object_choice else private))
        self.overlay.select(on_pick, inputs=[*drawing, *filters, *state], outputs=sample_outputs, **private)
        self.poses.select(on_row, inputs=[*drawing, *filters, *state], outputs=sample_outputs, **private)
        self.caption.click(on_chip, inputs=[*drawing, *filters, *state], outputs=sample_outputs, **private)
        self.load_button.click(on_load_predictions, inputs=[self.predictions_source, self.predictions_upload],
                               outputs=[self.predictions, self.predictions_note], api_name="predictions").then(
            on_redraw, inputs=[*drawing, *filters, *state], outputs=sample_outputs, **private).then(
            on_filters, inputs=[*filters, *state], outputs=browse_outputs, **private).then(
            on_statistics, inputs=[*filters, *state], outputs=[self.summary, self.scores], **private)
        demo.load(None, js=page.INSTALL, **private)
        demo.load(on_access, outputs=[self.access_note, self.category], **private)
        via_sample_tab(demo.load(on_load, outputs=[self.pending_id], **private), push=False)
        demo.load(on_filters, inputs=[*filters, *state], outputs=browse_outputs, **private)
        demo.load(on_statistics, inputs=[*filters, *state], outputs=[self.summary, self.scores],
                  **private)



def handler(count: int, body: Callable, event: type | None = None) -> Callable:
    """``body(values, [event,] token)`` as a Gradio handler of ``count`` inputs.

    Gradio finds the arguments it fills in itself (gr.SelectData, gr.OAuthToken) only among named
    positional parameters, by their type hints: the handler gets that signature explicitly, so that
    handlers with many inputs can take them as one list.
    """
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [inspect.Parameter(f"input_{i}", positional) for i in range(count)]
    annotations: dict[str, Any] = {}
    if event is not None:
        parameters.append(inspect.Parameter("event", positional, annotation=event))
        annotations["event"] = event
    parameters.append(inspect.Parameter("oauth_token", positional, annotation=gr.OAuthToken | None))
    annotations["oauth_token"] = gr.OAuthToken | None

    def call(*args):
        values, rest = list(args[:count]), args[count:]
        return body(values, *rest)

    call.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    call.__annotations__ = annotations
    return call
