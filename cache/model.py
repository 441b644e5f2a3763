"""The digest model: what one week's page means once parsed, independent of HTML and of storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Item:
    """One district's news item: a heading `区名：标题` and its paragraphs, in page order."""

    district: str  # code from districts.CODES
    district_name: str  # canonical Chinese name, or the heading's own label for `other`
    title: str
    paragraphs: tuple[str, ...]
    position: int  # 0-based order on the page

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Digest:
    """One week's digest page."""

    id: str  # the post id, e.g. "1663876": a stable key that grows with time
    url: str
    title: str
    week_start: date
    week_end: date
    published: date
    items: tuple[Item, ...] = field(default=())
    sample: bool = False


@dataclass(frozen=True, slots=True)
class PostEntry:
    """One post as a list page shows it; only digests (title contains 一周速览) are fetched."""

    id: str
    url: str
    title: str
    date: date | None = None

    @property
    def is_digest(self) -> bool:
        return "一周速览" in self.title


@dataclass(frozen=True, slots=True)
class ListPage:
    """What a column list page yields: its posts and the list pages it points to next."""

    url: str
    posts: tuple[PostEntry, ...]
    next_urls: tuple[str, ...]
