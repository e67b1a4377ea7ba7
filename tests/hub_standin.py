"""A local stand-in for the Hugging Face Hub, so tests run the REAL huggingface_hub / datasets clients over real HTTP.

Point a client at it with `endpoint=hub.endpoint` (HfApi, HfFileSystem, hf_hub_download accept it in-process), or,
for code that reads the module-level endpoint (datasets, huggingface_hub.whoami(), gradio's mocked OAuth), run it in
a subprocess with `env=hub.env(tmp_path, token)`: huggingface_hub reads HF_ENDPOINT at import. Files are read from
the registered folder on every request, so a test may add or change files while the server runs.

Served (URL shapes and JSON from huggingface_hub 2.4.0: hf_api.py, file_download.py, hf_file_system.py,
utils/_pagination.py; JSON bodies in hub_standin_repo.py):
  HEAD/GET /{datasets/|spaces/|}{repo}/resolve/{rev}/{path}  bytes; one Range -> 206 + Content-Range, 416 past the end
  GET  /api/{models|datasets|spaces}/{repo}[/revision/{rev}]  repo info: sha, gated, cardData, siblings (?blobs=true)
  GET  /api/{type}s/{repo}/tree/{rev}[/{path}]                ?recursive&expand; Link rel="next" pages of 1000 (50)
  POST /api/{type}s/{repo}/paths-info/{rev}                   form or JSON body: paths, expand; unknown paths left out
  GET  /api/{type}s/{repo}/auth-check                         200 {} or the gate's error
  GET  /api/whoami-v2                                         the fields gradio/oauth.py's mocked login reads
Hub behaviours reproduced (the client maps them to errors in utils/_http.py, hf_raise_for_status):
  * Gate: file bytes (resolve) and auth-check answer 401 + X-Error-Code: GatedRepo to an anonymous client and 403 to a
    user who has not accepted -> GatedRepoError. Repo info and listings (tree, paths-info) stay public, as on the Hub
    ("it's now possible to list gated files with the API": huggingface/huggingface.js#945, Hub staff, 2024-10).
  * Unknown repo: X-Error-Code RepoNotFound, 401 anonymous / 404 with a token -> RepositoryNotFoundError. Revisions:
    only "main" and the repo's commit sha exist, others 404 RevisionNotFound. Missing file: 404 EntryNotFound with
    X-Repo-Commit. Unknown token: 401 "Invalid credentials in Authorization header" everywhere -> HfHubHTTPError.
  * File headers: ETag (git blob sha1; sha256 for LFS files, also as X-Linked-Etag with X-Linked-Size), X-Repo-Commit.
    Bytes are served on resolve itself (no CDN redirect) and no Xet header is sent: the client downloads over HTTP.
  * Faults (fail_next, drop_after, drop_upload_after, slow_next, clear_faults): hub_standin_faults.py.
  * Writes (create_repo, upload_folder: preupload, commit) are served by hub_standin_write.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import hub_standin_faults as plan
import hub_standin_repo as content
import hub_standin_write as write
from hub_standin_repo import DATE, FileIds, Gate, Repo

KINDS = ("resolve", "paths-info", "tree", "info", "whoami", "auth-check", *write.WRITE_KINDS, "other")
TREE_PAGE, TREE_PAGE_EXPANDED = 1000, 50  # the Hub's page caps (hf_api.py, _iter_repo_tree_pages)
_API = re.compile(r"^/api/(models|datasets|spaces)/([^/]+/[^/]+?)"
                  r"(?:/(revision|tree|paths-info|auth-check)(?:/(.*))?)?$")
_RESOLVE = re.compile(r"^/(?:(datasets|spaces)/)?([^/]+/[^/]+)/resolve/([^/]+)/(.+)$")


@dataclass(frozen=True)
class Request:
    """One request as the stand-in saw it: path without the query, the Range header, the token sent (or None)."""
    method: str
    path: str
    query: str
    range: str | None
    status: int
    token: str | None
    kind: str
    dropped: bool = False  # the body was cut by drop_after (an answer) or drop_upload_after (the request's)
    body_bytes: int = 0  # request body bytes received (all of a refused one, part of a cut one)


@dataclass
class _State:
    repos: dict[tuple[str, str], Repo] = field(default_factory=dict)
    users: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    faults: list[plan.Fault] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    ids: FileIds = field(default_factory=FileIds)
    lock: threading.Lock = field(default_factory=threading.Lock)
    store: write.WriteStore = field(default_factory=lambda: write.WriteStore(Path(tempfile.mkdtemp("-hub-standin"))))


class _Reply(Exception):
    """An error answer, raised from deep in a handler."""

    def __init__(self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


class HubStandIn(plan.FaultControls):
    """The server, started on a free port of 127.0.0.1: `with HubStandIn() as hub: hub.add_repo(...)`."""

    def __init__(self) -> None:
        self._state = _State()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.state, self._server.connections = self._state, set()  # type: ignore[attr-defined]
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def add_repo(self, repo_id: str, folder: str | os.PathLike, repo_type: str = "dataset", gated: Gate = False) -> str:
        """Serve `folder` as `repo_id`; returns the commit sha the repo reports (fixed per repo)."""
        if gated not in (False, "auto", "manual"):
            raise ValueError(f"gated must be False, 'auto' or 'manual', not {gated!r}")
        if repo_type not in ("model", "dataset", "space"):
            raise ValueError(f"repo_type must be 'model', 'dataset' or 'space', not {repo_type!r}")
        sha = hashlib.sha1(f"{repo_type}/{repo_id}".encode()).hexdigest()
        with self._state.lock:
            self._state.repos[(repo_type, repo_id)] = Repo(repo_id, repo_type, Path(folder), gated, sha)
        return sha

    def add_user(self, token: str, name: str, accepted: Any = ()) -> None:
        """Register (or replace) a token; `accepted`: the repo ids whose gate this user has accepted."""
        with self._state.lock:
            self._state.users[token] = (name, set(accepted))

    @property
    def uploads(self) -> list[write.Upload]:
        """Every file a commit wrote, in order (a file sent twice appears twice)."""
        with self._state.lock:
            return list(self._state.store.uploads)

    @property
    def created(self) -> dict[tuple[str, str], str | None]:
        """Repos made through create_repo: (repo_type, repo_id) -> the visibility the client asked for."""
        with self._state.lock:
            return dict(self._state.store.created)

    def keep_uploaded_bytes(self, keep: bool) -> None:
        """False: committed files keep their size and ids but not their bytes (see hub_standin_write.py)."""
        self._state.store.keep_bytes = keep

    @property
    def requests(self) -> list[Request]:
        """Every request so far, in arrival order (logged before its answer is sent)."""
        with self._state.lock:
            return list(self._state.requests)

    def reset_counts(self) -> None:
        with self._state.lock:
            self._state.requests.clear()

    def count(self, kind: str | None = None, method: str | None = None) -> int:
        """How many requests of this kind (see KINDS) and HTTP method; None matches all."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        return sum(1 for r in self.requests if kind in (None, r.kind) and method in (None, r.method))

    def env(self, home: str | os.PathLike, token: str | None = None) -> dict[str, str]:
        """Environment for a subprocess whose huggingface_hub / datasets must talk only to this stand-in.

        Drops every inherited HF_* variable (a real token, offline mode), puts all caches and HF_HOME under `home`,
        and sends `token`, or no token at all when None (HF_HUB_DISABLE_IMPLICIT_TOKEN)."""
        home = Path(home)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING_FACE_"))}
        no_proxy = ",".join(p for p in (os.environ.get("NO_PROXY", ""), "127.0.0.1", "localhost") if p)
        env.update(HF_ENDPOINT=self.endpoint, HF_HOME=str(home / "hf_home"), HF_HUB_CACHE=str(home / "hub_cache"),
                   HF_DATASETS_CACHE=str(home / "datasets_cache"), HF_XET_CACHE=str(home / "xet_cache"),
                   HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_DISABLE_PROGRESS_BARS="1",
                   HF_DATASETS_DISABLE_PROGRESS_BARS="1", NO_PROXY=no_proxy, no_proxy=no_proxy)
        if token is None:
            env["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"
        else:
            env["HF_TOKEN"] = token
        return env

    def close(self) -> None:
        self._server.shutdown()
        for conn in list(self._server.connections):  # type: ignore[attr-defined]
            _shut(conn)  # a client's kept-alive connection would otherwise hold its handler thread
        self._server.server_close()
        self._thread.join(timeout=5)
        shutil.rmtree(self._state.store.root, ignore_errors=True)

    def __enter__(self) -> HubStandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client that went away before its answer (killed, gave up): not the stand-in's error
        super().handle_error(request, client_address)


def _shut(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _kind(path: str, api: re.Match | None, resolve: re.Match | None) -> str:
    if path == "/api/whoami-v2":
        return "whoami"
    if (written := write.kind(path)) is not None:
        return written
    if api:
        return "info" if api.group(3) in (None, "revision") else api.group(3)
    return "resolve" if resolve else "other"


def _flag(values: list[str] | None) -> bool:
    return bool(values) and values[0].lower() == "true"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects; every answer has a length
    timeout = 30
    server: Any

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # keeps test output quiet
        pass

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_GET

    def _handle(self) -> None:
        state: _State = self.server.state
        url = urlsplit(self.path)
        self._query = parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        self._token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        api, resolve = _API.match(url.path), _RESOLVE.match(url.path)
        self._kind, self._logged = _kind(url.path, api, resolve), False
        length = int(self.headers.get("Content-Length") or 0)
        cut = self._fault("drop-upload") if self.command in ("POST", "PUT") and length else None
        if cut is not None and cut.n_bytes < length:  # an upload cut short: no answer at all
            self._body = self.rfile.read(cut.n_bytes)
            self._log(0, True)
            self.close_connection = True
            return _shut(self.connection)
        self._body = self.rfile.read(length) if length else b""  # read it all, or keep-alive breaks
        try:
            self._fail_if_faulted(state)
            if self._token is not None and self._token not in state.users:
                raise _Reply(401, "Invalid credentials in Authorization header")
            if write.handle(self, state, url.path):
                pass
            elif self._kind == "whoami":
                self._whoami(state)
            elif api:
                self._api(state, api.group(1)[:-1], unquote(api.group(2)), api.group(3), api.group(4) or "")
            elif resolve and self.command != "POST":
                self._resolve(state, (resolve.group(1) or "models")[:-1], unquote(resolve.group(2)),
                              unquote(resolve.group(3)), unquote(resolve.group(4)))
            else:
                raise _Reply(404, f"Sorry, we can't find the page you are looking for: {url.path}")
        except _Reply as e:
            self._error(e)
        finally:
            if not self._logged:  # the handler broke before answering
                self._log(500, False)

    def _fault(self, action: str) -> plan.Fault | None:
        return plan.take(self.server.state, action, self.path)

    def _fail_if_faulted(self, state: _State) -> None:
        failed = plan.failure(state, self.path)
        if failed is not None:
            status, message, headers = failed
            raise _Reply(status, message, headers=headers)

    def _repo(self, state: _State, repo_type: str, repo_id: str, revision: str | None, files: bool) -> Repo:
        """The repo if this client may see it; `files`: the client wants file bytes, which the gate guards."""
        with state.lock:
            repo = state.repos.get((repo_type, repo_id))
            user = state.users.get(self._token) if self._token else None
        if repo is None:
            raise _Reply(401 if user is None else 404, "Repository not found", "RepoNotFound")
        if files and repo.gated:
            page = f"http://{self.headers.get('Host')}/{'' if repo_type == 'model' else repo_type + 's/'}{repo_id}"
            if user is None:
                raise _Reply(401, f"Access to {repo_type} {repo_id} is restricted. You must have access to it and be "
                                  "authenticated to access it. Please log in.", "GatedRepo")
            if repo_id not in user[1]:
                raise _Reply(403, f"Access to {repo_type} {repo_id} is restricted and you are not in the authorized "
                                  f"list. Visit {page} to ask for access.", "GatedRepo")
        if revision is not None and revision not in ("main", repo.sha):
            raise _Reply(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return repo

    def _whoami(self, state: _State) -> None:
        with state.lock:
            user = state.users.get(self._token) if self._token else None
        if user is None:
            raise _Reply(401, "Invalid credentials in Authorization header")
        name = user[0]
        self._json({"type": "user", "id": hashlib.sha1(name.encode()).hexdigest()[:24], "name": name,
                    "fullname": name, "email": f"{name}@example.invalid", "emailVerified": True, "isPro": False,
                    "avatarUrl": f"/avatars/{name}.svg", "orgs": [],
                    "auth": {"type": "access_token",
                             "accessToken": {"displayName": "stand-in", "role": "read", "createdAt": DATE}}})

    def _api(self, state: _State, repo_type: str, repo_id: str, action: str | None, rest: str) -> None:
        if action in (None, "revision"):
            repo = self._repo(state, repo_type, repo_id, unquote(rest) if action else None, files=False)
            return self._json(content.info(repo, state.ids, _flag(self._query.get("blobs"))))
        if action == "auth-check":
            self._repo(state, repo_type, repo_id, None, files=True)
            return self._json({})
        revision, _, sub = rest.partition("/")
        repo = self._repo(state, repo_type, repo_id, unquote(revision), files=False)
        if action == "paths-info" and self.command == "POST":
            return self._paths_info(state, repo)
        if action == "tree" and self.command == "GET":
            return self._tree(state, repo, unquote(sub).strip("/"))
        raise _Reply(405, f"{self.command} is not allowed on {action}")

    def _paths_info(self, state: _State, repo: Repo) -> None:
        if "json" in (self.headers.get("Content-Type") or ""):
            body = json.loads(self._body or b"{}")
            paths, expand = body.get("paths", []), bool(body.get("expand", False))
        else:
            form = parse_qs(self._body.decode())
            paths, expand = form.get("paths", []), _flag(form.get("expand"))
        rels = [p.strip("/") for p in ([paths] if isinstance(paths, str) else paths)]
        found = [r for r in rels if (path := repo.path(r)) is not None and path.exists()]
        self._json([content.entry(repo, r, state.ids, expand) for r in found])

    def _tree(self, state: _State, repo: Repo, sub: str) -> None:
        recursive, expand = _flag(self._query.get("recursive")), _flag(self._query.get("expand"))
        base = repo.path(sub)
        if base is None or not base.is_dir():
            raise _Reply(404, f"Entry not found: {sub}", "EntryNotFound", {"X-Repo-Commit": repo.sha})
        rels = repo.listing(base, recursive)
        start, size = int(self._query.get("cursor", ["0"])[0]), TREE_PAGE_EXPANDED if expand else TREE_PAGE
        headers = {}
        if start + size < len(rels):  # the next page's URL carries every parameter, as the client expects
            link = f"http://{self.headers.get('Host')}{urlsplit(self.path).path}"
            headers["Link"] = f'<{link}?recursive={recursive}&expand={expand}&cursor={start + size}>; rel="next"'
        self._json([content.entry(repo, r, state.ids, expand) for r in rels[start:start + size]], headers)

    def _resolve(self, state: _State, repo_type: str, repo_id: str, revision: str, rel: str) -> None:
        repo = self._repo(state, repo_type, repo_id, revision, files=True)
        path = repo.path(rel)
        if path is None or not path.is_file():
            raise _Reply(404, f"Entry not found: {rel}", "EntryNotFound", {"X-Repo-Commit": repo.sha})
        headers = content.file_headers(path, state.ids, repo.sha)
        size = path.stat().st_size
        start, end, status = 0, size, 200
        wanted = re.fullmatch(r"bytes=(\d*)-(\d*)", (self.headers.get("Range") or "").strip())
        if wanted and (wanted.group(1) or wanted.group(2)):  # anything else (several ranges) gets the whole file
            if wanted.group(1):
                start = int(wanted.group(1))
                end = min(size, int(wanted.group(2)) + 1) if wanted.group(2) else size
            else:
                start = max(0, size - int(wanted.group(2)))
            if start >= size or end <= start:
                raise _Reply(416, "Requested range not satisfiable", headers={"Content-Range": f"bytes */{size}"})
            status, headers["Content-Range"] = 206, f"bytes {start}-{end - 1}/{size}"
        data = b""
        if self.command == "GET":
            with path.open("rb") as f:
                f.seek(start)
                data = f.read(end - start)
        self._send(status, data, headers, length=end - start, droppable=True)

    def _json(self, payload: Any, headers: dict[str, str] | None = None) -> None:
        headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        self._send(200, json.dumps(payload).encode(), headers)

    def _error(self, e: _Reply) -> None:
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Error-Message": e.message, **e.headers}
        if e.code:
            headers["X-Error-Code"] = e.code
        self._send(e.status, json.dumps({"error": e.message}).encode(), headers)

    def _log(self, status: int, dropped: bool) -> None:
        # Before the answer goes out, so a client that has its answer always finds the request in `requests`.
        url = urlsplit(self.path)
        with self.server.state.lock:
            self.server.state.requests.append(Request(self.command, url.path, url.query, self.headers.get("Range"),
                                                      status, self._token, self._kind, dropped, len(self._body)))
        self._logged = True

    def _send(self, status: int, body: bytes, headers: dict[str, str], length: int | None = None,
              droppable: bool = False) -> None:
        fault = self._fault("drop") if droppable and self.command == "GET" else None
        cut = fault is not None and fault.n_bytes < len(body)
        self._log(status, cut)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command == "HEAD":
            return
        self.wfile.write(body[:fault.n_bytes] if cut else body)
        if cut:
            self.wfile.flush()
            self.close_connection = True
            _shut(self.connection)  # abrupt: the client gets fewer bytes than Content-Length promised
