"""Issue 13: the config file is validated whole; every error exits 2 naming the file, the key and the
allowed range, before the reader touches the terminal; unknown keys and key names are warned about once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sz_digest.cache.config import Config, load_config
from sz_digest.cache.errors import UsageError
from sz_digest.tui.cli import main
from sz_digest.tui.commands import checked_keymap
from textual.widgets._footer import FooterKey

from tui_fixtures import data_dir, notices, running  # noqa: F401 (data_dir is a fixture)

BAD_VALUES = [
    ("refresh_interval_hours = inf", "refresh_interval_hours", "from 0 to 8760"),
    ("refresh_interval_hours = -inf", "refresh_interval_hours", "from 0 to 8760"),
    ("refresh_interval_hours = nan", "refresh_interval_hours", "from 0 to 8760"),
    ("refresh_interval_hours = 1e300", "refresh_interval_hours", "from 0 to 8760"),
    ("refresh_interval_hours = 99999999999999999999", "refresh_interval_hours", "from 0 to 8760"),
    ("refresh_interval_hours = -1", "refresh_interval_hours", "from 0 to 8760"),
    ("refresh_interval_hours = '6'", "refresh_interval_hours", "from 0 to 8760"),
    ("refresh_interval_hours = true", "refresh_interval_hours", "from 0 to 8760"),
    ("concurrency = 0", "concurrency", "from 1 to 16"),
    ("concurrency = 1e3", "concurrency", "from 1 to 16"),
    ("concurrency = 9223372036854775807", "concurrency", "from 1 to 16"),
    ("user_agent = '中文浏览器'", "user_agent", "printable ASCII on one line"),
    ('user_agent = """a\nb"""', "user_agent", "printable ASCII on one line"),
    ('user_agent = "a\\u0007b"', "user_agent", "printable ASCII on one line"),
    ("user_agent = ''", "user_agent", "printable ASCII on one line"),
    (f"user_agent = '{'x' * 5000}'", "user_agent", "1 to 300 characters"),
    ("user_agent = 7", "user_agent", "a string"),
    ("source = 'http://127.0.0.1:99999/'", "source", "port of 0-65535"),
    ("source = 'http://[::1/'", "source", "http:// or https:// URL"),
    ("source = 'file:///etc/passwd'", "source", "http:// or https:// URL"),
    ("lang = 'fr'", "lang", '"zh" or "en"'),
    ("keys = 'j'", "keys", "a table of binding ids"),
    ("[keys]\n'week.next' = 5", "keys.week.next", "key string"),
    ("[keys]\n'week.next' = ''", "keys.week.next", "key string"),
    ("on_new_timeout = 0", "on_new_timeout", "above 0 and at most 600"),
    ("on_new_timeout = nan", "on_new_timeout", "above 0 and at most 600"),
    ("on_new_timeout = inf", "on_new_timeout", "above 0 and at most 600"),
    ("on_new = 5", "on_new", "a string or a list of strings"),
    ("on_new = ['x', 3]", "on_new", "a string or a list of strings"),
]


@pytest.fixture
def config_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("SZ_DIGEST_CONFIG", str(path))
    monkeypatch.setenv("SZ_DIGEST_HOME", str(tmp_path / "home"))
    return path


@pytest.mark.parametrize("text,key,allowed", BAD_VALUES)
def test_every_bad_value_exits_2_naming_file_key_and_range(config_file, capsys, text, key, allowed):
    config_file.write_text(text + "\n", "utf-8")
    for argv in (["list", "--json"], ["sync", "--offline"]):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err
        assert str(config_file) in err and f"'{key}'" in err and allowed in err, err
        assert len(err) < 400


def test_a_config_file_that_is_not_a_file_or_not_toml_is_one_line(config_file, capsys):
    cases = []
    config_file.mkdir()
    cases.append("not a regular file")
    for expected in cases:
        assert main(["list", "--json"]) == 2
        err = capsys.readouterr().err
        assert expected in err and err.count("\n") == 1
    config_file.rmdir()
    os.mkfifo(config_file)  # a FIFO nobody writes: must not hang
    assert main(["list", "--json"]) == 2
    assert "not a regular file" in capsys.readouterr().err
    config_file.unlink()
    config_file.write_text("x = " + "[" * 3000 + "]" * 3000)
    assert main(["list", "--json"]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    config_file.write_bytes(b"\xff\xfe source = 1")
    assert main(["list", "--json"]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_unknown_keys_are_warned_once_with_the_closest_name(config_file, capsys):
    config_file.write_text("refresh_interval_hour = 2\nsourse = 'http://x/'\nzzz = 1\n")
    assert main(["list", "--json"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert "unknown key 'refresh_interval_hour' ignored (did you mean 'refresh_interval_hours'?)" in err[0]
    assert "(did you mean 'source'?)" in err[1] and "'zzz' ignored" in err[2] and "did you mean" not in err[2]
    assert all(str(config_file) in line for line in err)


def test_good_values_at_the_edges_of_their_ranges_load():
    config = Config()
    assert config.refresh_interval_hours == 6.0
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"sz13-edge-{os.getpid()}.toml"
    try:
        path.write_text("refresh_interval_hours = 0\nconcurrency = 16\nuser_agent = 'x'\n")
        assert load_config(path).refresh_interval_hours == 0
        path.write_text("refresh_interval_hours = 8760.0\nconcurrency = 1\n")
        assert load_config(path).concurrency == 1
        path.write_text("refresh_interval_hours = 8760.5\n")
        with pytest.raises(UsageError):
            load_config(path)
    finally:
        path.unlink(missing_ok=True)


def test_unknown_binding_ids_and_key_names_are_left_out_with_a_suggestion():
    usable, warnings = checked_keymap({"week.next": "nonsense", "week.prev": "x", "quit": "ctrl+escap",
                                       "search": "ctrl+f,slash", "help": "F1", "open": "hyper+",
                                       "filter.clear": "\x1b[31m"})
    assert usable == {"search": "ctrl+f,slash"}
    text = "\n".join(warnings)
    assert "unknown binding id 'week.prev' ignored (did you mean 'week.previous'?)" in text
    assert "unknown key name 'ctrl+escap' ignored (did you mean 'escape'?)" in text
    assert "unknown key name 'F1' ignored (did you mean 'f1'?)" in text
    assert "'week.next' = unknown key name 'nonsense'" in text
    assert "\x1b" not in text and len(warnings) == 6


async def test_the_footer_never_shows_an_unknown_key_and_the_reader_says_why(data_dir):  # noqa: F811
    config = Config(keymap={"week.next": "nonsense", "week.previous": "b"}, path=Path("/cfg/config.toml"))
    async with running(data_dir, config=config) as (app, pilot):
        await pilot.pause()
        keys = [key.key for key in app.screen.query(FooterKey) if not key.has_class("-command-palette")]
        assert "nonsense" not in keys and "b" in keys and "n" in keys
        text = notices(app).replace("\n", " ")
        assert "unknown key name 'nonsense'" in text and "/cfg/config.toml" in text


def test_config_and_write_errors_speak_chinese_with_lang_zh(config_file, tmp_path, capsys):
    config_file.write_text("refresh_interval_hours = inf\n")
    assert main(["--lang", "zh", "list", "--json"]) == 2
    err = capsys.readouterr().err
    assert "配置文件" in err and "必须是" in err and "0 到 8760" in err and "must be" not in err
    config_file.write_text("sourse = 'x'\n")
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert main(["--lang", "zh", "export", "-o", str(fifo), "--force"]) == 5
    err = capsys.readouterr().err.splitlines()
    assert "未知的键 'sourse' 已忽略（是否想写 'source'？）" in err[0]
    assert "命名管道" in err[1] and "refusing" not in err[1]
