"""The Gradio viewer in a real headless Chromium, driven by Playwright.

Debian's Chromium (/usr/bin/chromium; `make chromium` installs it with apt-get
when missing) is used, never a browser Playwright downloads. WebGL runs in
software (SwiftShader), so gr.Model3D's canvas is checked too.

Screenshots go to tests/artifacts/ (git-ignored) and to the pytest tmp dir.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageStat

import imagenet3d
from viewer_app.app import build_app
from viewer_app.data import ERROR_SORT, DatasetIndex, Filter
from viewer_app.picking import object_at
from viewer_app.viewer import PAGE_SIZE, SELECTED_OBJECT

from viewer_process import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 # WebGL in software, for gr.Model3D.
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 15_000


def _require(condition: bool, reason: str) -> None:
    """Skip when the browser stack is missing, except in CI (env CI set), which installs it: there it fails."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must have it: .ci/run runs `make chromium`)")
        pytest.skip(reason)


try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


@pytest.fixture(scope="module")
def index(built_dataset) -> DatasetIndex:
    return DatasetIndex(str(built_dataset))


@pytest.fixture(scope="module")
def browser():
    _require(sync_playwright is not None, "the Python package playwright is not installed (requirements.txt)")
    _require(os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: run make chromium")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def url(browser, index):
    demo = build_app(index, local_files=True)   # local_files: the predictions test types a path
    # A port of its own: Gradio would take 7860, the one `make demo` serves on.
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                ssr_mode=False)
    try:
        yield demo.local_url.rstrip("/")
    finally:
        demo.close()


@pytest.fixture(scope="module")
def context(browser):
    """One browser context (so one HTTP cache for Gradio's scripts); a fresh page per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    try:
        yield page
    finally:
        page.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def _save(picture: bytes, name: str, tmp_path: Path) -> Image.Image:
    """Writes the screenshot to tests/artifacts/NAME and the test's tmp dir."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(picture)
    shutil.copyfile(ARTIFACTS / name, tmp_path / name)
    return Image.open(io.BytesIO(picture)).convert("RGB")


def _colours(image: Image.Image) -> int:
    return len(image.getcolors(maxcolors=1 << 24))


def _note(page):
    """The grid's "N images match; page 1 of P" line."""
    return page.get_by_text(re.compile(r"images match; page \d+ of \d+|No image matches"))


