"""cache/json_text.dumps writes exactly what json.dumps(ensure_ascii=False, indent=2) writes."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from sz_digest.cache.json_text import dumps

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=30,
)


def reference(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@given(values)
def test_same_text_as_json_dumps(data):
    assert dumps(data) == reference(data)


def test_scraped_text_control_characters_and_keys_json_would_convert():
    data = [{"title": "深圳\u2028社工\x00\"引号\"\\", "n": 1, "ok": True, "nothing": None, "list": []},
            {1: "int key", None: "none key"}, {}, float("nan"), [float("inf")]]
    assert dumps(data) == reference(data)


def test_what_json_refuses_is_still_refused():
    try:
        reference({"day": date(2026, 3, 9)})
    except TypeError as exc:
        expected = str(exc)
    try:
        dumps({"day": date(2026, 3, 9)})
    except TypeError as exc:
        assert str(exc) == expected
    else:
        raise AssertionError("dumps accepted a date")
