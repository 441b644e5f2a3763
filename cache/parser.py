"""Parse the column's list pages and its weekly digest pages (NFCMS platform, see SOURCE.md).

Public API
----------
- ``decode_html(data, content_type=None) -> str``
- ``parse_list_page(data, url, content_type=None) -> ListPage``
- ``parse_digest(data, url, content_type=None) -> Digest``
- ``parse_week_title(title, published, url="") -> (week_start, week_end)``
- ``sample_page() -> (bytes, url)``: the bundled sample digest (post 1663876).

Every failure is a ``ParseError(url, reason)``; anything unexpected raised while parsing is wrapped
in one, so callers never see another exception type from this module.

Bounds (hostile pages must not hang a sync)
-------------------------------------------
- Pages over ``MAX_PAGE_BYTES`` (5 MiB) are refused before decoding ("page too large"), and pages
  with more than ``MAX_TAGS`` (150,000) ``<`` characters are refused before lexbor sees them (a real
  article page has a few thousand; lexbor needs ~0.1 s per 150k elements).
- Lexbor handles deep nesting in quadratic time (every block start tag scans the stack of open
  elements). Before parsing, a page with more than ``_FAST_TAG_COUNT`` (4096) ``<`` is pre-scanned
  with a regex (scripts, styles and comments removed) that estimates the open-element depth and the
  parser's work (the sum of that depth over all tags). Pages deeper than ``MAX_DEPTH`` (1024) or
  costlier than ``MAX_WORK`` (4e7, ~40 ms of lexbor) are refused ("page nested too deeply" /
  "page structure too costly"). A page under the fast threshold costs lexbor at most ~15 ms however
  it nests. The pre-scan itself is linear and runs over at most MAX_TAGS tags (~50 ms).
- Net bound: any page, however hostile, is parsed or refused in well under a second on one core
  (tests/test_parser_fuzz.py measures the worst shapes: 100k nested elements, a 5 MiB page of
  paragraphs, 5 MiB of tags, many 1000-deep nests, a 100k-character title).
- Titles longer than ``MAX_TITLE_CHARS`` (300) are refused: a digest title is ~25 characters.
- Item headings have a label of at most 12 characters and a title of at most 100.
"""

from __future__ import annotations

import codecs
import functools
import re
from datetime import date, timedelta
from importlib import resources
from typing import Iterable, Iterator, NamedTuple
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .districts import lookup_district
from .urls import POST_PATH_RE, SAMPLE_URL, join_url, post_id_from_url
from .errors import ParseError
from .model import Attachment, Digest, ListPage, PostEntry
from .segment import FOLD_HEAD, TABLE_CELL_SEPARATOR, Line, segment
from .text import clean_line, fold

__all__ = [
    "MAX_PAGE_BYTES",
    "MAX_DEPTH",
    "MAX_WORK",
    "MAX_TAGS",
    "MAX_TITLE_CHARS",
    "SAMPLE_URL",
    "decode_html",
    "parse_list_page",
    "parse_digest",
    "parse_digest_detail",
    "parse_week_title",
    "sample_page",
]

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 1024
MAX_WORK = 40_000_000
MAX_TAGS = 150_000
MAX_TITLE_CHARS = 300
_FAST_TAG_COUNT = 4096

_SAMPLE_FILE = "sample_1663876.html"


def sample_page() -> tuple[bytes, str]:
    """The bundled sample digest page (the seed post rebuilt as HTML) and its URL."""
    data = resources.files(__package__).joinpath("data", _SAMPLE_FILE).read_bytes()
    return data, SAMPLE_URL


# --------------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET_RE = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([a-zA-Z0-9_.:\-]+)", re.I)
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([a-zA-Z0-9_.:\-]+)", re.I)
_GB_LABELS = frozenset(
    "gb2312 gbk x-gbk gb_2312 gb_2312-80 chinese csgb2312 csiso58gb231280 iso-ir-58 gb18030 "
    "cp936 ms936 windows-936 euc-cn".split()
)
# Never guess Latin-1: WHATWG maps these labels to windows-1252, and a Chinese page so labelled
# is lying (the label is a server default). UTF-16/32 without a BOM means UTF-8 (WHATWG); UTF-7
# is not a web encoding.
_IGNORED_CODECS = frozenset(
    "latin_1 iso8859_1 cp1252 ascii iso8859_15 cp819 utf_16 utf_16_le utf_16_be utf_32 utf_32_le "
    "utf_32_be utf_7".split()
)
_ASCII_BYTES = bytes(range(128))


