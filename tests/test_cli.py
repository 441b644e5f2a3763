"""The command line against docs/cli.md: shapes, exit codes, one-line errors, clean stdout."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date

import pytest

from conftest import make_digest
from sz_digest.cache.store import Store
from sz_digest.tui.cli import main

SAMPLE_ORDER = ["futian", "luohu", "nanshan", "baoan", "longgang", "longhua", "pingshan", "guangming"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fresh(tmp_path):
    return tmp_path / "fresh"


@pytest.fixture
def archive_dir(archive):
    return archive.data_dir


def test_fresh_data_dir_lists_the_bundled_sample(capsys, fresh):
    code, out, err = run(capsys, "--data-dir", fresh, "list", "--json")
    assert code == 0 and err == ""
    assert json.loads(out) == [{
        "id": "1663876",
        "url": "http://szshequ.org.cn/szshgzb/gzyw/content/post_1663876.html",
        "title": "深圳社会工作一周速览（3月9日至3月13日）",
        "week_start": "2026-03-09", "week_end": "2026-03-13", "published": "2026-03-20",
        "item_count": 8, "districts": SAMPLE_ORDER, "read": False, "sample": True,
        "degraded": False, "week_inferred": False,
    }]


def test_show_latest_filtered_to_nanshan(capsys, fresh):
    code, out, _ = run(capsys, "show", "latest", "--district", "南山", "--json", "--data-dir", fresh)
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"id", "url", "title", "week_start", "week_end", "published", "read", "sample", "items",
                         "degraded", "degraded_reason", "week_inferred", "attachments"}
    assert data["items"] == [{
        "district": "nanshan", "district_name": "南山区", "title": "召开树立和践行正确政绩观学习教育动员部署会",
        "body": data["items"][0]["body"],
    }]
    assert data["items"][0]["body"].startswith("3月11日,南山区委“两新”工委召开")


def test_show_keeps_page_order(capsys, fresh):
    _, out, _ = run(capsys, "--data-dir", fresh, "show", "2026-03-11", "--json")
    assert [i["district"] for i in json.loads(out)["items"]] == SAMPLE_ORDER


@pytest.mark.parametrize("alias", ["nanshan", "NANSHAN", "南山区", "南山", "Nanshan"])
def test_every_district_alias_is_accepted(capsys, fresh, alias):
    _, out, _ = run(capsys, "--data-dir", fresh, "show", "latest", "--district", alias, "--json")
    assert [i["district"] for i in json.loads(out)["items"]] == ["nanshan"]


def test_unknown_district_exits_2_listing_the_valid_ones(capsys, fresh):
    code, out, err = run(capsys, "--data-dir", fresh, "list", "--district", "atlantis")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "atlantis" in err and "nanshan (南山区)" in err and "dapeng (大鹏新区)" in err


@pytest.mark.parametrize("argv", [
    ["search", "社工", "--since", "2026-13-01"],
    ["search", "社工", "--limit", "0"],
    ["list", "--bogus"],
    ["show", "2026-02-30"],
    ["show", "next tuesday"],
    ["export", "--format", "xml"],
])
def test_usage_errors_exit_2_with_one_line(capsys, fresh, argv):
    code, out, err = run(capsys, "--data-dir", fresh, *argv)
    assert code == 2 and out == ""
    assert err.startswith("sz-digest: ") and err.count("\n") == 1


def test_no_such_week_exits_1(capsys, fresh):
    code, out, err = run(capsys, "--data-dir", fresh, "show", "1999999", "--json")
    assert code == 1 and out == "" and "1999999" in err


def test_unwritable_store_exits_4_naming_the_path(capsys, tmp_path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    code, out, err = run(capsys, "--data-dir", blocker / "data", "list")
    assert code == 4 and out == ""
    assert str(blocker) in err and err.count("\n") == 1


def test_global_options_after_the_subcommand(capsys, archive_dir):
    code, out, _ = run(capsys, "list", "--json", "--data-dir", archive_dir, "--offline")
    assert code == 0 and [w["id"] for w in json.loads(out)] == ["1600003", "1600002", "1600001"]


def test_list_filtered_by_district_and_the_item_timeline(capsys, archive_dir):
    _, out, _ = run(capsys, "--data-dir", archive_dir, "list", "--district", "nanshan", "--json")
    assert [w["id"] for w in json.loads(out)] == ["1600002", "1600001"]
    _, out, _ = run(capsys, "--data-dir", archive_dir, "list", "--district", "南山", "--items", "--json")
    assert [(r["week_start"], r["district"], r["title"]) for r in json.loads(out)] == [
        ("2026-03-02", "nanshan", "南山区社工站揭牌"),
        ("2026-02-23", "nanshan", "南山开展党建引领小区治理"),
    ]


def test_search_json_shape_and_no_hit_exit(capsys, archive_dir):
    code, out, _ = run(capsys, "--data-dir", archive_dir, "search", "社工站", "--json")
    assert code == 0
    assert json.loads(out) == [{"digest_id": "1600002", "week_start": "2026-03-02", "district": "nanshan",
                                "title": "南山区社工站揭牌", "snippet": "新的社工站为居民提供服务。"}]
    code, out, _ = run(capsys, "--data-dir", archive_dir, "search", "不存在的词", "--json")
    assert code == 1 and json.loads(out) == []


def test_sample_search_done_when(capsys, fresh):
    _, out, _ = run(capsys, "--data-dir", fresh, "search", "社工", "--json")
    hits = json.loads(out)
    _, shown, _ = run(capsys, "--data-dir", fresh, "show", "latest", "--json")
    expected = {i["title"] for i in json.loads(shown)["items"] if "社工" in i["title"] + i["body"]}
    assert {h["title"] for h in hits} == expected and len(hits) == len(expected) > 0
    _, out, _ = run(capsys, "--data-dir", fresh, "search", "吉星花园", "--json")
    assert [h["district"] for h in json.loads(out)] == ["longgang"]


def test_export_json_round_trips_with_show(capsys, archive_dir, tmp_path):
    target = tmp_path / "out.json"
    code, _, err = run(capsys, "--data-dir", archive_dir, "export", "--format", "json", "-o", target)
    assert code == 0 and str(target) in err
    exported = json.loads(target.read_text("utf-8"))
    for week in exported:
        _, shown, _ = run(capsys, "--data-dir", archive_dir, "show", week["id"], "--json")
        assert json.loads(shown) == week
    assert [w["id"] for w in exported] == ["1600001", "1600002", "1600003"]


def test_export_csv_has_a_bom_and_one_row_per_item(capsys, archive_dir):
    code, out, _ = run(capsys, "--data-dir", archive_dir, "export", "--format", "csv", "--district", "nanshan")
    assert code == 0 and out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out[1:])))
    assert [(r["week_start"], r["district_name"], r["title"]) for r in rows] == [
        ("2026-02-23", "南山区", "南山开展党建引领小区治理"),
        ("2026-03-02", "南山区", "南山区社工站揭牌"),
    ]
    assert rows[0]["body"] == "南山区推进物业管理。\n\n第二段：居民议事。"
    assert list(rows[0]) == ["week_start", "week_end", "published", "district", "district_name", "title", "body", "url",
                             "degraded", "week_inferred", "attachments"]
    assert (rows[0]["degraded"], rows[0]["week_inferred"], rows[0]["attachments"]) == ("0", "0", "")


def test_export_markdown_done_when(capsys, fresh, tmp_path):
    target = tmp_path / "out.md"
    code, _, _ = run(capsys, "--data-dir", fresh, "export", "--format", "md", "--district", "南山", "-o", target)
    text = target.read_text("utf-8")
    assert code == 0
    assert text.count("\n# ") + text.startswith("# ") == 1
    assert text.count("\n## ") == 1 and "## 南山区" in text
    assert text.count("\n### ") == 1 and "### 召开树立和践行正确政绩观学习教育动员部署会" in text
    assert "http://szshequ.org.cn/szshgzb/gzyw/content/post_1663876.html" in text


def test_export_refuses_to_overwrite_without_force(capsys, archive_dir, tmp_path):
    target = tmp_path / "keep.md"
    target.write_text("precious")
    code, _, err = run(capsys, "--data-dir", archive_dir, "export", "-o", target)
    assert code == 2 and "--force" in err and target.read_text() == "precious"
    code, _, _ = run(capsys, "--data-dir", archive_dir, "export", "-o", target, "--force")
    assert code == 0 and target.read_text("utf-8").startswith("# ")


def test_export_since_until_overlap(capsys, archive_dir):
    _, out, _ = run(capsys, "--data-dir", archive_dir, "export", "--format", "json",
                    "--since", "2026-03-04", "--until", "2026-03-09")
    assert [w["id"] for w in json.loads(out)] == ["1600002", "1600003"]


def test_markup_and_controls_in_a_page_stay_text(capsys, tmp_path):
    store = Store.open(tmp_path / "hostile", seed_sample=False)
    store.save_digest(make_digest("1600001", date(2026, 3, 2), [
        ("futian", "[bold red]紧急[/bold red]", "[link=http://evil.example]点我[/link]\x1b]52;c;ZXZpbA==\x07"),
    ]), b"x")
    store.close()
    for argv in (["show", "latest"], ["list", "--district", "futian", "--items"], ["search", "紧急"],
                 ["export", "--format", "csv"], ["export", "--format", "md"]):
        code, out, _ = run(capsys, "--data-dir", tmp_path / "hostile", *argv)
        assert code == 0
        assert "\x1b" not in out and "\x07" not in out
        assert "紧急" in out
    _, out, _ = run(capsys, "--data-dir", tmp_path / "hostile", "show", "latest")
    assert "[bold red]紧急[/bold red]" in out and "[link=http://evil.example]点我[/link]" in out
    _, out, _ = run(capsys, "--data-dir", tmp_path / "hostile", "export", "--format", "md")
    assert r"\[bold red\]紧急\[/bold red\]" in out


def test_stats_json(capsys, archive_dir):
    code, out, _ = run(capsys, "--data-dir", archive_dir, "stats", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["weeks"] == 3 and stats["items"] == 6


def test_the_installed_entry_point_prints_its_version():
    result = subprocess.run([sys.executable, "-m", "sz_digest.tui.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "sz-digest 0.1.0"


def test_sz_digest_home_is_the_default_data_dir(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SZ_DIGEST_HOME", str(tmp_path / "home"))
    code, _, _ = run(capsys, "list", "--json")
    assert code == 0 and (tmp_path / "home" / "sz-digest.sqlite3").exists()


def test_a_malformed_config_file_is_a_usage_error(capsys, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("concurrency = 'many'\n")
    monkeypatch.setenv("SZ_DIGEST_CONFIG", str(config))
    code, out, err = run(capsys, "list")
    assert code == 2 and "concurrency" in err and out == ""


def test_export_markdown_has_one_heading_per_week_and_a_subheading_per_district_run(capsys, archive_dir):
    code, out, _ = run(capsys, "--data-dir", archive_dir, "export", "--format", "md")
    lines = out.splitlines()
    assert code == 0
    assert [line for line in lines if line.startswith("# ")] == [
        "# 深圳社会工作一周速览（2月23日至2月27日）",
        "# 深圳社会工作一周速览（3月2日至3月6日）",
        "# 深圳社会工作一周速览（3月9日至3月13日）",
    ]
    assert [line for line in lines if line.startswith("## ")] == [
        "## 福田区", "## 南山区", "## 罗湖区", "## 南山区", "## 市级", "## 龙岗区"]
    assert sum("content/post_16000" in line for line in lines) == 3
