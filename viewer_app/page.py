"""The viewer page's own script and style: keyboard navigation, the address bar following the open
sample (so a link can be copied and Back works), text boxes that act on Enter or after a pause, and
caption chips that select their object.

The script talks to the app only through elements with fixed ids (``ELEMENT``): it clicks the app's
own buttons, so every action still runs through a Gradio event and its access checks.
"""

from __future__ import annotations

import json

#: elem_id of every element the script uses.
ELEMENT = {
    "previous_sample": "previous-sample", "next_sample": "next-sample",
    "previous_page": "previous-page", "next_page": "next-page",
    "sample_tab": "sample-tab", "browse_tab": "browse-tab",
    "image_id": "image-id", "caption_search": "caption-search", "page": "page-box", "min_error": "min-error",
    "apply_image_id": "apply-image-id", "apply_caption_search": "apply-caption-search",
    "apply_page": "apply-page", "apply_min_error": "apply-min-error",
    "url_open": "url-open", "overlay": "pose-overlay",
}
#: Typing in these boxes acts after this pause (or on Enter), not on every keystroke.
PAUSE_MS = 700

_DEBOUNCED = {ELEMENT[box]: ELEMENT[f"apply_{box}"] for box in ("image_id", "caption_search", "page", "min_error")}

# Installed once per page load (demo.load with js only). Keys act only when no text field has focus.
INSTALL = """() => {
  if (window.__imagenet3d) return [];
  window.__imagenet3d = true;
  const E = ELEMENT_IDS, debounced = DEBOUNCED_IDS, pause = PAUSE_MS;
  const click = (id) => { const el = document.getElementById(id); if (el) el.click(); };
  const shown = (id) => { const el = document.getElementById(id); return !!el && el.getClientRects().length > 0; };
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const step = {ArrowLeft: "previous", ArrowRight: "next", p: "previous", n: "next"}[event.key];
    if (!step) return;
    if (shown(E.sample_tab)) { click(E[step + "_sample"]); event.preventDefault(); }
    else if (shown(E.browse_tab)) { click(E[step + "_page"]); event.preventDefault(); }
  });
  const timers = {};
  document.addEventListener("input", (event) => {
    for (const [box, apply] of Object.entries(debounced)) {
      const root = document.getElementById(box);
      if (root && root.contains(event.target)) {
        clearTimeout(timers[box]);
        timers[box] = setTimeout(() => click(apply), pause);
      }
    }
  }, true);
  document.addEventListener("keydown", (event) => {   // Enter acts at once: no pending pause after it
    if (event.key !== "Enter") return;
    for (const [box, apply] of Object.entries(debounced)) {
      const root = document.getElementById(box);
      if (root && root.contains(event.target)) { clearTimeout(timers[box]); click(apply); event.preventDefault(); }
    }
  }, true);
  // Back / Forward: open the id now in the address bar (the app pushes nothing for it).
  window.addEventListener("popstate", () => click(E.url_open));
  return [];
}""".replace("ELEMENT_IDS", json.dumps(ELEMENT)).replace("DEBOUNCED_IDS", json.dumps(_DEBOUNCED)).replace(
    "PAUSE_MS", str(PAUSE_MS))

#: After a sample the visitor chose opens: put its id in the address bar (a new history entry unless it
#: is already there; nothing when no image opened, e.g. an unknown id).
PUSH_URL = """(imageId) => {
  const url = new URL(window.location.href);
  if (imageId && url.searchParams.get("id") !== imageId) {
    url.searchParams.set("id", imageId);
    window.history.pushState({id: imageId}, "", url);
  }
  return [];
}"""

#: The id in the address bar (after Back or Forward), for the app to open.
URL_ID = """() => [new URLSearchParams(window.location.search).get("id") || ""]"""

#: Caption chips select their object: one listener on the component (its HTML is replaced on every sample).
CHIP_CLICKS = """element.addEventListener("click", (event) => {
  const chip = event.target.closest("[data-object]");
  if (chip) trigger("click", {object: Number(chip.dataset.object)});
});
element.addEventListener("keydown", (event) => {
  const chip = event.target.closest("[data-object]");
  if (chip && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault(); trigger("click", {object: Number(chip.dataset.object)});
  }
});"""

CSS = """
/* Grid captions (image ids) wrap instead of being cut off. */
.thumbnail-item .caption-label, .thumbnail-item figcaption {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  word-break: break-all; line-height: 1.15; font-size: 0.8em;
}
#pose-overlay img { cursor: crosshair; }
"""