def _codec_for(label: str | bytes | None) -> str | None:
    """The Python codec for a charset label, or None for labels we do not trust or know."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):  # rot13, zlib, base64, ...
        return None
    if info.name.replace("-", "_") in _IGNORED_CODECS:
        return None
    return info.name


def _declared_codecs(data: bytes, content_type: str | None) -> list[str]:
    found: list[str] = []
    match = _META_CHARSET_RE.search(data, 0, 4096)
    if match:
        codec = _codec_for(match.group(1))
        if codec:
            found.append(codec)
    if content_type:
        match = _HEADER_CHARSET_RE.search(content_type)
        if match:
            codec = _codec_for(match.group(1))
            if codec and codec not in found:
                found.append(codec)
    return found


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode a page's bytes to text. Never raises for any bytes; never guesses Latin-1.

    Precedence:
    1. A BOM (UTF-8, UTF-16, UTF-32) decides.
    2. Bytes that are valid UTF-8 are UTF-8, whatever a label says. Legacy-encoded Chinese text is
       practically never valid UTF-8, while mislabelled UTF-8 is common (servers send a default
       ``charset=iso-8859-1``/``gbk`` header; SOURCE.md: the real header usually has no charset).
    3. Bytes that are UTF-8 with a few damaged sequences (a truncated download) stay UTF-8 (with
       U+FFFD): GB18030 would decode many such pages "cleanly" into mojibake.
    4. The declared charsets, ``<meta charset>`` / ``http-equiv`` (first 4 KB) before the HTTP header,
       each used only if the bytes decode in it without error.
    5. GB18030 if the bytes decode in it without error.
    6. UTF-8 with replacement characters.
    """
    data = bytes(data)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", "replace")
    damaged = lenient.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    non_ascii = len(data.translate(None, _ASCII_BYTES))
    if damaged <= 2 + non_ascii // 300:
        return lenient
    for codec in _declared_codecs(data, content_type):
        if codec == "utf-8":
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return lenient


# --------------------------------------------------------------------------------------------------
# Guards shared by both page kinds
# --------------------------------------------------------------------------------------------------

_TAG_START_RE = re.compile(r"<[a-zA-Z!?/]")
# C0 controls other than \t \n \f \r, plus U+FFFD: how much of a text is binary debris.
_DEBRIS_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
# Every byte but those C0 controls (and DEL): deleting them from the UTF-8 leaves the controls, which
# are single bytes there (a character over U+007F is all bytes >= 0x80). A C-speed count of
# `_DEBRIS_RE` (its `findall` over 8 KB of CJK text was 40 µs, 5 % of a page's parse).
_NOT_C0_DEBRIS = bytes(b for b in range(256) if not (b <= 8 or b == 11 or 14 <= b <= 31 or b == 127))

_RAW_TEXT_RE = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|textarea|title|xmp|noscript|plaintext)\b.*?(?:</\1\s*>|\Z)",
    re.S | re.I,
)
_TAG_SCAN_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
# Tags that never add to the depth of the open-element stack: void elements, and elements the
# parser closes implicitly (a new <p>, <li>, <td> ... closes the previous one).
_NO_DEPTH = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen basefont bgsound "
    "frame image isindex spacer p li dt dd option optgroup tr td th thead tbody tfoot caption "
    "colgroup rb rt rp rtc html head body".split()
)


def _clean(text: str) -> str:
    """`clean_line`, with whitespace (newlines, \u3000 indents, nbsp) collapsed first.

    The same as `clean_line(text)` for page text, but it then takes clean_text's fast path
    (`str.isprintable`), which whitespace other than " " would defeat.
    """
    collapsed = " ".join(text.split())
    # Printable means no control, format or space character other than " " is left: clean_line
    # would return it unchanged (and this runs for every line of every page).
    return collapsed if collapsed.isprintable() else clean_line(collapsed)


def _check_size(data: bytes, url: str) -> None:
    if not data:
        raise ParseError(url, "empty page")
    if len(data) > MAX_PAGE_BYTES:
        raise ParseError(url, f"page too large ({len(data)} bytes; limit {MAX_PAGE_BYTES})")


def _debris_count(text: str) -> int:
    """How many characters of `text` `_DEBRIS_RE` matches, counted in C."""
    return len(text.encode("utf-8", "surrogatepass").translate(None, _NOT_C0_DEBRIS)) + text.count("\ufffd")


def _looks_like_html(text: str) -> bool:
    head = text[:8192]
    if not _TAG_START_RE.search(head):
        return False
    return _debris_count(head) * 20 <= len(head)  # more than 5% debris: binary, not a page


def _check_nesting(text: str, url: str) -> None:
    """Refuse pages whose nesting would make lexbor's tree building quadratic (module docstring)."""
    tags = text.count("<")
    if tags <= _FAST_TAG_COUNT:
        return
    if tags > MAX_TAGS:
        raise ParseError(url, f"page has too many tags (over {MAX_TAGS})")
    depth = work = 0
    no_depth = _NO_DEPTH
    for slash, name in _TAG_SCAN_RE.findall(_RAW_TEXT_RE.sub("", text)):
        name = name.lower()
        if name in no_depth:
            continue
        if slash:
            if depth:
                depth -= 1
        else:
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(url, f"page nested too deeply (over {MAX_DEPTH} open elements)")
        work += depth
    if work > MAX_WORK:
        raise ParseError(url, "page structure too costly to parse (deeply nested, very many tags)")


