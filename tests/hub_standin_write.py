"""The write side of the stand-in Hub: what HfApi.create_repo and HfApi.upload_folder (huggingface_hub 2.4.0) send.

Served (shapes from hf_api.py create_repo / _validate_yaml, _commit_api.py _fetch_upload_modes / _send_commit,
_upload_pipeline.py):
  POST /api/repos/create                          {name, organization, type} -> {url}; 409 when it exists
  POST /api/validate-yaml                         {errors: [], warnings: []} (upload_folder checks README.md first)
  POST /api/{type}s/{repo}/preupload/{rev}        uploadMode "regular" for every file, the remote git blob oid
  POST /api/{type}s/{repo}/commit/{rev}           NDJSON: header, file (base64), deletedFile, deletedFolder
Why "regular" for every file: with hf_xet installed (a dependency of huggingface_hub 2.x), upload_folder runs
_upload_pipeline.pipelined_upload, which sends every "lfs" file through Xet storage (a CAS protocol spoken by the
Rust hf_xet client, not by this stand-in); "regular" files go base64 in the commit body over plain HTTP, through the
same pipeline (batches of <= 250 files or ~100 MB, commit retries, resume by comparing remote and local oids). The
tree and paths-info still report files with LFS suffixes as LFS (sha256), as the Hub's .gitattributes would.

A created repo lives in a folder of the stand-in's own (tests never write into it); a commit writes each file under a
temporary name then renames it, and moves the repo's sha, so resolve/tree/paths-info serve the new state at once.
Only repos created through /api/repos/create take commits (add_repo folders belong to the test: 403). With
`keep_bytes=False` (HubStandIn.keep_uploaded_bytes) a committed file is kept as a sparse file of its size whose true
ids are seeded into FileIds: listings and verification stay exact, resolve serves zeros - for benchmarks whose
uploads would not fit on the disk twice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from hub_standin_repo import Repo

WRITE_KINDS = ("create-repo", "validate-yaml", "preupload", "commit")
_WRITE = re.compile(r"^/api/(models|datasets|spaces)/([^/]+/[^/]+?)/(preupload|commit)/([^/]+)$")
GITATTRIBUTES = b"*.parquet filter=lfs diff=lfs merge=lfs -text\n*.png filter=lfs diff=lfs merge=lfs -text\n"


@dataclass(frozen=True)
class Upload:
    """One file's content as a commit wrote it (the request log's body_bytes counts refused and cut bodies too)."""
    repo_id: str
    path: str
    size: int


class WriteStore:
    """Where created repos live, and what was uploaded into them."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.keep_bytes = True
        self.uploads: list[Upload] = []
        self.lock = threading.Lock()  # one commit at a time, as the Hub serialises commits to a branch
        self.created: dict[tuple[str, str], str | None] = {}  # (type, id) -> the visibility asked for


def kind(path: str) -> str | None:
    if path == "/api/repos/create":
        return "create-repo"
    if path == "/api/validate-yaml":
        return "validate-yaml"
    match = _WRITE.match(path)
    return match.group(3) if match else None


def handle(handler: Any, state: Any, path: str) -> bool:
    """Answer a write request; False when `path` is not one (the caller goes on routing)."""
    if handler.command != "POST" or kind(path) is None:
        return False
    from hub_standin import _Reply  # imported here: hub_standin imports this module

    with state.lock:
        user = state.users.get(handler._token) if handler._token else None
    if user is None:
        raise _Reply(401, "Invalid username or password.")
    if path == "/api/validate-yaml":
        handler._json({"errors": [], "warnings": []})
    elif path == "/api/repos/create":
        _create(handler, state, user[0], _Reply)
    else:
        match = _WRITE.match(path)
        assert match is not None
        repo_type, repo_id = match.group(1)[:-1], match.group(2)
        repo = handler._repo(state, repo_type, repo_id, unquote(match.group(4)), files=False)
        if (repo_type, repo_id) not in state.store.created or repo_id.split("/")[0] != user[0]:
            raise _Reply(403, f"You don't have the rights to write to {repo_id}", "Forbidden")
        if match.group(3) == "preupload":
            _preupload(handler, state, repo, _Reply)
        else:
            _commit(handler, state, repo, _Reply)
    return True


def _body(handler: Any, reply: type) -> Any:
    try:
        return json.loads(handler._body or b"{}")
    except ValueError:
        raise reply(400, "Invalid JSON body") from None


