"""The README and docs read whole from the repository alone: links resolve inside it, the key table
is the command table, the Quick start is what CI runs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import readme  # noqa: E402  (scripts/readme.py)

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md", ROOT / "ARCHITECTURE.md"]


def _relative_links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [target for target in LINK.findall(text) if not re.match(r"[a-z]+:", target) and not target.startswith("#")]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repository(path):
    for target in _relative_links(path):
        resolved = (path.parent / target.split("#")[0]).resolve()
        assert resolved.is_relative_to(ROOT), f"{path.name}: {target} leaves the repository"
        assert resolved.exists(), f"{path.name}: {target} does not exist"


def test_the_readme_links_its_contract_and_shows_the_screenshot():
    links = _relative_links(ROOT / "README.md")
    assert "docs/cli.md" in links and "docs/screenshot.svg" in links
    svg = (ROOT / "docs" / "screenshot.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "sz-digest" in svg


def test_the_key_table_is_the_command_table():
    from sz_digest.tui.commands import COMMANDS

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.updated(text) == text, "README.md's key table is stale: run scripts/readme.py"
    table = readme.key_block(text)
    for command in COMMANDS:
        assert f"| {command.en} |" in table, command.id


def test_the_key_table_check_notices_drift():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    drifted = text.replace("| Quit |", "| Leave |")
    assert readme.updated(drifted) != drifted


def _quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_quick_start_is_two_commands_that_need_no_activated_venv():
    commands = _quick_start()
    assert len(commands) == 2
    for command in commands:
        for word in re.findall(r"(?:^|&& )(\S+)", command):
            assert word in ("python3",) or word.startswith(".venv/bin/"), (command, word)
    assert "sz-digest" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_commands.py" in ci


def test_performance_is_the_last_section():
    headings = re.findall(r"^## (.+)$", (ROOT / "README.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert headings[-1] == "Performance"


def test_every_sz_digest_command_in_the_readme_parses():
    """The commands the README shows are accepted by the parser as written (CI also runs them)."""
    import shlex

    from sz_digest.tui.cli import build_parser

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            for step in line.split("&&"):
                words = shlex.split(step.split(">")[0], comments=True)
                if words and words[0].endswith("bin/sz-digest"):
                    shown.append(words[1:])
    assert len(shown) >= 6
    for argv in shown:
        build_parser().parse_args(argv)  # SystemExit (a failure here) if the README drifted from the parser


def test_the_screenshot_script_renders_the_reader_at_120x40(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import screenshot

    monkeypatch.setattr(screenshot, "WEEKS", 20)  # the same picture, a smaller archive: quick
    target = tmp_path / "shot.svg"
    assert screenshot.main([str(target)]) == 0
    svg = target.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Districts" in svg and "Weeks" in svg and "Digest" in svg
    assert svg.count('class="terminal-') > 100 and "深圳社会工作一周速览" in svg


def test_the_readme_config_example_is_a_config_the_app_accepts(tmp_path):
    from sz_digest.cache.config import load_config

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.DOTALL).group(1)
    path = tmp_path / "config.toml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path)
    assert config.lang == "zh" and config.keymap["week.next"] == "n,l" and config.on_new


def test_the_readme_exit_code_table_has_every_code():
    from sz_digest.cache.exit_codes import ExitCode

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = {int(code) for code in re.findall(r"^\| (\d+) \|", text, re.MULTILINE)}
    assert listed == {int(code) for code in ExitCode}