def _load(data: bytes, url: str, content_type: str | None) -> str:
    """Size guard, decoding, an HTML sanity check and the nesting guard: the page's text."""
    _check_size(data, url)
    text = decode_html(data, content_type)
    if not _looks_like_html(text):
        raise ParseError(url, "not an HTML page")
    _check_nesting(text, url)
    return text


# --------------------------------------------------------------------------------------------------
# List pages
# --------------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_CREATE_PAGE_RE = re.compile(r"createPageHTML\s*\(([^()]{0,300})\)", re.I)
_PAGE_EXTS = frozenset({"html", "htm", "shtml", "jsp", "php", "asp", "aspx"})
_NEXT_TEXTS = frozenset({"下一页", "下页", "下一页>", "下一页>>", "next", "next>", "next>>", ">", "›", "»"})


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _same_site_http(candidate: str, page_host: str) -> bool:
    parts = urlsplit(candidate)
    return parts.scheme in ("http", "https") and _host(candidate) == page_host


def _page_key(url: str) -> str:
    """Compare list-page URLs: no fragment, `dir/` == `dir/index.html`, scheme-insensitive."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    path = parts.path or "/"
    path = re.sub(r"/index\.s?html?$", "/", path, flags=re.I)
    return f"{_host(url)}{path}?{parts.query}"


def _parse_date(text: str, pattern: re.Pattern[str] = _DATE_RE) -> date | None:
    """The first real calendar date `pattern` (year, month, day groups) finds in `text`."""
    for match in pattern.finditer(fold(text)):
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


def _row_of(node: LexborNode) -> LexborNode:
    """The list row a post link sits in (its li/tr/dd/p), or the link itself."""
    current = node
    for _ in range(4):
        parent = current.parent
        if parent is None:
            break
        current = parent
        if current.tag in ("li", "tr", "dd", "p", "dl"):
            return current
    return node.parent or node


def _script_next_urls(text: str, url: str, hrefs: Iterable[str]) -> list[str]:
    """Next list page from `createPageHTML(...)` (TRS/NFCMS pagers).

    Forms: `createPageHTML(pages, current, "index", "html")` (2 numbers; `current` 0-based, TRS) and
    `createPageHTML("page_div", pages, current, "index", "html", total)` or
    `createPageHTML(pages, current, total)` (3 numbers; `current` 1-based). Page 1 is `index.html`;
    page n is `index_{n-1}.html` on some sites and `index_{n}.html` on others. The naming is read
    from the page where possible: a link to `index_{pages}` proves the n-scheme, a link to `index_1`
    the n-1 scheme; otherwise the page's own URL against `current` decides, and failing that the
    form's native convention (2 numbers: n-1; 3 numbers: n).
    """
    match = _CREATE_PAGE_RE.search(text)
    if not match:
        return []
    numbers: list[int] = []
    strings: list[str] = []
    for arg in match.group(1).split(","):
        arg = arg.strip()
        if re.fullmatch(r"-?\d{1,9}", arg):
            numbers.append(int(arg))
        elif len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "\"'":
            strings.append(arg[1:-1])
    if len(numbers) < 2:
        return []
    pages, current = numbers[0], numbers[1]
    three = len(numbers) >= 3
    if pages <= 1 or current < 0:
        return []
    ext = "html"
    prefix = "index"
    for i, value in enumerate(strings):
        if value.lower() in _PAGE_EXTS:
            ext = value
            if i > 0 and re.fullmatch(r"[A-Za-z0-9_\-]{1,40}", strings[i - 1]):
                prefix = strings[i - 1]
            break
    page_no = current if (three and current >= 1) else current + 1  # 1-based
    if page_no >= pages:
        return []
    link_re = re.compile(rf"(?:^|/){re.escape(prefix)}_(\d+)\.{re.escape(ext)}$", re.I)
    linked = set()
    for href in hrefs:
        found = link_re.search(href.split("#", 1)[0])  # not urldefrag: it raises on "//[x"
        if found:
            linked.add(int(found.group(1)))
    own = link_re.search(urlsplit(url).path)
    if pages in linked:
        n_scheme = True
    elif 1 in linked:
        n_scheme = False
    elif own is not None and int(own.group(1)) == page_no:
        n_scheme = True
    elif own is not None and int(own.group(1)) == page_no - 1:
        n_scheme = False
    else:
        n_scheme = three
    next_no = page_no + 1
    index = next_no if n_scheme else next_no - 1
    return [urljoin(url, f"{prefix}_{index}.{ext}")]


def _only_parse_errors(parse):
    """Wrap a page parser so a hostile page can never escape as another exception type."""

    @functools.wraps(parse)
    def wrapper(data: bytes, url: str, content_type: str | None = None):
        try:
            return parse(data, url, content_type)
        except ParseError:
            raise
        except Exception as exc:
            raise ParseError(url, f"unexpected {type(exc).__name__}: {exc}") from exc

    return wrapper


@_only_parse_errors
def parse_list_page(data: bytes, url: str, content_type: str | None = None) -> ListPage:
    """Posts listed on a column page (deduplicated by id, page order) and the next list pages."""
    text = _load(data, url, content_type)
    tree = LexborHTMLParser(text)
    page_host = _host(url)
    scope: LexborNode | None = tree.css_first("div.zx_ml_list")
    via = "list"
    if scope is None or scope.css_first("a[href]") is None:
        scope = tree.root
        via = "page"
    posts: dict[str, PostEntry] = {}
    if scope is not None:
        for link in scope.css("a[href]"):
            href = (link.attributes.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            absolute = join_url(url, href)  # None for a link no request could follow ("http://[::1")
            if absolute is None:
                continue
            found = POST_PATH_RE.search(urlsplit(absolute).path)
            if not found or not _same_site_http(absolute, page_host):
                continue
            post_id = str(int(found.group(2)))
            link_text = link.text()
            title = _clean(link.attributes.get("title") or "") or _clean(link_text)
            row_text = _row_of(link).text()
            if link_text:
                row_text = row_text.replace(link_text, " ")
            when = _parse_date(row_text)
            previous = posts.get(post_id)
            if previous is None:
                posts[post_id] = PostEntry(post_id, absolute, title, when)
            elif (not previous.title and title) or (previous.date is None and when is not None):
                posts[post_id] = PostEntry(
                    post_id, previous.url, previous.title or title, previous.date or when
                )
    own_key = _page_key(url)
    next_urls: list[str] = []
    hrefs: list[str] = []

    def add(candidate: str | None) -> None:
        candidate = join_url(url, candidate) if candidate is not None else None
        if candidate is None or not _same_site_http(candidate, page_host) or _page_key(candidate) == own_key:
            return
        if POST_PATH_RE.search(urlsplit(candidate).path):
            return
        if candidate not in next_urls:
            next_urls.append(candidate)

    for link in tree.css("a[href]"):
        href = (link.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:")) or href.startswith("#"):
            continue
        hrefs.append(href)
        classes = (link.attributes.get("class") or "").lower().split()
        label = fold(_clean(link.text() or link.attributes.get("title") or "")).replace(" ", "")
        if "next" in classes or label in _NEXT_TEXTS:
            add(href)
    for candidate in _script_next_urls(text, url, hrefs):
        add(candidate)
    return ListPage(url=url, posts=tuple(posts.values()), next_urls=tuple(next_urls), via=via)


# --------------------------------------------------------------------------------------------------
# Week titles
# --------------------------------------------------------------------------------------------------

# Numbers are whole (never the tail of a longer number, never followed by 年/月 when read as a day),
# so "1月1日至1年0日" is no range at all rather than "1月1日至1日".
_WEEK_RE = re.compile(
    r"(?<!\d)(?:(?P<y1>\d{1,5})\s*年\s*)?(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})(?!\d)\s*[日号]?\s*"
    r"(?:至|到|[~〜\-—–―‐‑‒−]+)\s*"
    r"(?:(?P<y2>\d{1,5})\s*年\s*)?(?:(?P<m2>\d{1,2})\s*月\s*)?(?P<d2>\d{1,2})(?![\d年月])\s*[日号]?"
)
# The numeric form editors also use: `3.9-3.13`, `3/9—3/13`, `2026.3.9-3.13`, `3.9-13`.
_WEEK_NUM_RE = re.compile(
    r"(?<![\d./])(?:(?P<y1>\d{4})\s*[./年]\s*)?(?P<m1>\d{1,2})\s*[./]\s*(?P<d1>\d{1,2})(?![\d./])\s*"
    r"(?:至|到|[~〜\-—–―‐‑‒−]+)\s*"
    r"(?:(?P<y2>\d{4})\s*[./年]\s*)?(?:(?P<m2>\d{1,2})\s*[./]\s*)?(?P<d2>\d{1,2})(?![\d./])"
)
# "3月9日（周一）至3月13日（周五）": weekday notes are not part of the range.
_WEEKDAY_NOTE_RE = re.compile(r"[(]\s*(?:周|星期|礼拜)[一二三四五六日天]\s*[)]")
_MAX_WEEK_DAYS = 31


def parse_week_title(title: str, published: date | None, url: str = "") -> tuple[date, date]:
    """The week a digest title covers, e.g. `深圳社会工作一周速览（3月9日至3月13日）`.

    Accepts full- or half-width brackets and digits, the separators 至 到 — – - ~ ～, a shortened
    end (`3月2日至6日`; `3月30日至2日` runs into April), and a year on either end. Without a year the
    end falls in the publish year, or the year before when that would put it more than 60 days after
    publication (a late-December week published in January); a start later in the year than the end
    crosses New Year and falls in the year before the end. Invalid dates, ends before starts and
    spans over 31 days raise `ParseError(url, reason)`; nothing else is raised for any text.
    """
    try:
        return _parse_week_title(title, published, url)
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(url, f"unreadable week in title: {type(exc).__name__}") from exc


def _parse_week_title(title: str, published: date | None, url: str) -> tuple[date, date]:
    folded = _WEEKDAY_NOTE_RE.sub("", fold(title or ""))
    match = _WEEK_RE.search(folded) or _WEEK_NUM_RE.search(folded)
    if not match:
        raise ParseError(url, f"no week range in title {clean_line(title)[:80]!r}")
    m1, d1, d2 = int(match["m1"]), int(match["d1"]), int(match["d2"])
    if match["m2"] is not None:
        m2 = int(match["m2"])
    else:
        m2 = m1 if d2 >= d1 else m1 % 12 + 1
    y1 = int(match["y1"]) if match["y1"] else None
    y2 = int(match["y2"]) if match["y2"] else None
    crosses = (m1, d1) > (m2, d2)
    range_text = match.group(0)
    try:
        if y2 is None and y1 is not None:
            y2 = y1 + 1 if crosses else y1
        if y2 is not None:
            end = date(y2, m2, d2)
        else:
            if published is None:
                raise ParseError(url, "the title has no year and the publish date is unknown")
            end = None
            for year in (published.year, published.year - 1):
                try:
                    candidate = date(year, m2, d2)
                except ValueError:
                    continue
                end = candidate
                if candidate <= published + timedelta(days=60):
                    break
            if end is None:
                raise ParseError(url, f"invalid date in week range {range_text!r}")
        if y1 is None:
            y1 = end.year - 1 if crosses else end.year
        start = date(y1, m1, d1)
    except (ValueError, OverflowError):
        raise ParseError(url, f"invalid date in week range {range_text!r}") from None
    if end < start:
        raise ParseError(url, f"week range {range_text!r} ends before it starts")
    span = (end - start).days
    if span > _MAX_WEEK_DAYS:
        raise ParseError(url, f"week range {range_text!r} spans {span} days (limit {_MAX_WEEK_DAYS})")
    return start, end


# --------------------------------------------------------------------------------------------------
# Digest pages
# --------------------------------------------------------------------------------------------------

_DIGEST_MARK = "一周速览"
_DIGEST_MARK_RE = re.compile(r"(?:一|每)\s*周\s*速\s*览")
_DATE_LABELS = r"(?:发布时间|信息提供日期|发布日期|日期|时间)"
_LABELLED_DATE_RE = re.compile(
    _DATE_LABELS + r"\s*[:]?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
_BODY_SELECTORS = (
    "div.news_cont_d_wrap",
    ".TRS_Editor",
    ".articleBox",
    ".content_article",
    ".tyxxy_main",
    "#zoom",
    "#Zoom",
    ".article-content",
    ".article_content",
    ".TRS_UEDITOR",
    ".Custom_UnionStyle",
    ".news_content",
    ".zw",
    "#content",
    ".content",
    "article",
)
# Removed from the tree before any text is read.
_STRIP_TAGS = [
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "canvas", "audio", "video", "button", "select", "textarea",
]  # fmt: skip
# A block boundary: the parser is given the page with a form feed before each of these tags, so one
# C-level `.text()` of a container yields its lines split on "\x0c" (form feed is HTML whitespace,
# so it is never foster-parented out of tables, and clean_line drops any that a page carries).
_BLOCK_RE = re.compile(
    r"<(?=/?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|br|hr|tr|td|th|table|tbody|thead|tfoot|caption|"
    r"section|article|aside|header|footer|nav|main|blockquote|pre|address|figure|figcaption|"
    r"details|summary|center|form|fieldset)[\s/>])",
    re.I,
)
# The same without re.I, which makes the regex compare every character case-insensitively (twice
# the time). Used when `_ODD_TAG_RE` finds no tag name with a character other than a-z and 0-9:
# then every tag re.I would match is lower case, and the two give the same text. (re.I also
# matches non-ASCII look-alikes, ſ for s and K for k: those are "odd" characters too.)
_BLOCK_LOWER_RE = re.compile(_BLOCK_RE.pattern)
_ODD_TAG_RE = re.compile(r"</?[a-z0-9]*[^a-z0-9\s/>!]")
_END_TAG_RE = re.compile(r"</(?:body|html)\s*>", re.I)
# Bold, and the heading fonts of Chinese official documents (黑体 for level-one headings, 楷体 for
# level two, 小标宋 for titles; bodies are 仿宋): a Word paste marks its headings with them.
_BOLD_SELECTOR = "strong, b, h1, h2, h3, h4, h5, h6, [style*='font-weight'], [style*='FONT-WEIGHT']"
# Attribute-substring selectors cost a scan each: added only when the page declares fonts at all.
_FONT_SELECTOR = ", [style*='黑体'], [style*='楷体'], [style*='小标宋'], [style*='SimHei'], [style*='KaiTi'], font[face]"
# A heading font needs a font-family declaration or <font face>: looked for in the page's bytes (a
# bytes search of an ASCII needle is a memchr; a str search of CJK text is ~10x slower).
_FONT_MARKERS = (b"font-family", b"FONT-FAMILY", b"Font-Family", b"face=", b"FACE=")
_NON_ASCII_BYTES = bytes(range(128, 256))
_BOLD_TAGS = frozenset({"strong", "b", "h1", "h2", "h3", "h4", "h5", "h6"})
_BOLD_STYLE_RE = re.compile(
    r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)|font-family\s*:[^;]*(?:黑体|楷体|小标宋|simhei|kaiti)", re.I)
_CENTRE_SELECTOR = "center, [align='center'], [align='middle'], [style*='center'], [style*='CENTER']"
_CENTRE_TAGS = frozenset({"center"})
_CENTRE_STYLE_RE = re.compile(r"text-align\s*:\s*center", re.I)
_FILE_EXT_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|zip|rar|7z|wps|et|pptx?|txt|ofd|csv)(?:$|[?#])", re.I)
_CELL_SEPARATOR = TABLE_CELL_SEPARATOR
_FOLD_HEAD = FOLD_HEAD
_MAX_DATA_CELL = 300  # a table whose cells hold more text is a layout table: its cells stay lines
_WEEK_SCAN_LINES = 6  # how many lines before the first item may carry the week range
_WEEK_LINE_MAX = 40  # … on a line this short ("（4月27日—5月1日）", "本期时间：3月9日至13日")


def parse_digest(data: bytes, url: str, content_type: str | None = None) -> Digest:
    """One digest page → `Digest`; `ParseError(url, reason)` for anything that is not one.

    A page that is a digest (its title says 一周速览) is never refused for its title or for its
    layout: a week the title does not give is read from the first lines of the body, else inferred
    from the publish date (`week_inferred`); items that cannot be split become one unsplit block
    (`degraded`, with `degraded_reason`). `parse_info` says how the parse succeeded.
    """
    return parse_digest_detail(data, url, content_type)[0]


@_only_parse_errors
def parse_digest_detail(data: bytes, url: str, content_type: str | None = None):
    """`(Digest, lines, fates)`: the digest, its content area's lines and each line's fate.

    For tests and diagnostics: `fates[i]` is ("item", position), ("unsplit", 0) or
    ("furniture", class) for `lines[i]` (cache/segment.py).
    """
    post_id = post_id_from_url(url)
    if post_id is None:
        raise ParseError(url, "not a post URL (expected …/post_N.html or …/mpost_N.html)")
    text = _load(data, url, content_type)
    tree = LexborHTMLParser(_mark_blocks(text))
    tree.strip_tags(_STRIP_TAGS)

    title = _digest_title(tree, url)
    if not _DIGEST_MARK_RE.search(fold(title).replace(" ", "")):
        raise ParseError(url, f"not a digest (title {title[:80]!r} lacks {_DIGEST_MARK})")
    published = _publish_date(tree)
    if published is None:
        raise ParseError(url, "no publish date found")
    # The end tags are at the end: look there first (the whole page only when they are not).
    if not (_END_TAG_RE.search(text, max(0, len(text) - 2048)) or _END_TAG_RE.search(text)):
        raise ParseError(url, "page is truncated (no closing </body> or </html>)")

    attachments = _attachments(tree, url)
    raw = bytes(data)
    # Each needle below is ASCII: a page's markup without its other bytes, lowered, holds the lower
    # case of every needle the page holds, so one look there rules most out (a search of CJK bytes
    # is slow: the twelve searches of the whole page were 10 % of its parse). Hits are confirmed
    # in the page itself, so the answers are exactly those of the searches.
    markup = raw.translate(None, _NON_ASCII_BYTES).lower()
    has_tables = b"<table" in markup and (b"<table" in raw or b"<TABLE" in raw or b"<Table" in raw)
    fonts = (b"font-family" in markup or b"face=" in markup) and any(marker in raw for marker in _FONT_MARKERS)
    marks = _Marks(
        bold=_BOLD_SELECTOR + (_FONT_SELECTOR if fonts else ""),
        centre=(b"center" in markup or b"middle" in markup)
        and (b"center" in raw or b"CENTER" in raw or b"middle" in raw or b"Center" in raw),
    )
    chosen = None
    tried: list[str] = []  # content areas that matched but could not be split, for `doctor`
    for scope, via in _scopes(tree):
        lines = _evidence_lines(scope, has_tables, via == "text", marks)
        seg = segment(lines, unsplit_title=title)
        candidate = (lines, seg, via)
        if not seg.items or seg.degraded_reason:
            tried.append(via)
        if seg.items and not seg.degraded_reason:
            chosen = candidate
            break
        if chosen is None or (not chosen[1].items and seg.items):
            chosen = candidate
    if chosen is None:  # no body at all
        chosen = ([], segment([], unsplit_title=title), "none")
    lines, seg, via = chosen

    week_source = "title"
    try:
        week_start, week_end = parse_week_title(title, published, url)
    except ParseError:
        week = _week_from_lines(lines, seg.fates, published, url)
        if week is not None:
            (week_start, week_end), week_source = week, "body"
        else:
            week_start = published - timedelta(days=published.weekday())
            week_end = week_start + timedelta(days=4)
            week_source = "published"
    furniture: dict[str, int] = {}
    for kind, value in seg.fates:
        if kind == "furniture":
            furniture[str(value)] = furniture.get(str(value), 0) + 1
    info = {
        "via": via,
        "tried": [t for t in tried if t != via],
        "family": seg.family,
        "items": len(seg.items),
        "lines": len(lines),
        "furniture": furniture,
        "week_from": week_source,
        "degraded": seg.degraded_reason,
    }
    digest = Digest(
        id=post_id,
        url=url,
        title=title,
        week_start=week_start,
        week_end=week_end,
        published=published,
        items=seg.items,
        attachments=tuple(attachments),
        degraded=bool(seg.degraded_reason),
        degraded_reason=seg.degraded_reason,
        week_inferred=week_source == "published",
        parse_info=info,
    )
    return digest, lines, seg.fates


def _scopes(tree: LexborHTMLParser):
    """Candidate content areas: the known containers (selector named), then the page's text after
    its date line (`via` = "text")."""
    seen: set[int] = set()
    for selector in _BODY_SELECTORS:
        for scope in tree.css(selector)[:3]:
            if scope.mem_id in seen:
                continue
            seen.add(scope.mem_id)
            yield scope, selector
    body = tree.body
    if body is None:
        return
    for selector in ("div.zx_rm_tit", "div.fjdown", "header", "nav", "footer"):
        for node in body.css(selector):
            node.decompose()
    yield body, "text"


def _week_from_lines(lines, fates, published: date, url: str):
    """A week range on a short line among the first lines before the first item (`2026年第18期`
    titles): never from an item's text, where "3月10日-11日" is an event, not the week."""
    for index, line in enumerate(lines[:_WEEK_SCAN_LINES]):
        if fates[index][0] == "item":
            break
        if len(line.text) > _WEEK_LINE_MAX or not re.search(r"\d", line.text):
            continue
        try:
            return parse_week_title(line.text[:200], published, url)
        except ParseError:
            continue
    return None


