"""A synthetic archive (520 weeks by default, ten years, ~4,000 items) built through the real parser and store.

Every week is generated from the bundled sample page's items: the items are drawn at random (seeded,
so every run builds the same archive), their sentences rotated, their district labels varied over
every district including city-level bodies and unknown labels (`city`, `other`), and the week is
renumbered (a new post id, a new Monday-to-Friday range going back ten years, published a week
later). Each week is rendered back to HTML in the sample's own structure — the sample page with its
title, dates, body and related links replaced — and then goes through `parse_digest` and
`Store.save_digest`, exactly as a sync would store it.
"""

from __future__ import annotations

import html
import random
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sz_digest.cache.model import Item
from sz_digest.cache.parser import parse_digest, sample_page
from sz_digest.cache.store import DB_NAME, Store

WEEKS = 520
SEED = 20260309
POST_URL = "http://szshequ.org.cn/szshgzb/gzyw/content/post_{}.html"

# Heading labels and how often they appear: the eleven districts, city-level bodies (-> `city`)
# and bodies the district table does not know (-> `other`).
LABELS: tuple[tuple[str, int], ...] = (
    ("福田区", 10), ("罗湖区", 10), ("盐田区", 6), ("南山区", 10), ("宝安区", 10), ("龙岗区", 10),
    ("龙华区", 10), ("坪山区", 8), ("光明区", 8), ("大鹏新区", 5), ("深汕特别合作区", 4),
    ("市委社会工作部", 4), ("全市", 2), ("市社会组织总会", 2), ("前海合作区", 2),
)


@dataclass(frozen=True)
class SyntheticWeek:
    post_id: int
    start: date
    end: date
    published: date
    items: tuple[tuple[str, str, str], ...]  # (label, title, paragraph)

    @property
    def url(self) -> str:
        return POST_URL.format(self.post_id)

    @property
    def title(self) -> str:
        return f"深圳社会工作一周速览（{self.start.month}月{self.start.day}日至{self.end.month}月{self.end.day}日）"


def _sample_items() -> tuple[bytes, list[Item]]:
    raw, url = sample_page()
    return raw, list(parse_digest(raw, url).items)


def _rotate_sentences(text: str, rng: random.Random) -> str:
    """The paragraph's clauses rotated: same characters and length, different text per week."""
    parts = [p for p in re.split(r"(?<=[,，。])", text) if p]
    if len(parts) < 3:
        return text
    k = rng.randrange(len(parts))
    rotated = "".join(parts[k:] + parts[:k])
    return rotated if rotated.endswith("。") else rotated.rstrip(",，") + "。"


def generate_weeks(weeks: int = WEEKS, seed: int = SEED) -> list[SyntheticWeek]:
    """`weeks` weeks, newest first, the newest being the sample's week (2026-03-09)."""
    rng = random.Random(seed)
    _, pool = _sample_items()
    labels = [label for label, _ in LABELS]
    label_weights = [w for _, w in LABELS]
    newest = date(2026, 3, 9)
    # Ids fall by 900-4,000 a week going back; a longer archive starts higher so they stay positive
    # (the default 520 weeks are unchanged).
    post_id = 1_700_000 + max(0, weeks - WEEKS) * 4_000
    out = []
    for n in range(weeks):
        start = newest - timedelta(weeks=n)
        end = start + timedelta(days=4)
        post_id -= rng.randint(900, 4000)  # ids grow with time, with gaps like the real column
        count = rng.choices((5, 6, 7, 8, 9, 10), (1, 2, 3, 4, 2, 1))[0]
        items = []
        used: set[str] = set()
        while len(items) < count:
            label = rng.choices(labels, label_weights)[0]
            if label in used and rng.random() < 0.85:  # mostly one item per district, sometimes two
                continue
            used.add(label)
            source = rng.choice(pool)
            paragraph = _rotate_sentences(" ".join(source.paragraphs).replace("\u3000", ""), rng)
            items.append((label, source.title, paragraph))
        # Page order: districts in the table's order, like the real digests (city items last).
        order = {label: i for i, label in enumerate(labels)}
        items.sort(key=lambda it: order[it[0]])
        out.append(SyntheticWeek(post_id, start, end, end + timedelta(days=7), tuple(items)))
    return out


