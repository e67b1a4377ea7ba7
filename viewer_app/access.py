"""Who may see the data: a Hub dataset's gate, checked for each visitor with the visitor's own token.

ImageNet3D is gated: its users share their name and affiliation. A Space
that read it with its owner's token would show it to everyone, so the viewer
reads as the visitor (Hugging Face OAuth, ``hf_oauth: true`` in the Space):

* a local folder, or a Hub dataset that is not gated, is shown to everyone;
  its Hub reads are anonymous. Never the Space owner's token.
* a gated (or private) Hub dataset is shown only to a signed-in visitor whom
  the Hub lets read it (the Hub's auth-check with their token, remembered for
  a few minutes); everyone else gets a message with the dataset's page, where
  they accept its conditions, and nothing derived from the data.
* the annotation index of a gated dataset is gated data too: it is read with
  the first admitted visitor's token, when that visitor arrives.

Whether a dataset is gated is read once at start-up, anonymously
(``dataset_info(...).gated``); a dataset the anonymous client cannot see
(private) counts as gated.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huggingface_hub import constants, get_token
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError

from _imagenet3d.hub_faults import status_of
from viewer_app.data import DatasetIndex
from viewer_app.hub_io import (
    AccessDenied,
    HubFiles,
    HubUnavailable,
    auth_check,
    dataset_info,
    hub_repo,
    reading_as,
    retrying,
)

ADMITTED_FOR_S = 300.0    # a visitor's admission is checked again after this
REFUSED_FOR_S = 15.0      # ... and a refusal sooner: they may be accepting the conditions right now
REPROBE_AFTER_S = 2.0     # a start-up that could not reach the Hub asks again at most this often (one visitor
                          # asks, those arriving meanwhile get its answer): the Hub back, the next visitor sees data
MAX_VISITORS = 4096       # remembered decisions (least recently seen ones are forgotten)
# The token Gradio's local mock login puts in the session (gradio/oauth.py, _get_mocked_oauth_info): it
# stands for this machine's own account, whose token huggingface_hub finds (HF_TOKEN or `hf auth login`).
GRADIO_MOCK_TOKEN = "mock-oauth-token-for-local-dev"

# Why a visitor is not admitted (one home for the reasons; the messages are built from them).
SIGN_IN, NOT_ACCEPTED, NO_ACCESS, EXPIRED = "sign-in", "not-accepted", "no-access", "expired"


@dataclass(frozen=True)
class Visit:
    """One request's standing: whether it may see the data, with which token to read, and what to tell."""

    admitted: bool
    token: str | bool | None = False     # for hf:// reads: the visitor's, or False (anonymous)
    message: str = ""                    # Markdown for the page; empty when there is nothing to say


