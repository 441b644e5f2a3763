"""The one home for what sz-digest knows about the site's URLs: the default column, post URLs, ids.

Every module that needs a post id from a URL (parser, sync, store, CLI week specs) asks here, so the
pattern cannot drift between them.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

DEFAULT_SOURCE = "http://szshequ.org.cn/szshgzb/gzyw/"
SAMPLE_ID = "1663876"
SAMPLE_URL = f"http://szshequ.org.cn/szshgzb/gzyw/content/post_{SAMPLE_ID}.html"

# `…/post_N.html` and the mobile `…/mpost_N.html` (also .htm/.shtml); N is the stable, growing key.
POST_PATH_RE = re.compile(r"(?:^|/)(m?post)_(\d{1,18})\.s?html?$", re.I)
# A stored post id: digits only, so it can name a file under pages/ without escaping anything.
POST_ID_RE = re.compile(r"^[0-9]{1,20}$")
DEFAULT_PORTS = {"http": 80, "https": 443}
# C0 controls and DEL: searched in C (a Python loop over every character of every URL was a fifth
# of a list page's parse, which resolves and checks each of its links).
_CONTROL_RE = re.compile("[\x00-\x1f\x7f]")


def post_id_from_url(url: str) -> str | None:
    """The post id in a post URL (`…/post_1663876.html` → "1663876"), or None for any other URL."""
    found = POST_PATH_RE.search(urlsplit(urldefrag(url or "")[0]).path)
    return str(int(found.group(2))) if found else None


def is_post_id(text: str) -> bool:
    return bool(POST_ID_RE.match(text))


Origin = tuple[str, str, int]  # (scheme, host, port): what "same site" means


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL, or None when it is not one we could request.

    None for a malformed URL (an unbalanced IPv6 bracket, a port past 65535, no host, control
    characters), so callers can refuse it with a reason instead of meeting an exception later.
    """
    if not isinstance(url, str) or len(url) > 8192 or _CONTROL_RE.search(url):
        return None
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port
    except (ValueError, OverflowError):
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, DEFAULT_PORTS[scheme] if port is None else port


def join_url(base: str, href: str) -> str | None:
    """`href` resolved against `base`, fragment dropped; None when the result is not a usable URL."""
    try:
        url = urldefrag(urljoin(base, href.strip()))[0]
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None
    return url if origin_of(url) is not None else None
