"""The core stays UI-free: importing all of sz_digest.cache must not pull in Textual or Rich."""

import pkgutil
import subprocess
import sys

import sz_digest.cache


def test_cache_imports_neither_textual_nor_rich():
    modules = [m.name for m in pkgutil.iter_modules(sz_digest.cache.__path__, "sz_digest.cache.")]
    assert "sz_digest.cache.store" in modules and "sz_digest.cache.parser" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"sz_digest.cache pulled in: {result.stdout}"


def test_list_json_does_not_import_the_ui_or_the_network_stack(tmp_path):
    code = (
        "import sys\n"
        "from sz_digest.tui.cli import main\n"
        f"rc = main(['--data-dir', {str(tmp_path)!r}, 'list', '--json'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich', 'httpx', 'selectolax'})\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    # The first run seeds the sample (which needs the parser); the second is the steady state.
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY=\n" in result.stderr or result.stderr.rstrip().endswith("HEAVY=")
