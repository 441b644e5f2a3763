"""cache/json_text.dumps writes exactly what json.dumps(ensure_ascii=False, indent=2) writes."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from sz_digest.cache.json_text import dumps, week_list_chunks
from sz_digest.cache.model import WeekSummary

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


flags = st.booleans() | st.sampled_from([0, 1])  # ints are not what the store makes, but must still match
weeks = st.builds(
    WeekSummary, st.text(), st.text(), st.text(), st.dates(), st.dates(), st.dates(),
    st.integers() | st.booleans(), st.lists(st.text(max_size=8), max_size=3).map(tuple),
    flags, flags, flags, flags, st.text(max_size=5),
)


@given(st.lists(weeks, max_size=7), st.integers(1, 4))
def test_week_list_is_the_text_of_every_week_to_json(week_list, chunk):
    expected = reference([week.to_json() for week in week_list])
    assert "".join(week_list_chunks(week_list, chunk=chunk)) == expected
    assert dumps([week.to_json() for week in week_list]) == expected
