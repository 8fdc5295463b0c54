"""Filtering a list as the user types: every word must appear in some field."""

from __future__ import annotations

from collections.abc import Iterable


def matches(query: str, fields: Iterable[str | None]) -> bool:
    words = query.casefold().split()
    if not words:
        return True
    text = "\n".join((f or "").casefold() for f in fields)
    return all(word in text for word in words)
