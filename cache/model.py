"""The digest model: what one week's page means once parsed, independent of HTML and of storage.

Records here and in the store are NamedTuples: immutable, like frozen dataclasses, but on Python 3.11
a frozen dataclass takes ~0.35 ms to define (it compiles five generated methods) and its `__init__`
sets each field through `object.__setattr__`. Start-up defines every record class the reader uses and
builds one `WeekSummary` per stored week; as dataclasses they cost 4-5 ms of a ~50 ms budget.
"""

from __future__ import annotations

from datetime import date
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


class Digest(NamedTuple):
    """One week's digest page."""

    id: str  # the post id, e.g. "1663876": a stable key that grows with time
    url: str
    title: str
    week_start: date
    week_end: date
    published: date
    items: tuple[Item, ...] = ()
    sample: bool = False


class PostEntry(NamedTuple):
    """One post as a list page shows it; only digests (title contains 一周速览) are fetched."""

    id: str
    url: str
    title: str
    date: date | None = None

    @property
    def is_digest(self) -> bool:
        return "一周速览" in self.title


class ListPage(NamedTuple):
    """What a column list page yields: its posts and the list pages it points to next."""

    url: str
    posts: tuple[PostEntry, ...]
    next_urls: tuple[str, ...]
