"""Where the reader's first frame spends its work, counted rather than timed (load-independent).

    PYTHONHASHSEED=0 python bench/first_frame_calls.py app DATA_DIR WEEKS   # the reader on a store
    PYTHONHASHSEED=0 python bench/first_frame_calls.py bare                 # the bare Textual app

Runs one headless start exactly as bench/tui_probe.py does and counts the Python calls made from
`App.run` to the first full frame, each attributed to the innermost frame of our own code
(`ours:file:function`) or, outside it, to the innermost Textual phase it runs under (`tx:...`:
styling, CSS parsing, layout, rendering). Prints the total and the largest groups as JSON lines.

Why counts: on the shared 2-core machine timings swing by ±10 % between runs, while the call
counts repeat exactly (with PYTHONHASHSEED fixed), so a change that removes work shows as a
smaller number in one run. A call is not a fixed cost, so use these to find and confirm work
removed, and bench/run.py's same-run ratios for what it is worth in time.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tui_probe  # noqa: E402

PHASES = frozenset({
    "apply", "_process_component_classes", "parse", "_parse_rules", "render_update", "reflow", "render_lines",
    "_register", "mount", "_compose", "compose", "recompose", "_on_screen_resume", "update_node_styles",
    "_refresh_layout", "arrange", "_get_box_model", "set_focus",
})


def _our_dirs() -> tuple[str, ...]:
    """Where our modules' code lives: `sz_digest` in an installed copy, the repository's `tui/` and
    `cache/` in an editable one (whose file names do not say `sz_digest`)."""
    import sz_digest.cache
    import sz_digest.tui

    return tuple(str(Path(path).resolve()) + "/" for package in (sz_digest.tui, sz_digest.cache)
                 for path in package.__path__)


def main(argv: list[str]) -> int:
    counts: Counter = Counter()
    ours = _our_dirs()

    def profile(frame, event, arg) -> None:
        if event != "call":
            return
        phase = None
        while frame is not None:
            code = frame.f_code
            if code.co_filename.startswith(ours):
                counts[f"ours:{code.co_filename.rsplit('/', 1)[-1]}:{code.co_name}"] += 1
                return
            if phase is None and code.co_name in PHASES and "textual" in code.co_filename:
                phase = f"tx:{code.co_filename.rsplit('/', 1)[-1]}:{code.co_name}"
            frame = frame.f_back
        counts[phase or "other"] += 1

    if argv[0] == "bare":
        app, ready, store = tui_probe.bare_app()
    else:
        app, ready, store = tui_probe.reader_app(argv[1], int(argv[2]))

    async def autopilot(pilot) -> None:
        for _ in range(2000):
            await app.screen.wait_for_refresh()
            if ready():
                break
        sys.setprofile(None)
        app.exit()

    sys.setprofile(profile)
    app.run(headless=True, size=tui_probe.SIZE, auto_pilot=autopilot)
    sys.setprofile(None)
    if store is not None:
        store.close()
    print(json.dumps({"total_calls": sum(counts.values())}))
    for group, calls in counts.most_common(int(__import__("os").environ.get("TOP", "25"))):
        print(json.dumps({"group": group, "calls": calls}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
