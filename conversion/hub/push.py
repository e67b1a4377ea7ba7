"""Upload a built, verified dataset folder to the Hugging Face Hub as a dataset repo, then check what the Hub holds.

An interrupted push resumes: upload_folder asks the Hub which files it already has (same git/LFS id) and sends only
the others. push() itself retries the whole upload a few times when the Hub is busy (429), failing (5xx) or the
connection drops, and ends only when the Hub's file list matches manifest.json (conversion/hub/remote_check.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx2
from huggingface_hub import HfApi, get_token
from huggingface_hub.errors import HfHubHTTPError, HFValidationError
from huggingface_hub.utils import validate_repo_id

from _imagenet3d.errors import Imagenet3DError
from _imagenet3d.hub_faults import hub_fault
from _imagenet3d.reasons import HubFault, Reason
from conversion import manifest
from conversion.hub import remote_check

# Same rule as manifest.is_hidden, in upload_folder's fnmatch syntax ('*' crosses '/'):
# a hidden top-level entry, or any hidden file/folder below it (temp files, .cache/).
IGNORE_PATTERNS = [".*", "*/.*"]
MAX_PROBLEMS_SHOWN = 5
ATTEMPTS = 3  # whole uploads (each resumes the last); the client retries each request 5 times within one
BACKOFF_S = 10.0  # wait before the 2nd attempt, doubled after each; a 429's Retry-After wins
MAX_WAIT_S = 300.0
TIMEOUT_S = 300.0  # the CLI's bound on one answer (huggingface_hub's own client waits forever)
logger = logging.getLogger(__name__)


def check_repo_id(repo_id: str) -> None:
    """Raise HubWriteError unless repo_id is 'namespace/name' with Hub-legal characters."""
    namespace, _, name = repo_id.partition("/")
    if not namespace or not name or "/" in name:
        raise HubWriteError(f"repo id must look like 'namespace/name', got {repo_id!r}")
    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise HubWriteError(str(error)) from None


def check_no_script(out_dir: Path, repo_id: str) -> None:
    """Refuse '<name>.py' at the top level: datasets >= 4 won't load such a repo.

    load_dataset('org/name') looks for 'name.py' and raises "Dataset scripts are no
    longer supported" if it is there. Compared case-insensitively because Hub repo ids
    resolve case-insensitively, so users may type any casing.
    """
    script = f"{repo_id.split('/', 1)[1]}.py".lower()
    clashes = sorted(p.name for p in out_dir.iterdir() if p.name.lower() == script and p.is_file())
    if clashes:
        raise HubWriteError(
            f"{out_dir / clashes[0]}: a top-level file named like the repo ({repo_id}) plus '.py' "
            "makes datasets >= 4 refuse to load the repo ('Dataset scripts are no longer "
            "supported'); remove or rename it before pushing")


def problem_lines(problems: list[str]) -> str:
    """At most MAX_PROBLEMS_SHOWN problems, one indented line each, then how many more."""
    shown = "\n  ".join(problems[:MAX_PROBLEMS_SHOWN])
    more = len(problems) - MAX_PROBLEMS_SHOWN
    return f"\n  {shown}" + (f"\n  ... and {more} more" if more > 0 else "")


def check_verified(out_dir: Path) -> None:
    """Raise HubWriteError if out_dir does not match its manifest.json."""
    problems = manifest.verify(out_dir)
    if problems:
        raise HubWriteError(f"refusing to push {out_dir}: it does not match its {manifest.MANIFEST_NAME} "
                            f"({len(problems)} problem(s)):{problem_lines(problems)}")


class HubWriteError(Imagenet3DError):
    """A push refused, by our checks before any Hub call or by the Hub; the message says what to do.

    ``reason``: why the Hub stopped the push (``reason.code``, a :class:`~_imagenet3d.reasons.HubFault`), or
    None when it did not (a check of ours, a refused token or permission)."""

    def __init__(self, message: str, reason: Reason | None = None) -> None:
        super().__init__(message)
        self.reason = reason


def require_token(what: str) -> None:
    """Writing needs a token: say so before any Hub call rather than in a 401 later."""
    if get_token() is None:
        raise HubWriteError(f"pushing {what} needs a Hugging Face token with write access: log in with "
                            "`hf auth login` (or set HF_TOKEN)")


def refusal(error: HfHubHTTPError, what: str) -> HubWriteError:
    """One line for a Hub write refused, told apart by status code (never by the server's wording); a Hub
    fault (429, 408, 5xx: _imagenet3d/hub_faults.py) is worded, and coded, as hub_fault words it."""
    found = hub_fault(error)
    if found is not None:
        return HubWriteError(f"could not push {what}: {found[0]}; run the same command again later", found[0])
    status = error.response.status_code if error.response is not None else None
    reasons = {
        401: "the Hub did not accept your token: log in again with `hf auth login` (or set HF_TOKEN)",
        403: "your token may not write there: use a token with write access to that namespace",
    }
    server = (str(error).splitlines() or [""])[0]
    return HubWriteError(f"could not push {what}: " + reasons.get(status, f"the Hub answered HTTP {status} ({server})"))


class RemoteMismatch(Exception):
    """The upload finished but the Hub's file list does not match the manifest."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _fault(error: BaseException) -> tuple[Reason, float | None] | None:
    """Why the attempt stopped and the seconds the Hub asked to wait, when another attempt may help: a Hub
    fault (the one home for telling them apart: _imagenet3d/hub_faults.py) or a remote mismatch; else None."""
    if isinstance(error, RemoteMismatch):
        return HubFault.FILES_DIFFER.message(manifest=manifest.MANIFEST_NAME, count=len(error.problems)), None
    found = hub_fault(error)
    return None if found is None else (found[0], found[2])


def give_up(error: BaseException, repo_id: str, attempts: int) -> HubWriteError:
    """The error push raises when every attempt failed: one line, or one line per file the Hub has wrong."""
    again = "run the same command again later: it resumes, files already on the Hub are not sent again"
    fault = _fault(error)
    reason = fault[0] if fault is not None else None
    if isinstance(error, RemoteMismatch):
        return HubWriteError(f"pushed to the dataset {repo_id}, but the Hub's files still differ from "
                             f"{manifest.MANIFEST_NAME} after {attempts} attempt(s) ({len(error.problems)} "
                             f"problem(s)); {again}:{problem_lines(error.problems)}", reason)
    cause = reason if reason is not None else type(error).__name__
    return HubWriteError(f"could not push to the dataset {repo_id}: {cause}, {attempts} attempt(s); {again}",
                         reason)


def total_bytes(out_dir: str | os.PathLike[str], files: list[str]) -> int:
    return sum((Path(out_dir) / relpath).stat().st_size for relpath in files)


def push(out_dir: str | os.PathLike[str], repo_id: str, private: bool = False, dry_run: bool = False,
         api: HfApi | None = None, revision: str | None = None, attempts: int = ATTEMPTS,
         backoff: float = BACKOFF_S) -> list[str]:
    """Upload out_dir as the dataset repo repo_id; returns the uploaded POSIX paths, sorted.

    Cheap checks first, then the full manifest verification, all before any Hub call,
    so a half-built or corrupted folder is never pushed. After the upload, the Hub's file
    list is compared with the manifest; a busy or failing Hub, a dropped connection or a
    mismatch starts another (resuming) attempt, up to `attempts`, then HubWriteError.
    """
    root = Path(out_dir)
    check_repo_id(repo_id)
    if not root.is_dir():
        raise HubWriteError(f"{root}: not a folder")
    check_no_script(root, repo_id)
    check_verified(root)
    files = manifest.repo_files(root)
    if dry_run:
        return files
    if api is None:
        require_token(f"to the dataset {repo_id}")
        api = HfApi()
    sha = manifest.sha256_file(root / manifest.MANIFEST_NAME)
    attempts = max(1, attempts)
    for attempt in range(1, attempts + 1):
        try:
            api.create_repo(repo_id=repo_id, repo_type="dataset", private=private, exist_ok=True)
            api.upload_folder(
                repo_id=repo_id, repo_type="dataset", folder_path=str(root), revision=revision,
                commit_message=f"Upload {len(files)} files ({manifest.MANIFEST_NAME} sha256 {sha[:12]})",
                # A copy: upload_folder appends its defaults to the list it is given.
                ignore_patterns=list(IGNORE_PATTERNS))
            check = remote_check.check_remote(api, root, files, repo_id, revision)
            if not check.problems:
                if check.extra:
                    logger.warning(f"note: {len(check.extra)} file(s) on the Hub are not in this push (left by an "
                                   f"earlier one?): {', '.join(check.extra[:MAX_PROBLEMS_SHOWN])}")
                return files
            raise RemoteMismatch(check.problems)
        except Exception as error:
            fault = _fault(error)
            if fault is None:
                if isinstance(error, HfHubHTTPError):
                    raise refusal(error, f"to the dataset {repo_id}") from None
                raise
            if attempt >= attempts:
                raise give_up(error, repo_id, attempts) from None
            why, asked = fault
            wait = min(MAX_WAIT_S, asked if asked is not None else backoff * 2 ** (attempt - 1))
            logger.warning(f"push attempt {attempt}/{attempts} stopped: {why}; resuming in {wait:.0f} s")
            time.sleep(wait)
    raise AssertionError("unreachable")


def bound_answer_time(seconds: float) -> None:
    """Make huggingface_hub's shared HTTP client give up on an answer after `seconds` (its default: never).

    A timed-out request is retried like a dropped connection (by the client, then by push's attempts)."""
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils._http import default_client_factory  # pinned huggingface_hub==2.4.0

    def factory() -> httpx2.Client:
        client = default_client_factory()
        client.timeout = httpx2.Timeout(seconds)
        return client

    set_client_factory(factory)


def _run_push(args: argparse.Namespace) -> int:
    if not args.dry_run:
        bound_answer_time(args.timeout)
    try:
        files = push(args.out, args.repo_id, private=args.private, dry_run=args.dry_run,
                     revision=args.revision, attempts=args.attempts)
    except Imagenet3DError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    size = total_bytes(args.out, files)
    if args.dry_run:
        for relpath in files:
            print(f"{(Path(args.out) / relpath).stat().st_size:>14,}  {relpath}")
        print(f"dry run: would upload {len(files)} files, {size:,} bytes total to {args.repo_id}")
        return 0
    where = f" (revision {args.revision})" if args.revision else ""
    print(f"pushed and verified {len(files)} files, {size:,} bytes to https://huggingface.co/datasets/{args.repo_id}{where}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``push OUT --repo-id ORG/NAME [--private] [--dry-run] [--revision REV]``."""
    parser = subparsers.add_parser(
        "push", help="upload a built, verified folder as a Hugging Face dataset repo",
        description="Verify OUT against its manifest.json, then create the dataset repo if needed "
                    "and upload the folder (hidden and temp files excluded), then check that the Hub's "
                    "files match manifest.json. Re-running resumes an interrupted upload.")
    parser.add_argument("out", help="the built dataset folder (holds manifest.json)")
    parser.add_argument("--repo-id", required=True, metavar="ORG/NAME", help="dataset repo on the Hub")
    parser.add_argument("--private", action="store_true", help="create the repo private (if it is new)")
    parser.add_argument("--dry-run", action="store_true",
                        help="list what would be uploaded; no Hub call at all")
    parser.add_argument("--revision", help="existing branch to commit to (default: main)")
    parser.add_argument("--attempts", type=int, default=ATTEMPTS, metavar="N",
                        help=f"whole uploads to try when the Hub is busy or failing or the connection drops; "
                             f"each resumes the last (default {ATTEMPTS})")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, metavar="SECONDS",
                        help=f"longest wait for one answer of the Hub (default {TIMEOUT_S:.0f})")
    parser.set_defaults(run=_run_push)