def _expect_count(page, count: int) -> None:
    pages = max(1, -(-count // PAGE_SIZE))
    expect(_note(page)).to_have_text(f"{count:,} images match; page 1 of {pages}")
    expect(page.get_by_role("button", name=re.compile(r"^Thumbnail \d+ of "))).to_have_count(min(count, PAGE_SIZE))


def _choose(page, dropdown: str, option: str) -> None:
    page.get_by_role("combobox", name=dropdown, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_role("combobox", name=dropdown, exact=True)).to_have_value(option)


def _overlay(page):
    """The drawn picture, loaded."""
    overlay = page.locator("#pose-overlay img")
    expect(overlay).to_have_count(1)
    expect(overlay).to_be_visible()
    expect(overlay).to_have_attribute("src", re.compile(r"\.jpg$"))
    overlay.evaluate("image => image.decode()")
    return overlay


def _open_sample_tab(page) -> None:
    page.get_by_role("tab", name="Sample").click()


def _expect_header(page, index: DatasetIndex, image_id: str) -> None:
    record = index.record(image_id)
    header = page.get_by_text(re.compile(r"· \d+ object\(s\)(, \d+ unusable)? · "))
    expect(header).to_be_visible()
    expect(header).to_contain_text(f"{image_id} · {record['split']} · {record['category']}")
    expect(header).to_contain_text(f"{len(record['objects'])} object(s)")


def test_filters_change_the_grid(page, url, index, tmp_path):
    page.goto(url + "/")
    _expect_count(page, len(index.select(Filter())))

    _choose(page, "category", "chair")
    chairs = index.select(Filter(category="chair"))
    assert 0 < len(chairs) < len(index.image_ids)
    _expect_count(page, len(chairs))
    shown = page.locator("button[aria-label^='Thumbnail'] img").evaluate_all("images => images.map(i => i.alt)")
    assert shown == [index.image_ids[r] for r in chairs][:PAGE_SIZE]

    # A second filter on top: an object count that keeps some chairs but not all.
    counts = {choice: len(index.select(Filter(category="chair", num_objects=int(choice.rstrip("+")))))
              for choice in ("1", "2", "3", "4", "5+")}
    choice = next(c for c, n in counts.items() if 0 < n < len(chairs))
    _choose(page, "objects", choice)
    _expect_count(page, counts[choice])

    screenshot = _save(page.screenshot(full_page=True), "browser-filters.png", tmp_path)
    assert max(ImageStat.Stat(screenshot).stddev) > 20


def test_sample_from_a_thumbnail(page, url, index, tmp_path):
    page.goto(url + "/")
    expect(_note(page)).to_be_visible()
    thumbnail = page.get_by_role("button", name=re.compile(r"^Thumbnail 3 of "))
    image_id = thumbnail.locator("img").get_attribute("alt")
    assert image_id in index.position
    thumbnail.click()
    # The viewer switches to the Sample tab itself, before the sample arrives (gr.Model3D
    # draws nothing that arrives while its tab is hidden).
    expect(page.get_by_role("tab", name="Sample")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("textbox", name="image id")).to_have_value(image_id)
    _expect_header(page, index, image_id)

    # The pose overlay, drawn by the server, is loaded and shown in full.
    overlay = _overlay(page)
    width, height = overlay.evaluate("image => [image.naturalWidth, image.naturalHeight]")
    record = index.record(image_id)
    # Drawn at display resolution: the photo upscaled, its aspect kept.
    assert max(width, height) >= 1024 and abs(width / height - record["width"] / record["height"]) < 0.01
    drawn = Image.open(io.BytesIO(overlay.screenshot())).convert("RGB")
    assert _colours(drawn) > 5000 and max(ImageStat.Stat(drawn).stddev) > 15

    # One pose-table row per object: its number and category.
    numbers = page.locator("[data-testid^='cell-'][data-testid$='-0']")
    expect(numbers).to_have_text([str(k) for k in range(len(record["objects"]))])
    expect(page.locator("[data-testid^='cell-'][data-testid$='-1']")).to_have_text(
        [o["category"] for o in record["objects"]])

    if any(o["cad_index"] is not None and imagenet3d.has_pose(o) for o in record["objects"]):
        _expect_model_drawn(page, _webgl_renderer(page), tmp_path, "browser-thumbnail-scene.png")
    screenshot = _save(page.screenshot(full_page=True), "browser-sample.png", tmp_path)
    assert screenshot.width >= 1400 and screenshot.height >= 1000
    assert max(ImageStat.Stat(screenshot).stddev) > 20 and _colours(screenshot) > 5000


def test_id_link_opens_the_sample(page, url, index, tmp_path):
    image_id = next(i for i in reversed(index.image_ids)
                    if (o := index.record(i)["objects"]) and o[0]["cad_index"] is not None)
    page.goto(f"{url}/?id={image_id}")
    expect(page.get_by_role("tab", name="Sample")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("textbox", name="image id")).to_have_value(image_id)
    _expect_header(page, index, image_id)
    _expect_model_drawn(page, _webgl_renderer(page), tmp_path, "browser-id-link-model3d.png")


def test_model3d_draws_the_cad_model(page, url, index, tmp_path):
    page.goto(url + "/")
    expect(_note(page)).to_be_visible()
    renderer = _webgl_renderer(page)
    image_id = next(i for i in sorted(index.image_ids)
                    if (o := index.record(i)["objects"]) and o[0]["cad_index"] is not None and o[0]["usable"])
    first = index.record(image_id)["objects"][0]
    _open_sample_tab(page)
    page.get_by_role("radio", name=SELECTED_OBJECT).check()
    page.get_by_role("textbox", name="image id").fill(image_id)   # opens after a pause, without Enter
    _expect_header(page, index, image_id)
    expect(page.get_by_test_id("model3d-download-link")).to_have_attribute(
        "href", re.compile(rf"/{first['category']}-{first['cad_index']:02d}-[0-9a-f]+\.glb$"))

    _expect_model_drawn(page, renderer, tmp_path)


def _selected(page):
    return page.get_by_role("combobox", name="selected object", exact=True)


def _open(page, url: str, image_id: str) -> None:
    page.goto(f"{url}/?id={image_id}")
    expect(page.get_by_role("textbox", name="image id")).to_have_value(image_id)


def _click_at_photo_pixel(page, x: float, y: float, width: int) -> None:
    """Click the drawn picture where the photo's pixel (x, y) is; the picture is the photo scaled to
    its natural width and shown contained in its element (object-fit), as Gradio lays it out."""
    overlay = _overlay(page)
    natural_w, natural_h = overlay.evaluate("image => [image.naturalWidth, image.naturalHeight]")
    box = overlay.bounding_box()
    shown = min(box["width"] / natural_w, box["height"] / natural_h)
    left = (box["width"] - natural_w * shown) / 2
    top = (box["height"] - natural_h * shown) / 2
    scale = natural_w / width
    overlay.click(position={"x": left + x * scale * shown, "y": top + y * scale * shown})


def test_an_object_is_selected_by_clicking_it_or_its_chip(page, url, index, tmp_path):
    image_id = max(index.image_ids, key=lambda i: len(index.record(i)["objects"]))
    record = index.record(image_id)
    objects = record["objects"]
    meshes = {k: index.mesh(o["category"], o["cad_index"]) for k, o in enumerate(objects) if o["cad_index"] is not None}
    # An object whose box centre shows that object (not another in front of it).
    k, centre = next((k, c) for k, o in enumerate(objects) if imagenet3d.has_pose(o) and o["bbox"] and object_at(
        objects, meshes, (record["width"], record["height"]), *(c := ((o["bbox"][0] + o["bbox"][2]) / 2,
                                                                       (o["bbox"][1] + o["bbox"][3]) / 2))) == k)
    _open(page, url, image_id)
    _expect_header(page, index, image_id)
    before = Image.open(io.BytesIO(_overlay(page).screenshot())).convert("RGB")
    _click_at_photo_pixel(page, *centre, record["width"])
    expect(_selected(page)).to_have_value(f"{k}: {objects[k]['category']}")
    expect(page.locator(f'.pose-chip[data-object="{k}"]')).to_have_attribute("style", re.compile("outline:3px"))
    after = Image.open(io.BytesIO(_overlay(page).screenshot())).convert("RGB")
    assert np.abs(np.asarray(before, dtype=np.int16) - np.asarray(after, dtype=np.int16)).max() > 50
    _save(page.screenshot(full_page=True), "browser-object-selected.png", tmp_path)

    other = next(j for j in range(len(objects)) if j != k)
    chip = page.locator(f'.pose-chip[data-object="{other}"]')
    expect(chip).to_have_count(1)   # every object has a chip (in the caption, or listed without one)
    chip.click()
    expect(_selected(page)).to_have_value(re.compile(rf"^{other}: {objects[other]['category']}"))
    # A row of the pose table selects its object too.
    page.locator(f"[data-testid='cell-{k}-1']").click()
    expect(_selected(page)).to_have_value(f"{k}: {objects[k]['category']}")
    # Far from every object: nothing selected.
    _click_at_photo_pixel(page, 1, 1, record["width"])
    expect(_selected(page)).to_have_value("all")


def test_the_scene_view_draws_every_object_in_the_camera_frame(page, url, index, tmp_path):
    image_id = max(index.image_ids, key=lambda i: sum(imagenet3d.has_pose(o) for o in index.record(i)["objects"]))
    renderer = None
    _open(page, url, image_id)
    renderer = _webgl_renderer(page)
    expect(page.get_by_test_id("block-label").filter(has_text=re.compile(r"Scene: \d+ object\(s\) at their annotated"))
           ).to_be_visible()
    _expect_model_drawn(page, renderer, tmp_path, "browser-scene-view.png")
    _save(page.screenshot(full_page=True), "browser-scene-page.png", tmp_path)


def test_keys_step_through_the_filter_and_the_address_bar_follows_with_back_working(page, url, index, tmp_path):
    order = [index.image_ids[r] for r in index.select(Filter())]
    first, second, third = order[3], order[4], order[5]
    _open(page, url, first)
    _expect_header(page, index, first)
    page.locator("body").click(position={"x": 5, "y": 5})   # focus off any text box
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("textbox", name="image id")).to_have_value(second)
    _expect_header(page, index, second)
    expect(page).to_have_url(re.compile(r"\?id=" + re.escape(second.replace("/", "%2F")) + "$"))
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("textbox", name="image id")).to_have_value(third)
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("textbox", name="image id")).to_have_value(second)
    # Back: the address bar and the sample go back together.
    page.go_back()
    expect(page.get_by_role("textbox", name="image id")).to_have_value(third)
    page.go_back()
    expect(page.get_by_role("textbox", name="image id")).to_have_value(second)
    _expect_header(page, index, second)
    page.go_back()
    expect(page.get_by_role("textbox", name="image id")).to_have_value(first)
    _expect_header(page, index, first)
    expect(page).to_have_url(f"{url}/?id={first}")
    # The buttons step too, and the last image of a filter says so.
    page.get_by_role("button", name="next ▶").click()
    expect(page.get_by_role("textbox", name="image id")).to_have_value(second)
    _open(page, url, order[-1])
    page.get_by_role("button", name="next ▶").click()
    expect(page.get_by_text(re.compile(f"This is the last of the {len(order)} images"))).to_be_visible()
    expect(page.get_by_role("textbox", name="image id")).to_have_value(order[-1])


