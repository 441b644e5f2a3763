"""`sz-digest import PATH...` and `sz-digest doctor`: the archive when the site blocks or changes.

The logic lives in cache/importer.py and cache/health.py; this module prints it (docs/cli.md).
"""

from __future__ import annotations

import sys

from sz_digest.cache.exit_codes import ExitCode


def cmd_import(store, args) -> int:
    """Import saved pages; exit 0 when every file was imported, 1 when any was not (each named)."""
    from sz_digest.cache.importer import import_paths

    from .cli import _print_json
    from .cli_output import t, warn

    results = import_paths(store, args.paths, source=args.source_url)
    if args.json:
        _print_json([r.to_json() for r in results])
    else:
        for r in results:
            if r.error:
                continue
            line = t("cli.imported" if r.changed else "cli.import_unchanged", path=r.path, id=r.digest_id)
            print(line + (t("cli.import_degraded") if r.degraded else ""))
    for r in results:
        if r.error:
            warn(f"{r.path}: {r.error}")
    done = sum(1 for r in results if not r.error)
    if not args.json:
        print(t("cli.import_done", done=done, total=len(results)))
    return ExitCode.OK if results and done == len(results) else ExitCode.NO_MATCH


def cmd_doctor(store, args) -> int:
    """A short diagnostic a user can paste into a bug report (always exit 0 unless the store fails)."""
    from sz_digest.cache.health import diagnose, render_diagnosis

    from .cli import _print_json

    report = diagnose(store)
    if args.json:
        _print_json(report)
    else:
        sys.stdout.write(render_diagnosis(report) + "\n")
    return ExitCode.OK
