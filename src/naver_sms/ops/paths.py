"""File lists given to the ops commands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def unique_paths(paths: Sequence[Path]) -> list[Path]:
    """Each file once, in order: the logs may also be where the EMF is (collector-less mode),
    and reading a file twice would count its events twice."""
    seen: set[Path] = set()
    found = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(path)
    return found
