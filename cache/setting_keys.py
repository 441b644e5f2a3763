"""The keys of the store's `settings` table, in one place (a typo in a key is a silent reset).

Values are strings; each key's reader decides what a missing or malformed value means.
"""

from __future__ import annotations

LAST_SYNC = "last_sync"  # ISO timestamp (UTC) of the last sync that finished
WALK_INCOMPLETE = "sync.walk_incomplete"  # "1" while a full walk of the column has not reached its end
RESUME_PAGES = "sync.resume_pages"  # JSON {"source", "pages"}: list pages still queued when a walk was capped
TUI_SELECTED_WEEK = "tui.selected_week"  # the reader reopens on this digest id
TUI_DISTRICT_FILTER = "tui.district_filter"  # comma-separated district codes the reader was filtered to
TUI_UNREAD_ONLY = "tui.unread_only"  # "1": the reader lists only weeks with unread items
TUI_STARRED_ONLY = "tui.starred_only"  # "1": the reader lists only weeks with a starred item
SYNC_SOURCE = "sync.source"  # the source URL the last successful sync read; the reader's `r` uses it
