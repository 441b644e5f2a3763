"""Exports and the JSON shapes of docs/cli.md, shared by the CLI and the TUI.

Scraped text stays data in every format: Markdown escapes its syntax characters, CSV neutralises
cells a spreadsheet would run as formulas, JSON is JSON. Control characters were removed by the
parser and are removed again here, because an export outlives the code that wrote the store.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from . import json_text
from .model import Attachment, Item
from .model import TimelineEntry, WeekSummary
from .text import clean_line, clean_text

FORMATS = ("md", "json", "csv")
CSV_COLUMNS = ("week_start", "week_end", "published", "district", "district_name", "title", "body", "url",
               "degraded", "week_inferred", "attachments")


@dataclass(frozen=True, slots=True)
class WeekItems:
    """One week and the items of it being exported (already filtered)."""

    week: WeekSummary
    items: Sequence[Item]
    attachments: Sequence[Attachment] = ()


def item_json(item: Item) -> dict:
    return {
        "district": item.district,
        "district_name": clean_line(item.district_name),
        "title": clean_line(item.title),
        "body": clean_text(item.body),
    }


def attachment_json(attachment: Attachment) -> dict:
    return {"name": clean_line(attachment.name), "url": clean_line(attachment.url)}


def show_json(week: WeekSummary, items: Iterable[Item], attachments: Iterable[Attachment] = ()) -> dict:
    """docs/cli.md's `show --json` object: the list fields less item_count/districts, plus items,
    attachments and (issue 12) why a degraded week could not be split."""
    data = week.to_json()
    del data["item_count"], data["districts"]
    data["title"] = clean_line(data["title"])
    data["degraded_reason"] = clean_line(week.degraded_reason)
    data["attachments"] = [attachment_json(a) for a in attachments]
    data["items"] = [item_json(item) for item in items]
    return data


def dumps(data: object) -> str:
    """JSON for people and scripts: two-space indent, text as is (cache/json_text.py: fast)."""
    return json_text.dumps(data)


def group_by_week(weeks: dict[str, WeekSummary], entries: Iterable[TimelineEntry],
                  attachments: Callable[[str], Sequence[Attachment]] | None = None) -> list[WeekItems]:
    """Group items (in the order given) under their weeks, keeping that order."""
    grouped: dict[str, list[Item]] = {}
    for entry in entries:
        grouped.setdefault(entry.digest_id, []).append(entry.item)
    return [WeekItems(weeks[digest_id], items, attachments(digest_id) if attachments else ())
            for digest_id, items in grouped.items()]


def to_json(groups: Sequence[WeekItems]) -> str:
    return dumps([show_json(group.week, group.items, group.attachments) for group in groups]) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+\.)(?=\s)", re.MULTILINE)


def md_escape(text: str) -> str:
    """Make scraped text render literally in Markdown (no links, emphasis, headings or HTML)."""
    return _MD_LINE_START.sub(r"\1\\\2", _MD_SPECIAL.sub(r"\\\1", text))


def to_markdown(groups: Sequence[WeekItems]) -> str:
    """A heading per week, a sub-heading per district (in page order), the source URL per week."""
    out: list[str] = []
    for group in groups:
        week = group.week
        out.append(f"# {md_escape(clean_line(week.title))}")
        out.append("")
        out.append(f"- {week.week_start.isoformat()} → {week.week_end.isoformat()}, "
                   f"published {week.published.isoformat()}")
        out.append(f"- <{safe_url(week.url)}>" if safe_url(week.url) else "- (no source URL)")
        if week.degraded:
            out.append(f"- degraded: {md_escape(clean_line(week.degraded_reason))} (the items could not be split)")
        if week.week_inferred:
            out.append("- week inferred from the publish date")
        for attachment in group.attachments:
            link = safe_url(attachment.url)
            out.append(f"- attachment: {md_escape(clean_line(attachment.name))}" + (f" <{link}>" if link else ""))
        out.append("")
        district = None
        for item in group.items:
            if item.district_name != district:
                out.append(f"## {md_escape(clean_line(item.district_name))}")
                out.append("")
                district = item.district_name
            out.append(f"### {md_escape(clean_line(item.title))}")
            out.append("")
            for paragraph in item.paragraphs:
                out.append(md_escape(clean_text(paragraph)))
                out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _csv_cell(value: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs: keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(groups: Sequence[WeekItems]) -> str:
    """One row per item; UTF-8 with a BOM so spreadsheet programs open Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for group in groups:
        week = group.week
        for item in group.items:
            writer.writerow([
                week.week_start.isoformat(), week.week_end.isoformat(), week.published.isoformat(),
                item.district, _csv_cell(clean_line(item.district_name)), _csv_cell(clean_line(item.title)),
                _csv_cell(clean_text(item.body)), week.url, int(week.degraded), int(week.week_inferred),
                _csv_cell(" ".join(clean_line(a.url) for a in group.attachments)),
            ])
    return "\ufeff" + buffer.getvalue()


def render(fmt: str, groups: Sequence[WeekItems]) -> str:
    return {"md": to_markdown, "json": to_json, "csv": to_csv}[fmt](groups)


_SAFE_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%/\-]*)?(?:\?[A-Za-z0-9._~%=&\-]*)?$")


def safe_url(url: str) -> str | None:
    """`url` if it is a plain http(s) URL of printable ASCII with no surprises, else None.

    Used before a URL reaches a browser, a terminal hyperlink or a Markdown link.
    """
    url = url.strip()
    return url if len(url) <= 2000 and _SAFE_URL.match(url) else None