def test_back_from_the_first_sample_returns_to_the_grid_and_then_leaves(page, url, index, tmp_path):
    page.goto("about:blank")
    page.goto(url + "/")
    _expect_count(page, len(index.select(Filter())))
    page.get_by_role("button", name=re.compile(r"^Thumbnail 2 of ")).click()
    expect(page).to_have_url(re.compile(r"\?id="))
    expect(page.get_by_role("tab", name="Sample")).to_have_attribute("aria-selected", "true")
    page.go_back()
    expect(page).to_have_url(url + "/")
    expect(page.get_by_role("tab", name="Browse")).to_have_attribute("aria-selected", "true")
    page.wait_for_timeout(1500)   # nothing pushes the sample back into the address bar
    expect(page).to_have_url(url + "/")
    page.go_back()
    expect(page).to_have_url("about:blank")


def test_pages_turn_by_buttons_keys_and_a_typed_page_without_enter(page, url, index, tmp_path):
    total = len(index.select(Filter()))
    pages = -(-total // PAGE_SIZE)
    page.goto(url + "/")
    _expect_count(page, total)
    page.get_by_role("button", name="page ▶").click()
    expect(_note(page)).to_have_text(f"{total:,} images match; page 2 of {pages}")
    expect(page.get_by_label("page", exact=True)).to_have_value("2")
    page.get_by_role("button", name="◀ page").click()
    expect(page.get_by_label("page", exact=True)).to_have_value("1")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    expect(_note(page)).to_have_text(f"{total:,} images match; page 2 of {pages}")
    page.get_by_label("page", exact=True).fill("1")   # no Enter: acts after the pause
    expect(_note(page)).to_have_text(f"{total:,} images match; page 1 of {pages}")
    page.get_by_label("page", exact=True).fill("99")   # clamped, and the box says so
    expect(page.get_by_label("page", exact=True)).to_have_value(str(pages))
    page.get_by_role("textbox", name="caption contains").fill("no such caption text at all")
    expect(_note(page)).to_have_text("No image matches these filters.")


def test_predictions_load_and_the_error_column_sorts(page, url, index, tmp_path):
    import json

    rows = index.select(Filter())   # every image: the one with the most objects has several errors to sort
    lines, turn = [], {}
    for n, row in enumerate(rows):
        for k, obj in enumerate(index.objects(row)):
            if obj["azimuth"] is not None:
                turn[row] = 160.0 * ((n * 5) % len(rows) + 1) / len(rows)   # shuffled, distinct, at most 160
                lines.append(json.dumps({"object_id": imagenet3d.object_id(index.image_ids[row], k),
                                         "azimuth": obj["azimuth"] + np.radians(turn[row]),
                                         "elevation": obj["elevation"], "theta": obj["theta"] + 0.3 * k}))
    path = tmp_path / "predictions.jsonl"
    path.write_text("\n".join(lines) + "\n")
    page.goto(url + "/")
    page.get_by_role("tab", name="Predictions").click()
    page.get_by_role("textbox", name="predictions file").fill(str(path))
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.get_by_text(re.compile(f"^Loaded {re.escape(str(path))}: {len(lines)} predictions"))).to_be_visible()

    page.get_by_role("tab", name="Browse").click()
    _choose(page, "sort", ERROR_SORT)

    def worst_error(row: int) -> float:   # the geodesic error of the image's worst usable object
        return max((float(imagenet3d.pose_error(
            imagenet3d.rotation_matrix(o["azimuth"] + np.radians(turn[row]), o["elevation"], o["theta"] + 0.3 * k),
            imagenet3d.rotation_matrix(o["azimuth"], o["elevation"], o["theta"])))
            for k, o in enumerate(index.objects(row)) if o["usable"] and o["azimuth"] is not None), default=-1.0)
    worst = index.image_ids[max(turn, key=worst_error)]
    first = page.get_by_role("button", name=re.compile(r"^Thumbnail 1 of ")).locator("img")
    expect(first).to_have_attribute("alt", worst)

    multi = max(rows, key=lambda r: sum(o["usable"] for o in index.objects(r)))
    _open(page, url, index.image_ids[multi])
    # A fresh page: load again (predictions belong to a visitor's session).
    page.get_by_role("tab", name="Predictions").click()
    page.get_by_role("textbox", name="predictions file").fill(str(path))
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.get_by_text(re.compile("^Loaded "))).to_be_visible()
    page.get_by_role("tab", name="Sample").click()
    page.get_by_role("radio", name="side by side").check()
    header = page.get_by_role("columnheader", name="error (°)")
    expect(header).to_be_visible()
    column = header.get_attribute("data-heading")
    header.hover()
    header.locator("button.cell-menu-button").click(force=True)
    page.get_by_role("menuitem", name="Sort descending").click()
    cells = page.locator(f"[data-testid^='cell-'][data-testid$='-{column}']")
    values = [float(v) for v in cells.all_inner_texts() if v.strip() not in ("", "null", "None")]
    assert len(set(values)) >= 2 and values == sorted(values, reverse=True)
    _save(page.screenshot(full_page=True), "browser-predictions.png", tmp_path)


