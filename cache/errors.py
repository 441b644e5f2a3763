"""Exceptions the core raises on purpose, so callers can tell bad input from bugs."""

from __future__ import annotations


class DigestError(Exception):
    """Base class for sz-digest's own errors."""


class ParseError(DigestError):
    """A page is not a digest, or could not be understood.

    Always names the URL and the reason, so a sync report can say which post failed and why.
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class StoreError(DigestError):
    """The store could not be opened or written; the message says where and why."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UsageError(DigestError):
    """A user-supplied value (district, week, date) is not one we accept; the message lists what is.

    `key` and `values` let the CLI say it in the user's language (tui/i18n_cli.py, `cli.<key>`);
    the English message stays the fallback.
    """

    def __init__(self, message: str, *, key: str | None = None, **values: object) -> None:
        super().__init__(message)
        self.key = key
        self.values = values
