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
_BOOL = {True: "true", False: "false"}


def week_list_chunks(weeks, chunk: int = 500):
    """The text of `dumps([week.to_json() for week in weeks])`, in pieces of `chunk` weeks.

    Why: `list --json` at 5,200 weeks spent ~100 ms building 5,200 dicts and walking them value by
    value; this fills one %-template per week (dates are ISO text and bools one of two words: only
    the strings need escaping) and lets the caller write as it goes."""
    escape = encode_basestring
    bool_ = _BOOL
    pieces: list[str] = []
    separator = "[\n  "
    for week in weeks:
        flags = (week.read, week.sample, week.degraded, week.week_inferred)
        if type(week.item_count) is not int or any(type(flag) is not bool for flag in flags):
            # Not what the store makes (an int count, bool flags): let dumps say it exactly.
            text = dumps([week.to_json()])
            record = text[4:-2]  # "[\n  " ... "\n]"
        else:
            districts = week.districts
            record = _WEEK % (
                escape(week.id), escape(week.url), escape(week.title), week.week_start.isoformat(),
                week.week_end.isoformat(), week.published.isoformat(), week.item_count,
                "[\n      " + ",\n      ".join(map(escape, districts)) + "\n    ]" if districts else "[]",
                bool_[flags[0]], bool_[flags[1]], bool_[flags[2]], bool_[flags[3]])
        pieces.append(separator + record)
        separator = ",\n  "
        if len(pieces) >= chunk:
            yield "".join(pieces)
            pieces.clear()
    if separator == "[\n  ":
        pieces.append("[]")
    else:
        pieces.append("\n]")
    yield "".join(pieces)