def _node_line(node: LexborNode | None) -> str:
    if node is None:
        return ""
    return _clean(node.text().replace("\x0c", " "))


def _mark_blocks(text: str) -> str:
    """A form feed before every block tag (`_BLOCK_RE`)."""
    return (_BLOCK_RE if _ODD_TAG_RE.search(text) else _BLOCK_LOWER_RE).sub("\x0c<", text)


def _title_candidates(tree: LexborHTMLParser) -> Iterator[str]:
    yield _node_line(tree.css_first("div.tit h1"))
    yield _clean(_meta(tree, "ArticleTitle"))
    head_title = _node_line(tree.css_first("title"))
    if head_title:
        segments = [s for s in re.split(r"\s*(?:_|\||｜| - | — )\s*", head_title) if s]
        marked = [s for s in segments if _DIGEST_MARK_RE.search(s)]
        yield marked[0] if marked else head_title
    yield _node_line(tree.css_first("h1"))


def _digest_title(tree: LexborHTMLParser, url: str) -> str:
    """`div.tit h1`, then meta ArticleTitle, then `<title>` (its digest segment), then any h1: the
    first that says 一周速览, else the first there is (the later ones are looked up only if needed)."""
    title = first = ""
    for candidate in _title_candidates(tree):
        if candidate and _DIGEST_MARK_RE.search(fold(candidate).replace(" ", "")):
            title = candidate
            break
        first = first or candidate
    else:
        title = first
    if not title:
        raise ParseError(url, "no title")
    if len(title) > MAX_TITLE_CHARS:
        raise ParseError(url, f"title too long ({len(title)} characters; limit {MAX_TITLE_CHARS})")
    return title


