"""Digests generated the way editors write them — eight heading families (label, bracket, district
line + title lines, run-in, "区名：" over its title, a mix, bold titles with the district only in the
body, run-in bold split into several runs), six looks (bold, Word 黑体 spans, h3, centred, label-only bold, plain),
numbering, short names, other separators, bodies outside the district table, captions with alt
text, tables, field lines, preambles and furniture — must split into exactly the items written.

The generator is a model of the page, not of the parser: each page is built from a seed, and the
expected (district, title) list is what the generator put there."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from page_builders import styled
from sz_digest.cache.districts import district_for_label
from sz_digest.cache.parser import parse_digest

POST = "http://szshequ.org.cn/szshgzb/gzyw/content/post_1700900.html"
BODIES = ["福田区", "罗湖区", "盐田区", "南山区", "宝安区", "龙岗区", "龙华区", "坪山区", "光明区", "大鹏新区",
          "深汕特别合作区", "前海合作区", "市委社会工作部"]
SHORT = {"福田区": "福田", "罗湖区": "罗湖", "南山区": "南山", "宝安区": "宝安"}
TITLES = ["开展“社工进社区”志愿服务活动", "召开社会工作高质量发展推进会", "举办社区工作者能力提升培训班",
          "推进“一社区一社工站”建设", "组织新就业群体关爱行动", "发布基层治理创新案例", "开展党建引领小区治理观摩",
          "召开民生诉求“每周一评”评议会"]
NUMBERING = ["", "一、", "1. ", "（一）", "1、"]
CAPTION, TABLE = "图为活动现场", "__table__"


def code(body: str) -> str:
    return district_for_label(body).code


def paragraphs(rng: random.Random, body: str) -> list[str]:
    first = f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日，{body}" + rng.choice([
        "委社会工作部组织召开专题会议，各街道分管负责同志参加。", "各社工站联合开展服务活动，服务居民300余人次。",
        "组织辖区社会组织开展交流，50余人参加，现场气氛热烈。"])
    more = [rng.choice(["会议指出：要坚持党建引领，推动社工服务提质增效。", "活动时间：3月21日",
                        "活动现场，居民纷纷表示受益匪浅。", "下一步，将持续深化相关工作。"]) for _ in range(rng.randint(0, 2))]
    extra = rng.random()
    tail = [CAPTION] if extra < 0.15 else [TABLE] if extra < 0.25 else []
    return [first, *more, *tail]


def block(text: str, look: str, rng: random.Random) -> str:
    if text == CAPTION:
        return ("<p style='text-align:center'><img src='a.jpg' alt='福田区：现场'></p>"
                f"<p style='text-align:center'>{CAPTION}</p>")
    if text == TABLE:
        return ("<table><tr><td><p class=MsoNormal>项目</p></td><td><p class=MsoNormal>数量</p></td></tr>"
                "<tr><td><p>服务人次</p></td><td><p>300</p></td></tr></table>")
    if look == "plain":
        return styled(text, rng.choice(["plain", "word"]))
    return styled(text, look)


def generate(seed: int) -> tuple[bytes, list[tuple[str, str]], str]:
    rng = random.Random(seed)
    family = rng.choice(["label", "bracket", "district", "runin", "colonline", "mixed", "titleonly", "splitrun"])
    look = rng.choice(["bold", "span", "h3", "plain", "centre", "labelbold"])
    numbering = rng.choice(NUMBERING)
    expected: list[tuple[str, str]] = []
    html: list[str] = []
    if rng.random() < 0.4:
        html.append(block("本周，全市社会工作系统持续推进各项重点工作，现将有关情况摘编如下。", "plain", rng))
    for k, body in enumerate(rng.sample(BODIES, rng.randint(2, 7))):
        label = SHORT.get(body, body) if rng.random() < 0.2 else body
        n = numbering.replace("一", "一二三四五六七"[k]).replace("1", str(k + 1))
        if family == "mixed":
            family_here = rng.choice(["label", "bracket"])
        else:
            family_here = family
        if family_here == "colonline":  # "福田区：" alone, the title on the next line
            title = rng.choice(TITLES)
            expected.append((code(body), title))
            html.append(block(f"{n}{label}：", "plain" if look == "plain" else "bold", rng))
            html.append(block(title, "plain" if look == "plain" else "bold", rng))
            html += [block(text, "plain", rng) for text in paragraphs(rng, body)]
            continue
        if family_here == "titleonly":  # bold titles, the district only in the body
            title = rng.choice(TITLES)
            expected.append((code(body), title))
            html.append(block(title, "centre" if look == "centre" else "bold", rng))
            html += [block(text, "plain", rng) for text in paragraphs(rng, body)]
            continue
        if family_here == "splitrun":  # Word splits the bold run in three
            title = rng.choice(TITLES)
            expected.append((code(body), title))
            first, *rest = paragraphs(rng, body)
            html.append(f"<p><span><b>{n}{label}</b></span><b>：</b><b>{title[:3]}</b><b>{title[3:]}。</b>{first}</p>")
            html += [block(text, "plain", rng) for text in rest]
            continue
        if family_here == "district":
            line = f"【{label}】" if look == "h3" else " ".join(label) if rng.random() < 0.1 else label
            html.append(block(f"{n}{line}", "centre" if look == "centre" else "plain" if look == "plain" else "bold", rng))
            for _ in range(rng.randint(1, 2)):
                title = rng.choice(TITLES)
                expected.append((code(body), title))
                html.append(block(title, "plain" if look == "plain" else "bold", rng))
                html += [block(text, "plain", rng) for text in paragraphs(rng, body)]
        elif family_here == "runin":
            title = rng.choice(TITLES)
            expected.append((code(body), title))
            first, *rest = paragraphs(rng, body)
            html.append(f"<p style='text-indent:2em'><b>{n}{label}：{title}。</b>{first}</p>")
            html += [block(text, "plain", rng) for text in rest]
        else:
            title = rng.choice(TITLES)
            expected.append((code(body), title))
            if family_here == "bracket":
                heading = f"{n}【{label}】{rng.choice(['', '：'])}{title}"
            else:
                separator = rng.choice(["：", ":", "：", "——", " "]) if code(body) not in ("other", "city") else "："
                heading = f"{n}{label}{separator}{title}" + rng.choice(["", "", "。"])
            if look == "labelbold" and family_here == "label":
                html.append(f"<p><b>{n}{label}</b>：{title}</p>")
            elif look == "span" and rng.random() < 0.3:  # an old Word paste: <font face>
                html.append(f"<p><font face='黑体' size='4'>{heading}</font></p>")
            else:
                html.append(block(heading, "bold" if look == "labelbold" else look, rng))
            html += [block(text, "plain", rng) for text in paragraphs(rng, body)]
        if rng.random() < 0.15:  # an editor's note after an item, or its attachment
            html.append(rng.choice([block(f"（{body}供稿）", "plain", rng),
                                    "<p>附件：<a href='/attachment/0/1/list.docx'>名单.docx</a></p>"]))
    if rng.random() < 0.5:
        html.append(block("（来源：市委社会工作部）", "plain", rng))
    if rng.random() < 0.5:
        html.append("<p>相关文章</p><ul><li><a href='post_1.html'>福田区：召开会议</a></li></ul>")
    if rng.random() < 0.3:
        html.append("<p>分享到：微信 微博</p><p>版权所有 © 2026 深圳市委社会工作部 粤ICP备12345号</p>")
    if rng.random() < 0.2:
        html.append("<p style='text-align:right'>2026年3月20日</p>")
    page = ("<html><head><meta charset='utf-8'></head><body><div class='tit'><h1>深圳社会工作一周速览（3月9日至3月13日）</h1>"
            "<h6><span>发布时间：2026-03-20</span></h6></div><div class='news_cont_d_wrap'>" + "".join(html)
            + "</div></body></html>")
    return page.encode(), expected, f"{family}/{look}/{numbering!r}"


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_generated_digests_split_into_exactly_the_items_written(seed):
    data, expected, shape = generate(seed)
    digest = parse_digest(data, POST)
    assert not digest.degraded, shape
    assert [(i.district, i.title) for i in digest.items] == expected, shape
    every = [p for i in digest.items for p in i.paragraphs]
    assert not any("来源" in p or "版权所有" in p or "相关文章" in p or "分享到" in p for p in every), shape
    assert not any("现场" == p[-2:] and "：" in p for p in every), shape  # alt text never a paragraph
