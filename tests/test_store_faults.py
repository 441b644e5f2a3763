"""A read-only or full data dir: a clear error naming the path, reading still works, nothing lost.

Root ignores file permissions, so these tests give the data dir a real read-only or tiny file system
in a private mount namespace (`unshare -m`): nothing leaks to the rest of the machine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path


from conftest import make_digest
from sz_digest.cache.store import Store

TESTS = Path(__file__).parent


def in_private_mount(tmp_path: Path, mount: str, script: str) -> subprocess.CompletedProcess:
    """Run `script` (Python) after `mount` (shell) inside a private mount namespace."""
    assert shutil.which("unshare"), "these tests need util-linux's unshare"
    body = tmp_path / "body.py"
    body.write_text(f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n" + textwrap.dedent(script))
    command = f"{mount} && exec {sys.executable} {body}"
    return subprocess.run(["unshare", "-m", "sh", "-c", command], capture_output=True, text=True, timeout=60)


def _filled_store(root: Path) -> Path:
    store = Store.open(root / "data", seed_sample=False)
    store.save_digest(make_digest("1600001", date(2026, 3, 2), [("futian", "福田标题", "福田正文。")]), b"<p>1</p>")
    store.close()
    return root / "data"


def test_read_only_data_dir_still_reads_and_refuses_writes_clearly(tmp_path):
    root = tmp_path / "ro"
    data = _filled_store(root)
    result = in_private_mount(tmp_path, f"mount --bind {root} {root} && mount -o remount,ro,bind {root}", f"""
        import json
        from sz_digest.cache.errors import StoreError
        from sz_digest.cache.store import Store
        from sz_digest.tui.cli import main
        store = Store.open({str(data)!r})
        print(json.dumps({{"read_only": store.read_only, "weeks": [w.id for w in store.weeks()]}}))
        try:
            store.set_read("1600001")
        except StoreError as exc:
            print(json.dumps({{"error": str(exc)}}))
        sys.exit(main(["--data-dir", {str(data)!r}, "show", "latest", "--json"]))
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert json.loads(lines[0]) == {"read_only": True, "weeks": ["1600001"]}
    error = json.loads(lines[1])["error"]
    assert str(data) in error and "read-only" in error
    assert json.loads("\n".join(lines[2:]))["items"][0]["title"] == "福田标题"


def test_full_disk_fails_the_write_cleanly_and_keeps_what_was_stored(tmp_path):
    root = tmp_path / "full"
    root.mkdir()
    result = in_private_mount(tmp_path, f"mount -t tmpfs -o size=600k tmpfs {root}", f"""
        import json, os
        from datetime import date
        from conftest import make_digest
        from sz_digest.cache.errors import StoreError
        from sz_digest.cache.store import Store
        store = Store.open({str(root / "data")!r}, seed_sample=False)
        store.save_digest(make_digest("1600001", date(2026, 3, 2), [("futian", "福田标题", "福田正文。")]), b"<p>1</p>")
        big = os.urandom(2_000_000)  # more than the file system holds
        try:
            store.save_digest(make_digest("1600002", date(2026, 3, 9), [("luohu", "罗湖", "正文")]), big)
            print(json.dumps({{"error": None}}))
        except StoreError as exc:
            print(json.dumps({{"error": str(exc)}}))
        print(json.dumps({{"weeks": [w.id for w in store.weeks()], "ok": store.integrity_ok(),
                          "title": store.items_for("1600001")[0].title}}))
    """)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["error"] is not None and "disk is full" in first["error"] and str(root) in first["error"]
    assert second == {"weeks": ["1600001"], "ok": True, "title": "福田标题"}


def test_cli_exits_4_when_a_fresh_data_dir_cannot_be_written(tmp_path):
    root = tmp_path / "ro-empty"
    root.mkdir()
    result = in_private_mount(tmp_path, f"mount --bind {root} {root} && mount -o remount,ro,bind {root}", f"""
        from sz_digest.tui.cli import main
        sys.exit(main(["--data-dir", {str(root / "data")!r}, "list", "--json"]))
    """)
    assert result.returncode == 4
    assert result.stdout == ""
    assert str(root / "data") in result.stderr and result.stderr.count("\n") == 1