def test_statistics_are_plots_for_the_current_filter(page, url, index, tmp_path):
    page.goto(url + "/")
    page.get_by_role("tab", name="Statistics").click()
    expect(page.locator(".i3d-stats svg")).to_have_count(6)
    _choose(page, "category", "cup")
    cups = index.statistics(index.select(Filter(category="cup")))
    summary = page.locator(".i3d-stats strong").first
    expect(summary).to_have_text(f"{cups['images']:,} images, {cups['objects']:,} objects")
    _save(page.screenshot(full_page=True), "browser-statistics.png", tmp_path)


def _expect_model_drawn(page, renderer: str, tmp_path: Path, name: str = "browser-model3d.png") -> None:
    """gr.Model3D's canvas shows a shaded model, not a blank panel."""
    canvas = page.get_by_test_id("model3d").locator("canvas")
    expect(canvas).to_be_visible()
    # The component's label and buttons float over the canvas: hide them in the picture.
    hide = "[data-testid=block-label], .icon-button-wrapper { visibility: hidden !important; }"
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        picture = canvas.screenshot(style=hide, animations="disabled")
        drawn = Image.open(io.BytesIO(picture)).convert("RGB")
        pixels = np.asarray(drawn, dtype=np.int16)
        mesh = int((np.abs(pixels - pixels[0, 0]).max(axis=2) > 24).sum())  # off the corner's colour
        if mesh > 0.02 * drawn.width * drawn.height or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    _save(picture, name, tmp_path)
    assert mesh > 0.02 * drawn.width * drawn.height, (
        f"gr.Model3D's canvas stayed blank ({mesh} pixels off the background; WebGL renderer {renderer!r})")
    assert _colours(drawn) > 50  # shaded faces, not a flat silhouette


