"""Property tests: whatever a page does to the parser, it gets a Digest / ListPage or a ParseError —
never another exception, never a hang. Pathological pages are refused or parsed within stated
bounds (see cache/parser.py's module docstring)."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sz_digest.cache.errors import ParseError
from sz_digest.cache.model import Digest, ListPage
from sz_digest.cache.parser import (
    MAX_PAGE_BYTES,
    MAX_TAGS,
    decode_html,
    parse_digest,
    parse_list_page,
    parse_week_title,
    sample_page,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"
DIGEST_PAGES = [sample_page()[0]] + [p.read_bytes() for p in sorted(PAGES.glob("digest_*.html"))]
LIST_PAGES = [p.read_bytes() for p in sorted(PAGES.glob("list_*.html"))]
URL = "http://szshequ.org.cn/szshgzb/gzyw/content/post_1663876.html"
COLUMN = "http://szshequ.org.cn/szshgzb/gzyw/"
TAG = re.compile(rb"<[^<>]{0,200}>")
ENCODINGS = ["utf-8", "gb18030", "gbk", "big5", "utf-16", "utf-16-le", "shift_jis", "latin-1", "cp1252"]
CONTENT_TYPES = [None, "text/html", "text/html; charset=gbk", "text/html; charset=iso-8859-1",
                 "text/html; charset=utf-8", "text/html; charset=utf-16", "text/html; charset=nonsense"]  # fmt: skip

# Each fuzzed parse must finish inside this: a real parse takes well under a millisecond, so only a
# pathological case (backtracking, a loop per byte) comes near it, while a machine busy with other
# work (CI, benchmarks) does not fail the test.
FUZZ = settings(
    max_examples=300,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated(draw, pages: list[bytes]) -> bytes:
    data = draw(st.sampled_from(pages))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "delete_tag", "duplicate_tag", "insert", "overwrite", "reencode"]))
        if op == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif op in ("delete_tag", "duplicate_tag"):
            tags = list(TAG.finditer(data))
            if not tags:
                continue
            tag = tags[draw(st.integers(0, len(tags) - 1))]
            if op == "delete_tag":
                data = data[: tag.start()] + data[tag.end() :]
            else:
                times = draw(st.integers(1, 50))
                data = data[: tag.start()] + tag.group(0) * times + data[tag.start() :]
        elif op == "insert":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
        elif op == "overwrite":
            if not data:
                continue
            at = draw(st.integers(0, len(data) - 1))
            chunk = draw(st.binary(min_size=1, max_size=32))
            data = data[:at] + chunk + data[at + len(chunk) :]
        else:
            encoding = draw(st.sampled_from(ENCODINGS))
            data = data.decode("utf-8", "replace").encode(encoding, "replace")
    return data


@FUZZ
@given(data=mutated(DIGEST_PAGES), content_type=st.sampled_from(CONTENT_TYPES))
def test_mutated_digest_pages_give_a_digest_or_a_parse_error(data, content_type):
    try:
        digest = parse_digest(data, URL, content_type)
    except ParseError as exc:
        assert exc.url == URL and exc.reason
        return
    assert isinstance(digest, Digest)
    assert digest.items, "a digest is never silently empty"
    assert "一周速览" in digest.title
    assert digest.week_start <= digest.week_end
    for item in digest.items:
        # A district line followed straight by its text makes an item with no title of its own
        # (cache/segment.py): never an item with neither.
        assert item.title or item.paragraphs
        assert all(p for p in item.paragraphs)


def test_a_heading_whose_title_a_broken_tag_swallows_keeps_its_district_and_text():
    """Found by the fuzzer: `</strong` closed by a NUL eats the rest of the heading line (the
    title); the district line and the paragraph under it are still an item, not lost."""
    page = (
        '<html><head><title>深圳社会工作一周速览（4月6日至4月10日）</title></head><body>'
        '<div class="tit"><h1>深圳社会工作一周速览（4月6日至4月10日）</h1><h6><span>发布时间：2026年04月17日</span></h6></div>'
        '<div class="news_cont_d_wrap"><div>'
        '<p><strong>坪山区</strong\x00：开展新就业群体关爱行动</p><p>4月7日，坪山区开展新就业群体关爱行动。</p>'
        '<p><strong>光明区</strong>：召开民生诉求调度会</p><p>4月9日，光明区召开民生诉求调度会。</p>'
        '</div></div></body></html>'
    ).encode("utf-8")
    digest = parse_digest(page, URL, "text/html; charset=utf-8")
    assert [(i.district, i.title, i.paragraphs) for i in digest.items] == [
        ("pingshan", "", ("4月7日，坪山区开展新就业群体关爱行动。",)),
        ("guangming", "召开民生诉求调度会", ("4月9日，光明区召开民生诉求调度会。",)),
    ]


@FUZZ
@given(data=mutated(LIST_PAGES), content_type=st.sampled_from(CONTENT_TYPES))
def test_mutated_list_pages_give_a_list_page_or_a_parse_error(data, content_type):
    try:
        listing = parse_list_page(data, COLUMN, content_type)
    except ParseError as exc:
        assert exc.url == COLUMN
        return
    assert isinstance(listing, ListPage)
    assert len({p.id for p in listing.posts}) == len(listing.posts)
    assert all(u.startswith("http://szshequ.org.cn/") for u in listing.next_urls)
    assert COLUMN not in listing.next_urls


@settings(max_examples=200, deadline=5000)
@given(data=st.binary(max_size=4096), content_type=st.one_of(st.none(), st.text(max_size=60)))
def test_arbitrary_bytes_decode_to_text_and_parse_or_raise_parse_error(data, content_type):
    assert isinstance(decode_html(data, content_type), str)
    for parse in (parse_digest, parse_list_page):
        try:
            parse(data, URL, content_type)
        except ParseError:
            pass


@settings(max_examples=300, deadline=2000)
@given(title=st.text(max_size=200), published=st.one_of(st.none(), st.dates()))
def test_arbitrary_text_into_the_week_parser_raises_only_parse_error(title, published):
    try:
        start, end = parse_week_title(title, published)
    except ParseError as exc:
        assert exc.reason
        return
    assert 0 <= (end - start).days <= 31


@settings(max_examples=300, deadline=2000)
@given(
    y1=st.one_of(st.none(), st.integers(0, 10000)),
    m1=st.integers(0, 99),
    d1=st.integers(0, 99),
    y2=st.one_of(st.none(), st.integers(0, 10000)),
    m2=st.one_of(st.none(), st.integers(0, 99)),
    d2=st.integers(0, 99),
    sep=st.sampled_from(["至", "到", "—", "–", "-", "~", "～", "——"]),
    published=st.dates(),
)
def test_weird_dates_in_titles_are_rejected_with_a_reason(y1, m1, d1, y2, m2, d2, sep, published):
    start_text = (f"{y1}年" if y1 is not None else "") + f"{m1}月{d1}日"
    end_text = (f"{y2}年" if y2 is not None else "") + (f"{m2}月" if m2 is not None else "") + f"{d2}日"
    title = f"深圳社会工作一周速览（{start_text}{sep}{end_text}）"
    try:
        start, end = parse_week_title(title, published)
    except ParseError as exc:
        assert exc.reason
        if not (1 <= m1 <= 12 and 1 <= d1 <= 31):
            assert "invalid date" in exc.reason
        return
    assert (start.month, start.day) == (m1, d1)
    assert end.day == d2 and 0 <= (end - start).days <= 31


def test_feb_30_month_13_and_backwards_ranges_are_rejected():
    for title, reason in [
        ("深圳社会工作一周速览（2月30日至3月3日）", "invalid date"),
        ("深圳社会工作一周速览（13月2日至13月6日）", "invalid date"),
        ("深圳社会工作一周速览（2026年3月6日至2026年3月2日）", "ends before"),
    ]:
        with pytest.raises(ParseError, match=reason):
            parse_week_title(title, date(2026, 3, 20))


# ------------------------------------------------------------------------------------------------
# Pathological pages: refused or parsed within a stated bound
# ------------------------------------------------------------------------------------------------


def timed(fn, *args):
    started = time.perf_counter()
    try:
        result = fn(*args)
    except ParseError as exc:
        result = exc
    return result, time.perf_counter() - started


def wrap(inner: str) -> bytes:
    sample = sample_page()[0].decode("utf-8")
    return sample.replace('<div class="news_cont_d_wrap">', '<div class="news_cont_d_wrap">' + inner, 1).encode()


@pytest.mark.parametrize("tag", ["div", "span", "blockquote", "ul"])
def test_100k_nested_elements_are_refused_quickly(tag):
    unclosed = wrap(f"<{tag}>" * 100_000 + "x")
    closed = wrap(f"<{tag}>" * 100_000 + "x" + f"</{tag}>" * 100_000)
    for data, reason in ((unclosed, "nested too deeply"), (closed, "too many tags")):
        for parse, url in ((parse_digest, URL), (parse_list_page, COLUMN)):
            result, seconds = timed(parse, data, url)
            assert isinstance(result, ParseError) and reason in result.reason
            assert seconds < 0.5


def test_deep_nesting_under_the_tag_limit_is_refused_by_the_depth_estimate():
    data = wrap("<div>" * 5_000 + "x" + "</div>" * 5_000)  # lexbor: ~25 ms; 20k deep: ~0.4 s
    result, seconds = timed(parse_digest, data, URL)
    assert isinstance(result, ParseError) and "nested too deeply" in result.reason
    assert seconds < 0.5


def test_closing_tags_cannot_hide_deep_nesting_from_the_guard():
    data = wrap("</div>" * 100_000 + "<div>" * 100_000)
    result, seconds = timed(parse_digest, data, URL)
    assert isinstance(result, ParseError) and seconds < 1.0


def test_many_moderately_deep_nests_hit_the_work_budget():
    data = wrap(("<div>" * 1000 + "</div>" * 1000) * 70)  # 140k tags, each nest 1000 deep
    result, seconds = timed(parse_digest, data, URL)
    assert isinstance(result, ParseError) and "too costly" in result.reason
    assert seconds < 2.0


def test_reasonable_nesting_still_parses():
    data = wrap("<div>" * 300 + "<p>前言</p>" + "</div>" * 300)
    digest = parse_digest(data, URL)
    assert len(digest.items) == 8


def test_page_just_under_5mb_parses_within_a_second():
    filler = "<p>　　补充段落，用来把页面撑到接近五兆字节。" + "这是一段很长的正文，" * 6 + "到此为止。</p>\n"
    sample = sample_page()[0]
    count = (MAX_PAGE_BYTES - len(sample) - 1024) // len(filler.encode())
    data = wrap("").replace(b"</div>\n    </div>", filler.encode() * count + b"</div>\n    </div>", 1)
    assert MAX_PAGE_BYTES - 1024 * 64 < len(data) <= MAX_PAGE_BYTES
    result, seconds = timed(parse_digest, data, URL)
    assert isinstance(result, Digest)
    assert len(result.items) == 8
    assert len(result.items[-1].paragraphs) == count + 1
    assert seconds < 2.0


def test_5mb_of_tags_is_refused_quickly():
    data = ("<html><body>" + "<br>" * (MAX_PAGE_BYTES // 4 - 10)).encode()
    for parse, url in ((parse_digest, URL), (parse_list_page, COLUMN)):
        result, seconds = timed(parse, data, url)
        assert isinstance(result, ParseError) and "too many tags" in result.reason
        assert seconds < 0.5


def test_just_under_the_tag_limit_parses_within_bound():
    data = ("<html><body>" + "<br>" * (MAX_TAGS - 100) + "</body></html>").encode()
    result, seconds = timed(parse_digest, data, URL)
    assert isinstance(result, ParseError) and "no title" in result.reason
    result, seconds = timed(parse_list_page, data, COLUMN)
    assert isinstance(result, ListPage) and result.posts == ()
    assert seconds < 1.0


def test_100k_character_title_is_refused():
    sample = sample_page()[0].decode("utf-8")
    long_title = "深圳社会工作一周速览（3月9日至3月13日）" + "啊" * 100_000
    data = sample.replace("<h1>深圳社会工作一周速览（3月9日至3月13日）</h1>", f"<h1>{long_title}</h1>").encode()
    result, seconds = timed(parse_digest, data, URL)
    assert isinstance(result, ParseError) and "title too long" in result.reason
    assert seconds < 1.0


def test_100k_character_week_title_into_the_week_parser_is_bounded():
    result, seconds = timed(parse_week_title, "1月" * 50_000 + "1日至", date(2026, 1, 1))
    assert isinstance(result, ParseError)
    assert seconds < 1.0
