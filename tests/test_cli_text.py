"""The CLI's text output: wrapped with the reader's rule on a terminal, whole paragraphs in a pipe, in the
chosen language; and docs/cli.md's "nothing matched" exits."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sz_digest.cache.linebreak import NO_START, text_width, wrap
from sz_digest.tui import cli_output
from sz_digest.tui.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import synth  # noqa: E402  (bench/synth.py: the synthetic archive the benchmark reads)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("synth") / "data"
    synth.build_store(data_dir, weeks=30)
    return data_dir


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_on_terminal(monkeypatch, width: int, *argv) -> tuple[int, list[str]]:
    """Run the CLI as if stdout were a terminal `width` columns wide; the screen's lines, styles removed."""
    screen = FakeTerminal()
    monkeypatch.setattr(cli_output.sys, "stdout", screen)
    monkeypatch.setenv("COLUMNS", str(width))
    code = main([str(a) for a in argv])
    return code, ANSI.sub("", screen.getvalue()).splitlines()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(width=st.integers(min_value=12, max_value=140), week=st.integers(min_value=0, max_value=29),
       command=st.sampled_from(["show", "search"]))
def test_terminal_lines_never_start_with_closing_punctuation(synth_dir, monkeypatch, width, week, command):
    weeks = synth.generate_weeks(30)
    if command == "show":
        argv = ("--data-dir", synth_dir, "show", weeks[week].start.isoformat())
    else:
        argv = ("--data-dir", synth_dir, "search", weeks[week].items[0][1][:2], "--limit", "30")
    code, lines = run_on_terminal(monkeypatch, width, *argv)
    assert code == 0 and len(lines) > 3
    more = [n for n, line in enumerate(lines) if re.match(r"… \d+ more", line)]
    if more:  # "… 108 more, use --limit": an ellipsis that opens a paragraph, not one a wrap moved
        lines = lines[:more[0]]
    for line in lines:
        assert line[:1] not in NO_START, (width, line)
        assert text_width(line) <= width or len(line) == 1, (width, line)


def test_the_shared_rule_keeps_punctuation_with_the_character_before_it():
    assert wrap("一二三，四", 6) == ("一二", "三，四")
    assert wrap("see http://a.b/c", 8) == ("see", "http://a", ".b/c") or all(
        line[:1] not in NO_START for line in wrap("see http://a.b/c", 8))


def test_piped_show_is_one_paragraph_per_line(capsys, synth_dir):
    code, out, _ = run(capsys, "--data-dir", synth_dir, "show", "latest")
    assert code == 0
    from sz_digest.cache.store import Store

    with Store.open(synth_dir) as store:
        paragraphs = [p for item in store.items_for(store.resolve_week("latest")) for p in item.paragraphs]
    lines = out.splitlines()
    assert max(len(p) for p in paragraphs) > 100  # long enough that any hard wrap would show
    for paragraph in paragraphs:
        assert paragraph in lines


def test_search_says_how_many_hits_the_limit_cut(capsys, synth_dir):
    code, out, _ = run(capsys, "--data-dir", synth_dir, "search", "社会", "--limit", "3")
    from sz_digest.cache.store import Store

    with Store.open(synth_dir) as store:
        total = store.search_counted("社会", limit=3)[1]
    assert code == 0 and total > 3
    assert out.splitlines()[-1] == f"… {total - 3} more, use --limit"


def test_show_with_no_items_for_the_districts_exits_1_with_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "--data-dir", tmp_path / "d", "show", "latest", "--district", "dapeng")
    assert code == 1 and err.count("\n") == 1 and "Dapeng" in err
    code, out, err = run(capsys, "--data-dir", tmp_path / "d", "show", "latest", "--district", "dapeng", "--json")
    assert code == 1 and '"items": []' in out and err.count("\n") == 1


def test_an_empty_export_exits_1_and_leaves_the_named_file_alone(capsys, tmp_path):
    target = tmp_path / "out.md"
    target.write_text("last week's export")
    argv = ("--data-dir", tmp_path / "d", "export", "--district", "dapeng")
    code, out, err = run(capsys, *argv, "-o", target, "--force")
    assert code == 1 and err.count("\n") == 1 and target.read_text() == "last week's export"
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 1 and out.strip() == "[]" and err.count("\n") == 1


def test_an_export_that_cannot_be_written_is_exit_5(capsys, tmp_path):
    code, _, err = run(capsys, "--data-dir", tmp_path / "d", "export", "-o", tmp_path / "missing" / "out.md")
    assert code == 5 and "out.md" in err


