"""What may never leave the process: phone numbers, customer names and secrets.

Pure string/structure functions shared by the log processors and the span exporter wrapper,
so logs and traces apply the same rules. Known secret *values* are registered once at setup
(from the settings and the environment); key names that look secret are redacted whatever
their value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Final

REDACTED: Final = "[REDACTED]"

# Korean mobile numbers, with or without separators, bare or +82: 01012345678, 010-1234-5678,
# 010 1234 5678, +82-10-1234-5678. Masked to `010-****-5678` whatever the input form.
# Not inside a longer ASCII token: hex ids (request ids, trace ids in attributes) may hold
# such digit runs, and masking them would corrupt the id without protecting anyone.
_PHONE: Final = re.compile(
    r"(?<![0-9A-Za-z])(?:\+82[- .]?0?|0)(1[016789])[- .]?(\d{3,4})[- .]?(\d{4})(?![0-9A-Za-z])"
)
_SECRET_KEY: Final = re.compile(
    r"token|secret|key|password|passwd|signature|authorization|credential|cookie", re.IGNORECASE
)
NAME_KEYS: Final = frozenset({"customer_name", "name"})
# Shorter values would mask ordinary words; real keys and tokens are much longer.
_MIN_SECRET_LENGTH: Final = 6

_secrets: set[str] = set()
_secret_pattern: re.Pattern[str] | None = None
_secret_key_cache: dict[str, bool] = {}


_on_change: list[Callable[[], None]] = []


def on_secrets_changed(callback: Callable[[], None]) -> None:
    """Call `callback` whenever the set of secrets changes (caches of scrubbed values)."""
    _on_change.append(callback)


def _changed() -> None:
    known_clean.clear()
    for callback in _on_change:
        callback()


def register_secrets(values: Iterable[str | None]) -> None:
    """Remember secret values so they are redacted wherever they appear (idempotent)."""
    global _secret_pattern  # noqa: PLW0603 - one registry per process, by design
    added = False
    for value in values:
        if value and len(value) >= _MIN_SECRET_LENGTH and value not in _secrets:
            _secrets.add(value)
            added = True
    if added:
        # Longest first so a secret containing another is removed whole.
        ordered = sorted(_secrets, key=len, reverse=True)
        _secret_pattern = re.compile("|".join(re.escape(s) for s in ordered))
        _changed()


def has_secrets() -> bool:
    return _secret_pattern is not None


def registered_secret_count() -> int:
    return len(_secrets)


def clear_secrets() -> None:
    """Forget registered secrets (tests only)."""
    global _secret_pattern  # noqa: PLW0603
    _secrets.clear()
    _secret_pattern = None
    _changed()


def _mask_phone_match(match: re.Match[str]) -> str:
    return f"0{match.group(1)}-****-{match.group(3)}"


def mask_phones(text: str) -> str:
    """`010-1234-5678` and `01012345678` (anywhere in the text) become `010-****-5678`."""
    return _PHONE.sub(_mask_phone_match, text)


def redact_secrets(text: str) -> str:
    pattern = _secret_pattern
    return pattern.sub(REDACTED, text) if pattern is not None else text


# Texts already found clean (span names, URLs, methods, store ids repeat at every flush),
# cleared in place and never rebound (the pipeline reads it directly),
# forgotten when the secrets change and when full.
_CLEAN_LIMIT: Final = 4096
# Longer texts (exception messages, stack traces) rarely repeat: caching them would only hold
# memory. The export caches of otlp_proto use the same bound.
CACHEABLE_TEXT: Final = 256
known_clean: set[str] = set()


def scrub_text_cached(text: str) -> str:
    """:func:`scrub_text`, remembering the texts that needed nothing (hot export path)."""
    if text in known_clean:
        return text
    clean = scrub_text(text)
    if clean is text and len(text) <= CACHEABLE_TEXT:  # not messages nor stack traces
        if len(known_clean) >= _CLEAN_LIMIT:
            known_clean.clear()
        known_clean.add(text)
    return clean


def scrub_text(text: str) -> str:
    """Phones masked and registered secrets redacted; returns the same object when clean."""
    pattern = _secret_pattern
    if pattern is not None and pattern.search(text):
        text = pattern.sub(REDACTED, text)
    if _PHONE.search(text):
        text = _PHONE.sub(_mask_phone_match, text)
    return text


def mask_name(name: str) -> str:
    """홍길동 -> 홍*동, 김철 -> 김*, J. Smith -> J******h: enough to recognise, not to identify."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def is_secret_key(key: str) -> bool:
    cached = _secret_key_cache.get(key)
    if cached is None:
        cached = _secret_key_cache[key] = _SECRET_KEY.search(key) is not None
    return cached


def scrub(value: Any) -> Any:
    """Scrub strings inside any JSON-like structure; containers are copied only if changed."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return scrub_mapping(value)
    if isinstance(value, list | tuple):
        items = [scrub(v) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            return type(value)(items) if isinstance(value, list) else tuple(items)
        return value
    return value


def scrub_mapping(mapping: dict[Any, Any]) -> dict[Any, Any]:
    """Apply every rule to a mapping: secret keys, name keys, then values recursively."""
    changed: dict[Any, Any] | None = None
    for key, value in mapping.items():
        new = value
        if isinstance(key, str):
            if is_secret_key(key):
                new = REDACTED if value is not None else None
            elif key in NAME_KEYS and isinstance(value, str):
                new = mask_name(value)
            else:
                new = scrub(value)
        else:
            new = scrub(value)
        if new is not value:
            if changed is None:
                changed = {}
            changed[key] = new
    if changed is None:
        return mapping
    return {**mapping, **changed}
