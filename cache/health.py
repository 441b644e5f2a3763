"""The layout-change alarm and `sz-digest doctor`: does the site still look like the archive?

Every parse records how it succeeded (`Digest.parse_info`: content area, heading family, item
count, furniture, where the week came from, degraded or not) and every list page says whether the
platform's list box was found (`ListPage.via`). From those records:

- `layout_warning(store)`: one sentence when new pages stop looking like the archive — the two
  newest digests both degraded, or the last sync read its list pages only by the whole-page
  fallback although earlier syncs found the list box. `sync` prints it, `sync --json` carries it
  (`layout_warning`), the reader's status line shows it.
- `after_sync(store, report)`: remembers how the list pages were read and returns the warning.
- `diagnose(store)`: the short report `sz-digest doctor` prints (and `--json`), for bug reports.
"""

from __future__ import annotations

from . import __version__

LIST_VIA = "health.list_via"  # "list" or "page": how the last sync read its list pages
_RECENT = 8

__all__ = ["after_sync", "diagnose", "layout_warning", "render_diagnosis"]


def layout_warning(store) -> str | None:
    """A warning when new pages stop looking like the archive, else None."""
    records = store.parse_records(limit=2)
    if len(records) == 2 and all(r["degraded"] for r in records):
        return ("the site's layout may have changed: the two newest digests could not be split into items "
                "(stored as full text); run `sz-digest doctor` and report it, then `sz-digest reparse` after upgrading")
    if store.get_setting(LIST_VIA) == "page-after-list":
        return ("the site's layout may have changed: the column's list pages no longer have the usual list box "
                "and were read by a fallback; run `sz-digest doctor` and report it")
    return None


def after_sync(store, report) -> str | None:
    """Record how this sync read the list pages; return the layout warning (if any)."""
    if report.pages:
        previous = store.get_setting(LIST_VIA)
        if report.list_fallback_pages < report.pages:
            current = "list"
        elif previous in ("list", "page-after-list"):
            current = "page-after-list"
        else:
            current = "page"
        if current != previous:
            store.set_setting(LIST_VIA, current)
    return layout_warning(store)


def diagnose(store) -> dict:
    """Everything a bug report about a site change needs, and nothing private (no paths beyond the store)."""
    from .store import SCHEMA_VERSION

    weeks = store.weeks()
    real = [w for w in weeks if not w.sample]
    failures = store.failures()
    last = store.last_sync()
    return {
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "store": str(store.path),
        "integrity_ok": store.integrity_ok(),
        "weeks": len(real),
        "sample_weeks": len(weeks) - len(real),
        "degraded": [w.id for w in real if w.degraded],
        "week_inferred": [w.id for w in real if w.week_inferred],
        "last_sync": last.isoformat() if last else None,
        "list_pages": store.get_setting(LIST_VIA) or "unknown",
        "layout_warning": layout_warning(store),
        "failures": [{"url": f.url, "error": f.error, "at": f.at.isoformat()} for f in failures[-10:]],
        "recent": store.parse_records(limit=_RECENT),
    }


def render_diagnosis(report: dict) -> str:
    """`diagnose` as plain text a user can paste into a bug report."""
    lines = [
        f"sz-digest {report['version']} · schema {report['schema']} · store {report['store']}",
        f"store integrity: {'ok' if report['integrity_ok'] else 'DAMAGED'}; {report['weeks']} week(s) stored"
        + (f" (+{report['sample_weeks']} sample)" if report["sample_weeks"] else ""),
        f"degraded (stored as full text): {len(report['degraded'])}"
        + (f" — {', '.join(report['degraded'][:10])}" if report["degraded"] else ""),
        f"week inferred from the publish date: {len(report['week_inferred'])}",
        f"last sync: {report['last_sync'] or 'never'}; list pages read via: {report['list_pages']}",
        f"layout warning: {report['layout_warning'] or 'none'}",
        "recent pages (newest first): id · published · content area · heading family · items · furniture · week from",
    ]
    for record in report["recent"]:
        info = record["parse_info"] or {}
        furniture = ",".join(f"{k}={v}" for k, v in sorted((info.get("furniture") or {}).items())) or "-"
        state = f"DEGRADED: {record['degraded_reason']}" if record["degraded"] else "ok"
        via = info.get("via", "?") + (f" (after {', '.join(info['tried'])})" if info.get("tried") else "")
        lines.append(
            f"  {record['id']} · {record['published']} · {via} · {info.get('family') or '-'} · "
            f"{record['items']} · {furniture} · {info.get('week_from', '?')} · {state}"
        )
    if not report["recent"]:
        lines.append("  (none yet: run `sz-digest sync` or `sz-digest import`)")
    lines.append(f"failures waiting for a retry: {len(report['failures'])}")
    lines.extend(f"  {f['url']}  {f['error']}" for f in report["failures"])
    return "\n".join(lines)
