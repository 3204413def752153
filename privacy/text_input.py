"""Make any shopper input safe to analyse: bytes, invalid UTF-8, lone surrogates.

Chat transports hand us `bytes` with broken UTF-8 and JSON with lone `\\ud83d` surrogates
(half an emoji). spaCy and Presidio want a clean `str`; the replacement keeps one character
per bad code unit so offsets into the cleaned text stay meaningful to the caller.
"""

from __future__ import annotations

REPLACEMENT = "\ufffd"


def clean_text(value: str | bytes | bytearray | None) -> str:
    """Return a valid Unicode string: bytes are decoded (bad sequences -> U+FFFD) and lone
    surrogates become U+FFFD. Lengths of valid text are unchanged."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if not isinstance(value, str):
        value = str(value)
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return "".join(REPLACEMENT if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value)