def _webgl_renderer(page) -> str:
    renderer = page.evaluate("""() => {
        const gl = document.createElement('canvas').getContext('webgl2')
                   || document.createElement('canvas').getContext('webgl');
        if (!gl) return null;
        const info = gl.getExtension('WEBGL_debug_renderer_info');
        return gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
    }""")
    if renderer is None:
        pytest.skip("headless Chromium gives no WebGL context even with --use-angle=swiftshader "
                    "--enable-unsafe-swiftshader, so gr.Model3D cannot draw")
    return renderer


def test_gate_shows_the_message_then_the_grid_after_signing_in(browser, index, tmp_path_factory, tmp_path):
    """A gated Hub dataset (the stand-in Hub) in the viewer's own process: the anonymous page shows the
    message and the Sign in button and no thumbnail; Gradio's local mock login signs in as the machine's
    account, who accepted the gate, and the grid appears."""
    from hub_standin import HubStandIn
    from viewer_process import ViewerProcess

    repo, token = "ccvl-test/imagenet3d", "hf_browser_visitor"
    with HubStandIn() as hub:
        hub.add_repo(repo, index.root, gated="manual")
        hub.add_user(token, "visitor", accepted={repo})
        viewer = ViewerProcess(hub, repo, token, tmp_path_factory.mktemp("gate"))
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        try:
            page.goto(viewer.url + "/")
            expect(page.get_by_text(re.compile(f"{repo} is gated")).first).to_be_visible()
            login = page.get_by_role("button", name=re.compile("Sign in with Hugging Face"))
            expect(login).to_be_visible()
            expect(page.get_by_role("link", name=repo).first).to_have_attribute(
                "href", f"{hub.endpoint}/datasets/{repo}")
            expect(page.get_by_role("button", name=re.compile(r"^Thumbnail \d+ of "))).to_have_count(0)
            assert not any(r.kind == "resolve" for r in hub.requests)   # nothing read for this visitor
            _save(page.screenshot(full_page=True), "browser-gate-anonymous.png", tmp_path)

            login.click()
            _expect_count(page, len(index.select(Filter())))
            expect(page.get_by_role("button", name=re.compile("Logout"))).to_be_visible()
            expect(page.get_by_text(re.compile(f"Data: {repo}"))).to_be_visible()
            _choose(page, "category", "chair")   # the category choices came with the admission
            _expect_count(page, len(index.select(Filter(category="chair"))))
            assert {r.token for r in hub.requests if r.kind == "resolve"} == {token}
            _save(page.screenshot(full_page=True), "browser-gate-signed-in.png", tmp_path)
        finally:
            context.close()
            viewer.close()
