#!/usr/bin/env python3
"""Keep README.md's generated parts in step with the code.

The key table is generated from tui/commands.py (through the help screen's own key labels) and
written between the `<!-- keys -->` and `<!-- /keys -->` markers. tests/test_readme.py fails when the
README's table differs from what this would write.

    .venv/bin/python scripts/readme.py          # rewrite the table in README.md
    .venv/bin/python scripts/readme.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from sz_digest.tui.help_screen import markdown_key_table

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- keys -->)(.*?)(<!-- /keys -->)", re.DOTALL)


def key_block(readme: str) -> str:
    """The key table as it stands in `readme`."""
    match = BLOCK.search(readme)
    if match is None:
        raise SystemExit("README.md has no <!-- keys --> … <!-- /keys --> block")
    return match.group(2).strip("\n")


def updated(readme: str) -> str:
    key_block(readme)
    return BLOCK.sub(lambda m: m.group(1) + "\n" + markdown_key_table("en") + "\n" + m.group(3), readme, count=1)


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print("README.md's key table is out of date: run scripts/readme.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