def _meta(tree: LexborHTMLParser, name: str) -> str:
    node = tree.css_first(f"meta[name='{name}']") or tree.css_first(f"meta[name='{name.lower()}']")
    return (node.attributes.get("content") or "") if node is not None else ""


def _labelled_date(text: str) -> date | None:
    return _parse_date(text, _LABELLED_DATE_RE)


def _publish_date(tree: LexborHTMLParser) -> date | None:
    """A labelled date in `div.tit h6 span`, then meta PubDate, then a labelled date anywhere."""
    for span in tree.css("div.tit h6 span"):
        when = _labelled_date(span.text())
        if when is not None:
            return when
    heading = tree.css_first("div.tit h6")
    if heading is not None:
        when = _labelled_date(heading.text())
        if when is not None:
            return when
    when = _parse_date(_meta(tree, "PubDate"))
    if when is not None:
        return when
    body = tree.body
    if body is None:
        return None
    text = body.text()
    # A saved or re-templated page may drop the label: the first full date near the top will do.
    return _labelled_date(text) or _parse_date(text[:3000])


def _runs_by_first_char(texts: Iterable[str]) -> dict[str, list[str]]:
    """Texts indexed by their first character, longest first, for prefix matching."""
    index: dict[str, list[str]] = {}
    for text in texts:
        index.setdefault(text[0], []).append(text)
    for runs in index.values():
        runs.sort(key=len, reverse=True)
    return index


