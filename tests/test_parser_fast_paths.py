"""The parser's fast paths give exactly what the plain code they replace gives, for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sz_digest.cache import parser
from sz_digest.cache.text import clean_line

# Tag-ish text: both cases, the non-ASCII letters re.I matches (ſ K ı İ), whitespace of every kind,
# controls, CJK, and the punctuation of tags and comments.
_PIECES = st.sampled_from(["<", "</", ">", "/", "!", "?", " ", "\t", "\n", "\x0c", "\u3000", "\xa0", "\x00", "\x1b",
                           "\x7f", "\ufffd", "\u202e", "\ud800", "p", "P", "div", "DiV", "dıv", "br", "bR", "h1", "H6",
                           "td", "tD", "table", "ſection", "\u212a", "İ", "li", "ul", "x", "1", "=", "\"", "社工",
                           "：", "a", "span", "<!--", "-->", "<!DOCTYPE html>"])
_TEXTS = st.lists(_PIECES, max_size=60).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_TEXTS)
def test_block_marks_are_the_case_insensitive_regexs(text):
    assert parser._mark_blocks(text) == parser._BLOCK_RE.sub("\x0c<", text)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(_TEXTS, st.text(max_size=80)))
def test_debris_count_is_the_regexs(text):
    assert parser._debris_count(text) == len(parser._DEBRIS_RE.findall(text))


@settings(max_examples=2000, deadline=None)
@given(st.one_of(_TEXTS, st.text(max_size=80)))
def test_clean_is_clean_line_of_the_collapsed_text(text):
    assert parser._clean(text) == clean_line(" ".join(text.split()))


def _furniture_alphabet() -> str:
    from sz_digest.cache import segment

    footer = dict(segment._ZONE_RULES)["footer"].pattern
    return "".join(sorted(set(segment._ANCHORED_CHARS) | set(footer) | set("福田区开展活动社工3３٣_ 　,.:")))


_FURNITURE_LINES = st.one_of(
    st.text(alphabet=_furniture_alphabet(), max_size=50),
    st.lists(st.sampled_from(["来源", "（", "福田区", "供稿", "）", "附件", "相关文章", "分享到", "上一篇", "版权所有",
                              "icp", "2026", "年", "3", "月", "日", "各区动态", "一、", "发布时间", ":", "：", "※",
                              "—", "end", "完", "_", "社工站开展服务", "首页>"]), max_size=8).map("".join),
    st.text(max_size=40),
)


@settings(max_examples=3000, deadline=None)
@given(_FURNITURE_LINES)
def test_furniture_class_is_its_rules_one_by_one(folded):
    from sz_digest.cache import segment

    expected = None if len(folded) > segment._FURNITURE_MAX else segment._furniture_rules(folded)
    assert segment.furniture_class(folded) == expected
