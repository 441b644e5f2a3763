"""Issue 12's coverage property: for any page the parser accepts, items + the unsplit block +
named furniture cover every paragraph of the content area, in page order — nothing dropped,
nothing duplicated. Pages are generated from the pieces editors really use (every heading family,
bold/centred/plain runs, Word spans, tables, captions, field lines, furniture)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from page_builders import styled
from sz_digest.cache.parser import parse_digest_detail

POST = "http://szshequ.org.cn/szshgzb/gzyw/content/post_1700200.html"

LABELS = ["福田区", "罗湖", "南山区", "深汕", "前海合作区", "市委社会工作部", "河套合作区", "会议指出", "活动时间", "一是"]
TITLES = ["开展社区活动", "召开工作推进会。", "举办“社工进小区”活动", "过去一年工作成效显著，要再接再厉。"]
SENTENCES = [
    "3月10日，福田区开展社区活动，居民200余人参加。",
    "会议强调：要压实责任，推动工作落实落细。",
    "活动现场气氛热烈。",
    "图为活动现场",
    "报名方式：关注公众号在线报名",
    "本周各区社会工作部门围绕重点工作持续发力，取得积极成效，群众满意度持续提升。",
]
FURNITURE = ["（来源：福田区委社会工作部）", "责任编辑：张三", "相关文章", "分享到：微信", "版权所有 © 深圳", "附件：名单.docx",
             "上一篇：深圳社会工作一周速览"]
NUMBERS = ["", "一、", "1. ", "（一）", "①"]


def wrap(text: str, style: str) -> str:
    if style == "centred":  # centred without bold: a caption's look
        return f"<p style='text-align:center'>{text}</p>"
    return styled(text, style)


@st.composite
def blocks(draw):
    kind = draw(st.sampled_from(["heading", "bracket", "district", "runin", "para", "para", "furniture", "table", "link"]))
    style = draw(st.sampled_from(["bold", "centred", "plain", "word"]))
    label, title = draw(st.sampled_from(LABELS)), draw(st.sampled_from(TITLES))
    number = draw(st.sampled_from(NUMBERS))
    if kind == "heading":
        return wrap(f"{number}{label}：{title}", style)
    if kind == "bracket":
        return wrap(f"{number}【{label}】{title}", style)
    if kind == "district":
        return wrap(f"{number}{label}", style)
    if kind == "runin":
        return f"<p><b>{label}：{title}</b>{draw(st.sampled_from(SENTENCES))}</p>"
    if kind == "furniture":
        return wrap(draw(st.sampled_from(FURNITURE)), style)
    if kind == "table":
        cells = draw(st.lists(st.sampled_from(["时间", "3月11日", "内容", "福田区：召开会议"]), min_size=2, max_size=3))
        return "<table><tr>" + "".join(f"<td><p>{c}</p></td>" for c in cells) + "</tr></table>"
    if kind == "link":
        return f"<ul><li><a href='post_9.html'>{label}：{title}</a></li></ul>"
    return wrap(draw(st.sampled_from(SENTENCES)), style)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(blocks(), min_size=0, max_size=25))
def test_every_line_of_the_content_area_has_exactly_one_fate_in_page_order(parts):
    html = (
        '<html><head><meta charset="utf-8"></head><body><div class="tit"><h1>深圳社会工作一周速览（3月9日至3月13日）</h1>'
        '<h6><span>发布时间：2026-03-20</span></h6></div><div class="news_cont_d_wrap">'
        + "".join(parts) + "</div></body></html>"
    ).encode()
    digest, lines, fates = parse_digest_detail(html, POST)  # a digest page is never refused for its layout
    assert len(fates) == len(lines)
    by_item: dict[int, list[str]] = {}
    unsplit: list[str] = []
    last_position = -1
    for line, (kind, value) in zip(lines, fates):
        if kind == "item":
            assert value >= last_position, "items out of page order"
            last_position = value
            by_item.setdefault(value, []).append(line.text)
        elif kind == "unsplit":
            unsplit.append(line.text)
        else:
            assert kind == "furniture" and isinstance(value, str) and value
    if digest.degraded:
        assert not by_item and len(digest.items) == 1
        assert digest.items[0].paragraphs == tuple(unsplit)
        return
    assert not unsplit
    assert sorted(by_item) == list(range(len(digest.items)))
    for item in digest.items:
        texts = by_item[item.position]
        # The first line is the heading (or a district line); a run-in heading's rest is the first
        # paragraph. Every other line is one paragraph, in order, once.
        if item.paragraphs[: 1] and len(item.paragraphs) == len(texts):
            assert texts[0].endswith(item.paragraphs[0])
            assert item.paragraphs[1:] == tuple(texts[1:])
        else:
            assert item.paragraphs == tuple(texts[1:])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES + TITLES), min_size=1, max_size=12))
def test_the_content_area_lines_hold_every_paragraph_of_the_page(paragraphs):
    html = (
        '<html><head><meta charset="utf-8"></head><body><div class="tit"><h1>深圳社会工作一周速览（3月9日至3月13日）</h1>'
        '<h6><span>发布时间：2026-03-20</span></h6></div><div class="news_cont_d_wrap">'
        + "".join(wrap(p, "word") for p in paragraphs) + "</div></body></html>"
    ).encode()
    digest, lines, fates = parse_digest_detail(html, POST)
    assert [line.text for line in lines] == paragraphs