_BODY_RE = re.compile(r'(<div class="news_cont_d_wrap">\s*<div>\n).*?(\n</div>\s*</div>\s*<div class="fjdown">)', re.S)
_RELATED_RE = re.compile(r'(<div class="xgwz_tit">相关文章</div>\s*<ul>\n).*?(\s*</ul>)', re.S)


def render(week: SyntheticWeek, template: str) -> bytes:
    """The sample page with this week's title, dates, items and related links."""
    esc = html.escape
    page = template.replace("深圳社会工作一周速览（3月9日至3月13日）", esc(week.title))
    page = page.replace('content="2026-03-20"', f'content="{week.published.isoformat()}"')
    page = page.replace("发布时间：2026年03月20日",
                        f"发布时间：{week.published.year}年{week.published.month:02d}月{week.published.day:02d}日")
    style = ' style="text-indent: 2em; text-align: justify;"'
    body = "\n".join(
        f"<p{style}><strong>{esc(label)}</strong>：{esc(title)}</p>\n<p{style}>\u3000\u3000{esc(paragraph)}</p>"
        for label, title, paragraph in week.items
    )
    page = _BODY_RE.sub(lambda m: m.group(1) + body + m.group(2), page, count=1)
    related = "\n".join(
        f'        <li><a href="/szshgzb/gzyw/content/post_{week.post_id}.html" title="{esc(label)}：{esc(title)}">'
        f"{esc(label)}：{esc(title)}</a></li>"
        for label, title, _ in week.items[:3]
    )
    page = _RELATED_RE.sub(lambda m: m.group(1) + related + m.group(2), page, count=1)
    page = page.replace("post_1663876.html", f"post_{week.post_id}.html")
    return page.encode("utf-8")


def build_store(data_dir: Path, weeks: int = WEEKS, seed: int = SEED) -> dict:
    """Fill a fresh store in `data_dir` through the real parser and store; return what was stored."""
    raw, _ = sample_page()
    template = raw.decode("utf-8")
    generated = generate_weeks(weeks, seed)
    items = 0
    with Store.open(data_dir, seed_sample=False) as store:
        for week in generated:
            page = render(week, template)
            digest = parse_digest(page, week.url)
            if len(digest.items) != len(week.items) or digest.week_start != week.start:
                raise RuntimeError(f"synthetic week {week.post_id} parsed wrong: {digest.week_start}, "
                                   f"{len(digest.items)} items (expected {week.start}, {len(week.items)})")
            store.save_digest(digest, page)
            items += len(digest.items)
        # The search index of counted grams, as the first search after a sync brings it up to date
        # (store.index_grams): part of the archive on disk, and of every copy the bench searches.
        started = time.process_time()
        store.index_grams()
        index_cpu = time.process_time() - started
        stored = store.weeks()
        districts = store.stats()["districts"]
    # Leave a single, checkpointed database file that can be copied as it is.
    db = sqlite3.connect(data_dir / DB_NAME)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return {
        "weeks": len(stored),
        "items": items,
        "first_week": stored[-1].week_start.isoformat(),
        "last_week": stored[0].week_start.isoformat(),
        "items_per_district": {d["district"]: d["items"] for d in districts},
        "search_index_cpu_s": round(index_cpu, 2),
    }


def copy_store(source: Path, target: Path) -> Path:
    """A private copy of a built store (the database only) for a run that writes to it."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / DB_NAME, target / DB_NAME)
    return target


def item_texts(data_dir: Path) -> list[str]:
    """Every stored item's title and body, for drawing search queries."""
    db = sqlite3.connect(data_dir / DB_NAME)
    try:
        return [f"{title}\n{body}" for title, body in db.execute("SELECT title, body FROM items")]
    finally:
        db.close()
