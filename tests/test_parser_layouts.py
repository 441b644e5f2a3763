"""Issue 12: every digest layout an editor produces. One fixture per heading family (written for
this project in the shape of real government-CMS pages: Word pastes with MsoNormal spans, &nbsp; and
\u3000 indents, split bold runs, centred district lines, tables), what is not an item, structure
inside items, the week from wherever the page gives it, and each degradation path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sz_digest.cache.parser import parse_digest, parse_digest_detail

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
POST = "http://szshequ.org.cn/szshgzb/gzyw/content/post_1700100.html"


def parse(name: str):
    return parse_digest((LAYOUTS / name).read_bytes(), POST)


def summary(digest) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(i.district, i.district_name, i.title, i.paragraphs) for i in digest.items]


def page(body: str, title: str = "深圳社会工作一周速览（3月9日至3月13日）", date_line: str = "发布时间：2026-03-20") -> bytes:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f'<div class="tit"><h1>{title}</h1><h6><span>{date_line}</span></h6></div>'
        f'<div class="news_cont_d_wrap">{body}</div></body></html>'
    ).encode("utf-8")


def test_bracketed_headings_with_and_without_colon_field_lines_source_notes_and_related_under_another_name():
    digest = parse("bracketed.html")
    assert (digest.week_start, digest.week_end, digest.week_inferred) == (date(2026, 4, 6), date(2026, 4, 10), False)
    assert summary(digest) == [
        ("futian", "福田区", "开展新就业群体“暖心驿站”服务月活动", (
            "4月7日，福田区委社会工作部在华强北街道启动新就业群体“暖心驿站”服务月活动，为外卖骑手、快递小哥提供免费体检、法律咨询等服务100余人次。",
            "活动时间：4月7日至4月30日", "服务地点：各街道党群服务中心", "咨询电话：0755-8291××××")),
        ("luohu", "罗湖区", "召开社区社会组织培育工作推进会",
         ("4月8日，罗湖区召开社区社会组织培育工作推进会，各街道分管负责同志参加会议。",)),
        ("other", "前海合作区", "举办深港青年社工交流营",
         ("4月9日，前海合作区举办深港青年社工交流营，两地40余名青年社工参加。", "交流营为期两天。")),
        ("shenshan", "深汕特别合作区", "推进“百千万工程”驻镇帮镇扶村社工服务",  # trailing 。 dropped
         ("4月10日，深汕特别合作区召开驻镇帮镇扶村社工服务推进会。",)),
    ]  # fmt: skip
    assert not digest.degraded
    assert digest.parse_info["furniture"] == {"source": 2}


def test_numbered_headings_district_only_numbered_line_with_title_lines_and_footer_furniture():
    digest = parse("numbered.html")
    assert (digest.week_start, digest.week_end) == (date(2026, 3, 23), date(2026, 3, 27))  # "3.23-3.27"
    assert [(i.district, i.title) for i in digest.items] == [
        ("city", "召开全市社会工作重点任务推进会"),
        ("yantian", "开展“海滨邻里节”系列活动"),
        ("nanshan", "召开社会组织年检工作部署会"),
        ("baoan", "举办社工督导能力提升培训班"),
        ("longgang", "开展社区“两委”班子社会工作专题培训"),
        ("longgang", "组织新就业群体座谈会"),
    ]
    # label：value lines (报名方式, 联系人, 会议要求) stay in their item's body.
    assert digest.items[0].paragraphs[1] == "会议要求：聚焦年度重点任务，抓好落实。"
    assert digest.items[1].paragraphs[1:] == ("报名方式：关注“盐田社工”公众号在线报名", "联系人：王老师")
    # The editor's note is furniture, not the last item's body.
    assert digest.items[-1].paragraphs == ("3月27日下午，龙岗区组织新就业群体代表座谈，听取意见建议。",)


def test_centred_district_lines_with_bold_title_lines_captions_tables_attachments_and_issue_number_title():
    digest = parse("district_lines.html")
    # The title has only an issue number: the week comes from the first line of the body.
    assert (digest.week_start, digest.week_end, digest.week_inferred) == (date(2026, 4, 27), date(2026, 5, 1), False)
    assert digest.parse_info["week_from"] == "body"
    assert summary(digest) == [
        ("futian", "福田区", "辖区社工站开展“五一”劳动者关爱活动",
         ("4月28日，福田区各社工站开展“五一”劳动者关爱活动，为一线劳动者送上清凉包。", "图为活动现场")),
        ("futian", "福田区", "召开社工机构负责人座谈会", (
            "4月29日，福田区召开社工机构负责人座谈会。各机构服务情况如下：",
            "机构 | 服务人次 | 项目数", "福田社工服务中心 | 1200 | 8", "阳光社工服务社 | 860 | 5")),
        ("guangming", "光明区", "举办社区社会组织公益创投大赛", ("4月30日，光明区举办社区社会组织公益创投大赛，32个项目入围。",)),
        ("dapeng", "大鹏新区", "开展渔村邻里节活动", ("5月1日，大鹏新区开展渔村邻里节活动。",)),
    ]  # fmt: skip
    assert all("活动现场照片" not in p for i in digest.items for p in i.paragraphs)  # alt text is not a caption
    assert [tuple(a) for a in digest.attachments] == [
        ("光明区公益创投入围项目名单.docx", "http://szshequ.org.cn/attachment/0/12/12345/gm.docx"),
        ("服务机构名单.pdf", "http://szshequ.org.cn/attachment/0/12/12346/list.pdf"),
    ]


def test_run_in_bold_headings_split_bold_runs_labels_outside_the_table_and_full_width_title_digits():
    digest = parse("runin.html")
    assert (digest.week_start, digest.week_end) == (date(2026, 3, 9), date(2026, 3, 13))
    assert digest.parse_info["family"] == "run-in"
    assert summary(digest) == [
        ("futian", "福田区", "举办女企业家链动APEC主题交流活动",
         ("3月8日，福田区委社会工作部联合区工商联、区妇联举办交流活动，60余人参加。", "活动现场，福田区投资促进局带来政策“大礼包”。")),
        ("other", "河套深港科技创新合作区", "开展跨境人才社工服务", ("3月10日，河套合作区开展跨境人才社工服务，服务港澳人才50余人。",)),
        ("shenshan", "深汕特别合作区", "推进小区治理试点", ("3月11日，深汕特别合作区推进小区治理试点工作。",)),
        ("city", "市级", "召开民生诉求工作调度会",
         ("3月12日，市委社会工作部召开民生诉求工作调度会，部署下一阶段工作。会议强调：要压实责任。", "一是：健全调度机制。")),
        ("luohu", "罗湖区", "召开小区治理观摩会", (
            "3月13日，罗湖区召开小区治理观摩会，省直部门相关同志赴东湖街道实地观摩，对小区在党建引领下开展精细管理与多元共治的做法表示肯定，罗湖区委社会工作部将会同相关部门做好经验推广。",)),
    ]  # fmt: skip


def test_district_line_followed_directly_by_a_paragraph_is_an_item_without_title():
    body = "<p><b>福田区</b></p><p>　　3月10日，福田区开展社区活动，居民200余人参加。</p><p><b>罗湖区</b></p><p>　　3月11日，罗湖区召开会议。</p>"
    digest = parse_digest(page(body), POST)
    assert [(i.district, i.title, i.paragraphs) for i in digest.items] == [
        ("futian", "", ("3月10日，福田区开展社区活动，居民200余人参加。",)),
        ("luohu", "", ("3月11日，罗湖区召开会议。",)),
    ]


def test_bold_titles_without_district_labels_take_the_district_from_the_title():
    body = (
        "<p><strong>福田区开展新年关爱活动</strong></p><p>　　12月30日，福田区各社工站开展新年关爱活动，服务居民300余人次。</p>"
        "<p><strong>南山区召开社区治理工作推进会</strong></p><p>　　12月31日，南山区召开社区治理工作推进会，部署工作。</p>"
    )
    digest = parse_digest(page(body), POST)
    assert [(i.district, i.title) for i in digest.items] == [
        ("futian", "福田区开展新年关爱活动"), ("nanshan", "南山区召开社区治理工作推进会")]
    assert digest.parse_info["family"] == "title-only"


@pytest.mark.parametrize(
    "furniture",
    [
        "<p>相关阅读</p><p><a href='post_9.html'>罗湖区：召开会议</a> 2026-03-10</p>",
        "<p>延伸阅读：</p><ul><li><a href='post_9.html'>【罗湖区】召开会议</a></li></ul>",
        "<p>分享到：微信 微博</p><p>罗湖区：召开会议</p><p>很长的一段文字，用来确认分享栏之后的内容不会成为条目。</p>",
        "<p>版权所有 © 深圳市委社会工作部</p><p>粤ICP备12345678号</p>",
        "<p>上一篇：<a href='post_8.html'>深圳社会工作一周速览（3月2日至3月6日）</a></p>",
    ],
    ids=["related-reading-with-dates", "extended-reading", "share-bar", "footer-icp", "prev-next"],
)
def test_furniture_after_the_last_item_never_joins_it_nor_becomes_items(furniture):
    body = "<p>福田区：开展活动</p><p>　　3月10日，福田区开展活动。</p>" + furniture
    digest = parse_digest(page(body), POST)
    assert [(i.title, i.paragraphs) for i in digest.items] == [("开展活动", ("3月10日，福田区开展活动。",))]


def test_field_lines_of_unknown_labels_are_not_headings_even_when_followed_by_a_long_paragraph():
    body = (
        "<p>福田区：开展招募活动</p><p>　　3月10日，福田区开展社工招募活动。</p>"
        "<p>活动时间：3月21日</p><p>　　欢迎辖区居民踊跃报名参加，具体安排以现场通知为准，请提前到场。</p>"
    )
    digest = parse_digest(page(body), POST)
    assert len(digest.items) == 1
    assert digest.items[0].paragraphs[1] == "活动时间：3月21日"


def test_table_in_a_word_paste_is_one_paragraph_per_row_and_layout_tables_are_not_flattened():
    long_cell = "　　3月10日，福田区开展活动。" * 30
    body = (
        f"<table><tr><td><p>福田区：开展活动</p><p>{long_cell}</p></td><td>侧栏</td></tr></table>"
        "<p>罗湖区：召开会议</p><table><tr><td><p class=MsoNormal>时间</p></td><td><p>内容</p></td></tr>"
        "<tr><td><p>3月11日</p></td><td><p>召开会议</p></td></tr></table>"
    )
    digest = parse_digest(page(body), POST)
    assert [i.title for i in digest.items] == ["开展活动", "召开会议"]
    assert digest.items[1].paragraphs == ("时间 | 内容", "3月11日 | 召开会议")


# ------------------------------------------------------------------------------------------------
# Degradation
# ------------------------------------------------------------------------------------------------


def test_digest_without_any_heading_is_one_unsplit_block_without_its_furniture():
    digest, lines, fates = parse_digest_detail((LAYOUTS / "degraded.html").read_bytes(), POST)
    assert digest.degraded
    assert "no item headings" in digest.degraded_reason
    assert len(digest.items) == 1
    block = digest.items[0]
    assert (block.district, block.district_name, block.title) == ("other", "全文", digest.title)
    assert len(block.paragraphs) == 3 and block.paragraphs[-1].startswith("5月15日")
    assert ("furniture", "source") in fates  # the source note is furniture, not text of the block


def test_headings_covering_a_small_part_of_the_text_degrade_the_whole_page():
    long = "<p>　　" + "本周各区社会工作部门围绕重点工作持续发力，取得积极成效。" * 12 + "</p>"
    body = long * 3 + "<p>福田区：开展活动</p><p>　　3月10日，福田区开展活动。</p>"
    digest = parse_digest(page(body), POST)
    assert digest.degraded and "small part" in digest.degraded_reason
    assert len(digest.items) == 1 and len(digest.items[0].paragraphs) == 5


def test_unknown_template_without_headings_degrades_from_the_text_fallback():
    html = (
        '<html><head><meta charset="utf-8"><title>深圳社会工作一周速览（3月9日至3月13日）</title></head><body>'
        '<div class="x"><p>时间：2026-03-20</p></div><div class="y"><p>　　本周各区开展了多项活动，详见各区网站。</p></div>'
        "<div><p>相关文章</p></div></body></html>"
    ).encode()
    digest = parse_digest(html, POST)
    assert digest.degraded
    assert digest.parse_info["via"] == "text"
    assert digest.items[0].paragraphs == ("本周各区开展了多项活动，详见各区网站。",)


def test_issue_number_title_without_a_range_in_the_body_infers_the_publish_week():
    digest = parse_digest(page("<p>福田区：开展活动</p><p>　　3月10日，福田区开展活动。</p>",
                               title="深圳社会工作一周速览（2026年第11期）", date_line="发布时间：2026-03-22"), POST)
    assert digest.week_inferred and digest.parse_info["week_from"] == "published"
    assert (digest.week_start, digest.week_end) == (date(2026, 3, 16), date(2026, 3, 20))  # Sunday 3-22's week



def test_word_heading_fonts_dash_and_space_separators_spaced_names_and_furniture_without_labels():
    digest = parse("word_heading_fonts.html")
    assert [(i.district, i.title, i.paragraphs) for i in digest.items] == [
        ("futian", "辖区社工站开展春季关爱活动", ("3月17日，福田区各社工站开展春季关爱活动。",)),
        ("luohu", "召开社区议事会", ("3月18日，罗湖区召开社区议事会，30余名居民代表参加。",)),
        ("nanshan", "举办社工督导培训", ("3月19日，南山区举办社工督导培训。",)),
    ]
    # "各区动态", the ※ rule, "（…供稿）" and the trailing date are furniture, not text of an item.
    assert digest.parse_info["furniture"] == {"section": 1, "decoration": 1, "source": 1, "meta": 1}
    assert digest.week_inferred  # "2026年第12期" and no range in the body


def test_centred_bold_titles_with_the_district_in_a_trailing_bracket():
    digest = parse("titles_with_district_tail.html")
    assert [(i.district, i.title) for i in digest.items] == [
        ("futian", "开展春季关爱活动"), ("luohu", "召开社区议事会"), ("shenshan", "深汕特别合作区推进小区治理试点")]


def test_district_label_leading_straight_into_the_body_is_an_item_without_title():
    body = ("<p>福田区：3月10日，福田区开展社区邻里节活动，居民200余人参加。</p><p>活动持续一天。</p>"
            "<p>罗湖区：3月11日，罗湖区召开社区议事会。</p>")
    digest = parse_digest(page(body), POST)
    assert [(i.district, i.title, i.paragraphs) for i in digest.items] == [
        ("futian", "", ("3月10日，福田区开展社区邻里节活动，居民200余人参加。", "活动持续一天。")),
        ("luohu", "", ("3月11日，罗湖区召开社区议事会。",)),
    ]


def test_plain_run_in_page_takes_bodies_outside_the_table_too_and_numbered_sub_points_stay_in_the_body():
    digest = parse("runin_plain_mixed.html")
    assert [(i.district, i.district_name, i.title) for i in digest.items] == [
        ("futian", "福田区", "开展春季关爱活动"),
        ("other", "前海管理局", "举办跨境社工交流活动"),  # run-in by repetition: two other run-ins on the page
        ("luohu", "罗湖区", "召开社区议事会"),
        ("longhua", "龙华区", "召开社工机构工作会议"),
        ("longhua", "龙华区", "开展新就业群体关爱行动"),
    ]
    # "（一）强化党建引领" is short and plain like a title line, but numbered where the section's
    # first title was not: a sub-point of the item.
    assert digest.items[3].paragraphs[1:3] == ("（一）强化党建引领", "推动社工机构党组织全覆盖，发挥党员社工先锋作用。")


def test_issue_number_title_never_takes_its_week_from_an_items_text():
    body = "<p>福田区：开展活动</p><p>　　3月10日-11日，福田区开展活动。</p>"
    digest = parse_digest(page(body, title="深圳社会工作一周速览（第11期）", date_line="发布时间：2026-03-20"), POST)
    assert digest.week_inferred and (digest.week_start, digest.week_end) == (date(2026, 3, 16), date(2026, 3, 20))


def test_unknown_template_without_a_labelled_date_splits_from_the_whole_page_and_names_its_furniture():
    digest, lines, fates = parse_digest_detail((LAYOUTS / "unknown_template.html").read_bytes(), POST)
    assert digest.parse_info["via"] == "text"
    assert digest.published == date(2026, 3, 27)  # "2026-03-27 来源：本网": no label, still the date
    assert [(i.district, i.title, i.paragraphs) for i in digest.items] == [
        ("futian", "开展春季关爱活动", ("3月17日，福田区各社工站开展春季关爱活动。",)),
        ("luohu", "召开社区议事会", ("3月18日，罗湖区召开社区议事会。",)),
    ]
    classes = {value for kind, value in fates if kind == "furniture"}
    assert {"links", "navigation", "footer"} <= classes


def test_an_item_two_districts_share_is_filed_under_the_first():
    body = "<p>福田区、罗湖区：联合开展跨区社工交流活动</p><p>　　3月12日，两区社工开展交流活动。</p>"
    digest = parse_digest(page(body), POST)
    assert [(i.district, i.title) for i in digest.items] == [("futian", "联合开展跨区社工交流活动")]


def test_bold_heading_of_a_body_outside_the_table_may_end_with_a_full_stop():
    body = ("<p>福田区：开展活动</p><p>　　3月10日，福田区开展活动。</p>"
            "<p><b>前海合作区：举办深港社工交流活动。</b></p><p>　　3月11日，前海合作区举办交流活动。</p>"
            "<p><b>一是：压实责任，推动工作落实。</b></p>")
    digest = parse_digest(page(body), POST)
    assert [(i.district_name, i.title) for i in digest.items] == [("福田区", "开展活动"), ("前海合作区", "举办深港社工交流活动")]
    assert digest.items[1].paragraphs[-1] == "一是：压实责任，推动工作落实。"


def test_bold_titles_without_any_district_take_it_from_the_opening_of_their_paragraph():
    body = (
        "<p><strong>开展新年关爱活动</strong></p><p>　　12月30日，福田区各社工站开展新年关爱活动，服务居民300余人次。</p>"
        "<p><strong>召开社区治理工作推进会</strong></p><p>　　12月31日，大鹏召开社区治理工作推进会，部署工作。</p>"
        "<p>（完）</p>"
    )
    digest = parse_digest(page(body), POST)
    assert [(i.district, i.title) for i in digest.items] == [("futian", "开展新年关爱活动"), ("dapeng", "召开社区治理工作推进会")]
    assert digest.items[-1].paragraphs == ("12月31日，大鹏召开社区治理工作推进会，部署工作。",)  # （完） is decoration


def test_parse_record_names_the_container_used_and_those_tried_before_it():
    html = (
        '<html><head><meta charset="utf-8"></head><body><div class="tit"><h1>深圳社会工作一周速览（3月9日至3月13日）</h1>'
        '<h6><span>发布时间：2026-03-20</span></h6></div><div class="news_cont_d_wrap"><p>　　本周速览如下。</p></div>'
        '<div id="zoom"><p>福田区：开展活动</p><p>　　3月10日，福田区开展活动。</p></div></body></html>'
    ).encode()
    digest = parse_digest(html, POST)
    assert digest.parse_info["via"] == "#zoom" and digest.parse_info["tried"] == ["div.news_cont_d_wrap"]
    assert [i.title for i in digest.items] == ["开展活动"]


def test_digest_with_no_text_at_all_is_kept_with_its_title_and_attachments():
    body = '<p><img src="/img/a.jpg" alt="本周速览长图"></p><p><a href="/attachment/0/1/week.pdf">本周速览.pdf</a></p>'
    digest = parse_digest(page(body), POST)
    assert digest.degraded and "no text" in digest.degraded_reason
    assert [(i.district_name, i.title, i.paragraphs) for i in digest.items] == [("全文", digest.title, ())]
    assert [a.name for a in digest.attachments] == ["本周速览.pdf"]


def test_digest_laid_out_as_a_table_of_districts_and_news():
    body = (
        "<table border=1><tr><th>区域</th><th>工作动态</th></tr>"
        "<tr><td><p>福田区</p></td><td><p>开展新年关爱活动。</p><p>12月30日，福田区各社工站开展新年关爱活动。</p></td></tr>"
        "<tr><td>罗湖区</td><td>12月31日，罗湖区召开社区议事会，30余名居民代表参加。</td></tr></table>"
    )
    digest = parse_digest(page(body), POST)
    assert [(i.district, i.title, i.paragraphs) for i in digest.items] == [
        ("futian", "开展新年关爱活动", ("12月30日，福田区各社工站开展新年关爱活动。",)),
        ("luohu", "", ("12月31日，罗湖区召开社区议事会，30余名居民代表参加。",)),
    ]


def test_text_under_a_district_line_is_never_left_out_even_after_furniture():
    body = ("<p><b>福田区</b></p><p>（福田区委社会工作部供稿）</p><p>　　3月10日，福田区开展社区活动，居民200余人参加。</p>"
            "<p><b>罗湖区</b></p><p><b>召开社区议事会</b></p><p>　　3月11日，罗湖区召开社区议事会。</p>")
    digest = parse_digest(page(body), POST)
    assert [(i.district, i.title, i.paragraphs) for i in digest.items] == [
        ("futian", "", ("3月10日，福田区开展社区活动，居民200余人参加。",)),
        ("luohu", "召开社区议事会", ("3月11日，罗湖区召开社区议事会。",)),
    ]


def test_a_bold_heading_that_lost_its_colon_is_still_a_heading_where_the_page_bolds_its_headings():
    body = (
        "<p><b>福田区：开展春季关爱活动</b></p><p>　　3月17日，福田区各社工站开展春季关爱活动。</p>"
        "<p><b>罗湖区召开社区议事会</b></p><p>　　3月18日，罗湖区召开社区议事会。</p>"
        "<p><b>南山区：举办社工督导培训</b></p><p>　　3月19日，南山区举办社工督导培训。</p>"
        "<p><b>特别提示</b></p><p>　　请各区按时报送材料。</p>"
    )
    digest = parse_digest(page(body), POST)
    assert [(i.district, i.title) for i in digest.items] == [
        ("futian", "开展春季关爱活动"), ("luohu", "罗湖区召开社区议事会"), ("nanshan", "举办社工督导培训")]
    assert digest.items[-1].paragraphs[-2:] == ("特别提示", "请各区按时报送材料。")


def test_a_label_naming_its_body_twice_in_brackets_is_still_the_district():
    body = ("<p>宝安区委社会工作部（区民政局）：召开社会组织年检工作会</p><p>　　3月12日，宝安区召开社会组织年检工作会。</p>"
            "<p>会议（扩大）：研究部署下一阶段工作，要求压实责任。</p>")
    digest = parse_digest(page(body), POST)
    assert [(i.district, i.district_name, i.title) for i in digest.items] == [("baoan", "宝安区", "召开社会组织年检工作会")]
    assert digest.items[0].paragraphs[-1] == "会议（扩大）：研究部署下一阶段工作，要求压实责任。"


def test_a_ten_year_old_template_gb_encoded_word_2003_paste_with_smart_tags_and_list_conditionals():
    digest = parse("old_template_word2003_gb.html")
    assert (digest.week_start, digest.week_end, digest.published) == (date(2016, 3, 7), date(2016, 3, 11), date(2016, 3, 15))
    assert [(i.district, i.title, i.paragraphs) for i in digest.items] == [
        ("futian", "3月8日开展“三八”妇女节关爱活动", ("3月8日，福田区各社工站开展“三八”妇女节关爱活动，服务妇女200余人次。",)),
        ("luohu", "召开社区社会组织座谈会", ("3月10日，罗湖区召开社区社会组织座谈会。",)),
    ]


def test_list_pages_say_whether_the_platform_list_box_was_found():
    from sz_digest.cache.parser import parse_list_page

    column = "http://szshequ.org.cn/szshgzb/gzyw/"
    boxed = parse_list_page((Path(__file__).parent / "fixtures" / "pages" / "list_nfcms.html").read_bytes(), column)
    assert boxed.via == "list" and boxed.posts
    bare = ('<html><body><ul><li><a href="content/post_1700001.html">深圳社会工作一周速览（3月9日至3月13日）</a>'
            "</li></ul></body></html>").encode()
    fallback = parse_list_page(bare, column)
    assert fallback.via == "page" and [p.id for p in fallback.posts] == ["1700001"]


def test_malformed_attachment_links_are_skipped_never_the_digest():
    body = ("<p>福田区：开展活动</p><p>　　3月10日，福田区开展活动。</p>"
            "<p><a href='http://[::1/bad.pdf'>坏链接.pdf</a></p><p><a href='javascript:x()'>脚本.docx</a></p>"
            "<p><a href='/attachment/0/1/ok.pdf'></a></p>")
    digest = parse_digest(page(body), POST)
    assert [i.title for i in digest.items] == ["开展活动"]
    assert [tuple(a) for a in digest.attachments] == [("ok.pdf", "http://szshequ.org.cn/attachment/0/1/ok.pdf")]