def _marked_texts(scope: LexborNode, selector: str, tags: frozenset[str], style: re.Pattern[str],
                  attribute: str | None = None) -> set[str]:
    """Cleaned texts of the blocks inside nodes that match `selector` and really carry the mark."""
    found: set[str] = set()
    for node in scope.css(selector):
        tag = node.tag
        if tag not in tags:  # <strong>, <h3>, <center> carry the mark themselves: no attributes to read
            attributes = node.attributes
            declared = attributes.get("style") or ""
            if tag == "font" and attributes.get("face"):
                declared += ";font-family:" + (attributes.get("face") or "")
            if not style.search(declared):
                if attribute is None or (attributes.get("align") or "").lower() not in ("center", "middle"):
                    continue
        for part in node.text().split("\x0c"):
            part = _clean(part)
            if part:
                found.add(part)
    return found


def _prefix_end(text: str, runs: dict[str, list[str]]) -> int:
    """How much of `text` a sequence of marked runs covers from its start (Word splits runs)."""
    pos = 0
    length = len(text)
    while pos < length:
        for run in runs.get(text[pos], ()):
            if text.startswith(run, pos):
                pos += len(run)
                while pos < length and text[pos] == " ":
                    pos += 1
                break
        else:
            break
    return pos


def _flatten_tables(scope: LexborNode) -> None:
    """Data tables become one line per row, cells separated by " | " (never one line per cell).

    A table counts as data when it holds no other table, some row has two cells or more, and no
    cell holds more than `_MAX_DATA_CELL` characters; layout tables keep their cells as lines. A row
    whose first cell is a district's name becomes `区名：rest`, a heading like any other.
    """
    for table in scope.css("table"):
        if len(table.css("table")) > 1:
            continue
        rows = table.css("tr")
        cells = [[_clean(cell.text().replace("\x0c", " ")) for cell in row.css("td, th")] for row in rows]
        if not rows or max(len(row) for row in cells) < 2:
            continue
        if any(len(cell) > _MAX_DATA_CELL for row in cells for cell in row):
            continue
        for row, texts in zip(rows, cells):
            texts = [text for text in texts if text]
            named = lookup_district("".join(texts[0].split())) if len(texts) >= 2 else None
            if named is not None and named.code != "other":
                # A digest laid out as a table, district | news: the row is that district's item.
                line = f"{texts[0]}：{' '.join(texts[1:])}"
            else:
                line = _CELL_SEPARATOR.join(texts)
            row.replace_with(f"\x0c{line}\x0c" if line else "\x0c")