class Access:
    """The dataset the viewer shows (``root``: a folder or hf://datasets/ORG/NAME) and who may see it."""

    def __init__(self, root: str, index: DatasetIndex | None = None):
        self.root = root.rstrip("/")
        self.repo_id = hub_repo(self.root)
        self.page = f"{constants.ENDPOINT}/datasets/{self.repo_id}" if self.repo_id else None
        self._index = index
        self._info = None
        self.gated: bool | None = False      # None: not known yet (the Hub was unreachable at start-up)
        self.hidden = False                  # not visible anonymously at all: private, or no such dataset
        self._probed_at = 0.0
        self._unreachable = ""                # why the last probe failed (one line)
        self._lock = threading.Lock()
        self._probe_lock = threading.Lock()
        self._decisions: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        if self.repo_id is None:
            self._index = self._index or DatasetIndex(self.root)
        else:
            self._probe()
            if self.gated is False and self._index is None:
                try:
                    self._open(False)   # public data: open at start-up, as for a folder
                except HubUnavailable:
                    pass                # the first visitor's request tries again (and says so if it fails)

    @property
    def needs_login(self) -> bool:
        """Whether the page offers a login button: the dataset is gated, or may be."""
        return self.gated is not False

    @property
    def unreachable(self) -> str:
        """Why the Hub could not be asked whether the dataset is gated (one line; "" once it was)."""
        return self._unreachable if self.gated is None else ""

    @property
    def index(self) -> DatasetIndex | None:
        return self._index

    def _probe(self) -> None:
        try:
            self._info = dataset_info(self.repo_id, token=False)
            self.gated = bool(self._info.gated) or bool(self._info.private)
        except AccessDenied:   # private, or gone: only a visitor who may read it will see it
            self.gated = self.hidden = True
        except HubUnavailable as error:
            self.gated, self._unreachable = None, str(error)
        finally:
            self._probed_at = time.monotonic()   # when the answer came: the next probe waits from here

    def _open(self, token: str | bool) -> DatasetIndex:
        """The index, opened once, with ``token`` (an admitted visitor's, or anonymous)."""
        with self._lock:
            if self._index is None:
                # The anonymous probe's listing (public even when gated) pins the commit; without one
                # (a private dataset) the visitor's token lists it.
                files = HubFiles(self.root, token, info=self._info)
                index = DatasetIndex(self.root, files=files)
                files.token = False   # later reads outside a visitor's context are anonymous, never theirs
                self._index = index
            return self._index

    def visit(self, oauth_token) -> Visit:
        """The standing of a request whose session holds ``oauth_token`` (a gr.OAuthToken, or None).

        Raises HubUnavailable when the Hub cannot be asked."""
        if self.repo_id is None:
            return Visit(True)
        if self.gated is None:
            asked = time.monotonic()
            # One visitor probes (retrying, up to the client's timeouts); those arriving meanwhile do not wait
            # for it: they get the last known answer at once.
            if self._probe_lock.acquire(blocking=False):
                try:
                    if self.gated is None and self._probed_at < asked - REPROBE_AFTER_S:
                        self._probe()
                finally:
                    self._probe_lock.release()
            if self.gated is None:   # whether the dataset is gated is still unknown: show nothing
                raise HubUnavailable(self._unreachable or f"the Hub could not be reached to open {self.repo_id}")
        if self.gated is False:   # read anonymously for everyone: no token to check, nothing to mix up
            self._open(False)
            return Visit(True, False)
        token = visitor_token(oauth_token)
        if token is None:
            return Visit(False, message=self.message(SIGN_IN))
        refusal = self._decision(token)
        if refusal is not None:
            return Visit(False, message=self.message(refusal))
        self._open(token)
        return Visit(True, token)

    def _decision(self, token: str) -> str | None:
        """None if the Hub lets ``token`` read the dataset, else the reason; remembered a while."""
        key = hashlib.sha256(token.encode()).hexdigest()   # tokens themselves are not kept
        now = time.monotonic()
        with self._lock:
            kept = self._decisions.get(key)
            if kept is not None and kept[0] > now:
                self._decisions.move_to_end(key)
                return kept[1]
        refusal = self._ask_hub(token)
        with self._lock:
            self._decisions[key] = (now + (ADMITTED_FOR_S if refusal is None else REFUSED_FOR_S), refusal)
            self._decisions.move_to_end(key)
            while len(self._decisions) > MAX_VISITORS:
                self._decisions.popitem(last=False)
        return refusal

    def _ask_hub(self, token: str) -> str | None:
        try:
            retrying(lambda: auth_check(self.repo_id, token), f"the gate of {self.repo_id}")
        except GatedRepoError:
            return NOT_ACCEPTED
        except RepositoryNotFoundError:
            return NO_ACCESS
        except HfHubHTTPError as error:
            if error.response is not None and error.response.status_code == 401:
                return EXPIRED
            raise
        return None

    def local_account_cannot_see(self) -> bool:
        """Run locally (never in a Space): whether this machine's own account is told the dataset
        does not exist, so a mistyped name is said at start-up rather than as a gate on the page."""
        return self._ask_hub(get_token()) == NO_ACCESS

    def message(self, reason: str) -> str:
        """What a visitor who is not admitted reads: one paragraph, with the dataset's page."""
        link = f"[{self.repo_id}]({self.page})"
        if reason == SIGN_IN and self.hidden:
            return (f"🔒 {self.repo_id} is not visible without signing in: it is private, or there is no such "
                    "dataset. **Sign in with Hugging Face** (the button at the top) with an account that can see it.")
        return {
            SIGN_IN: f"🔒 {link} is gated: its images and annotations are shown only to signed-in users who "
                     f"have accepted its conditions. **Sign in with Hugging Face** (the button at the top), and "
                     f"accept the conditions on {link} if you have not yet.",
            NOT_ACCEPTED: f"🔒 Your account has not been granted access to {link} yet: accept its conditions "
                          f"on {link} (a manual gate also waits for the authors' approval), then reload this page.",
            NO_ACCESS: f"🔒 Your account cannot see {link}: it is private, or gone. Ask its owners for access, "
                       f"or sign in with another account.",
            EXPIRED: f"🔒 Your sign-in has expired or was revoked: sign out and sign in again to see {link}.",
        }[reason]


def in_a_space() -> bool:
    """Whether this process runs in a Hugging Face Space (the variables the Spaces runtime sets)."""
    return os.environ.get("SYSTEM") == "spaces" or bool(os.environ.get("SPACE_ID"))


def visitor_token(oauth_token) -> str | None:
    """The token to read with for a session's gr.OAuthToken (None: not signed in)."""
    if oauth_token is None or not getattr(oauth_token, "token", None):
        return None
    if oauth_token.token == GRADIO_MOCK_TOKEN and not in_a_space():
        # Outside a Space, Gradio's mock login signs in as this machine's account. In a Space the
        # token found locally would be the owner's: never used, whatever a client sends.
        return get_token()
    return oauth_token.token


class Guard:
    """Runs the viewer for admitted visitors only, each reading the Hub with their own token; everyone
    else, and every failure to reach the Hub, gets the handler's empty answer with a one-line message."""

    def __init__(self, access: Access, make_viewer: Callable[[DatasetIndex], Any]):
        self.access = access
        self.make_viewer = make_viewer
        self._viewer = None
        self._lock = threading.Lock()

    def viewer(self):
        with self._lock:
            if self._viewer is None:   # a gated dataset's index is opened by its first admitted visitor
                self._viewer = self.make_viewer(self.access.index)
            return self._viewer

    def __call__(self, oauth_token, empty, action):
        try:
            visit = self.access.visit(oauth_token)
            if not visit.admitted:
                return empty(visit.message)
            with reading_as(visit.token):
                return action(self.viewer())
        except HubUnavailable as error:
            return empty(f"⚠️ {str(error)[:1].upper()}{str(error)[1:]}.")
        except AccessDenied:   # admitted a few minutes ago, refused now (access revoked)
            return empty(self.access.message(NOT_ACCEPTED))
        except HfHubHTTPError as error:   # an answer no retry mends (the others are HubUnavailable)
            status = status_of(error)
            answered = f"answered HTTP {status} to" if status is not None else "refused"
            return empty(f"⚠️ The Hub {answered} a read of {self.access.repo_id}: "
                         "try again, and report it if it lasts.")

    def categories(self) -> list[str]:
        index = self.access.index
        return sorted(set(index.category.tolist())) if index is not None else []


def access_line(access: Access) -> str:
    """What an admitted visitor reads above the viewer: where the data comes from."""
    if access.repo_id is None:
        return ""
    gate = "gated: shown to you because the Hub lets your account read it" if access.gated else "public"
    return f"Data: [{access.repo_id}]({access.page}) ({gate})."
