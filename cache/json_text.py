"""`json.dumps(data, ensure_ascii=False, indent=2)`, byte for byte, at C-encoder speed for strings.

Why: with `indent`, the json module never uses its C encoder; its generator-based Python encoder
took most of `sz-digest list --json` at 5,200 weeks (about 50,000 values). This writes the same
text by appending to one list, with the C string escaper; anything it does not know (a key that is
not a string, a type json would reject or convert) goes to `json.dumps`, so the output never
differs.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper when available (ensure_ascii=False)


class _Unusual(Exception):
    """Something only json.dumps knows how to say (or to refuse)."""


def dumps(data: object) -> str:
    out: list[str] = []
    try:
        _write(data, out, "\n", {})
    except (_Unusual, RecursionError):
        return json.dumps(data, ensure_ascii=False, indent=2)
    return "".join(out)


def _write(value: object, out: list[str], newline: str, heads: dict) -> None:
    # Members that are plain str/None/bool/int are written inline, without a call per value:
    # at 5,200 weeks `list --json` has ~100,000 of them and a call each was most of its time.
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Unusual
        out.append(float.__repr__(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        append = out.append
        first = True
        for key, item in value.items():
            # `{` or `,`, the newline and indent, the key and `": "`: the same few strings over
            # and over (every week has the same keys), so each is made once per call of dumps.
            head = heads.get((first, inner, key))
            if head is None:
                if not isinstance(key, str):
                    raise _Unusual
                head = heads[(first, inner, key)] = ("{" if first else ",") + inner + encode_basestring(key) + ": "
            first = False
            append(head)
            kind = type(item)
            if kind is str:
                append(encode_basestring(item))
            elif item is None:
                append("null")
            elif kind is bool:
                append("true" if item else "false")
            elif kind is int:
                append(int.__repr__(item))
            else:
                _write(item, out, inner, heads)
        append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        append = out.append
        for item in value:
            kind = type(item)
            if kind is str:
                append(separator + encode_basestring(item))
            else:
                append(separator)
                _write(item, out, inner, heads)
            separator = "," + inner
        append(newline + "]")
    else:
        raise _Unusual


# One week of `list --json` as `dumps` writes it inside the top-level list (docs/cli.md; the shape
# is WeekSummary.to_json's, and tests/test_json_text.py checks every field against it).
_WEEK = ('{\n    "id": %s,\n    "url": %s,\n    "title": %s,\n    "week_start": "%s",\n    "week_end": "%s",\n'
         '    "published": "%s",\n    "item_count": %s,\n    "districts": %s,\n    "read": %s,\n    "sample": %s,\n'
         '    "degraded": %s,\n    "week_inferred": %s\n  }')
_BOOL = ("false", "true")


def week_list_chunks(rows, chunk: int = 500):
    """The text of `dumps([week.to_json() for week in weeks])`, in pieces of `chunk` weeks, from
    `Store.week_rows()`: (id, url, title, week_start, week_end, published as ISO text, item_count,
    districts as a tuple of codes, read, sample, degraded, week_inferred as truth values).

    Why: `list --json` at 5,200 weeks spent ~100 ms building 5,200 dicts and walking them value by
    value, and ~30 ms turning stored ISO dates into dates and back. This fills one %-template per
    week (only the strings need the C escaper) and lets the caller write as it goes."""
    escape = encode_basestring
    bool_ = _BOOL
    pieces: list[str] = []
    separator = "[\n  "
    for (id_, url, title, week_start, week_end, published, item_count, districts, read, sample, degraded,
         week_inferred) in rows:
        if type(item_count) is not int:  # not what the store makes: let dumps say it exactly
            item_count = dumps(item_count)
        pieces.append(separator + _WEEK % (
            escape(id_), escape(url), escape(title), week_start, week_end, published, item_count,
            "[\n      " + ",\n      ".join(map(escape, districts)) + "\n    ]" if districts else "[]",
            bool_[bool(read)], bool_[bool(sample)], bool_[bool(degraded)], bool_[bool(week_inferred)]))
        separator = ",\n  "
        if len(pieces) >= chunk:
            yield "".join(pieces)
            pieces.clear()
    pieces.append("[]" if separator == "[\n  " else "\n]")
    yield "".join(pieces)
