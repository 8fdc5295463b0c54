"""The wording every front end shares (avledger.present)."""

from __future__ import annotations

import pytest

from avledger.i18n import set_language
from avledger.present import duration_text, joined, or_dash, people, person, size_text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KB"),
        (1536, "1.5 KB"),
        (5 * 1024**2, "5.0 MB"),
        (3 * 1024**3, "3.0 GB"),
        (2 * 1024**4, "2.0 TB"),
        (None, ""),
    ],
)
def test_size_text(size, text):
    assert size_text(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, ""), (0, "0:00"), (59.6, "1:00"), (61, "1:01"), (3599, "59:59"), (3600, "1:00:00")]
)
def test_duration_text(seconds, text):
    assert duration_text(seconds) == text


def test_people_and_lists_follow_the_language():
    assert person("王建国", "1001") == "王建国（1001）"
    assert person(None, None) == "" and or_dash(person(None, None)) == "—"
    assert people([("张伟", "2001"), ("李娜", "2002")]) == "张伟（2001）、李娜（2002）"
    set_language("en")
    try:
        assert joined(["a", "", "b"]) == "a, b"
    finally:
        set_language("zh")
