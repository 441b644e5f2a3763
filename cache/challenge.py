"""Anti-crawler challenge pages: tell "the site blocked automated access" from "the page changed".

Chinese government hosts sit behind web application firewalls that answer a script with a
JavaScript challenge instead of the page (SOURCE.md): 瑞数 / Rivers Security (HTTP 412 and a page
setting `$_ts`, cookies ending in 80S/80T), 加速乐 (HTTP 521, `__jsluid_s` and a `__jsl_clearance_s`
challenge), 知道创宇 `wzws` (200 or 5xx), and generic "please enable JavaScript / verifying your
browser" interstitials. Plain httpx passes none of them; we detect and explain, never defeat them.

`detect_challenge(status, headers, body)` returns a short reason naming the kind, or None. A real
digest or list page is never mistaken for one: body markers are looked for only in pages that are
small or carry no article text, and never in a tag's attributes (a list page may link to a post whose
address happens to spell `__jsluid`); the status codes 412 and 521 mean a challenge on their own (a
GET without If-Match is never "Precondition Failed"; 521 is not a standard status).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["BLOCKED", "detect_challenge"]

BLOCKED = "the site blocked automated access"

_HEAD = 65536  # challenge pages are small; only the start of a body is looked at
_MARKERS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("瑞数 JavaScript challenge ($_ts)", re.compile(rb"\$_ts\s*=|\$_ts\[|\$_ts\.|FSSBBIl1UgzbN7N", re.I)),
    ("加速乐 JavaScript challenge (__jsl_clearance)", re.compile(
        rb"__jsl_clearance|__jsluid|document\.cookie\s*=.{0,4000}?location\.href\s*=\s*location\.pathname\s*\+\s*"
        rb"location\.search", re.I | re.S)),
    ("知道创宇 wzws challenge", re.compile(rb"wzws_cid|wzwschallenge|wzwstemplate|/WZWS|wzws-waf", re.I)),
    ("JavaScript browser check", re.compile(
        rb"(?:please\s+enable\s+javascript|enable\s+javascript\s+and\s+cookies|checking\s+your\s+browser|"
        rb"\xe8\xaf\xb7\xe5\xbc\x80\xe5\x90\xaf\s*javascript|"  # 请开启JavaScript
        rb"\xe6\xad\xa3\xe5\x9c\xa8\xe9\xaa\x8c\xe8\xaf\x81\xe6\x82\xa8\xe7\x9a\x84\xe6\xb5\x8f\xe8\xa7\x88\xe5\x99\xa8)",  # 正在验证您的浏览器
        re.I)),
)
# Per marker, lower-case literals of which every match contains one: a body holding none cannot
# match, and `in` is far cheaper than a case-insensitive regex over 64 KB (sync runs these on every
# page it fetches: 0.19 s of CPU for 528 digests).
_HINTS: tuple[tuple[bytes, ...], ...] = (
    (b"$_ts", b"fssbbil1ugzbn7n"),
    (b"__jsl", b"document.cookie"),
    (b"wzws",),
    (b"please", b"enable", b"checking", "请开启".encode(), "正在验证您的浏览器".encode()),
)
_COOKIE_MARKERS = (("加速乐", "__jsluid"), ("加速乐", "__jsl_clearance"), ("知道创宇 wzws", "wzws"))
# Challenge markers live in script code, a <noscript> notice or the page's text; a tag's attributes
# (an href, a title) hold whatever the site's authors wrote, so a tag is cut down to its name.
_SCRIPT_RE = re.compile(rb"<script\b.*?(?:</script\s*>|\Z)", re.S | re.I)
_TAG_RE = re.compile(rb"<(/?[a-z][a-z0-9]*)\b[^>]*>", re.I)
# Article text: a real page, however small, carries Chinese text outside its scripts, if only the
# titles of a list page (counted in total, since digits and tags break the runs).
_CJK_RE = re.compile(rb"[\xe4-\xe9][\x80-\xbf]{2}")
_ARTICLE_CJK = 40


def detect_challenge(status: int | None, headers: Mapping[str, str] | None, body: bytes | None) -> str | None:
    """A reason ("HTTP 412 瑞数 JavaScript challenge ($_ts)") if this response is a challenge page."""
    head = bytes(body or b"")[:_HEAD]
    kind = None
    lowered = head.lower()  # ASCII only, as re.I on bytes
    for (name, marker), hints in zip(_MARKERS, _HINTS):
        if any(hint in lowered for hint in hints) and marker.search(_without_attributes(head)):
            kind = name
            break
    if kind is None and headers:
        cookies = " ".join(v for k, v in headers.items() if k.lower() == "set-cookie").lower()
        server = " ".join(v for k, v in headers.items() if k.lower() in ("server", "x-via", "via")).lower()
        for name, cookie in _COOKIE_MARKERS:
            if cookie in cookies or cookie in server:
                kind = f"{name} challenge"
                break
    if status in (412, 521):
        return f"HTTP {status} {kind or 'JavaScript challenge'}"
    if kind is None:
        return None
    # A 200 (or 5xx) whose body is the challenge rather than content: little text outside scripts.
    if status is not None and status not in (200, 202, 403, 429) and status < 500:
        return None
    if _has_article_text(head):
        return None  # a real page that merely mentions a marker (e.g. a WAF's tracking script)
    return f"HTTP {status} {kind}" if status else kind


def _without_attributes(head: bytes) -> bytes:
    """The scripts as they are, and the rest with each tag cut to its name."""
    scripts = b"\n".join(m.group(0) for m in _SCRIPT_RE.finditer(head))
    return scripts + b"\n" + _TAG_RE.sub(rb"<\1>", _SCRIPT_RE.sub(b"", head))


def _has_article_text(head: bytes) -> bool:
    text = _TAG_RE.sub(b"", _SCRIPT_RE.sub(b"", head))
    return any(n + 1 >= _ARTICLE_CJK for n, _ in enumerate(_CJK_RE.finditer(text)))
