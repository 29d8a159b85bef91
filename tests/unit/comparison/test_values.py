"""JSON value semantics: equality, differing paths, first difference, canonical key text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naver_sms.comparison.engine import key_text
from naver_sms.comparison.values import (
    canonical_json,
    common_prefix_length,
    differing_paths,
    json_equal,
    strip_metadata,
)


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ({"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}, True),
        ([1, 2], [2, 1], False),
        (4, 4.0, True),
        (0.1 + 0.2, 0.3, False),
        (True, 1, False),
        (False, 0, False),
        (None, False, False),
        ("1", 1, False),
        ("é", "e\u0301", False),  # no Unicode normalisation
        ("a\r\n", "a\n", False),
        ("a ", "a", False),  # no trimming
        ({"a": None}, {}, False),
        ([{"x": 1.0}], [{"x": 1}], True),
        (2**60, float(2**60), True),
        (2**53 + 1, float(2**53 + 1), False),  # floats are IEEE doubles (documented)
    ],
)
def test_json_equal(a: object, b: object, equal: bool) -> None:
    assert json_equal(a, b) is equal
    assert json_equal(b, a) is equal


def test_strip_metadata_drops_underscore_keys_at_any_depth() -> None:
    value = {"a": {"_t": 1, "b": [{"_u": 2, "c": 3}]}, "_x": {"y": 1}, "d_": 4}
    assert strip_metadata(value) == {"a": {"b": [{"c": 3}]}, "d_": 4}
    assert value["_x"] == {"y": 1}  # input untouched


def test_differing_paths_descend_objects_but_not_arrays() -> None:
    old = {"content": "a", "item": {"status": "x", "tags": [1, 2], "meta": {"t": 1}}, "o": 1}
    new = {
        "content": "a",
        "item": {"status": "y", "tags": [1, 3], "meta": {"t": 1, "u": 2}},
        "n": 1,
    }
    assert differing_paths(old, new) == ["item.meta.u", "item.status", "item.tags", "n", "o"]
    assert differing_paths({"a": {"b": 1}}, {"a": 5}) == ["a"]


@given(st.text(), st.text())
def test_common_prefix_length_is_the_first_differing_code_point(a: str, b: str) -> None:
    n = common_prefix_length(a, b)
    assert a[:n] == b[:n]
    assert n == min(len(a), len(b)) or a[n] != b[n]


def test_canonical_json_is_compact_sorted_and_numeric() -> None:
    assert canonical_json({"b": 4.0, "a": ["가", 1.5]}) == '{"a":["가",1.5],"b":4}'
    assert canonical_json({"n": 4}) == canonical_json({"n": 4.0})
    assert canonical_json({"n": True}) != canonical_json({"n": 1})


@given(
    st.dictionaries(
        st.text(max_size=4),
        st.one_of(
            st.text(max_size=4),
            st.integers(),
            st.booleans(),
            st.floats(-1e3, 1e3),
            st.lists(st.integers(), max_size=2),
        ),
        max_size=4,
    )
)
def test_dynamodb_key_text_fast_path_equals_canonical_json(key: dict[str, object]) -> None:
    assert key_text(key) == canonical_json(strip_metadata(key))
