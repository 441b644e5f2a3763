"""The digest model: what one week's page means once parsed, independent of HTML and of storage.

Records here and in the store are NamedTuples: immutable, like frozen dataclasses, but on Python 3.11
a frozen dataclass takes ~0.35 ms to define (it compiles five generated methods) and its `__init__`
sets each field through `object.__setattr__`. Start-up defines every record class the reader uses and
builds one `WeekSummary` per stored week; as dataclasses they cost 4-5 ms of a ~50 ms budget.

No `from __future__ import annotations` here: typing makes each string annotation of a NamedTuple
field a `ForwardRef`, which compiles it (65 compiles, ~1 ms before the reader's first frame).
"""

from datetime import date, datetime
from typing import NamedTuple


class Item(NamedTuple):
    """One district's news item: a heading `区名：标题` and its paragraphs, in page order."""

    district: str  # code from districts.CODES
    district_name: str  # canonical Chinese name, or the heading's own label for `other`
    title: str
    paragraphs: tuple[str, ...]
    position: int  # 0-based order on the page

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


class Attachment(NamedTuple):
    """A file a digest links to (附件 / 附件下载 / div.fjdown): its name and absolute URL."""

    name: str
    url: str

    def to_json(self) -> dict:
        return {"name": self.name, "url": self.url}


class Digest(NamedTuple):
    """One week's digest page.

    `degraded`: the page is a digest but its items could not be split; `items` is then one unsplit
    block holding its text (`degraded_reason` says why). `week_inferred`: neither the title nor the
    body gave the week, so it is the publish date's Monday to Friday. `parse_info` records how the
    parse succeeded (content area, heading family, item count, furniture), for `sz-digest doctor`.
    """

    id: str  # the post id, e.g. "1663876": a stable key that grows with time
    url: str
    title: str
    week_start: date
    week_end: date
    published: date
    items: tuple[Item, ...] = ()
    sample: bool = False
    attachments: tuple[Attachment, ...] = ()
    degraded: bool = False
    degraded_reason: str = ""
    week_inferred: bool = False
    parse_info: dict | None = None


class PostEntry(NamedTuple):
    """One post as a list page shows it; only digests (title contains 一周速览) are fetched."""

    id: str
    url: str
    title: str
    date: "date | None" = None  # (quoted: unquoted, the class body's `date` would be this field)

    @property
    def is_digest(self) -> bool:
        return "一周速览" in self.title


class ListPage(NamedTuple):
    """What a column list page yields: its posts and the list pages it points to next."""

    url: str
    posts: tuple[PostEntry, ...]
    next_urls: tuple[str, ...]
    via: str = "list"  # "list": the platform's list box (div.zx_ml_list); "page": every link on the page


class WeekSummary(NamedTuple):
    """One stored digest as the week list shows it (docs/cli.md's `list --json` row)."""

    id: str
    url: str
    title: str
    week_start: date
    week_end: date
    published: date
    item_count: int
    districts: tuple[str, ...]
    read: bool
    sample: bool
    degraded: bool = False
    week_inferred: bool = False
    degraded_reason: str = ""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "week_start": self.week_start.isoformat(),
            "week_end": self.week_end.isoformat(),
            "published": self.published.isoformat(),
            "item_count": self.item_count,
            "districts": list(self.districts),
            "read": self.read,
            "sample": self.sample,
            "degraded": self.degraded,
            "week_inferred": self.week_inferred,
        }


class SearchHit(NamedTuple):
    digest_id: str
    week_start: date
    district: str
    district_name: str
    title: str
    snippet: str
    position: int
    spans: tuple[tuple[int, int], ...]  # where the query stands in `snippet`, for highlighting

    def to_json(self) -> dict:
        return {
            "digest_id": self.digest_id,
            "week_start": self.week_start.isoformat(),
            "district": self.district,
            "title": self.title,
            "snippet": self.snippet,
        }


class TimelineEntry(NamedTuple):
    """An item with the week it belongs to: district timelines and starred items."""

    digest_id: str
    week_start: date
    week_end: date
    item: Item


class FetchMeta(NamedTuple):
    url: str
    etag: str | None
    last_modified: str | None
    fetched_at: datetime | None


class Failure(NamedTuple):
    url: str
    post_id: str | None
    error: str
    at: datetime  # the last failed attempt
    status: int | None = None  # HTTP status of the last attempt, when there was one
    attempts: int = 1  # failed syncs in a row
    gone_streak: int = 0  # of those, consecutive 404/410 answers
    gone: bool = False  # not retried any more (cache/retry_policy.py)
