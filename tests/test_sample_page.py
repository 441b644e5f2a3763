"""The bundled sample: the seed digest (post 1663876) rebuilt as an NFCMS page, parsed by the same
parser the sync uses. Its bodies must equal the seed's paragraphs exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sz_digest.cache.parser import SAMPLE_URL, parse_digest, sample_page

SEED = Path(__file__).parent / "fixtures" / "pages" / "seed_1663876.txt"


def seed_items() -> list[tuple[str, str, str]]:
    """(label, title, body) for each item in the stored seed text (ASCII colons there)."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("发布时间")) + 1
    content = [line for line in lines[start : lines.index("附件下载")] if line]
    items = []
    for heading, body in zip(content[0::2], content[1::2]):
        label, title = heading.split(":", 1)
        items.append((label, title, body))
    return items


def test_sample_page_is_shipped_with_its_url():
    data, url = sample_page()
    assert url == SAMPLE_URL == "http://szshequ.org.cn/szshgzb/gzyw/content/post_1663876.html"
    assert data.startswith(b"<!DOCTYPE html>")
    assert b'<meta charset="utf-8">' in data[:200]
    data.decode("utf-8")  # strict


def test_sample_parses_to_the_seed_week():
    data, url = sample_page()
    digest = parse_digest(data, url)
    assert digest.id == "1663876"
    assert digest.url == url
    assert digest.title == "深圳社会工作一周速览（3月9日至3月13日）"
    assert (digest.week_start, digest.week_end) == (date(2026, 3, 9), date(2026, 3, 13))
    assert digest.published == date(2026, 3, 20)
    assert digest.sample is False  # the store sets the flag, not the parser
    assert [i.district for i in digest.items] == [
        "futian", "luohu", "nanshan", "baoan", "longgang", "longhua", "pingshan", "guangming",
    ]  # fmt: skip
    assert [i.position for i in digest.items] == list(range(8))
    nanshan = [i for i in digest.items if i.district == "nanshan"]
    assert [i.title for i in nanshan] == ["召开树立和践行正确政绩观学习教育动员部署会"]
    assert nanshan[0].district_name == "南山区"


def test_sample_items_equal_the_seed_text():
    data, url = sample_page()
    digest = parse_digest(data, url)
    expected = seed_items()
    assert len(expected) == 8
    assert [(i.district_name, i.title, i.paragraphs) for i in digest.items] == [
        (label, title, (body,)) for label, title, body in expected
    ]
    assert [i.body for i in digest.items] == [body for _, _, body in expected]


def test_sample_keeps_its_page_furniture_out_of_the_items():
    data, _ = sample_page()
    text = data.decode("utf-8")
    # The page carries the NFCMS furniture the parser must ignore ...
    for marker in ('class="zx_rm_tit"', 'class="fjdown"', "相关文章", "<script>", 'class="footer"', "分享到"):
        assert marker in text
    assert "福田区：第六届女企业家链动APEC主题交流活动成功举办</a>" in text  # a related-article entry
    # ... and none of it leaks into the digest.
    digest = parse_digest(data, SAMPLE_URL)
    everything = " ".join(t for i in digest.items for t in (i.title, *i.paragraphs))
    for leak in ("首页", "附件下载", "相关文章", "分享到", "主办", "related", "字号"):
        assert leak not in everything