class _Marks(NamedTuple):
    """Which kinds of visual evidence a page can carry at all (skips selectors that cannot match)."""

    bold: str  # the CSS selector of bold candidates
    centre: bool  # the page mentions centring somewhere


def _evidence_lines(scope: LexborNode, has_tables: bool, after_date: bool, marks: _Marks) -> list[Line]:
    """The content area's lines with the page's evidence about each (cache/segment.py `Line`)."""
    if has_tables:
        _flatten_tables(scope)
    texts = []
    for part in scope.text().split("\x0c"):
        if part and not part.isspace():
            line = _clean(part)
            if line:
                texts.append(line)
    if after_date:
        for index, line in enumerate(texts):
            if _labelled_date(line) is not None:
                texts = texts[index + 1 :]
                break
    bold = _runs_by_first_char(_marked_texts(scope, marks.bold, _BOLD_TAGS, _BOLD_STYLE_RE))
    centred = (_marked_texts(scope, _CENTRE_SELECTOR, _CENTRE_TAGS, _CENTRE_STYLE_RE, "align")
               if marks.centre else set())
    links = _runs_by_first_char(
        t for t in (_clean(a.text().replace("\x0c", " ")) for a in scope.css("a")) if t
    )
    lines = []
    for text in texts:
        bold_end = _prefix_end(text, bold) if bold else 0
        link_end = _prefix_end(text, links) if links else 0
        # Line(text, folded, bold_end, centred, link), positionally: keywords cost a dict per line.
        lines.append(Line(text, fold(text[:_FOLD_HEAD]).replace(" ", ""), bold_end, text in centred,
                          link_end * 10 >= len(text) * 6))
    return lines


def _attachments(tree: LexborHTMLParser, url: str) -> list[Attachment]:
    """Attachments: links in `div.fjdown` and links to documents (.pdf, .docx …) anywhere in the
    page, as (name, absolute URL), page order, each URL once."""
    boxed = {node.mem_id for node in tree.css("div.fjdown a[href]")}
    found: dict[str, Attachment] = {}
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if node.mem_id not in boxed and not _FILE_EXT_RE.search(href):
            continue
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = join_url(url, href)  # None for a link no browser could follow ("http://[::1")
        if absolute is None or not absolute.startswith(("http://", "https://")):
            continue
        name = _clean(node.text().replace("\x0c", " ")) or _clean(node.attributes.get("title") or "")
        if not name:
            name = absolute.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or absolute
        if absolute not in found:
            found[absolute] = Attachment(name[:200], absolute)
    return list(found.values())
