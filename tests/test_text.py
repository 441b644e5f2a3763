"""Text hygiene: what the page wrote never reaches a terminal as control or markup."""

import pytest

from sz_digest.cache.text import clean_line, clean_text, fold


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("清屏\x1b[2J之后", "清屏之后"),
        ("剪贴板\x1b]52;c;ZXZpbA==\x07写入", "剪贴板写入"),
        ("链接\x1b]8;;http://evil.example/\x1b\\点我\x1b]8;;\x1b\\", "链接点我"),
        ("响铃\x07", "响铃"),
        ("C1\x9b31m控制", "C1控制"),
        ("反向\u202e文字\u2066隔离\u2069", "反向文字隔离"),
        ("零宽\u200b\u200d\ufeff字符", "零宽字符"),
        ("保留换行\n第二行", "保留换行\n第二行"),
        ("[bold red]紧急[/bold red]", "[bold red]紧急[/bold red]"),
        ("[@click=app.quit]退出[/]", "[@click=app.quit]退出[/]"),
    ],
)
def test_clean_text_removes_controls_and_keeps_brackets(raw, clean):
    assert clean_text(raw) == clean


def test_clean_line_joins_lines_and_collapses_spaces():
    assert clean_line(" 南山区：\n  标题\t二 ") == "南山区： 标题 二"


def test_fold_matches_full_width_and_case():
    assert fold("ＡＰＥＣ：会议（一）") == fold("apec:会议(一)") == "apec:会议(一)"


from hypothesis import given
from hypothesis import strategies as st


@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from("，：（）！？；\u3000．、。ＡＢ１２①㈠﹕福田区"))))
def test_fold_is_exactly_nfkc_then_casefold(text):
    import unicodedata

    assert fold(text) == unicodedata.normalize("NFKC", text).casefold()


@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from("\x1b\x9b\x9d\x07[]]52;c\t\r\n福田 "))))
def test_clean_text_fast_path_changes_nothing(text):
    """The printable fast path must give what the full escape-stripping path gives."""
    from sz_digest.cache.text import _ESCAPE_SEQUENCES, _is_unwanted

    slow = _ESCAPE_SEQUENCES.sub("", text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n"))
    slow = slow if slow.isprintable() else "".join(ch for ch in slow if not _is_unwanted(ch))
    assert clean_text(text) == (slow if text else "")
