"""The one home for what sz-digest knows about the site's URLs: the default column, post URLs, ids.

Every module that needs a post id from a URL (parser, sync, store, CLI week specs) asks here, so the
pattern cannot drift between them.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

DEFAULT_SOURCE = "http://szshequ.org.cn/szshgzb/gzyw/"
SAMPLE_ID = "1663876"
SAMPLE_URL = f"http://szshequ.org.cn/szshgzb/gzyw/content/post_{SAMPLE_ID}.html"

# `…/post_N.html` and the mobile `…/mpost_N.html` (also .htm/.shtml); N is the stable, growing key.
POST_PATH_RE = re.compile(r"(?:^|/)(m?post)_(\d{1,18})\.s?html?$", re.I)
# A stored post id: digits only, so it can name a file under pages/ without escaping anything.
POST_ID_RE = re.compile(r"^[0-9]{1,20}$")


def post_id_from_url(url: str) -> str | None:
    """The post id in a post URL (`…/post_1663876.html` → "1663876"), or None for any other URL."""
    found = POST_PATH_RE.search(urlsplit(urldefrag(url or "")[0]).path)
    return str(int(found.group(2))) if found else None


def is_post_id(text: str) -> bool:
    return bool(POST_ID_RE.match(text))
