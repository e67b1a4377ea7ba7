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
import os
import socket
import sys
from pathlib import Path

import gradio as gr
from huggingface_hub import get_token

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.hub_faults import hub_fault
from viewer_app.access import Access, Guard, in_a_space
from viewer_app.data import DatasetIndex
from viewer_app.hub_io import hub_repo
from viewer_app.layout import Layout
from viewer_app.memory import limit_malloc_arenas
from viewer_app.viewer import Viewer

CONCURRENCY = 4
QUEUE_SIZE = 256


def build_app(source: DatasetIndex | Access, concurrency: int = CONCURRENCY, local_files: bool = False) -> gr.Blocks:
    """The page for ``source``: an opened index (shown to everyone) or an Access (a Hub dataset's gate).

    ``local_files``: the predictions box also opens paths on this machine (a viewer run locally);
    otherwise only uploads and ``hf://`` paths, so that visitors of a Space cannot read its files.
    """
    access = source if isinstance(source, Access) else Access(source.root, index=source)
    guard = Guard(access, Viewer)
    with gr.Blocks(title="ImageNet3D viewer", delete_cache=(3600, 3600)) as demo:
        layout = Layout(guard, access, local_files)
        layout.wire(demo)
    # Requests mostly wait on reads and on numpy / Pillow, which release the GIL: a few run at once
    # (Gradio's default is one per event); the bounded queue turns overload into a message.
    demo.queue(default_concurrency_limit=concurrency, max_size=QUEUE_SIZE)
    return demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viewer_app.app", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", default=os.environ.get("IMAGENET3D_DATASET", "demo/imagenet3d"),
                        help="a converted folder or hf://datasets/ORG/NAME (default: the demo dataset)")
    parser.add_argument("--host", help="address to serve on (default: GRADIO_SERVER_NAME, else 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to serve on (default: GRADIO_SERVER_PORT, else 7860)")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="requests run at once per event")
    parser.add_argument("--local-predictions", action="store_true",
                        help="the Predictions tab also opens paths on this machine (for a viewer only you reach; "
                             "otherwise uploads and hf:// paths only)")
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
    if access.gated is None:   # the Hub could not be asked: serve anyway, the page says so until it can
        print(f"warning: {access.unreachable}; the page says so until the Hub answers", file=sys.stderr)
    elif access.needs_login and not in_a_space():
        # Run locally, the Sign in button signs in as this machine's account: check it can see the data.
        what = "is not visible anonymously (private, or no such dataset)" if access.hidden else "is gated"
        if get_token() is None:
            return _fail(f"{args.dataset} {what}: log in first (hf auth login, or HF_TOKEN=...), so that the "
                         "viewer's Sign in button can sign you in locally")
        if access.hidden and access.local_account_cannot_see():
            return _fail(f"no dataset {access.repo_id} on the Hub that your account can see (check the name)")
    if args.local_predictions and in_a_space():
        return _fail("--local-predictions would let every visitor of this Space read its files: leave it out")
    try:
        demo = build_app(access, concurrency=args.concurrency, local_files=args.local_predictions)
    except Exception as error:   # run locally, Gradio's mocked sign-in asks the Hub who you are (gradio/oauth.py)
        fault = hub_fault(error)
        if fault is None:
            raise
        return _fail(f"the Hub could not be reached to sign you in locally ({fault[0]}): start the viewer again "
                     "once it answers")
    try:
        demo.launch(server_name=host, server_port=port, ssr_mode=False)
    except OSError as error:   # taken between the check and the launch
        return _fail(f"cannot serve on {host}:{port} ({error}): try --port {port + 1} or "
                     f"GRADIO_SERVER_PORT={port + 1}")
    return 0


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As the server binds: a port whose last connections are still closing (TIME_WAIT, a minute
        # after a viewer stopped) is free; one a server listens on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