# Every command's human output in both languages (the sample data dir: page text is Chinese).
COMMANDS = [
    ("list",), ("show", "latest"), ("search", "区", "--limit", "2"), ("stats",),
    ("show", "latest", "--district", "dapeng"), ("search", "不存在的词"), ("show", "1999999"),
    ("list", "--items"), ("show", "2026-02-30"), ("export", "--district", "dapeng"),
    ("list", "--district", "atlantis"), ("search", "社工", "--since", "2026-13-01"),
    ("watch", "list"), ("watch", "rm", "nothing"), ("feed", "--watch", "nothing"),
    ("search", '"社工'), ("search", "week:xx"), ("watch", "add", "a b", "社工"),
]
ENGLISH_LABELS = ["week", "published", "items", "unread", "sample", "district", "activity", "absent",
                  "no ", "more", "use", "not a", "stored", "nothing", "unknown", "see ", "accepted", "watches",
                  "named", "add one", "quote", "query", "character", "takes", "letters"]


def _page_text(data_dir: Path) -> set[str]:
    from sz_digest.cache.store import Store

    with Store.open(data_dir) as store:
        week = store.week(store.resolve_week("latest"))
        texts = {week.title}
        for item in store.items_for(week.id):
            texts |= {item.title, item.district_name, *item.paragraphs}
    return texts


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_lang_zh_prints_no_english_labels(capsys, tmp_path, argv):
    _, out, err = run(capsys, "--lang", "zh", "--data-dir", tmp_path / "d", *argv)
    # Command syntax stays Latin: metavars (NAME QUERY) and query fields (week:, district:).
    text = re.sub(r"\b[A-Z]{2,}\b|\b[a-z]+:", "", out + err).lower()
    for page in _page_text(tmp_path / "d"):
        text = text.replace(page.lower(), "")
    text = re.sub(r"https?://\S+|--[a-z-]+|sz-digest|latest|yyyy-mm-dd|'[^']*'|\b[a-z]+ \([^)]*\)", "", text)
    found = [label for label in ENGLISH_LABELS if label in text]
    assert not found, (found, out + err)


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_lang_en_prints_no_chinese_apart_from_page_text(capsys, tmp_path, argv):
    _, out, err = run(capsys, "--lang", "en", "--data-dir", tmp_path / "d", *argv)
    text = out + err
    for page in sorted(_page_text(tmp_path / "d"), key=len, reverse=True):
        text = text.replace(page, "")
    text = re.sub(r"'[^']*'|\([^)]*\)|\S*…\S*", "", text)  # quoted input, the accepted-names list, snippets
    snippets = {line.strip() for line in text.splitlines() if line.startswith("  ")}
    text = "\n".join(line for line in text.splitlines() if line.strip() not in snippets)
    assert not CJK.search(text), text


def test_json_keys_do_not_change_with_the_language(capsys, tmp_path):
    outputs = [run(capsys, "--lang", lang, "--data-dir", tmp_path / "d", "stats", "--json")[1] for lang in ("zh", "en")]
    assert outputs[0] == outputs[1]


def test_sync_summary_speaks_the_chosen_language(capsys, tmp_path):
    from loopback import LoopbackServer, make_column

    with LoopbackServer(make_column(digests=4, non_digests=1, per_page=10)) as server:
        code, out, err = run(capsys, "--lang", "zh", "--data-dir", tmp_path / "zh", "--source", server.source, "sync")
        assert code == 0 and "已同步" in out
        text = re.sub(r"https?://\S+|\d+(\.\d+)? ?(KB|MB|bytes)", "", out + err).lower()
        assert not re.search(r"[a-z]{3,}", text), out + err
        code, out, err = run(capsys, "--lang", "en", "--data-dir", tmp_path / "en", "--source", server.source, "sync")
        assert code == 0 and "Synced" in out and not CJK.search(out + err)


def test_piped_tables_have_no_padding_at_line_ends(capsys, synth_dir):
    for argv in (("list",), ("stats",)):
        code, out, _ = run(capsys, "--data-dir", synth_dir, *argv)
        assert code == 0 and len(out.splitlines()) > 10
        assert all(line == line.rstrip() for line in out.splitlines()), argv


@pytest.mark.parametrize(("locale_name", "expected", "absent"), [("zh_CN.UTF-8", "条目", "items"),
                                                                ("en_US.UTF-8", "items", "条目")])
def test_the_locale_picks_the_language_when_no_lang_is_given(capsys, tmp_path, monkeypatch, locale_name,
                                                             expected, absent):
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", locale_name)
    code, out, _ = run(capsys, "--data-dir", tmp_path / "d", "list")
    header = out.splitlines()[0]
    assert code == 0 and expected in header and absent not in header
    # --lang beats the locale
    _, out, _ = run(capsys, "--data-dir", tmp_path / "d", "--lang", "en" if expected == "条目" else "zh", "list")
    assert absent in out.splitlines()[0]
