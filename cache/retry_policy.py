"""When a failed post is tried again: the gone / back-off / cap rules of docs/cli.md, in one place.

A sync that keeps failing on the same post must not make every later sync fail (a cron job would
never see success again), nor hammer the site, nor grow the store without end:
- gone: a post that answered 404 or 410 on `GONE_AFTER` consecutive syncs is not retried any more
  (`sync --retry-gone` tries again) and no longer makes the exit code 1; `sync --json` lists it under
  `gone`.
- back-off: any other post that failed `BACKOFF_AFTER` syncs in a row is retried at most once per
  `BACKOFF_INTERVAL`.
- cap: at most `MAX_FAILURES` are remembered; the oldest are dropped first.
The store counts (`Store.record_failure`); this module decides.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .model import Failure

GONE_STATUSES = frozenset({404, 410})
GONE_AFTER = 3  # consecutive syncs answering 404/410
BACKOFF_AFTER = 3  # consecutive failed syncs before backing off
BACKOFF_INTERVAL = timedelta(days=1)
MAX_FAILURES = 500  # rows kept in the failures table, newest first


def is_gone_status(status: int | None) -> bool:
    return status in GONE_STATUSES


def is_due(failure: Failure, now: datetime | None = None, *, retry_gone: bool = False) -> bool:
    """Whether this sync should try the failed post again."""
    if failure.gone:
        return retry_gone
    if failure.attempts < BACKOFF_AFTER:
        return True
    now = now or datetime.now(UTC)
    at = failure.at if failure.at.tzinfo else failure.at.replace(tzinfo=UTC)
    return now - at >= BACKOFF_INTERVAL
