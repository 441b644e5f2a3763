#!/usr/bin/env python3
"""Render the README's screenshot: the reader itself, 120×40, on a realistic archive.

The archive is bench/synth.py's synthetic ten years (built through the real parser and store from
the bundled sample page), so the picture needs no network and comes out the same every time:

    .venv/bin/python scripts/screenshot.py            # writes docs/screenshot.svg
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402

from sz_digest.cache.config import Config  # noqa: E402
from sz_digest.cache.store import Store  # noqa: E402
from sz_digest.tui.app import DigestApp  # noqa: E402

SIZE = (120, 40)
WEEKS = 156  # three years: enough to scroll, quick to build


async def render(data_dir: Path, lang: str) -> str:
    with Store.open(data_dir, seed_sample=False) as store:
        # A fixed clock, so "last synced" never changes the picture.
        app = DigestApp(store, config=Config(), offline=True, lang=lang, now=lambda: datetime(2026, 3, 21, tzinfo=UTC))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("j")  # the reader as someone uses it: one week down, then back
            await pilot.press("k")
            await pilot.pause()
            return app.export_screenshot(title="sz-digest")


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else ROOT / "docs" / "screenshot.svg"
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        synth.build_store(data_dir, weeks=WEEKS)
        svg = asyncio.run(render(data_dir, "en"))
    target.write_text(svg, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
