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


weeks = st.builds(
    WeekSummary, st.text(), st.text(), st.text(), st.dates(), st.dates(), st.dates(),
    st.integers(), st.lists(st.text(max_size=8), max_size=3).map(tuple),
    st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.text(max_size=5),
)


def as_row(week: WeekSummary) -> tuple:
    """What Store.week_rows yields for `week` (dates as ISO text, flags as SQLite's 0/1)."""
    return (week.id, week.url, week.title, week.week_start.isoformat(), week.week_end.isoformat(),
            week.published.isoformat(), week.item_count, week.districts, int(week.read), int(week.sample),
            int(week.degraded), int(week.week_inferred))


@given(st.lists(weeks, max_size=7), st.integers(1, 4))
def test_week_list_is_the_text_of_every_week_to_json(week_list, chunk):
    expected = reference([week.to_json() for week in week_list])
    assert "".join(week_list_chunks(map(as_row, week_list), chunk=chunk)) == expected
    assert dumps([week.to_json() for week in week_list]) == expected


def test_store_week_rows_are_its_weeks(tmp_path):
    from tui_fixtures import make_store, many_weeks

    from sz_digest.cache.store import Store

    with Store.open(make_store(tmp_path / "d", many_weeks(12))) as store:
        store.set_read(store.weeks()[2].id)
        for districts in (None, ["futian"], ["nanshan", "city"], ["atlantis"]):
            weeks = store.weeks(districts)
            assert [as_row(week) for week in weeks] == list(store.week_rows(districts))
            assert "".join(week_list_chunks(store.week_rows(districts))) == reference([w.to_json() for w in weeks])
