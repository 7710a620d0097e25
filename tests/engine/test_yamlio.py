"""builder.project.yamlio builds the plain data PyYAML's safe loader builds, with a line for each key."""

from __future__ import annotations

import pytest
import yaml

from builder.project.yamlio import ProjectError, load_located

DOCUMENTS = {
    "plain": "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: true, f: 1.5}\n",
    "scalar keys": "3: one\ntrue: yes\nnull: nothing\n2.5: float\n'quoted': q\n",
    "merge key": "base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n  z: 4\n",
    "merge list": "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n  x: 9\n",
    "value key": "a:\n  =: the value\n  other: 2\n",
    "anchors": "a: &list [1, 2]\nb: *list\nc: &s text\nd: *s\n",
    "timestamps and ints": "when: 2024-01-02\nhex: 0x1f\noct: 0o17\ninf: .inf\n",
    "tagged str": "a: !!str 123\nb: !!int '7'\n",
    "empty": "a:\nb: ''\nc: []\nd: {}\n",
    "nested": "x:\n  - y:\n      z: [1, {w: 2}]\n  - - 3\n    - 4\n",
}


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_the_data_is_pyyamls(text: str) -> None:
    assert load_located(text).data == yaml.load(text, Loader=yaml.CSafeLoader)


def test_each_key_has_its_line_and_merged_keys_keep_the_mappings_own() -> None:
    located = load_located(DOCUMENTS["merge key"])
    assert located.data["child"] == {"x": 1, "y": 3, "z": 4}
    assert located.line_of(("child", "y")) == 4 and located.line_of(("child", "z")) == 5
    assert located.line_of(("base",)) == 1


def test_a_duplicate_key_is_an_error_but_a_merged_key_overridden_is_not() -> None:
    with pytest.raises(ProjectError, match="duplicate key 'a' \\(lines 1 and 2\\)"):
        load_located("a: 1\na: 2\n")
    assert load_located("b: &b {a: 1}\nc:\n  <<: *b\n  a: 2\n").data["c"] == {"a": 2}
