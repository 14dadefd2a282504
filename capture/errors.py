"""Named errors. Each carries what a user needs; the CLI turns them into one line and an exit code."""

from __future__ import annotations

import errno
from pathlib import Path


def first_line(exc: BaseException, default: str | None = None, limit: int | None = None) -> str:
    """The first line of an exception's message (Playwright's carry a call log below it); ``default``
    (else the exception's type name) when the message is empty."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else (type(exc).__name__ if default is None else default)
    return line[:limit] if limit else line


class CaptureError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with; the message is one line."""

    exit_code = 1


class BadInput(CaptureError):
    """A wrong URL, id, port, option or file given by the user."""

    exit_code = 2


class BrowserNotFound(CaptureError):
    """No Chromium could be found or launched."""

    exit_code = 3


class LayoutNotRecognized(CaptureError):
    """No template generation matched the page."""

    exit_code = 2


class MissingField(CaptureError):
    """A recognised page lacks a required field; names the field and its selector."""

    exit_code = 2

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class FetchFailed(CaptureError):
    """A page could not be loaded: bad status, blank page, block page, timeout, browser crash."""

    exit_code = 1

    def __init__(self, message: str, *, reason: str = "fetch-failed", retryable: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class CorruptFile(CaptureError):
    """A stored golden or bundle file cannot be read; names the file and how to regenerate it."""

    exit_code = 2


class Busy(CaptureError):
    """Another run holds the snapshots folder's lock."""

    exit_code = 4


class StorageError(CaptureError):
    """A file could not be written: the disk is full, or the folder is read-only. Nothing was changed;
    the message names the path and the fix."""

    exit_code = 2


class CareNotOffered(FetchFailed):
    """The 关怀版 capture found nothing to capture: the normal page offers no 关怀版 (no 进入关怀版 link
    with a real href, no body@aria-url) and the URL rule's address answers 404/410. Not a failure of
    the run (older pages never had one); the recorder's outcome says ``no-care`` (capture/care_status.py)."""

    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message, reason="no-care", retryable=False)
        self.url = url
        self.status = status


_FIXES = {
    errno.ENOSPC: "the disk is full: free some space on it (or write somewhere else) and run again",
    errno.EDQUOT: "the disk quota is used up: free some space (or write somewhere else) and run again",
    errno.EACCES: "permission denied: make the folder writable (chmod u+w) or write somewhere else",
    errno.EPERM: "permission denied: make the folder writable (chmod u+w) or write somewhere else",
    errno.EROFS: "the file system is read-only: remount it read-write or write somewhere else",
}


def storage_error(exc: OSError, path: Path, outcome: str = "nothing was changed") -> StorageError | None:
    """The :class:`StorageError` for a full disk or a read-only folder (None for any other OSError),
    naming ``path``: the file the user knows, not the temporary file the OS names."""
    fix = _FIXES.get(exc.errno or 0)
    return StorageError(f"cannot write {path}: {fix}; {outcome}") if fix else None
