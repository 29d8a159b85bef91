"""Capture-writing helpers shared by the comparison tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from capture_builders import WriteCapture


@pytest.fixture
def write_capture(tmp_path: Path) -> WriteCapture:
    """Write JSON Lines (dicts are dumped like the spec examples; strings go in verbatim)."""

    def write(name: str, lines: Iterable[Any]) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for line in lines:
                text = line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                handle.write(text + "\n")
        return path

    return write
