"""Parser behaviour over fixture pages: every page variant SOURCE.md names, list pages, charsets,
hostile text, and the pages that must be refused with a ParseError."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import pytest

from sz_digest.cache.errors import ParseError
from sz_digest.cache.parser import (
    MAX_PAGE_BYTES,
    decode_html,
    parse_digest,
    parse_list_page,
    parse_week_title,
    sample_page,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"
POST = "http://szshequ.org.cn/szshgzb/gzyw/content/post_1700001.html"
COLUMN = "http://szshequ.org.cn/szshgzb/gzyw/"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def summary(digest) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(i.district, i.district_name, i.title, i.paragraphs) for i in digest.items]


def minimal_digest(body: str, title: str = "深圳社会工作一周速览（3月9日至3月13日）") -> bytes:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f'<div class="tit"><h1>{title}</h1><h6><span>发布时间：2026-03-20</span></h6></div>'
        f'<div class="news_cont_d_wrap">{body}</div></body></html>'
    ).encode("utf-8")


# ------------------------------------------------------------------------------------------------
# Digest page variants
# ------------------------------------------------------------------------------------------------


def test_wholly_bold_headings_halfwidth_punctuation_short_names_across_new_year():
    digest = parse_digest(page("digest_wholly_bold_halfwidth.html"), POST)
    assert digest.id == "1700001"
    assert digest.title == "深圳社会工作一周速览(12月29日至1月2日)"
    assert (digest.week_start, digest.week_end) == (date(2025, 12, 29), date(2026, 1, 2))
    assert digest.published == date(2026, 1, 9)
    assert summary(digest) == [
        ("futian", "福田区", "辖区社工站开展新年关爱活动",
         ("12月30日,福田区各社工站开展新年关爱活动。", "活动共服务居民300余人次。")),
        ("nanshan", "南山区", "召开社区治理工作推进会", ("12月31日,南山区召开社区治理工作推进会。",)),
        ("nanshan", "南山区", "举办志愿服务培训",
         ("1月2日,南山区举办志愿服务骨干培训。", "培训覆盖全区8个街道。")),
        ("dapeng", "大鹏新区", "开展渔村邻里节活动", ("12月29日,大鹏新区开展渔村邻里节活动。",)),
        ("shenshan", "深汕特别合作区", "推进小区治理试点", ("1月2日,深汕特别合作区推进小区治理试点。",)),
    ]  # fmt: skip
    assert [i.position for i in digest.items] == [0, 1, 2, 3, 4]


def test_plain_paragraph_headings_city_and_unknown_labels_and_colon_sentences_in_bodies():
    digest = parse_digest(page("digest_plain_p.html"), POST)
    assert (digest.week_start, digest.week_end) == (date(2026, 3, 16), date(2026, 3, 20))
    assert digest.published == date(2026, 3, 27)
    assert summary(digest) == [
        ("city", "市级", "召开全市新兴领域党建工作会议", (
            "3月17日，市委社会工作部召开全市新兴领域党建工作会议。会议指出：新兴领域党建是基层党建的重要组成部分。",
            "会议指出：过去一年全市新兴领域党建工作取得明显成效，各区要总结经验、查找不足，推动工作再上新台阶。",
            "会议强调：要压实责任。",
        )),
        ("yantian", "盐田区", "开展海滨社区邻里节", ("3月18日，盐田区开展海滨社区邻里节，吸引居民500余人参加。",)),
        ("other", "前海合作区", "举办青年社工交流活动",
         ("3月19日，前海合作区举办青年社工交流活动，来自各区的社工代表参加交流。",)),
        ("city", "市级", "社工机构年度检查启动",
         ("3月20日，全市社工机构年度检查工作正式启动，各机构须于4月底前提交材料。",)),
    ]  # fmt: skip


def test_span_font_weight_headings_trs_editor_shortened_end_and_slash_date_with_time():
    digest = parse_digest(page("digest_span_bold.html"), POST)
    assert (digest.week_start, digest.week_end) == (date(2026, 3, 2), date(2026, 3, 6))
    assert digest.published == date(2026, 3, 10)
    # "一是：…。" is label-bold but a sentence: body, not an item. The script's "福田区：…", the
    # share line and the related article (龙岗区：…) are not items either.
    assert summary(digest) == [
        ("luohu", "罗湖区", "举办社区议事会培训", ("3月3日，罗湖区举办社区议事会培训，邀请专家授课。",)),
        ("baoan", "宝安区", "开展“每周一评”回头看",
         ("3月5日，宝安区对上期评议问题整改情况开展回头看。", "一是：压实整改责任，逐项销号。")),
    ]  # fmt: skip


def test_h3_headings_article_box_year_in_title_and_unknown_bold_label_kept_as_other():
    digest = parse_digest(page("digest_h3.html"), POST)
    assert digest.title == "深圳社会工作一周速览（2025年12月29日—2026年1月2日）"
    assert (digest.week_start, digest.week_end) == (date(2025, 12, 29), date(2026, 1, 2))
    assert digest.published == date(2026, 1, 8)
    assert summary(digest) == [
        ("yantian", "盐田区", "召开年度社会工作总结会", ("12月30日，盐田区召开年度社会工作总结会。",)),
        ("other", "前海管理局", "开展跨境社工交流",
         ("12月31日，前海管理局开展跨境社工交流活动。", "交流活动为期两天。")),
        ("longgang", "龙岗区", "组织新就业群体新春慰问", ("1月2日，龙岗区组织新就业群体新春慰问活动。",)),
    ]  # fmt: skip


def test_br_separated_lines_in_one_paragraph_mpost_url_and_meta_pubdate():
    url = "http://szshequ.org.cn/szshgzb/gzyw/content/mpost_1700005.html"
    digest = parse_digest(page("digest_br.html"), url)
    assert digest.id == "1700005"
    assert digest.url == url
    assert digest.title == "深圳社会工作一周速览(3月23日~3月27日)"
    assert (digest.week_start, digest.week_end) == (date(2026, 3, 23), date(2026, 3, 27))
    assert digest.published == date(2026, 4, 1)
    assert summary(digest) == [
        ("longhua", "龙华区", "开展社工服务质量评估",
         ("3月24日，龙华区开展社工服务质量评估。", "评估覆盖全区社工站点。")),
        ("pingshan", "坪山区", "举办社区邻里文化节", ("3月26日，坪山区举办社区邻里文化节。",)),
    ]  # fmt: skip


def test_unknown_template_falls_back_to_text_between_date_line_and_attachments():
    digest = parse_digest(page("digest_text_fallback.html"), POST)
    # The title comes from <title>, minus its column/site segments.
    assert digest.title == "深圳社会工作一周速览（3月30日到4月3日）"
    assert (digest.week_start, digest.week_end) == (date(2026, 3, 30), date(2026, 4, 3))
    assert digest.published == date(2026, 4, 7)
    assert summary(digest) == [
        ("guangming", "光明区", "召开社区社会组织培育工作会",
         ("3月31日，光明区召开社区社会组织培育工作会，部署年度培育任务。",)),
        ("futian", "福田区", "开展“社工进小区”活动", ("4月1日，福田区开展“社工进小区”活动。", "活动覆盖20个小区。")),
    ]  # fmt: skip


def test_gb18030_page_declared_gb2312_in_http_equiv():
    data = page("digest_gb18030.html")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    digest = parse_digest(data, POST, "text/html")
    assert (digest.week_start, digest.week_end) == (date(2026, 4, 6), date(2026, 4, 10))
    assert summary(digest) == [
        ("pingshan", "坪山区", "开展新就业群体关爱行动", ("4月7日，坪山区开展新就业群体关爱行动，为快递员送上清凉包。",)),
        ("guangming", "光明区", "召开民生诉求调度会", ("4月9日，光明区召开民生诉求调度会。",)),
    ]  # fmt: skip


def test_non_digest_post_is_refused():
    with pytest.raises(ParseError) as caught:
        parse_digest(page("not_digest_annual_review.html"), POST.replace("1700001", "1654482"))
    assert "not a digest" in caught.value.reason
    assert caught.value.url.endswith("post_1654482.html")


def test_related_articles_inside_the_body_container_are_not_items():
    body = (
        "<p><strong>福田区</strong>：开展活动</p><p>　　3月10日，福田区开展活动。</p>"
        "<p>相关文章</p><ul><li><a href='post_1.html'>罗湖区：召开会议</a></li></ul>"
    )
    digest = parse_digest(minimal_digest(body), POST)
    assert summary(digest) == [("futian", "福田区", "开展活动", ("3月10日，福田区开展活动。",))]


def test_heading_shaped_links_are_not_items_even_without_a_related_heading():
    body = (
        "<p>南山区：召开会议</p><p>　　3月11日，南山区召开会议，部署全年工作。</p>"
        "<p><a href='post_2.html'>罗湖区：召开另一个会议</a></p><p>很长的一段文字，用来确认链接行不会被当作标题。</p>"
    )
    digest = parse_digest(minimal_digest(body), POST)
    assert [i.title for i in digest.items] == ["召开会议"]


def test_heading_followed_directly_by_heading_keeps_an_item_without_paragraphs():
    body = "<p>福田区：甲</p><p>罗湖区：乙</p><p>　　3月12日，罗湖区开展乙活动。</p>"
    digest = parse_digest(minimal_digest(body), POST)
    assert summary(digest) == [
        ("futian", "福田区", "甲", ()),
        ("luohu", "罗湖区", "乙", ("3月12日，罗湖区开展乙活动。",)),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "会议指出：过去一年工作成效显著，要再接再厉。",  # unknown label, a sentence
        "<strong>一是</strong>：压实责任，推动工作落实落细。",  # label bold, but a sentence
        "会议强调：要压实责任，",  # ends with clause punctuation
        "3月12日：召开会议",  # digits in the label
        "责任编辑：张三",  # page furniture
    ],
)
def test_colon_lines_that_are_body_text_are_not_headings(line):
    body = f"<p><strong>福田区</strong>：开展活动</p><p>　　第一段。</p><p>{line}</p><p>　　第二段比较长，写了很多内容，用来当作后续段落。</p>"
    digest = parse_digest(minimal_digest(body), POST)
    assert len(digest.items) == 1
    assert digest.items[0].paragraphs[0] == "第一段。"


@pytest.mark.parametrize(
    ("line", "district", "name", "title"),
    [
        ("前海合作区：举办青年社工交流活动", "other", "前海合作区", "举办青年社工交流活动"),  # plain
        ("<strong>前海管理局：开展跨境交流</strong>", "other", "前海管理局", "开展跨境交流"),  # bold
        ("<b>市委社会工作部</b>:召开全市会议", "city", "市级", "召开全市会议"),
        ("南山区委社会工作部：召开会议", "nanshan", "南山区", "召开会议"),
        ("<h3>龙岗 ： 召开座谈会</h3>", "longgang", "龙岗区", "召开座谈会"),
        ("大鹏新区﹕开展活动", "dapeng", "大鹏新区", "开展活动"),  # small form colon, NFKC ":"
    ],
)
def test_heading_forms_become_items(line, district, name, title):
    body = f"<p><strong>福田区</strong>：开展活动</p><p>　　第一段。</p>{line}<p>　　第二段比较长，写了很多内容，用来当作后续段落。</p>"
    digest = parse_digest(minimal_digest(body), POST)
    assert [(i.district, i.district_name, i.title) for i in digest.items][1] == (district, name, title)
    assert digest.items[1].paragraphs == ("第二段比较长，写了很多内容，用来当作后续段落。",)


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        ("发布时间", "2026年03月20日 10:30", date(2026, 3, 20)),
        ("信息提供日期", "2026-3-20", date(2026, 3, 20)),
        ("发布日期", "2026/03/20 08:00:00", date(2026, 3, 20)),
        ("日期", "２０２６年３月２０日", date(2026, 3, 20)),  # full-width digits
        ("时间", "2026-03-20", date(2026, 3, 20)),
    ],
)
def test_publish_date_labels_and_formats(label, value, expected):
    html = (
        '<html><head><meta charset="utf-8"></head><body><div class="tit"><h1>深圳社会工作一周速览（3月9日至3月13日）</h1>'
        f"<h6><span>来源：本站</span><span>{label}：{value}</span></h6></div>"
        '<div class="news_cont_d_wrap"><p>福田区：开展活动</p><p>　　3月9日，福田区开展活动。</p></div></body></html>'
    )
    assert parse_digest(html.encode(), POST).published == expected


def test_publish_date_falls_back_to_a_labelled_date_in_the_text():
    html = (
        '<html><head><meta charset="utf-8"></head><body><h1>深圳社会工作一周速览（3月9日至3月13日）</h1>'
        '<p class="info">发布时间：2026年3月20日</p>'
        '<div class="news_cont_d_wrap"><p>福田区：开展活动</p><p>　　3月9日，福田区开展活动。</p></div></body></html>'
    )
    digest = parse_digest(html.encode(), POST)
    assert digest.published == date(2026, 3, 20)
    assert digest.title == "深圳社会工作一周速览（3月9日至3月13日）"


def test_meta_article_title_is_the_fallback_title():
    html = (
        '<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="深圳社会工作一周速览（3月9日至3月13日）">'
        '<meta name="PubDate" content="2026-03-20 09:00"></head><body>'
        '<div class="news_cont_d_wrap"><p>福田区：开展活动</p><p>　　3月9日，福田区开展活动。</p></div></body></html>'
    )
    digest = parse_digest(html.encode(), POST)
    assert digest.title == "深圳社会工作一周速览（3月9日至3月13日）"
    assert digest.published == date(2026, 3, 20)


# ------------------------------------------------------------------------------------------------
# Hostile text
# ------------------------------------------------------------------------------------------------


def test_markup_survives_literally_and_controls_escapes_bidi_and_invisibles_are_removed():
    digest = parse_digest(page("digest_hostile.html"), POST)
    assert digest.title == "深圳社会工作一周速览（5月4日至5月8日）[bold red]加急[/bold red]"
    assert summary(digest) == [
        ("futian", "福田区", "[bold red]紧急[/bold red]通知", ("正文清屏与实体隔离零宽[@click=app.quit]点我[/]",)),
        ("luohu", "罗湖区", "[link=http://evil.example]链接[/link]标题", ("第二条正文。",)),
    ]  # fmt: skip
    every = [digest.title] + [t for i in digest.items for t in (i.district_name, i.title, *i.paragraphs)]
    for text in every:
        assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in text), text
        assert not any(ch in text for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200d")


# ------------------------------------------------------------------------------------------------
# Pages that must be refused
# ------------------------------------------------------------------------------------------------

_SAMPLE, _SAMPLE_URL = sample_page()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty page"),
        (bytes(range(256)) * 40, "not an HTML page"),
        (b'{"code": 500, "msg": "internal error"}', "not an HTML page"),
        ("纯文本，没有任何标签。".encode(), "not an HTML page"),
        (_SAMPLE[: len(_SAMPLE) // 2], "truncated"),
        (_SAMPLE.replace("深圳社会工作一周速览".encode(), "深圳社会工作动态".encode()), "not a digest"),
        ('<html><head><meta charset="utf-8"></head><body><p>福田区：开展活动</p></body></html>'.encode(), "no title"),
        (minimal_digest("<p>福田区：甲</p>", title="深圳社会工作一周速览（3月9日至3月13日）" + "长" * 100_000), "title too long"),
    ],
    ids=[
        "empty", "binary", "json", "plain-text", "truncated", "not-digest", "no-title", "huge-title",
    ],
)  # fmt: skip
def test_pages_that_must_raise(data, reason):
    with pytest.raises(ParseError) as caught:
        parse_digest(data, _SAMPLE_URL)
    assert reason in caught.value.reason
    assert caught.value.url == _SAMPLE_URL


# Issue 12: a digest is never refused for its title or its layout. These pages used to raise; now
# they are kept, with the week inferred from the publish date or the text as one unsplit block.
@pytest.mark.parametrize(
    "title",
    [
        "深圳社会工作一周速览（2月30日至3月4日）",
        "深圳社会工作一周速览（13月1日至13月5日）",
        "深圳社会工作一周速览（2026年3月13日至2026年3月9日）",
        "深圳社会工作一周速览（1月1日至3月13日）",
        "深圳社会工作一周速览",
    ],
    ids=["feb-30", "month-13", "end-before-start", "span", "no-range"],
)
def test_unreadable_week_in_title_is_inferred_from_the_publish_date(title):
    digest = parse_digest(minimal_digest("<p>福田区：甲</p>", title=title), POST)
    assert digest.week_inferred
    assert (digest.week_start, digest.week_end) == (date(2026, 3, 16), date(2026, 3, 20))  # published Fri 3-20
    assert [i.title for i in digest.items] == ["甲"]
    assert not digest.degraded


@pytest.mark.parametrize(
    "body",
    ["<p>本周无动态。</p>", "<p>会议指出：过去一年工作成效显著，要再接再厉。</p><p>要压实责任。</p>"],
    ids=["no-headings", "only-colon-sentences"],
)
def test_digest_without_headings_is_kept_as_one_unsplit_block(body):
    digest = parse_digest(minimal_digest(body), POST)
    assert digest.degraded and "no item headings" in digest.degraded_reason
    assert len(digest.items) == 1
    assert digest.items[0].district == "other"
    assert digest.parse_info["degraded"] == digest.degraded_reason


def test_url_without_a_post_id_is_refused():
    with pytest.raises(ParseError, match="not a post URL"):
        parse_digest(_SAMPLE, "http://szshequ.org.cn/szshgzb/gzyw/index.html")


def test_page_over_the_size_limit_is_refused_before_parsing():
    data = _SAMPLE + b" " * (MAX_PAGE_BYTES + 1 - len(_SAMPLE))
    with pytest.raises(ParseError, match="page too large"):
        parse_digest(data, _SAMPLE_URL)
    with pytest.raises(ParseError, match="page too large"):
        parse_list_page(data, COLUMN)


def test_publish_date_missing_is_refused():
    html = minimal_digest("<p>福田区：甲</p><p>　　正文。</p>").replace("发布时间：2026-03-20".encode(), b"")
    with pytest.raises(ParseError, match="no publish date"):
        parse_digest(html, POST)


# ------------------------------------------------------------------------------------------------
# Week titles
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "published", "start", "end"),
    [
        ("深圳社会工作一周速览（3月9日至3月13日）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览(3月9日至3月13日)", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（3月2日至6日）", date(2026, 3, 10), date(2026, 3, 2), date(2026, 3, 6)),
        ("深圳社会工作一周速览（3月30日至3日）", date(2026, 4, 8), date(2026, 3, 30), date(2026, 4, 3)),
        ("深圳社会工作一周速览（3月9日—3月13日）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（3月9日–3月13日）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（3月9日-3月13日）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（3月9日~3月13日）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（3月9日～3月13日）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（3月9日到3月13日）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（３月９日至３月１３日）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（12月29日至1月2日）", date(2026, 1, 9), date(2025, 12, 29), date(2026, 1, 2)),
        ("深圳社会工作一周速览（12月22日至12月26日）", date(2026, 1, 5), date(2025, 12, 22), date(2025, 12, 26)),
        ("深圳社会工作一周速览（12月22日至12月26日）", date(2025, 12, 30), date(2025, 12, 22), date(2025, 12, 26)),
        ("深圳社会工作一周速览（2025年12月29日至2026年1月2日）", date(2026, 1, 9), date(2025, 12, 29), date(2026, 1, 2)),
        ("深圳社会工作一周速览（2025年12月29日至1月2日）", date(2026, 1, 9), date(2025, 12, 29), date(2026, 1, 2)),
        ("深圳社会工作一周速览（12月29日至2026年1月2日）", date(2026, 1, 9), date(2025, 12, 29), date(2026, 1, 2)),
        ("深圳社会工作一周速览（2月26日至3月2日）", date(2024, 3, 8), date(2024, 2, 26), date(2024, 3, 2)),
        ("深圳社会工作一周速览（2月29日至3月4日）", date(2028, 3, 10), date(2028, 2, 29), date(2028, 3, 4)),
        # Issue 12: the numeric forms editors also use, weekday notes, a year before the name.
        ("深圳社会工作一周速览（3.9-3.13）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（3/9—3/13）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（３．９－３．１３）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（2026.3.9-3.13）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（12.29-1.2）", date(2026, 1, 9), date(2025, 12, 29), date(2026, 1, 2)),
        ("深圳社会工作一周速览（3.9-13）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("深圳社会工作一周速览（3月9日（周一）至3月13日（周五））", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
        ("2026年深圳社会工作一周速览（3月9日-13日）", date(2026, 3, 20), date(2026, 3, 9), date(2026, 3, 13)),
    
    ],
)  # fmt: skip
def test_week_titles(title, published, start, end):
    assert parse_week_title(title, published) == (start, end)


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("深圳社会工作一周速览（2月30日至3月4日）", "invalid date"),
        ("深圳社会工作一周速览（13月1日至13月5日）", "invalid date"),
        ("深圳社会工作一周速览（0月1日至0月5日）", "invalid date"),
        ("深圳社会工作一周速览（2026年3月13日至2026年3月9日）", "ends before"),
        ("深圳社会工作一周速览（2026年3月13日至2025年3月20日）", "ends before"),
        ("深圳社会工作一周速览（1月1日至3月13日）", "spans"),
        ("深圳社会工作一周速览", "no week range"),
        ("", "no week range"),
    ],
)
def test_week_titles_rejected_with_a_reason(title, reason):
    with pytest.raises(ParseError) as caught:
        parse_week_title(title, date(2026, 3, 20), url="http://x/post_1.html")
    assert reason in caught.value.reason
    assert caught.value.url == "http://x/post_1.html"


def test_week_title_without_a_year_needs_a_publish_date():
    with pytest.raises(ParseError, match="no year"):
        parse_week_title("深圳社会工作一周速览（3月9日至3月13日）", None)
    assert parse_week_title("深圳社会工作一周速览（2026年3月9日至3月13日）", None) == (
        date(2026, 3, 9),
        date(2026, 3, 13),
    )


# ------------------------------------------------------------------------------------------------
# Charset decoding
# ------------------------------------------------------------------------------------------------

TEXT = "<p>深圳社会工作一周速览：福田区开展活动</p>"


def test_decode_bom_wins():
    assert decode_html(codecs.BOM_UTF8 + TEXT.encode("utf-8"), "text/html; charset=gbk") == TEXT
    assert decode_html(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")) == TEXT
    assert decode_html(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")) == TEXT


def test_decode_meta_charset_only():
    data = ('<meta charset="gbk">' + TEXT).encode("gb18030")
    assert decode_html(data) == '<meta charset="gbk">' + TEXT


def test_decode_http_equiv_content_type():
    head = '<meta http-equiv="Content-Type" content="text/html; charset=GB2312">'
    assert decode_html((head + TEXT).encode("gb18030")) == head + TEXT


def test_decode_header_charset_when_the_page_declares_none():
    big5 = "<p>社會工作週報</p>"
    assert decode_html(big5.encode("big5"), "text/html; charset=big5") == big5


def test_decode_gb18030_without_any_declaration():
    assert decode_html(TEXT.encode("gb18030")) == TEXT
    assert decode_html(TEXT.encode("gb18030"), "text/html") == TEXT


@pytest.mark.parametrize("header", ["text/html; charset=gbk", "text/html; charset=iso-8859-1", "text/html;charset=windows-1252"])
def test_decode_content_type_lying_about_the_charset(header):
    data = ('<meta charset="utf-8">' + TEXT).encode("utf-8")
    assert decode_html(data, header) == '<meta charset="utf-8">' + TEXT
    digest = parse_digest(_SAMPLE, _SAMPLE_URL, header)
    assert digest.items[2].title == "召开树立和践行正确政绩观学习教育动员部署会"


def test_decode_never_guesses_latin1():
    data = TEXT.encode("gb18030")
    assert decode_html(data, "text/html; charset=iso-8859-1") == TEXT
    assert decode_html(('<meta charset="latin1">' + TEXT).encode("gb18030")).endswith(TEXT)


def test_decode_truncated_utf8_stays_utf8_instead_of_mojibake():
    data = TEXT.encode("utf-8")[:-8]  # cut in the middle of a character
    decoded = decode_html(data, "text/html; charset=gbk")
    assert decoded.startswith("<p>深圳社会工作一周速览：福田区开展")


@pytest.mark.parametrize("label", ["rot13", "base64", "x-no-such-charset", "utf-7", "utf-16"])
def test_decode_ignores_unusable_labels(label):
    data = (f'<meta charset="{label}">' + TEXT).encode("gb18030")
    assert decode_html(data, f"text/html; charset={label}").endswith(TEXT)


# ------------------------------------------------------------------------------------------------
# List pages
# ------------------------------------------------------------------------------------------------


def test_nfcms_list_page_header_row_dates_mpost_duplicates_and_off_host_links():
    listing = parse_list_page(page("list_nfcms.html"), COLUMN + "index.html")
    assert [(p.id, p.url, p.title, p.date) for p in listing.posts] == [
        ("1663876", COLUMN + "content/post_1663876.html", "深圳社会工作一周速览（3月9日至3月13日）", date(2026, 3, 20)),
        ("1660001", COLUMN + "content/mpost_1660001.html", "深圳社会工作一周速览（3月2日至3月6日）", date(2026, 3, 13)),
        ("1654482", COLUMN + "content/post_1654482.html", "深圳市委社会工作部2025年工作回顾", date(2026, 2, 10)),
        ("1650001", COLUMN + "content/post_1650001.html", "深圳社会工作一周速览（2025年12月29日至2026年1月2日）", date(2026, 1, 9)),
    ]  # fmt: skip
    assert [p.is_digest for p in listing.posts] == [True, True, False, True]
    # createPageHTML(5, 0, "index", "html"): TRS, 0-based, page 2 is index_1.html
    assert listing.next_urls == (COLUMN + "index_1.html",)
    assert listing.url == COLUMN + "index.html"


def test_next_page_link_same_host_only():
    listing = parse_list_page(page("list_next_link.html"), COLUMN + "index_2.html")
    assert listing.next_urls == (COLUMN + "index_3.html",)
    assert [(p.id, p.date) for p in listing.posts] == [("1640001", date(2025, 11, 14))]


def test_create_page_html_three_number_form_naming_from_links():
    # 3-number form (1-based current); a link to index_12.html with 12 pages proves index_N naming.
    listing = parse_list_page(page("list_create3.html"), COLUMN)
    assert listing.next_urls == (COLUMN + "index_2.html",)


def _pager_page(script: str, links: str = "") -> bytes:
    return (
        '<html><head><meta charset="utf-8"></head><body><div class="zx_ml_list"><ul>'
        '<li><span class="tit"><a href="content/post_1.html">x</a></span></li></ul></div>'
        f"{links}<script>{script}</script></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("script", "links", "url", "expected"),
    [
        ('createPageHTML(5, 0, "index", "html");', "", "index.html", ("index_1.html",)),
        ('createPageHTML(5, 2, "index", "html");', "", "index_2.html", ("index_3.html",)),
        ('createPageHTML(5, 4, "index", "html");', "", "index_4.html", ()),  # last page
        ("createPageHTML('page_div', 7, 1, 'index', 'html', 130);", "", "", ("index_2.html",)),
        ("createPageHTML('page_div', 7, 1, 'index', 'html', 130);", '<a href="index_1.html">2</a>', "", ("index_1.html",)),
        ("createPageHTML('page_div', 7, 3, 'index', 'html', 130);", "", "index_3.html", ("index_4.html",)),
        ("createPageHTML('page_div', 7, 3, 'index', 'html', 130);", "", "index_2.html", ("index_3.html",)),
        ("createPageHTML(7, 1, 130);", '<a href="index_7.html">尾页</a>', "", ("index_2.html",)),
        ('createPageHTML(3, 0, "list", "shtml");', "", "", ("list_1.shtml",)),
        ("createPageHTML(1, 0);", "", "", ()),
        ('createPageHTML(5, 1, "index", "html");', '<a href="index_1.html">下一页</a>', "index_1.html", ("index_2.html",)),
    ],
)  # fmt: skip
def test_create_page_html_forms(script, links, url, expected):
    listing = parse_list_page(_pager_page(script, links), COLUMN + url)
    assert listing.next_urls == tuple(COLUMN + e for e in expected)


def test_list_page_never_points_at_itself_or_off_site():
    links = (
        '<a href="index.html">下一页</a><a href="https://other.example/gzyw/index_1.html">下一页</a>'
        '<a href="ftp://szshequ.org.cn/gzyw/index_1.html" class="next">next</a>'
        '<a href="javascript:next()">下一页</a>'
    )
    listing = parse_list_page(_pager_page("", links), COLUMN)
    assert listing.next_urls == ()


def test_list_page_without_posts_or_structure_is_empty_not_an_error():
    listing = parse_list_page(b"<html><body><p>\xe6\x9a\x82\xe6\x97\xa0\xe5\x86\x85\xe5\xae\xb9</p></body></html>", COLUMN)
    assert listing.posts == () and listing.next_urls == ()


@pytest.mark.parametrize("data", [b"", b'{"error": "not found"}', bytes(range(256)) * 10])
def test_list_page_that_is_not_html_raises(data):
    with pytest.raises(ParseError) as caught:
        parse_list_page(data, COLUMN)
    assert caught.value.url == COLUMN
