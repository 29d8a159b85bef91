"""What may never leave the process in clear: phone numbers, customer names and secrets.

One module for every place that writes text out: the log processors, the span scrubbing
processor, metric attribute values, the SENS/Telegram clients (server messages) and the
comparison reports. Pure functions over strings and JSON-like structures, plus the process's
registry of secret values (registered once at setup from the settings and the environment;
key names that look secret are redacted whatever their value).

- Phone numbers: Korean mobile (010, 011, 016-019), Seoul (02) and area/internet numbers
  (031 … 070), with or without separators, bare or `+82`: the middle group becomes `****`
  (`010-****-5678`, `02-****-1234`). Not inside a longer ASCII token: hex ids (request ids,
  span ids) may hold such digit runs, and masking them would corrupt the id without
  protecting anyone.
- Names: a name *field* keeps its first and last character (`홍길동` -> `홍*동`); in free
  text, a name before the honorific `님` keeps its first syllable (`홍**님`).
- Secrets: registered values and Telegram bot tokens in URL paths become `[REDACTED]`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any, Final

REDACTED: Final = "[REDACTED]"

# (?<!…): not inside a longer ASCII token. Group 1: the area or mobile code without its
# leading 0; group 2: the middle digits (masked); group 3: the last four digits.
_PHONE: Final = re.compile(
    r"(?<![0-9A-Za-z])(?:\+82[- .]?0?|0)(2|1[016789]|[3-9]\d)"
    r"[- .]?(\d{3,4})[- .]?(\d{4})(?![0-9A-Za-z])"
)
# A Telegram bot token where a URL carries it (`/bot<id>:<secret>/`), whether or not the
# token was registered: an HTTP instrumentation writes the whole URL into `url.full`.
_BOT_TOKEN: Final = re.compile(r"(?<=/bot)\d{3,}:[A-Za-z0-9_-]{20,}")
_SECRET_KEY: Final = re.compile(
    r"token|secret|key|password|passwd|signature|authorization|credential|cookie", re.IGNORECASE
)
NAME_KEYS: Final = frozenset({"customer_name", "name"})
# A Hangul syllable, precomposed or decomposed (NFD: leading consonant, vowel, optional final):
# a legacy system that wrote decomposed text must not leak the name it failed to compose.
_SYLLABLE: Final = "(?:[가-힣]|[\u1100-\u1112][\u1161-\u1175][\u11a8-\u11c2]?)"
# Shorter values would mask ordinary words; real keys and tokens are much longer.
_MIN_SECRET_LENGTH: Final = 6


# --- phone numbers ---------------------------------------------------------------------------


def _mask_phone_match(match: re.Match[str]) -> str:
    return f"0{match.group(1)}-****-{match.group(3)}"


def mask_phones(text: str) -> str:
    """Every phone number in `text` with its middle group masked: `010-****-5678`."""
    return _PHONE.sub(_mask_phone_match, text)


def phone_middle_spans(text: str) -> list[tuple[int, int]]:
    """Code point spans `[start, end)` of the middle digits of every phone number."""
    return [(m.start(2), m.end(2)) for m in _PHONE.finditer(text)]


def mask_phone(value: str) -> str:
    """One phone number field: `010-1234-5678` -> `010-****-5678`; fewer than 8 digits are
    all masked. Enough to tell numbers apart, never the number."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}-****-{digits[-4:]}"


# --- names -----------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """홍길동 -> 홍*동, 김철 -> 김*, J. Smith -> J******h: enough to recognise, not to identify."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@functools.cache
def _honorific() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The name-before-`님` patterns, compiled on first use: the comparison needs them, the
    Lambda's logs and spans do not (their Hangul classes cost a millisecond at cold start)."""
    return (
        re.compile(f"({_SYLLABLE})({_SYLLABLE}{{1,3}})(?=님|\u1102\u1175\u11b7)"),
        re.compile(_SYLLABLE),
    )


def mask_honorific_names(text: str) -> str:
    """A customer name before the honorific `님` keeps its first syllable: `홍**님`."""
    name, syllables = _honorific()
    return name.sub(lambda m: m.group(1) + "*" * len(syllables.findall(m.group(2))), text)


def honorific_name_spans(text: str) -> list[tuple[int, int]]:
    """Code point spans `[start, end)` of the masked part of every name before `님`."""
    return [(m.start(2), m.end(2)) for m in _honorific()[0].finditer(text)]


# --- secrets ---------------------------------------------------------------------------------

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


def redact_secrets(text: str) -> str:
    """Registered secret values in `text` become `[REDACTED]`."""
    pattern = _secret_pattern
    return pattern.sub(REDACTED, text) if pattern is not None else text


def is_secret_key(key: str) -> bool:
    """A field name that says its value is secret (token, key, password, signature ...)."""
    cached = _secret_key_cache.get(key)
    if cached is None:
        cached = _secret_key_cache[key] = _SECRET_KEY.search(key) is not None
    return cached


# --- every rule at once ----------------------------------------------------------------------


def scrub_text(text: str) -> str:
    """Secrets redacted, bot tokens redacted, phones masked; the same object when clean."""
    pattern = _secret_pattern
    if pattern is not None and pattern.search(text):
        text = pattern.sub(REDACTED, text)
    if "/bot" in text and _BOT_TOKEN.search(text):
        text = _BOT_TOKEN.sub(REDACTED, text)
    if _PHONE.search(text):
        text = _PHONE.sub(_mask_phone_match, text)
    return text


# Texts already found clean (span names, URLs, methods, store ids repeat at every export),
# forgotten when the secrets change and when full. Longer texts (exception messages, stack
# traces) rarely repeat: caching them would only hold memory.
_CLEAN_LIMIT: Final = 4096
CACHEABLE_TEXT: Final = 256
known_clean: set[str] = set()


def scrub_text_cached(text: str) -> str:
    """:func:`scrub_text`, remembering the short texts that needed nothing (hot paths)."""
    if text in known_clean:
        return text
    clean = scrub_text(text)
    if clean is text and len(text) <= CACHEABLE_TEXT:
        if len(known_clean) >= _CLEAN_LIMIT:
            known_clean.clear()
        known_clean.add(text)
    return clean


def scrub(value: Any) -> Any:
    """Scrub strings inside any JSON-like structure; containers are copied only if changed."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return scrub_mapping(value)
    if isinstance(value, list | tuple):
        items = [scrub(v) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            return items if isinstance(value, list) else tuple(items)
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