def _create(handler: Any, state: Any, user: str, reply: type) -> None:
    body = _body(handler, reply)
    name, org = body.get("name"), body.get("organization") or user
    repo_type = body.get("type") or "model"
    if not isinstance(name, str) or repo_type not in ("model", "dataset", "space"):
        raise reply(400, "Invalid repo name or type")
    repo_id = f"{org}/{name}"
    prefix = "" if repo_type == "model" else f"{repo_type}s/"
    url = f"http://{handler.headers.get('Host')}/{prefix}{repo_id}"
    if org != user:
        raise reply(403, f"You don't have the rights to create a {repo_type} under the namespace {org}", "Forbidden")
    with state.lock:
        exists = (repo_type, repo_id) in state.repos
        if not exists:
            folder = state.store.root / f"{repo_type}s" / org / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ".gitattributes").write_bytes(GITATTRIBUTES)
            sha = hashlib.sha1(f"created {repo_type}/{repo_id}".encode()).hexdigest()
            state.repos[(repo_type, repo_id)] = Repo(repo_id, repo_type, folder, False, sha)
            state.store.created[(repo_type, repo_id)] = body.get("visibility")
    if exists:  # the Hub's 409 carries the url: create_repo(exist_ok=True) returns it
        message = f"You already created this {repo_type} repo"
        return handler._send(409, json.dumps({"error": message, "url": url}).encode(),
                             {"Content-Type": "application/json; charset=utf-8", "X-Error-Message": message})
    handler._json({"url": url, "name": repo_id, "id": sha[:24]})


def _preupload(handler: Any, state: Any, repo: Repo, reply: type) -> None:
    files = _body(handler, reply).get("files")
    if not isinstance(files, list) or len(files) > 256:
        raise reply(400, "preupload takes a list of at most 256 files")
    answer = []
    for item in files:
        rel = item.get("path") if isinstance(item, dict) else None
        if not isinstance(rel, str) or _unsafe(rel):
            raise reply(400, f"Invalid path: {rel!r}")
        path = repo.path(rel)
        oid = state.ids(path)[0] if path is not None and path.is_file() else None
        answer.append({"path": rel, "uploadMode": "regular", "shouldIgnore": False, "oid": oid})
    handler._json({"files": answer})


def _unsafe(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return not rel or rel.startswith("/") or ".." in parts or ".git" in parts


def _commit(handler: Any, state: Any, repo: Repo, reply: type) -> None:
    """Parse the whole NDJSON body first: a malformed one changes nothing."""
    summary, adds, deletes = "", [], []
    for line in handler._body.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            key, value = item["key"], item["value"]
            if key == "header":
                summary = str(value.get("summary", ""))
            elif key == "file":
                if value.get("encoding") != "base64" or _unsafe(value["path"]):
                    raise ValueError(value.get("path"))
                adds.append((value["path"], base64.b64decode(value["content"], validate=True)))
            elif key in ("deletedFile", "deletedFolder"):
                deletes.append(str(value["path"]))
            else:  # lfsFile: never asked for (preupload says "regular"); the Hub would not find the object
                raise ValueError(key)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise reply(400, f"Invalid commit line ({error})") from None
    with state.store.lock:
        for rel, data in adds:
            _write(state, repo, rel, data)
        for rel in deletes:
            _delete(repo, rel)
        with state.lock:
            state.store.uploads.extend(Upload(repo.repo_id, rel, len(data)) for rel, data in adds)
            repo.sha = hashlib.sha1(f"{repo.sha}\n{summary}\n{len(adds)}\n{len(deletes)}".encode()).hexdigest()
            sha = repo.sha
    prefix = "" if repo.repo_type == "model" else f"{repo.repo_type}s/"
    handler._json({"success": True, "commitOid": sha, "hookOutput": "",
                   "commitUrl": f"http://{handler.headers.get('Host')}/{prefix}{repo.repo_id}/commit/{sha}"})


def _write(state: Any, repo: Repo, rel: str, data: bytes) -> None:
    path = repo.folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = (hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(), hashlib.sha256(data).hexdigest())
    temp = state.store.root / f".upload-{threading.get_ident()}"  # outside every repo: never listed half-written
    with temp.open("wb") as f:
        if state.store.keep_bytes:
            f.write(data)
        else:
            f.truncate(len(data))  # sparse: the size without the disk space
    os.replace(temp, path)
    state.ids.seed(path, ids)


def _delete(repo: Repo, rel: str) -> None:
    path = repo.path(rel)
    if path is None or path == repo.folder.resolve():
        return
    if path.is_file():
        path.unlink()
    elif path.is_dir():
        for child in sorted(path.rglob("*"), reverse=True):
            child.unlink() if child.is_file() else child.rmdir()
        path.rmdir()
