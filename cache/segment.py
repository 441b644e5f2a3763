"""Split a digest's content lines into items, an unsplit block and named page furniture.

The parser (cache/parser.py) turns the page's content area into `Line`s: one per block (paragraph,
heading, list item, table row), each with the evidence the page gives about it: is it bold (wholly,
or a leading run), centred, mostly link text. `segment(lines)` decides the fate of every line:

- ("item", position): the line is an item's heading or one of its paragraphs;
- ("unsplit", 0): the page is recognisably a digest but its items could not be split; the line is
  part of the one readable block it is stored as (the digest is flagged degraded);
- ("furniture", class): page furniture, never an item and never in one — preamble (before the
  first item), section (a district line or "各区动态" over items), source (来源/供稿/责任编辑 notes),
  meta (date lines), decoration (rules of ※ or —), links (a line that is wholly a link), related
  (相关文章 lists under any name), share, navigation, footer (ICP, copyright), attachments.

Every line gets exactly one fate, in page order (tests/test_segment_property.py proves it).

Heading families, all read from the page's own evidence (see `_heading` and `segment`):
- `区名：标题` on its own line (also `【区名】标题`, `[区名]：标题`, numbered `一、` `1.` `（一）` `①`);
- a line naming only a district (`福田区`, `（一）福田区`, `【福田区】`), then one or more title lines,
  each starting an item of that district: a title line is short, is not a sentence, and looks like
  the first title line of its section (bold when it was bold, centred when it was centred);
- run-in: a bold `区名：标题。` opening a paragraph whose rest is the item's first paragraph;
- labels outside the district table keep their own label (`other`), 深汕 → shenshan, municipal
  bodies → city (cache/districts.py decides); an item two districts share goes to the first;
- without a colon: `福田区——标题`, `福田区　标题`, and, where the page's headings are wholly bold or
  centred, a line in that look starting with a district (`罗湖区召开…`);
- failing all of those, bold or centred titles with no label at all (`title-only`), their district
  from the title, a trailing `（福田区）`, or the opening of their paragraph.
Repetition down the page is evidence too: where two headings run in, a run-in line with a label
outside the table is one; a plain line naming a body counts as a district line when the page's
district lines are plain and numbered or repeated, or a title line and its paragraph follow it.
Numbering and brackets are never part of a label or title; a trailing 。 on a title is dropped.
A page whose headings cover only a small part of its text, or that has none, is degraded: one
unsplit block of everything that is not furniture.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from .districts import DISTRICTS, District, district_for_label, lookup_district
from .model import Item
from .text import fold

__all__ = ["Line", "Segmentation", "segment", "furniture_class", "section_district", "UNSPLIT_NAME"]

UNSPLIT_NAME = "全文"  # the district_name of a degraded digest's one unsplit block


FOLD_HEAD = 160  # rules only ever look at a line's start, and furniture is shorter than this


class Line(NamedTuple):
    text: str  # cleaned, as displayed
    folded: str  # fold(text[:FOLD_HEAD]), spaces removed: what rules match on
    bold_end: int  # characters of `text` covered by a leading bold run (len(text) when wholly bold)
    centred: bool
    link: bool  # the line is (mostly) the text of a link


class Segmentation(NamedTuple):
    items: tuple[Item, ...]
    fates: tuple[tuple[str, object], ...]  # one per line, see the module docstring
    family: str  # which heading family split the page ("" when degraded)
    degraded_reason: str  # "" unless the page could not be split


# --------------------------------------------------------------------------------------------------
# Furniture
# --------------------------------------------------------------------------------------------------

# Matched on the folded line with spaces removed. Zone classes open the furniture after the last item.
_ZONE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("attachments", re.compile(r"^[【\[(]?附件(?:下载|列表|[:：]|\d|[】\])]|$)")),
    ("related", re.compile(
        r"^[【\[(]?(?:相关(?:文章|链接|阅读|新闻|稿件|推荐|信息|文件|报道|资讯|内容)?|推荐(?:阅读|文章|新闻)|延伸阅读|"
        r"往期(?:回顾|推荐|精选|链接)?|热[点门](?:文章|新闻|推荐)|猜你喜欢|更多(?:新闻|资讯|阅读|文章)|"
        r"其他(?:文章|新闻)|最新(?:文章|新闻))[】\])]?[:>》]?$")),
    ("share", re.compile(
        r"^[【\[(]?(?:分享到|分享至|分享|扫一扫|扫码|打印本页|打印|关闭窗口|关闭本页|关闭|收藏本页|收藏|字号|"
        r"大中小|【大】|字体)")),
    ("navigation", re.compile(
        r"^(?:上一篇|下一篇|上一条|下一条|上篇|下篇|返回顶部|返回首页|返回列表|当前位置|您的位置|你的位置|"
        r"您现在的位置|首页[>›»])")),
    ("footer", re.compile(
        r"(?:icp|备案号|版权所有|copyright|©|公网安备|网站标识码|网站地图|联系我们|技术支持|主办单位|承办单位|"
        r"^主办[:：]|^承办[:：]|政府网站找错|适老化|无障碍)")),
)
_ZONE_CLASSES = frozenset(cls for cls, _ in _ZONE_RULES)
# Editors' source and responsibility notes: furniture wherever they stand.
_SOURCE_RE = re.compile(
    r"^[(（【\[]?(?:来源|稿件来源|信息来源|供稿|供稿单位|撰稿|撰稿人|文字|摄影|图片|图文|文/|图/|文图|"
    r"责任编辑|编辑|审核|审稿|校对|初审|复审|终审|作者|通讯员|记者|发布机构)\s*[:：/|]"
)
# "（福田区委社会工作部供稿）", "（图片由罗湖区提供）": a source note without a label.
_SOURCE_TAIL_RE = re.compile(r"^[(（【\[].{2,40}(?:供稿|供图|提供|报送|撰稿)[)）】\]]$")
_DATE_ONLY_RE = re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\d{1,2}:\d{2}(?::\d{2})?)?$")
# Rules, stars, dashes (no letter, digit or CJK character), and end marks such as （完）.
_DECORATION_RE = re.compile(r"^(?:[\W_]+|[(（【\[]?(?:完|全文完|end)[)）】\]]?)$")
_SECTION_HEADER_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十]+[)）])?(?:各区|区级|其他|其它|基层|重点|工作|本周)?"
    r"(?:工作)?(?:动态|资讯|快讯|简讯|要闻|亮点|速览)[:：]?$")
_META_RE = re.compile(
    r"^(?:发布时间|信息提供日期|发布日期|日期|时间|浏览次数|访问量|点击数|阅读量|阅读次数|字号)[:：]"
)
_FOOTER_MAX = 120  # a footer line is short; a paragraph that mentions 版权所有 is not a footer
_FURNITURE_MAX = 120  # no furniture line is longer


# Every character the rules anchored at a line's start spell out (a superset of the first characters
# they can match: none of them starts with a range or a wildcard; \W and \d are checked apart).
_ANCHORED_CHARS = frozenset("".join(rule.pattern for rule in (
    _SOURCE_RE, _SOURCE_TAIL_RE, _DECORATION_RE, _DATE_ONLY_RE, _SECTION_HEADER_RE, _META_RE,
    *(rule for cls, rule in _ZONE_RULES if cls != "footer"))))
_FOOTER_RE = dict(_ZONE_RULES)["footer"]


def furniture_class(folded: str) -> str | None:
    """The furniture class of one line (folded, spaces removed), or None when it is content."""
    if len(folded) > _FURNITURE_MAX:
        return None  # every kind of furniture is a short line; most paragraphs stop here
    first = folded[:1]
    if first and first.isalnum() and not first.isdecimal() and first not in _ANCHORED_CHARS:
        # A word character no anchored rule can start with (福, 开, 3 is decimal): only the footer
        # rule, which looks anywhere in the line, can match. Most content lines stop here.
        return "footer" if len(folded) <= _FOOTER_MAX and _FOOTER_RE.search(folded) else None
    return _furniture_rules(folded)


def _furniture_rules(folded: str) -> str | None:
    """`furniture_class` rule by rule (for a line of at most `_FURNITURE_MAX` characters)."""
    head = folded[:40]
    if _SOURCE_RE.match(head) or (len(folded) <= 44 and _SOURCE_TAIL_RE.match(folded)):
        return "source"
    if _DECORATION_RE.match(folded):
        return "decoration"
    if len(folded) <= 20 and _DATE_ONLY_RE.match(folded):
        return "meta"
    if len(folded) <= 12 and _SECTION_HEADER_RE.match(folded):
        return "section"  # "各区动态", "二、基层快讯": a heading over items, not an item
    if _META_RE.match(head) and len(folded) <= 60:
        return "meta"
    for cls, rule in _ZONE_RULES:
        if cls == "footer":
            if len(folded) <= _FOOTER_MAX and rule.search(folded):
                return cls
            continue
        if rule.match(head):
            # "相关文章" as a header is furniture; a sentence starting with 分享/关闭 is not.
            if cls in ("share", "related") and len(folded) > 30:
                continue
            if cls == "attachments" and len(folded) > 120:
                continue
            return cls
    return None


# --------------------------------------------------------------------------------------------------
# Headings
# --------------------------------------------------------------------------------------------------

_NUMBERING_RE = re.compile(
    r"^\s*(?:第[一二三四五六七八九十\d]{1,3}[条项]?\s*[、,，:：.．]?|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]\s*[、,，.．]?"
    r"|[一二三四五六七八九十]{1,3}\s*[、.．,，]|\d{1,2}\s*(?:[、．，,]|\.(?!\d)|[)）])|[①-⑳⑴-⒇㈠-㈩]"
    r"|[■□◆◇●○▲△▶►★☆◎•·▪❖◈▌▍▎▐※➤→]+)\s*"
)
_BRACKET_RE = re.compile(r"^[【\[〔［「『]\s*([^】\]〕］」』]{1,16}?)\s*[】\]〕］」』]\s*[:：﹕︓]?\s*")
_COLON_RE = re.compile("[:\ufe13\ufe55\uff1a]")
_OPEN_BRACKET_RE = re.compile(r"[【\[〔［「『]")
_LABEL_REJECT_RE = re.compile(r"[0-9,.;!?\"“”‘’'、，。；！？《》「」『』【】\[\]<>()（）|]")
_SENTENCE_END = tuple("。！？；!?;")
_CLAUSE_END = _SENTENCE_END + tuple("，,…:：、")
_SENTENCE_MARKS_RE = re.compile("[。！？；!?;]")
_CAPTION_RE = re.compile(r"^(?:图为|图[:：]|图片[:：]|图\d|[(（]图|▲|△|↑|↓|上图|下图|左图|右图)")
_DATE_OPENING_RE = re.compile(r"^\d{1,2}月\d{1,2}日")  # "3月10日，…": how body paragraphs start
_MAX_LABEL = 12
_MAX_HEADING_TITLE = 100
_MAX_MARKED_TITLE = 80
_MAX_PLAIN_TITLE = 60
_MAX_RUNIN_TITLE = 60
# Furniture "label: value" lines are never headings.
_FURNITURE_LABELS = frozenset(
    "来源 编辑 责任编辑 作者 审核 校对 初审 复审 终审 字号 浏览次数 访问量 点击数 阅读量 当前位置 "
    "您的位置 你的位置 您现在的位置 发布时间 信息提供日期 发布日期 发布机构 主办 主办单位 承办 "
    "承办单位 网站标识码 分享 分享到 附件 供稿 撰稿 摄影".split()
)
# "label：value" lines inside an item (times, places, phones, how to sign up) stay in its body.
_FIELD_SUFFIXES = (
    "时间", "日期", "地点", "地址", "场地", "电话", "热线", "手机", "邮箱", "网址", "方式", "途径", "对象",
    "人", "人员", "内容", "主题", "要求", "条件", "费用", "名额", "人数", "流程", "说明", "备注", "须知",
    "安排", "范围", "期限", "标准", "形式", "亮点", "成效", "做法", "举措", "特色", "目标", "背景", "意义",
)  # fmt: skip
# Labels that name a place or a body: a heading's label even when not in the district table.
_BODY_SUFFIXES = (
    "区", "合作区", "新区", "管理局", "局", "委", "部", "办", "中心", "街道", "社区", "园", "城", "市",
    "镇", "村", "协会", "联合会", "总工会", "团委", "妇联", "机构",
)  # fmt: skip


_TITLE_TAIL_RE = re.compile(r"[(（【\[]([^()（）【】\[\]]{2,12})[)）】\]]$")
_SECTION_SUFFIXES = ("动态", "工作动态", "资讯", "快讯", "简讯", "新闻", "要闻", "亮点")
_SEPARATED_RES = (
    re.compile(r"^([^—－–\-]{2,20}?)\s*(?:——|—|－|–|-{1,2})\s*(\S.*)$"),
    re.compile(r"^(\S{2,12})\s+(\S.*)$"),
)
TABLE_CELL_SEPARATOR = " | "  # how the parser joins a table row's cells: such a line is never a heading


def _strip_numbering(text: str) -> str:
    match = _NUMBERING_RE.match(text)
    return text[match.end():] if match and match.end() < len(text) else text


def _drop_title_end(title: str) -> str:
    title = title.strip()
    while title and title[-1] in "。.:：":
        title = title[:-1].rstrip()
    return title


class _Heading(NamedTuple):
    label: str
    title: str
    rest: str  # run-in: the first paragraph that follows the title in the same line
    district: District
    form: str  # "label", "bracket", "run-in"


# Labels repeat down a page and across pages: their lookups are pure, so cached.
_district_for_label = functools.lru_cache(maxsize=4096)(district_for_label)
_lookup_district = functools.lru_cache(maxsize=4096)(lookup_district)


@functools.lru_cache(maxsize=4096)
def _label_ok(label: str) -> bool:
    folded = fold(label).replace(" ", "")
    if not folded or len(label) > _MAX_LABEL or _LABEL_REJECT_RE.search(folded):
        return False
    if folded in _FURNITURE_LABELS:
        return False
    return True


def _is_field_label(label: str, district: District) -> bool:
    return district.code == "other" and label.endswith(_FIELD_SUFFIXES)


def _split_label(text: str) -> tuple[str, str, str] | None:
    """(label, title, form) of `【区名】标题` / `区名：标题` (numbering already removed), or None.

    Without a colon, a district's name followed by a dash, a bar or a space (`福田区——标题`,
    `福田区｜标题`, `福田区　标题`) is the same heading, when what follows reads as a title.
    """
    match = _BRACKET_RE.match(text)
    if match:
        return _squeeze(match.group(1)), text[match.end():].strip(), "bracket"
    colon = _COLON_RE.search(text, 0, _MAX_LABEL + 4 + (8 if _PAREN_RE.search(text, 0, _MAX_LABEL) else 0))
    if colon is not None:
        return _squeeze(text[: colon.start()]), text[colon.end():].strip(), "label"
    if len(text) > _MAX_LABEL + 4 + _MAX_PLAIN_TITLE:
        return None  # too long for a label and a title: a paragraph
    for n, separated in enumerate(_SEPARATED_RES):
        match = separated.match(text)
        if match:
            label, title = _squeeze(match.group(1)), match.group(2).strip()
            known = _lookup_district(label) if n else section_district(label)  # a space: the name exactly
            if (known is not None and known.code != "other" and len(title) <= _MAX_PLAIN_TITLE
                    and not _SENTENCE_MARKS_RE.search(title[:-1]) and not _DATE_OPENING_RE.match(fold(title))):
                return label, title, "label"
    return None


def _squeeze(label: str) -> str:
    """A label without the spaces editors put between its characters (`福 田 区`)."""
    return "".join(label.split())


_PAREN_RE = re.compile(r"[（(][^（()）]{1,12}[)）]")
_JOINT_RE = re.compile("[、,，和与及/]")


def _joint_district(label: str) -> District | None:
    """`福田区、罗湖区`: an item several districts share is filed under the first one named."""
    if len(label) > 2 * _MAX_LABEL or not _JOINT_RE.search(label):
        return None
    parts = [part for part in _JOINT_RE.split(label) if part]
    found = [section_district(part) for part in parts]
    if len(parts) >= 2 and all(found):
        return found[0]
    return None


@functools.lru_cache(maxsize=4096)
def section_district(text: str) -> District | None:
    """The district `text` names exactly, or a body inside one (南山区委社会工作部), or its news
    section (福田区动态); never a title that merely starts with a district (福田区开展活动)."""
    if not text or not _label_ok(text):
        return None
    district = _lookup_district(text)
    if district is not None and district.code != "other":
        return district
    district = _district_for_label(text)
    if district.code != "other" and text.endswith(_BODY_SUFFIXES + _SECTION_SUFFIXES):
        return district
    return None


def district_only(line: Line) -> District | None:
    """The district a line names and nothing else (`福田区`, `（一）福田区`, `【福田区】：`), or None."""
    if len(line.text) > _MAX_LABEL + 8 or line.link or TABLE_CELL_SEPARATOR in line.text:
        return None
    text = _strip_numbering(line.text).strip()
    match = _BRACKET_RE.match(text)
    if match and match.end() >= len(text):
        text = match.group(1)
    return section_district(_squeeze(text.rstrip(":：﹕︓。 ")))


def _other_label_only(line: Line, *, plain_ok: bool = False) -> str | None:
    """A bold or centred line naming only a body outside the district table (`前海合作区`); a plain
    one too on pages whose district lines are plain (`plain_ok`)."""
    if len(line.text) > _MAX_LABEL + 8 or line.link:
        return None
    if not (plain_ok or line.centred or line.bold_end >= len(line.text)):
        return None
    text = _strip_numbering(line.text).strip()
    match = _BRACKET_RE.match(text)
    if match and match.end() >= len(text):
        text = match.group(1)
    text = text.rstrip(":：﹕︓。 ").strip()
    if not text or not _label_ok(text) or not text.endswith(_BODY_SUFFIXES) or len(text) < 2:
        return None
    return text


def _heading(line: Line, following: Line | None, *, run_in_page: bool = False) -> _Heading | None:
    """Whether `line` is an item heading with its own label; see the module docstring.

    A label:title line is a heading when ONE of these holds:
      (a) the label names a district or a city-level body and the title is at most 100 characters;
      (b) it is marked up as a heading (the whole line, or its label, bold / an <h1>-<h6>), the title
          is at most 80 characters and is not a sentence (does not end with 。！？；);
      (c) plain text with an unknown label: the title is at most 60 characters, does not end with
          sentence or clause punctuation, and the next line is a longer paragraph.
    Never: links (related-article lists use the same shape), furniture labels (来源, 编辑 …), and
    field labels of unknown bodies (时间, 地点, 联系电话 … stay in the item's body).
    Run-in: a leading bold run `区名：标题。` followed by more text is the heading, the rest the
    first paragraph; so is a district-labelled line too long to be a title whose first sentence is
    short (`福田区：标题。3月10日，…`).
    """
    if line.link or TABLE_CELL_SEPARATOR in line.text:
        return None
    if (len(line.text) > _MAX_LABEL + 4 + _MAX_PLAIN_TITLE and not _COLON_RE.search(line.text, 0, 24)
            and not _OPEN_BRACKET_RE.search(line.text, 0, 8)):
        return None  # a paragraph: no label within reach of its start
    text = _strip_numbering(line.text)
    offset = len(line.text) - len(text)
    parts = _split_label(text)
    if parts is None:
        return None
    label, title, form = parts
    joint = _joint_district(label)
    # `宝安区委社会工作部（区民政局）`: a parenthesis names the same body again; the label is what
    # stands before it.
    core = _PAREN_RE.sub("", label) if joint is None and _PAREN_RE.search(label) else label
    if joint is None and (not core or not title or not _label_ok(core)):
        return None
    if not title:
        return None
    district = joint or _district_for_label(core)
    if _is_field_label(label, district):
        return None
    label_bold = line.bold_end >= offset + len(label)
    whole_bold = line.bold_end >= len(line.text)
    # Run-in: the bold run covers the label and part of the title, and text follows it.
    if label_bold and not whole_bold and line.bold_end > offset + len(label) + 2:
        cut = line.bold_end - (len(line.text) - len(title))
        head, rest = title[:cut].strip(), title[cut:].strip()
        head = _drop_title_end(head)
        if head and rest and len(head) <= _MAX_RUNIN_TITLE and (
            district.code != "other" or label.endswith(_BODY_SUFFIXES) or form == "bracket"
        ):
            return _Heading(label, head, rest, district, "run-in")
    # `福田区：3月10日，福田区开展…。`: the label leads straight into the body (no title).
    if district.code != "other" and _DATE_OPENING_RE.match(fold(title).replace(" ", "")) and (
            len(title) > 30 or title.endswith(_SENTENCE_END)):
        return _Heading(label, "", title, district, "run-in")
    # `福田区：标题。3月10日，…`: a labelled line whose first sentence is short and is followed by
    # more text is a run-in heading even without bold.
    # On a page whose headings run in, a body outside the district table does too (前海管理局：…。…).
    if district.code != "other" or form == "bracket" or label_bold or (run_in_page and label.endswith(_BODY_SUFFIXES)):
        found = _SENTENCE_MARKS_RE.search(title)
        if found and found.start() <= _MAX_RUNIN_TITLE and found.end() < len(title):
            head = _drop_title_end(title[: found.end()])
            rest = title[found.end():].strip()
            if head and len(rest) > len(head) // 2:
                return _Heading(label, head, rest, district, "run-in")
    if len(title) > _MAX_HEADING_TITLE:
        return None
    if district.code != "other":
        return _Heading(label, _drop_title_end(title), "", district, form)
    ends_sentence = title.endswith(_SENTENCE_END)
    if (whole_bold or label_bold) and len(title) <= _MAX_MARKED_TITLE and not ends_sentence:
        return _Heading(label, _drop_title_end(title), "", district, form)
    # `前海合作区：举办交流活动。`: a title may end with 。 when it is one short clause, the label
    # names a body, and the line is bold or a longer paragraph follows.
    if (title.endswith("。") and len(title) <= _MAX_MARKED_TITLE and label.endswith(_BODY_SUFFIXES)
            and not re.search("[，,；;。！？!?]", title[:-1])
            and (whole_bold or (following is not None and len(following.text) > len(line.text)))):
        return _Heading(label, _drop_title_end(title), "", district, form)
    if form == "bracket" and len(title) <= _MAX_MARKED_TITLE and not _SENTENCE_MARKS_RE.search(title[:-1]):
        return _Heading(label, _drop_title_end(title), "", district, form)
    if (
        len(title) <= _MAX_PLAIN_TITLE
        and not title.endswith(_CLAUSE_END)
        and following is not None
        and len(following.text) > len(line.text)
        and furniture_class(following.folded) is None
    ):
        return _Heading(label, title, "", district, form)
    return None


def _finished(paragraph: str) -> bool:
    """A paragraph after which a plain title line may start an item: a finished sentence, or a
    `label：value` line, a caption or a table row (none of which a title would continue)."""
    return (paragraph.endswith(_SENTENCE_END + ("”", "\"", "）", ")"))
            or _COLON_RE.search(paragraph, 0, _MAX_LABEL + 2) is not None
            or _CAPTION_RE.match(paragraph) is not None or TABLE_CELL_SEPARATOR in paragraph)


def _colonless_heading(line: Line, look: str) -> _Heading | None:
    """`罗湖区召开社区议事会` in the page's heading style: a heading whose label is its district."""
    if _style(line) != look or line.link or len(line.text) > _MAX_PLAIN_TITLE or district_only(line) is not None:
        return None
    text = _strip_numbering(line.text)
    if _SENTENCE_MARKS_RE.search(text[:-1]) or _DATE_OPENING_RE.match(line.folded) or _CAPTION_RE.match(line.folded):
        return None
    found = _MENTION_RE.match(text)
    if found is None or len(text) - found.end() < 4:
        return None
    district = _district_for_label(found.group(0))
    return _Heading(district.name, _drop_title_end(text), "", district, "label")


def _style(line: Line) -> str:
    if line.bold_end >= len(line.text):
        return "bold"
    if line.centred:
        return "centred"
    return "plain"


def _title_like(line: Line, following: Line | None, style: str | None) -> bool:
    """A line that can be an item's title under a district-only line (see the module docstring)."""
    text = line.text
    if line.link or len(text) > _MAX_HEADING_TITLE or _DATE_OPENING_RE.match(line.folded):
        return False
    if _CAPTION_RE.match(line.folded) or _COLON_RE.search(text, 0, _MAX_LABEL + 2) or TABLE_CELL_SEPARATOR in text:
        return False  # a caption, or a "label：value" line (活动时间：3月21日) that belongs to a body
    if _SENTENCE_MARKS_RE.search(text[:-1]):
        return False
    own = _style(line)
    if style is not None and own != style:
        return False
    if own in ("bold", "centred"):
        return len(text) <= _MAX_MARKED_TITLE
    if len(text) > _MAX_PLAIN_TITLE or text.endswith(_CLAUSE_END):
        return False
    return following is not None and len(following.text) > len(text)


# --------------------------------------------------------------------------------------------------
# Segmentation
# --------------------------------------------------------------------------------------------------


class _Builder:
    """Collects items and the fate of every line."""

    def __init__(self, count: int) -> None:
        self.items: list[Item] = []
        self.fates: list[tuple[str, object]] = [("furniture", "preamble")] * count
        self.label = self.title = ""
        self.district: District | None = None
        self.paragraphs: list[str] = []
        self.open = False

    def start(self, index: int, district: District, label: str, title: str) -> None:
        self.flush()
        self.district, self.label, self.title = district, label, title
        self.paragraphs = []
        self.open = True
        self.fates[index] = ("item", len(self.items))

    def add(self, index: int, text: str) -> None:
        self.paragraphs.append(text)
        self.fates[index] = ("item", len(self.items))

    def furniture(self, index: int, cls: str | None, zone: str | None) -> tuple[bool, str | None]:
        """Give line `index` its furniture fate if it is furniture or inside the trailing zone (a
        zone class after an item opens it); returns (handled, zone)."""
        if zone is not None:
            self.fates[index] = ("furniture", cls if cls in _ZONE_CLASSES else zone)
            return True, zone
        if cls is None:
            return False, zone
        if self.open and cls in _ZONE_CLASSES:
            self.flush()
            zone = cls
        self.fates[index] = ("furniture", cls)
        return True, zone

    def flush(self) -> None:
        if not self.open or self.district is None:
            return
        district = self.district
        name = self.label if district.code == "other" else district.name
        self.items.append(Item(district.code, name, self.title, tuple(self.paragraphs), len(self.items)))
        self.open = False


def segment(lines: list[Line], *, unsplit_title: str = "") -> Segmentation:
    """Decide every line's fate; degrade to one unsplit block when no item can be split."""
    count = len(lines)
    # A line that is wholly a link (menus, "more" links, lists of other posts) is never an item's text.
    furniture = [(furniture_class(line.folded) if len(line.text) < FOLD_HEAD else None)
                 or ("links" if line.link else None) for line in lines]
    built = _split(lines, furniture)
    if built is None:
        built = _split_titles_only(lines, furniture)
    if built is not None:
        items, fates, family = built
        item_chars = sum(len(lines[i].text) for i, f in enumerate(fates) if f[0] == "item")
        preamble_chars = sum(len(lines[i].text) for i, f in enumerate(fates)
                             if f == ("furniture", "preamble"))
        if preamble_chars <= max(2 * item_chars, 400):
            return Segmentation(tuple(items), tuple(fates), family, "")
        reason = "the item headings found cover only a small part of the text"
    else:
        reason = "no item headings (区名：标题) found"
    # Degraded: one readable block of everything that is not furniture.
    fates = [("furniture", "preamble")] * count
    paragraphs: list[str] = []
    seen_content = False
    zone: str | None = None
    for index, line in enumerate(lines):
        cls = furniture[index]
        if zone is not None:
            fates[index] = ("furniture", cls or zone)
            continue
        if cls is not None:
            if cls in _ZONE_CLASSES and seen_content:
                zone = cls
            fates[index] = ("furniture", cls)
            continue
        seen_content = True
        paragraphs.append(line.text)
        fates[index] = ("unsplit", 0)
    if not paragraphs:
        # Still a week: kept with its title (and attachments, on the digest) rather than missing.
        reason = "no text in the content area (images or attachments only?)"
    block = Item("other", UNSPLIT_NAME, unsplit_title, tuple(paragraphs), 0)
    return Segmentation((block,), tuple(fates), "", reason)


def _split(lines: list[Line], furniture: list[str | None]):
    """Items from label headings, district-only lines with title lines, and run-in headings."""
    count = len(lines)
    out = _Builder(count)
    families: dict[str, int] = {}
    section: District | None = None  # the district of the last district-only line
    section_label = ""
    title_style: str | None = None  # the look of the first title line in the section
    title_numbered = False  # whether it was numbered: "（一）…" under an unnumbered title is a sub-point
    headings = [_heading(line, lines[i + 1] if i + 1 < count else None) if furniture[i] is None else None
                for i, line in enumerate(lines)]
    # Repetition down the page is evidence: where two headings or more run in, a run-in line with a
    # label outside the district table is one too.
    if sum(1 for h in headings if h is not None and h.form == "run-in") >= 2:
        headings = [h if h is not None or furniture[i] is not None else
                    _heading(line, lines[i + 1] if i + 1 < count else None, run_in_page=True)
                    for i, (h, line) in enumerate(zip(headings, lines))]
    # The same repetition for a heading that lost its colon: where two headings or more are wholly
    # bold (or centred), a line in that style that starts with a district's name is one too
    # (`罗湖区召开社区议事会`), its title the whole line.
    styles = [_style(lines[i]) for i, h in enumerate(headings) if h is not None and h.form != "run-in"]
    for look in ("bold", "centred"):
        if styles.count(look) >= 2:
            headings = [h if h is not None or furniture[i] is not None else _colonless_heading(line, look)
                        for i, (h, line) in enumerate(zip(headings, lines))]
    sections = [district_only(line) if headings[i] is None and furniture[i] is None else None
                for i, line in enumerate(lines)]
    known_sections = sum(1 for d in sections if d is not None)
    # Lines naming a body outside the district table count as section lines only when they look like
    # the page's district lines (same bold/centred style) or repeat down the page.
    section_style = next((_style(lines[i]) for i, d in enumerate(sections) if d is not None), None)
    first_section = next((lines[i] for i, d in enumerate(sections) if d is not None), None)
    section_numbered = first_section is not None and _strip_numbering(first_section.text) != first_section.text
    plain_ok = section_style == "plain" and (known_sections >= 2 or section_numbered)
    def over_a_title(i: int) -> bool:  # the line is followed by a title line and its paragraph
        return i + 2 < count and _title_like(lines[i + 1], lines[i + 2], None) and furniture[i + 1] is None

    others = [headings[i] is None and furniture[i] is None
              and _other_label_only(line, plain_ok=plain_ok or (section_style == "plain" and over_a_title(i))) is not None
              and (section_style is None or _style(line) == section_style)
              and (not section_numbered or _strip_numbering(line.text) != line.text)
              for i, line in enumerate(lines)]
    other_sections = sum(others)
    zone: str | None = None
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < count else None
        cls = furniture[index]
        # After the last item everything is furniture, unless a heading resumes the digest after an
        # attachment list (editors attach files to an item in the middle of the page).
        if zone == "attachments" and cls is None and (headings[index] is not None or sections[index] or others[index]):
            zone = None
        handled, zone = out.furniture(index, cls, zone)
        if handled:
            continue
        heading = headings[index]
        if heading is not None:
            out.start(index, heading.district, heading.label, heading.title)
            if heading.rest:
                out.paragraphs.append(heading.rest)
            families[heading.form] = families.get(heading.form, 0) + 1
            section = None
            continue
        district = sections[index]
        other = None
        if district is None and others[index] and (other_sections >= 2 or known_sections):
            other = _other_label_only(line, plain_ok=True)  # `others` already required the evidence
            if other is not None:
                district = _district_for_label(other)
        if district is not None:
            out.flush()
            section = district
            section_label = other or _strip_numbering(line.text).strip("【】[]〔〕:：。 ")
            title_style = None
            out.fates[index] = ("furniture", "section")
            # A district line directly followed by a paragraph: an item without a title.
            if following is not None and not _title_like(following, lines[index + 2] if index + 2 < count else None,
                                                         None) and sections[index + 1] is None \
                    and headings[index + 1] is None and furniture[index + 1] is None:
                out.start(index, section, section_label, "")
                families["district-line"] = families.get("district-line", 0) + 1
            continue
        if section is not None:
            # A plain title must follow a finished paragraph; a bold or centred one is evidence enough.
            after_paragraph = (not out.open or not out.paragraphs or title_style in ("bold", "centred")
                               or _finished(out.paragraphs[-1]))
            numbered = _strip_numbering(line.text) != line.text
            if after_paragraph and _title_like(line, following, title_style) and (
                title_style is None or numbered == title_numbered
            ) and (
                title_style is not None or not out.open or not out.paragraphs
            ):
                if title_style is None:
                    title_style, title_numbered = _style(line), numbered
                out.start(index, section, section_label, _drop_title_end(_strip_numbering(line.text)))
                families["district-line"] = families.get("district-line", 0) + 1
                continue
        if out.open:
            out.add(index, line.text)
        elif section is not None:  # text under a district line that no title line opened
            out.start(index, section, section_label, "")
            out.add(index, line.text)
    out.flush()
    if not out.items:
        return None
    # A section line stays "section" furniture only when an item of it follows; the fate of its
    # heading-less item already points at the item.
    family = max(families, key=families.__getitem__) if families else "label"
    return out.items, out.fates, family


def _split_titles_only(lines: list[Line], furniture: list[str | None]):
    """Pages whose items are bold or centred titles without a district label (`福田区开展…活动`).

    Needs at least two such title lines in the same style, each followed by a longer paragraph.
    """
    count = len(lines)
    candidates = []
    for index, line in enumerate(lines):
        if furniture[index] is not None:
            continue
        following = lines[index + 1] if index + 1 < count else None
        if _style(line) != "plain" and _title_like(line, following, None) and following is not None \
                and len(following.text) > len(line.text):
            candidates.append(index)
    if len(candidates) < 2:
        return None
    style = _style(lines[candidates[0]])
    wanted = {i for i in candidates if _style(lines[i]) == style}
    if len(wanted) < 2:
        return None
    out = _Builder(count)
    zone: str | None = None
    for index, line in enumerate(lines):
        handled, zone = out.furniture(index, furniture[index], zone)
        if handled:
            continue
        if index in wanted:
            title = _drop_title_end(_strip_numbering(line.text))
            district = _district_for_label(title)
            tail = _TITLE_TAIL_RE.search(title)  # "开展关爱活动（福田区）"
            if tail and section_district(_squeeze(tail.group(1))) is not None:
                district = section_district(_squeeze(tail.group(1)))
                title = title[: tail.start()].rstrip()
            if district.code == "other" and index + 1 < count:
                # "开展新年关爱活动" over "12月30日，福田区各社工站…": the body's opening names it.
                district = _mentioned_district(lines[index + 1].text[:40]) or district
            label = district.name if district.code != "other" else "其他"
            out.start(index, district, label, title)
            continue
        if out.open:
            out.add(index, line.text)
    out.flush()
    return out.items, out.fates, "title-only"


_MENTION_RE = re.compile("|".join(sorted(
    {name for d in DISTRICTS[:11] for name in (d.name, d.short, *d.aliases) if len(name) >= 2}, key=len, reverse=True)))
# Municipal bodies as a paragraph opens with them (市委社会工作部召开…); "全市" alone is too common.
_CITY_OPENING_RE = re.compile(r"^(?:\d{1,2}月\d{1,2}日(?:[上下]午)?[,，、]?)?(?:深圳)?(?:市委|市社会工作|市民政)")


def _mentioned_district(text: str) -> District | None:
    """The first of the eleven districts a text names (full or short name), or the city when it
    opens with a municipal body; None otherwise."""
    found = _MENTION_RE.search(text)
    city = _CITY_OPENING_RE.search(text)
    if city and (found is None or city.end() - 2 <= found.start()):
        return _district_for_label("市级")
    return _district_for_label(found.group(0)) if found else None
